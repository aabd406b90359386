"""Cohort grading into the gradebook: resilience, idempotence, resumption, regrade, export, shards."""
from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from grader.batch import discover, shard
from grader.gradebook.export import neutralise
from grader.gradebook.store import Gradebook
from tests.conftest import EXAMPLES, ROOT
from tests.test_cli import run


def _cohort(tmp_path: Path) -> Path:
    cohort = tmp_path / "cohort"
    for name in ("lab2-good", "lab2-short", "lab1-good", "lab3-good", "assessment-strong"):
        shutil.copytree(EXAMPLES / name, cohort / name)
    shutil.copytree(EXAMPLES / "lab2-good", cohort / "lab2-good-again")              # a duplicate upload
    late = cohort / "lab2-late"
    shutil.copytree(EXAMPLES / "lab2-good", late)
    manifest = late / "submission.yaml"
    manifest.write_text(manifest.read_text().replace("g0815, name: Grace Hopper", "l0001, name: Lou Late")
                        .replace("2026-10-15T21:05:00Z", "2026-10-19T09:00:00Z"))
    (cohort / "broken.zip").write_bytes(b"PK\x03\x04 not a zip")                   # malformed
    with zipfile.ZipFile(cohort / "hostile.zip", "w") as z:                          # hostile
        z.writestr("submission.yaml", "learner: {id: h1}\nlab: lab2\n")
        z.writestr("../../escape.yaml", "x")
    return cohort


def test_a_cohort_survives_bad_submissions_and_deduplicates(tmp_path: Path):
    cohort, db = _cohort(tmp_path), tmp_path / "gb.sqlite"
    result = run("batch", cohort, "--db", db, "--jobs", "2", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "9 of 9 submission(s) graded" in result.output
    with Gradebook(db) as book:
        attempts = list(book.attempts())
        assert len(attempts) == 8                             # the duplicate upload is one attempt
        by_learner = {a.learner_id: a for a in attempts}
        # due 2026-10-16 23:59, handed in 2026-10-19 09:00: 2 days 9 hours late, so 3 days (README "Choices")
        assert by_learner["l0001"].late_days == 3 and by_learner["l0001"].score == pytest.approx(90.3333333 * 0.7)
        assert sum(a.invalid for a in attempts) == 2           # broken.zip and hostile.zip, each with errors
        hostile = next(a for a in attempts if a.source.endswith("hostile.zip"))
        assert "leaves the archive" in hostile.result["errors"][0]["message"]
        assert book.learners()["g0815"] == ("Grace Hopper", "grace@example.edu")
    assert not (tmp_path / "escape.yaml").exists() and not (cohort.parent / "escape.yaml").exists()
    again = run("batch", cohort, "--db", db)
    assert "0 of 0 submission(s) graded; 9 unchanged" in again.output and again.exit_code == 0
    with Gradebook(db) as book:
        assert len(list(book.attempts())) == 8


def test_jobs_1_and_2_write_the_same_results(tmp_path: Path):
    cohort = _cohort(tmp_path)
    run("batch", cohort, "--jobs", "1", "--out", tmp_path / "one", "--db", tmp_path / "one.sqlite")
    run("batch", cohort, "--jobs", "2", "--out", tmp_path / "two", "--db", tmp_path / "two.sqlite")
    one = {p.name: p.read_bytes() for p in (tmp_path / "one").iterdir()}
    assert one and one == {p.name: p.read_bytes() for p in (tmp_path / "two").iterdir()}

    def stored(db: Path) -> list[tuple]:   # attempts in the order they were recorded, byte for byte
        with Gradebook(db) as book:
            return list(book.db.execute("SELECT source, content_sha256, result_json, submission_zip FROM attempts "
                                        "ORDER BY id"))
    assert stored(tmp_path / "one.sqlite") == stored(tmp_path / "two.sqlite")
    assert [Path(s[0]).name for s in stored(tmp_path / "one.sqlite")] == \
        sorted(Path(s[0]).name for s in stored(tmp_path / "one.sqlite"))


def test_a_killed_batch_loses_and_doubles_nothing(tmp_path: Path):
    cohort, db = tmp_path / "big", tmp_path / "gb.sqlite"
    template = (EXAMPLES / "lab2-good" / "playbook.yaml").read_text()
    for i in range(300):
        folder = cohort / f"s{i:03d}"
        folder.mkdir(parents=True)
        (folder / "submission.yaml").write_text(f"learner: {{id: s{i:03d}}}\nlab: lab2\n")
        (folder / "playbook.yaml").write_text(template)
    cmd = [sys.executable, "-m", "grader", "batch", str(cohort), "--db", str(db), "--jobs", "2"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, env={**os.environ, "CI": "1"})
    deadline = time.monotonic() + 60
    count = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists():
            try:
                count = sqlite3.connect(db).execute("SELECT count(*) FROM attempts").fetchone()[0]
            except sqlite3.OperationalError:
                count = 0
            if count >= 20:
                break
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)                        # the batch and its workers, mid-run
    proc.wait()
    assert proc.returncode == -signal.SIGKILL and 20 <= count < 300
    resumed = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env={**os.environ, "CI": "1"})
    assert resumed.returncode == 0
    rows = sqlite3.connect(db).execute("SELECT learner_id, count(*) FROM attempts GROUP BY learner_id").fetchall()
    assert len(rows) == 300 and all(n == 1 for _, n in rows)
    assert "unchanged since the gradebook recorded them" in resumed.stdout


