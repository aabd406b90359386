"""Submission folders and zips: what is read, and what is refused."""
from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from grader.errors import SubmissionError, UsageError
from grader.loaders.submission import open_submission, read_manifest


def test_zip_of_one_folder_is_unwrapped(tmp_path: Path):
    archive = tmp_path / "work.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("my-lab2/submission.yaml", "learner: {id: z1}\nlab: lab2\n")
        z.writestr("my-lab2/playbook.yaml", "actions: []\n")
        z.writestr("__MACOSX/my-lab2/._playbook.yaml", "junk")
    files = open_submission(archive)
    assert files.names() == ["playbook.yaml", "submission.yaml"]
    assert read_manifest(files).learner.id == "z1"


@pytest.mark.parametrize("member", ["../evil.yaml", "/etc/passwd", "a/../../evil.yaml"])
def test_zip_paths_that_escape_are_refused(tmp_path: Path, member: str):
    archive = tmp_path / "bad.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("submission.yaml", "learner: {id: z1}\nlab: lab2\n")
        z.writestr(member, "x")
    with pytest.raises(SubmissionError) as err:
        open_submission(archive)
    assert "leaves the archive" in err.value.problems[0].message


def test_symlinks_in_a_folder_are_refused(tmp_path: Path):
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "submission.yaml").write_text("learner: {id: z1}\nlab: lab2\n")
    secret = tmp_path / "answer-key.yaml"
    secret.write_text("secret")
    os.symlink(secret, folder / "playbook.yaml")
    with pytest.raises(SubmissionError) as err:
        open_submission(folder)
    assert err.value.problems[0].file == "playbook.yaml"


def test_missing_manifest_and_nested_file_hint(tmp_path: Path):
    folder = tmp_path / "sub"
    (folder / "inner").mkdir(parents=True)
    (folder / "inner" / "submission.yaml").write_text("x: 1\n")
    with pytest.raises(SubmissionError) as err:
        read_manifest(open_submission(folder))
    assert "move inner/submission.yaml" in err.value.problems[0].fix


def test_learner_id_with_path_characters_is_invalid(tmp_path: Path):
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "submission.yaml").write_text("learner: {id: ../../etc}\nlab: lab2\n")
    with pytest.raises(SubmissionError) as err:
        read_manifest(open_submission(folder))
    assert err.value.problems[0].location == "learner.id"


def test_not_a_submission(tmp_path: Path):
    with pytest.raises(UsageError):
        open_submission(tmp_path / "nope")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(UsageError):
        open_submission(tmp_path / "file.txt")
    (tmp_path / "broken.zip").write_bytes(b"PK not really")
    with pytest.raises(SubmissionError):
        open_submission(tmp_path / "broken.zip")
