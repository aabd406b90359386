"""lab1 through the command line: every example's outcome, invalid input, other datasets."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, REFERENCE, ROOT
from tests.test_cli import grade_json, run


def test_reference_solution_scores_100():
    code, report = grade_json(REFERENCE / "lab1")
    assert (code, report["score"], report["passed"]) == (0, 100.0, True)
    f = report["figures"]
    assert (f["kpi_checked"], f["kpi_matched"], f["alert_precision"], f["alert_recall"]) == (18, 18, 1.0, 1.0)
    assert f["total_effective_cost"] == pytest.approx(199850.8366, abs=1e-3)


def test_good_dashboard_passes():
    code, report = grade_json(EXAMPLES / "lab1-good")
    assert (code, report["passed"]) == (0, True)
    assert report["score"] == pytest.approx(100 - 25 / 18, abs=1e-9)      # one of 18 values wrong
    assert report["figures"]["alert_precision"] == pytest.approx(5 / 6)
    assert report["figures"]["alerts"]["unexpected"] == [{"kind": "cost_spike", "date": "2026-09-12",
                                                          "business_unit": "ads"}]


def test_wrong_unit_costs_do_not_pass():
    code, report = grade_json(EXAMPLES / "lab1-wrong-unit-costs")
    assert (code, report["passed"]) == (1, False)
    gate = next(c for c in report["criteria"] if c["id"] == "unit_costs")
    assert (gate["status"], gate["score"]) == ("partial", 7.5)
    assert "cost_per_1k_inferences (search): reported 0.0003572, recomputed 0.3572" in gate["feedback"]


def test_missed_alerts_do_not_pass():
    code, report = grade_json(EXAMPLES / "lab1-missed-alerts")
    assert (code, report["passed"]) == (1, False)
    assert report["figures"]["alert_recall"] == pytest.approx(0.4)
    assert report["score"] == 90.0                                         # alerts 15/20, refresh weekly 0/5


def test_invalid_dashboard_locates_every_problem():
    code, report = grade_json(EXAMPLES / "lab1-invalid")
    assert code == 3 and report["score"] == 0.0
    got = [(e["file"], e.get("line"), e.get("location")) for e in report["errors"]]
    assert got == [
        ("dashboard.yaml", 1, "period"),
        ("dashboard.yaml", 2, "refresh"),
        ("dashboard.yaml", 4, "kpis[0].family"),
        ("kpis.csv", 1, "business unit"),
        ("kpis.csv", 1, "business_unit"),
        ("alerts.csv", 2, "kind"),
        ("alerts.csv", 3, "date"),
    ]


def test_period_outside_the_dataset(tmp_path: Path):
    import shutil

    shutil.copytree(REFERENCE / "lab1", tmp_path / "s")
    dash = tmp_path / "s" / "dashboard.yaml"
    dash.write_text(dash.read_text().replace("period: 2026-09", "period: 2027-01"))
    code, report = grade_json(tmp_path / "s")
    assert code == 3
    [e] = report["errors"]
    assert (e["line"], e["location"]) == (2, "period")
    assert "covers 2026-07, 2026-08, 2026-09" in e["message"]


def test_real_focus_sample_reports_not_gradable_metrics(sample_dataset: Path, make_submission):
    sub = make_submission({
        "submission.yaml": "learner: {id: f1}\nlab: lab1\n",
        "dashboard.yaml": "period: 2024-09\nrefresh: daily\nkpis:\n"
                          "  - {metric: effective_cost, family: cost, target: 20, direction: below, owner: me}\n"
                          "  - {metric: cost_per_gpu_hour, family: unit_cost, target: 2, direction: below, owner: me}\n",
        "kpis.csv": "metric,period,business_unit,value\neffective_cost,2024-09,,14.9765\n"
                    "allocated_cost_pct,2024-09,,1.0683\ncost_per_gpu_hour,2024-09,,2.1\n",
        "alerts.csv": "kind,date,business_unit,value,baseline\n",
    })
    code, report = grade_json(sub, "--dataset", str(sample_dataset))
    f = report["figures"]
    assert (f["kpi_checked"], f["kpi_matched"]) == (2, 2)
    assert f["total_effective_cost"] == pytest.approx(14.97651418586, abs=1e-9)
    assert f["kpis"][2]["status"] == "not_gradable"
    by_id = {c["id"]: c for c in report["criteria"]}
    assert "1 row(s) not gradable with this dataset (needs utilization.csv)" in by_id["values_match"]["feedback"]
    assert "this dataset has none of the files unit costs need" in by_id["unit_costs"]["feedback"]
    assert report["passed"] is False and code == 1
    assert not report["errors"]


def test_golden_json_of_the_lab1_reference_solution():
    golden = ROOT / "tests" / "golden" / "lab1-reference.json"
    assert run("grade", REFERENCE / "lab1", "--format", "json").output == golden.read_text()
