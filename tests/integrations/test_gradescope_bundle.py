"""The Gradescope bundle, unzipped into an /autograder-like tree and run on a sample submission."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import EXAMPLES
from tests.test_cli import run


def _bundle(tmp_path: Path, lab: str = "lab2") -> Path:
    out = tmp_path / "autograder.zip"
    result = run("gradescope", "build", "--lab", lab, "--out", out)
    assert result.exit_code == 0, result.output
    return out


def test_bundle_contents_and_determinism(tmp_path: Path):
    first = _bundle(tmp_path).read_bytes()
    assert _bundle(tmp_path / "again").read_bytes() == first
    with zipfile.ZipFile(_bundle(tmp_path)) as z:
        names = z.namelist()
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in z.infolist()}
        course = z.read("course/course.yaml").decode()
    assert {"setup.sh", "run_autograder", "course/course.yaml", "course/rubric.yaml",
            "course/dataset/billing.csv", "grader-src/pyproject.toml", "grader-src/grader/cli.py"} <= set(names)
    assert modes["run_autograder"] == modes["setup.sh"] == 0o755
    assert not any("instructor" in n or "__pycache__" in n for n in names)     # no answer keys, no caches
    assert "lab2:" in course and "lab1" not in course


def _autograder_tree(tmp_path: Path, submission: Path, with_manifest: bool) -> Path:
    root = tmp_path / "autograder"
    with zipfile.ZipFile(_bundle(tmp_path)) as z:
        z.extractall(root / "source")
    os.chmod(root / "source" / "run_autograder", stat.S_IRWXU)
    shutil.copytree(submission, root / "submission")
    if not with_manifest:
        (root / "submission" / "submission.yaml").unlink()
    (root / "submission_metadata.json").write_text(json.dumps(
        {"users": [{"email": "ada.lovelace@example.edu", "name": "Ada Lovelace", "id": 1}]}))
    return root


def _run_autograder(root: Path) -> dict:
    env = {"AUTOGRADER_ROOT": str(root), "GRADER_PYTHON": sys.executable, "PATH": os.environ.get("PATH", ""),
           "PYTHONPATH": str(root / "source" / "grader-src")}   # the bundle's own copy of the grader
    subprocess.run([sys.executable, str(root / "source" / "run_autograder")], env=env, check=True, capture_output=True)
    return json.loads((root / "results" / "results.json").read_text())


def test_run_autograder_writes_valid_results(tmp_path: Path):
    results = _run_autograder(_autograder_tree(tmp_path, EXAMPLES / "lab2-good", with_manifest=False))
    assert results["score"] == 90.33333333333333                  # the same grade as the folder
    assert [t["status"] for t in results["tests"]].count("failed") == 2
    assert {t["visibility"] for t in results["tests"]} == {"visible", "after_published"}
    claims = next(t for t in results["tests"] if "claims_accurate" in t["tags"])
    assert "is too high" in claims["output"] and "149,462" not in claims["output"]   # learners: no answer oracle


def test_run_autograder_on_an_invalid_upload_still_writes_results(tmp_path: Path):
    results = _run_autograder(_autograder_tree(tmp_path, EXAMPLES / "lab2-invalid", with_manifest=True))
    assert results["score"] == 0.0
    assert results["tests"][0]["name"] == "Submission could be read" and results["tests"][0]["status"] == "failed"
