"""`grader ci` in GitHub Actions and `grader ci init` for learners' repositories."""
from __future__ import annotations

import base64
import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from grader import cli
from tests.conftest import EXAMPLES


def _ci(tmp_path: Path, submission: Path, *extra: str):
    env = {"GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"), "GITHUB_OUTPUT": str(tmp_path / "output")}
    return CliRunner().invoke(cli.main, ["ci", str(submission), *extra], env=env, catch_exceptions=False)


def test_ci_writes_summary_output_and_annotations(tmp_path: Path):
    result = _ci(tmp_path, EXAMPLES / "lab2-good", "--output-dir", str(tmp_path / "out"))
    assert result.exit_code == 0
    assert "## lab2 · g0815 — 90.33/100 (90.3%) · ✅ passed" in (tmp_path / "summary.md").read_text()
    output = (tmp_path / "output").read_text()
    payload = json.loads(base64.b64decode(output.strip().removeprefix("result=")))
    assert payload["status"] == "pass" and payload["max_score"] == 100.0
    warnings = [line for line in result.output.splitlines() if line.startswith("::warning")]
    assert len(warnings) == 2
    # each at the first offending action: CM-1's claim (line 45), SP-1's one-word mitigation (line 35)
    assert warnings[0].startswith("::warning file=submissions_example/lab2-good/playbook.yaml,line=45,title=Claimed")
    assert warnings[1].startswith("::warning file=submissions_example/lab2-good/playbook.yaml,line=35,title=Every action "
                                  "has an owner%2C a risk level and a concrete mitigation (12/15)::")
    assert "Points 90.33/100" in result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["junit.xml", "result.json", "summary.md"]
    hidden = next(c for c in json.loads((tmp_path / "out" / "result.json").read_text())["criteria"]
                  if c["id"] == "headline_consistent")
    assert hidden["feedback"] == "Hidden criterion: graded now, feedback after release."


def test_ci_annotates_located_problems_and_exits_3(tmp_path: Path):
    result = _ci(tmp_path, EXAMPLES / "lab2-invalid")
    assert result.exit_code == 3
    errors = [line for line in result.output.splitlines() if line.startswith("::error")]
    assert errors[1].startswith("::error file=submissions_example/lab2-invalid/playbook.yaml,line=5,")
    assert not [line for line in result.output.splitlines() if line.startswith("::warning")]


def test_ci_exit_1_when_not_passed(tmp_path: Path):
    assert _ci(tmp_path, EXAMPLES / "lab2-short").exit_code == 1


def test_unwritable_github_files_warn_but_do_not_crash(tmp_path: Path):
    result = _ci(tmp_path / "missing-folder", EXAMPLES / "lab2-good")
    assert result.exit_code == 0
    assert "warning: cannot write" in result.output


def test_ci_init_writes_a_workflow(tmp_path: Path):
    runner = CliRunner()
    result = runner.invoke(cli.main, ["ci", "init", "--lab", "lab1", "--submission", "dashboard", "--repo", str(tmp_path)])
    assert result.exit_code == 0
    flow = yaml.safe_load((tmp_path / ".github" / "workflows" / "grade.yml").read_text())
    steps = flow["jobs"]["grade"]["steps"]
    assert [s.get("uses", s.get("name")) for s in steps] == [
        "actions/checkout@v4", "actions/setup-python@v5", "Install the grader", "Grade", "actions/upload-artifact@v4",
        "classroom-resources/autograding-grading-reporter@v1"]
    assert steps[3]["id"] == "grade" and steps[3]["run"] == "grader ci dashboard --output-dir grader-results"
    assert steps[5]["env"]["GRADE_RESULTS"] == "${{ steps.grade.outputs.result }}" and steps[5]["with"]["runners"] == "grade"
    assert flow["permissions"]["checks"] == "write"
    again = runner.invoke(cli.main, ["ci", "init", "--repo", str(tmp_path)])
    assert again.exit_code == 2 and "--force" in again.output
    assert runner.invoke(cli.main, ["ci", "init", "--repo", str(tmp_path), "--force"]).exit_code == 0


def test_ci_points_lab1_and_lab3_findings_at_their_rows(tmp_path: Path):
    lab1 = _ci(tmp_path, EXAMPLES / "lab1-wrong-unit-costs")
    assert "::warning file=submissions_example/lab1-wrong-unit-costs/kpis.csv,line=13," in lab1.output
    (tmp_path / "b").mkdir()
    lab3 = _ci(tmp_path / "b", EXAMPLES / "lab3-wrong-method")
    assert lab3.exit_code == 0
    assert "::warning file=submissions_example/lab3-wrong-method/allocation.csv,line=2," in lab3.output