def test_regrade_after_a_rubric_change_lists_who_changed(tmp_path: Path):
    course_dir = tmp_path / "course"
    course_dir.mkdir()
    shutil.copy(ROOT / "rubrics" / "lab2-optimization-playbook.yaml", course_dir / "lab2.yaml")
    (course_dir / "course.yaml").write_text(
        f"course: X\ntitle: Y\ndatasets: {{d: {{path: {ROOT / 'grader' / 'data' / 'ai-platform'}}}}}\n"
        "labs: {lab2: {title: Playbook, rubric: lab2.yaml, dataset: d}}\n")
    cohort, db = tmp_path / "cohort", tmp_path / "gb.sqlite"
    for name in ("lab2-good", "lab2-short"):
        shutil.copytree(EXAMPLES / name, cohort / name)
    assert run("batch", cohort, "--db", db, "--course", course_dir / "course.yaml").exit_code == 0
    rubric = course_dir / "lab2.yaml"
    rubric.write_text(rubric.read_text().replace("min_savings_pct: 0.30", "min_savings_pct: 0.32"))
    shutil.rmtree(cohort)                                       # regrade needs only the gradebook
    result = run("regrade", "--db", db, "--lab", "lab2", "--course", course_dir / "course.yaml")
    assert result.exit_code == 0
    assert "2 lab2 attempt(s) re-scored; 1 changed." in result.output
    # 0.2976743 of a 0.32 target earns 30 × 0.930232 = 27.907 points instead of 29.767
    assert "s4242: 90.10 -> 88.24" in result.output
    with Gradebook(db) as book:
        assert len(list(book.attempts())) == 4                  # the old attempts stay, for history


def test_export_neutralises_formulas_and_applies_the_policy(tmp_path: Path):
    db = tmp_path / "gb.sqlite"
    cohort = tmp_path / "c"
    shutil.copytree(EXAMPLES / "lab2-good", cohort / "a")
    manifest = cohort / "a" / "submission.yaml"
    manifest.write_text('learner: {id: x9, name: "=HYPERLINK(\\"http://evil\\",\\"x\\")", email: "+1@x.io"}\n'
                        "lab: lab2\n")
    run("batch", cohort, "--db", db)
    (cohort / "a" / "playbook.yaml").write_text((EXAMPLES / "lab2-short" / "playbook.yaml").read_text())
    run("batch", cohort, "--db", db)                           # a second, worse attempt
    latest = run("export", "--db", db).output.splitlines()
    assert latest[0] == ("learner_id,name,email,lab1,lab1_passed,lab2,lab2_passed,lab3,lab3_passed,"
                         "assessment,assessment_passed")
    assert latest[1].startswith('x9,"\'=HYPERLINK(""http://evil"",""x"")",\'+1@x.io,,,90.10,no')
    best = run("export", "--db", db, "--policy", "best").output.splitlines()
    assert ",90.33,yes," in best[1]
    assert neutralise("-2") == "'-2" and neutralise("ok") == "ok" and neutralise(None) == ""


