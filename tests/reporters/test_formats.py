"""Each output format against its published structure, on real reports."""
from __future__ import annotations

import base64
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.conftest import EXAMPLES, REFERENCE
from tests.test_cli import run

GRADESCOPE_VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


def _formats(tmp_path: Path, submission: Path, *extra: str) -> tuple[int, Path]:
    out = tmp_path / "out"
    result = run("grade", submission, "--output-dir", out, *extra,
                 *[a for f in ("json", "gradescope", "junit", "markdown", "classroom") for a in ("--format", f)])
    return result.exit_code, out


def test_gradescope_results_follow_the_spec(tmp_path: Path):
    code, out = _formats(tmp_path, EXAMPLES / "lab2-good")
    assert code == 0
    results = json.loads((out / "results.json").read_text())
    assert set(results) == {"score", "output", "output_format", "visibility", "stdout_visibility", "tests"}
    assert isinstance(results["score"], float) and results["score"] == json.loads((out / "result.json").read_text())["score"]
    assert results["visibility"] in GRADESCOPE_VISIBILITY and results["stdout_visibility"] in GRADESCOPE_VISIBILITY
    for i, test in enumerate(results["tests"], start=1):
        assert {"name", "number", "score", "max_score", "status", "output", "output_format", "tags",
                "visibility"} <= set(test)
        assert test["number"] == str(i) and test["status"] in {"passed", "failed"}
        assert isinstance(test["score"], float) and isinstance(test["tags"], list)
        assert test["visibility"] in GRADESCOPE_VISIBILITY
    hidden = [t for t in results["tests"] if "headline_consistent" in t["tags"]]
    assert hidden[0]["visibility"] == "after_published"
    assert sum(t["score"] for t in results["tests"]) == results["score"]


def test_gradescope_for_an_invalid_submission_and_for_a_failed_grading(tmp_path: Path):
    code, out = _formats(tmp_path, EXAMPLES / "lab2-invalid")
    results = json.loads((out / "results.json").read_text())
    assert code == 3 and results["score"] == 0.0
    first = results["tests"][0]
    assert (first["status"], first["visibility"]) == ("failed", "visible")
    assert "playbook.yaml:5 (actions[0].lever)" in first["output"]
    # grading itself failing (a course file that does not exist) still leaves a valid results.json
    out2 = tmp_path / "out2"
    result = run("grade", EXAMPLES / "lab2-good", "--course", tmp_path / "nope.yaml", "--format", "gradescope",
                 "--output-dir", out2)
    assert result.exit_code == 2
    failed = json.loads((out2 / "results.json").read_text())
    assert failed["score"] == 0.0 and failed["tests"][0]["status"] == "failed"
    assert failed["tests"][0]["visibility"] == "visible" and "nope.yaml" not in failed["output"]


def test_junit_parses_back(tmp_path: Path):
    _, out = _formats(tmp_path, EXAMPLES / "lab2-good")
    suite = ET.parse(out / "junit.xml").getroot().find("testsuite")
    assert suite.get("name") == "lab2-optimization-playbook"
    cases = suite.findall("testcase")
    assert (suite.get("tests"), len(cases)) == ("8", 8)
    failed = [c.get("name").split(":")[0] for c in cases if c.find("failure") is not None]
    assert failed == ["claims_accurate", "actions_accountable"] and suite.get("failures") == "2"
    assert cases[1].find("failure").get("type") == "partial"


def test_junit_marks_waiting_panel_criteria_skipped_and_invalid_submissions_errors(tmp_path: Path):
    shutil.copytree(EXAMPLES / "assessment-strong", tmp_path / "s")
    (tmp_path / "s" / "panel.yaml").unlink()
    _, out = _formats(tmp_path, tmp_path / "s")
    suite = ET.parse(out / "junit.xml").getroot().find("testsuite")
    assert suite.get("skipped") == "3"
    _, out2 = _formats(tmp_path / "b", EXAMPLES / "lab1-invalid")
    suite = ET.parse(out2 / "junit.xml").getroot().find("testsuite")
    assert suite.find("testcase").find("error") is not None


def test_classroom_payload(tmp_path: Path):
    _, out = _formats(tmp_path, EXAMPLES / "lab2-short")
    line = (out / "classroom.txt").read_text()
    assert line.startswith("result=") and line.endswith("\n")
    data = json.loads(base64.b64decode(line[len("result="):]))
    assert (data["version"], data["status"], data["max_score"]) == (1, "fail", 100.0)
    assert {t["status"] for t in data["tests"]} <= {"pass", "fail", "error"}
    report = json.loads((out / "result.json").read_text())
    assert sum(t["score"] for t in data["tests"]) == report["score"]          # the reporter's "Points X/Y"
    _, out2 = _formats(tmp_path / "b", EXAMPLES / "lab2-invalid")
    bad = json.loads(base64.b64decode((out2 / "classroom.txt").read_text()[len("result="):]))
    assert bad["status"] == "error"
    assert {"filename": "playbook.yaml", "line_no": 5} .items() <= bad["tests"][1].items()


def test_markdown_escapes_learner_text(tmp_path: Path, make_submission):
    sub = make_submission({"submission.yaml": "learner: {id: m1}\nlab: lab2\n", "playbook.yaml": (
        "actions:\n  - {id: '<script>alert(1)</script>|x', title: t, lever: scheduling,"
        " scope: {business_unit: search}, params: {hours_off_per_week: 10}}\n")})
    result = run("grade", sub, "--format", "markdown")
    assert "<script>" not in result.output
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\\|x" in result.output


def test_several_formats_need_an_output_dir(tmp_path: Path):
    result = run("grade", REFERENCE / "lab2", "--format", "json", "--format", "junit")
    assert result.exit_code == 2 and "--output-dir" in result.output


def test_html_escapes_learner_text(tmp_path: Path, make_submission):
    sub = make_submission({"submission.yaml": "learner: {id: m1}\nlab: lab2\n", "playbook.yaml": (
        "actions:\n  - {id: '<script>alert(1)</script>', title: t, lever: scheduling,"
        " scope: {business_unit: serch}, params: {hours_off_per_week: 10}}\n")})
    page = run("grade", sub, "--format", "html").output
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'http' not in page.split("<body>")[1].split("<svg")[0]          # nothing to fetch
