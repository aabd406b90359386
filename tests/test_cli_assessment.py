"""The assessment through the command line: the 80 % threshold, the panel, moderation, invalid panels."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, REFERENCE, ROOT
from tests.test_cli import grade_json, run


def test_reference_solution_scores_100():
    code, report = grade_json(REFERENCE / "assessment")
    assert (code, report["score"], report["passed"]) == (0, 100.0, True)
    f = report["figures"]
    assert f["npv"] == pytest.approx(143087.90383170542, rel=1e-12)
    assert f["irr"] == pytest.approx(0.37990185, abs=1e-8) and f["roi"] == pytest.approx(0.92)
    assert f["panel_mean_pct"] == 1.0
    assert [t["driver"] for t in f["tornado"]] == ["cash_flows", "investment", "discount_rate"]   # by swing


def test_strong_case_passes_above_80_with_three_raters_and_a_flag():
    code, report = grade_json(EXAMPLES / "assessment-strong")
    assert (code, report["passed"]) == (0, True)
    # automatic 65 + storytelling 15 × 26/30 + risk 10 × 16/30 + Q&A 10 × 25/30
    assert report["score"] == pytest.approx(65 + 13 + 16 / 3 + 25 / 3, abs=1e-9)
    panel = report["figures"]["panel"]
    assert panel["risk_treatment"]["moderation"] is True and panel["risk_treatment"]["spread"] == 4
    assert panel["storytelling"]["moderation"] is False
    assert report["figures"]["panel_mean_pct"] == pytest.approx((26 / 30 + 16 / 30 + 25 / 30) / 3)
    risk = next(c for c in report["criteria"] if c["id"] == "risk_treatment")
    assert "flagged for moderation" in risk["feedback"]


def test_excel_npv_case_falls_below_80():
    code, report = grade_json(EXAMPLES / "assessment-excel-npv")
    assert (code, report["passed"], report["score"]) == (1, False, pytest.approx(77.0))
    assert report["percent"] < 0.80


def test_no_irr_case_claims_null_and_passes():
    code, report = grade_json(EXAMPLES / "assessment-no-irr")
    f = report["figures"]
    assert (f["irr"], f["roi"], f["payback_years"]) == (None, None, 0.0)
    assert next(c for c in report["criteria"] if c["id"] == "figures")["status"] == "pass"
    assert (code, report["passed"]) == (0, True)


def test_without_a_panel_manual_criteria_wait(tmp_path: Path):
    shutil.copytree(EXAMPLES / "assessment-strong", tmp_path / "s")
    (tmp_path / "s" / "panel.yaml").unlink()
    code, report = grade_json(tmp_path / "s")
    manual = [c["id"] for c in report["criteria"] if c["status"] == "manual"]
    assert manual == ["storytelling", "risk_treatment", "q_and_a"]
    assert (report["score"], report["max_reachable_percent"]) == (65.0, 1.0)
    assert report["figures"]["panel_mean_pct"] is None
    assert (code, report["passed"]) == (1, False)
    text = run("grade", tmp_path / "s").output
    assert "manual" in text


def test_panel_option_and_the_learner_self_check(tmp_path: Path):
    shutil.copytree(EXAMPLES / "assessment-strong", tmp_path / "s")
    panel = tmp_path / "s" / "panel.yaml"
    outside = tmp_path / "panel.yaml"
    outside.write_text("raters:\n  - {name: Solo, scores: {storytelling: 10, risk_treatment: 10, q_and_a: 10}}\n")
    code, report = grade_json(tmp_path / "s", "--panel", str(outside))
    assert report["score"] == 100.0
    # a learner's self-check ignores a panel.yaml in the submission: learners do not grade themselves
    panel.write_text(outside.read_text())
    import json
    checked = json.loads(run("check", tmp_path / "s", "--format", "json").output)
    assert {c["id"]: c["status"] for c in checked["criteria"]}["storytelling"] == "manual"


def test_a_bad_panel_is_a_configuration_error_naming_it(tmp_path: Path):
    bad = tmp_path / "panel.yaml"
    bad.write_text("raters:\n  - {name: A, scores: {storytelling: 11, charisma: 5}}\n")
    result = run("grade", EXAMPLES / "assessment-strong", "--panel", bad)
    assert result.exit_code == 2
    assert "A's score 11 for 'storytelling' is outside 0–10" in result.output
    assert "'charisma' is not a manual criterion of the rubric" in result.output


def test_golden_json_of_the_assessment_reference_solution():
    golden = ROOT / "tests" / "golden" / "assessment-reference.json"
    assert run("grade", REFERENCE / "assessment", "--format", "json").output == golden.read_text()


def test_grading_the_assessment_never_imports_pandas():
    """architecture.md: heavy imports are lazy, so a YAML-only grade starts fast."""
    import subprocess
    import sys

    code = ("import sys\nfrom grader.cli import main\nsys.argv = ['grader', 'grade', sys.argv[1], '--format', 'json']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\nprint('pandas' in sys.modules, 'pyarrow' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code, str(REFERENCE / "assessment")], capture_output=True, text=True,
                         cwd=ROOT, env={"PATH": "", "PYTHONPATH": str(ROOT)})
    assert out.stdout.strip().splitlines()[-1] == "False False"