def test_shards_split_the_cohort_deterministically(tmp_path: Path):
    cohort = _cohort(tmp_path)
    paths = discover(cohort)
    parts = [list(shard(paths, i, 3)) for i in (1, 2, 3)]
    assert sorted(p for part in parts for p in part) == paths
    assert all(set(a).isdisjoint(b) for a in parts for b in parts if a is not b)
    assert parts == [list(shard(paths, i, 3)) for i in (1, 2, 3)]
    assert run("batch", cohort, "--shard", "0/3").exit_code == 2


def test_shards_merged_equal_the_unsharded_run(tmp_path: Path):
    cohort = _cohort(tmp_path)
    run("batch", cohort, "--db", tmp_path / "all.sqlite", "--jobs", "1")
    for i in (1, 2):
        run("batch", cohort, "--db", tmp_path / f"s{i}.sqlite", "--shard", f"{i}/2", "--jobs", "1")
    result = run("merge", tmp_path / "merged.sqlite", tmp_path / "s1.sqlite", tmp_path / "s2.sqlite")
    assert result.exit_code == 0
    run("merge", tmp_path / "merged.sqlite", tmp_path / "s1.sqlite")          # merging twice doubles nothing

    def content(db: Path):
        with Gradebook(db) as book:
            return sorted((a.learner_id, a.lab, a.content_sha256, a.score, a.passed) for a in book.attempts())

    assert content(tmp_path / "merged.sqlite") == content(tmp_path / "all.sqlite")
    assert len(content(tmp_path / "merged.sqlite")) == 8


def test_batch_writes_other_formats_per_learner(tmp_path: Path):
    cohort = tmp_path / "c"
    shutil.copytree(EXAMPLES / "lab2-good", cohort / "a")
    shutil.copytree(EXAMPLES / "lab3-good", cohort / "b")
    result = run("batch", cohort, "--out", tmp_path / "out", "--format", "html", "--format", "junit", "--jobs", "2")
    assert result.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "c6000.lab3.html", "c6000.lab3.json", "c6000.lab3.junit.xml",
        "g0815.lab2.html", "g0815.lab2.json", "g0815.lab2.junit.xml"]
    assert "<svg" in (tmp_path / "out" / "g0815.lab2.html").read_text()
    assert run("batch", cohort, "--format", "html").exit_code == 2           # formats need --out


def test_invalid_shards_are_usage_errors(tmp_path: Path):
    cohort = _cohort(tmp_path)
    for spec in ("4/3", "x/2", "1/0", "2"):
        assert run("batch", cohort, "--shard", spec).exit_code == 2


def test_grouped_recording_commits_every_size_attempts_and_at_the_end(tmp_path: Path):
    result = {"learner": "a1", "lab": "lab2", "grader_version": "x", "score": 1.0, "max_score": 2.0, "percent": 50.0,
              "passed": False, "errors": []}
    db = tmp_path / "gb.sqlite"
    reader = lambda: sqlite3.connect(db).execute("SELECT count(*) FROM attempts").fetchone()[0]  # noqa: E731
    with Gradebook(db) as book:
        with book.grouped(size=3):
            for i in range(7):
                book.record(result, source=f"s{i}", content_sha256=f"{i}", submission_zip=b"")
                assert reader() == (i + 1) // 3 * 3       # another process sees whole groups only
        assert reader() == 7
        book.record(result, source="s7", content_sha256="7", submission_zip=b"")   # back to one per attempt
        assert reader() == 8
