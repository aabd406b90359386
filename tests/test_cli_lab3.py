"""lab3 through the command line: every example's outcome and invalid input."""
from __future__ import annotations

import pytest

from tests.conftest import EXAMPLES, REFERENCE, ROOT
from tests.test_cli import grade_json, run


def test_reference_solution_scores_100():
    code, report = grade_json(REFERENCE / "lab3")
    assert (code, report["score"], report["passed"]) == (0, 100.0, True)
    f = report["figures"]
    assert f["reconciliation_gap"] == pytest.approx(0.0, abs=1e-9) and f["unallocated_cost"] == 0.0
    assert sum(f["charges"].values()) == pytest.approx(1.02 * f["total_cost"], rel=1e-12)
    assert sorted(f["charges"]) == ["ads", "assistant", "recsys", "research", "search"]


def test_good_pack_passes_with_feedback():
    code, report = grade_json(EXAMPLES / "lab3-good")
    assert (code, report["passed"], report["score"]) == (0, True, 94.5)   # cadence thin 12/15, product pending 2.5/5
    assert report["figures"]["markup_pct"] == 0.0


def test_unallocated_cost_fails_two_gates():
    code, report = grade_json(EXAMPLES / "lab3-unallocated")
    assert (code, report["passed"]) == (1, False)
    by_id = {c["id"]: c for c in report["criteria"]}
    assert by_id["reconciles"]["status"] == by_id["no_unallocated"]["status"] == "fail"
    f = report["figures"]
    assert f["reconciliation_gap"] == pytest.approx(-1.02 * f["unallocated_cost"], rel=1e-12)


def test_missing_finance_approval_does_not_pass():
    code, report = grade_json(EXAMPLES / "lab3-no-finance-approval")
    assert (code, report["passed"], report["score"]) == (1, False, 87.5)


def test_wrong_method_is_diagnosed():
    code, report = grade_json(EXAMPLES / "lab3-wrong-method")
    assert (code, report["passed"]) == (0, True)          # the gates hold; the allocation criterion does not
    allocation = next(c for c in report["criteria"] if c["id"] == "allocation")
    assert allocation["score"] == pytest.approx(4.0)      # 1 of 5 units
    assert "Your figures match rule 'platform networking' split with method even, not proportional as declared." \
        in allocation["feedback"]


def test_invalid_pack_locates_every_problem():
    code, report = grade_json(EXAMPLES / "lab3-invalid")
    assert code == 3 and report["score"] == 0.0
    assert [(e["file"], e["line"], e.get("location")) for e in report["errors"]] == [
        ("chargeback.yaml", 1, "model"), ("chargeback.yaml", 3, "cost_basis"),
        ("chargeback.yaml", 5, "shared_costs[0].match.owner"), ("chargeback.yaml", 6, "shared_costs[1].weights"),
        ("chargeback.yaml", 8, "approvals[0].decision"),
        ("allocation.csv", 3, "business_unit"), ("allocation.csv", 4, "shared_cost")]
    assert "YAML reads yes/no/on/off as true/false" in report["errors"][4]["fix"]


def test_weights_for_units_outside_the_pool_are_located(tmp_path):
    import shutil

    shutil.copytree(REFERENCE / "lab3", tmp_path / "s")
    pack = tmp_path / "s" / "chargeback.yaml"
    pack.write_text(pack.read_text().replace("    assistant: 0.2\n", "    assistant: 0.2\n    marketing: 0.1\n"))
    code, report = grade_json(tmp_path / "s")
    assert code == 3
    [e] = report["errors"]
    assert e["location"] == "shared_costs[1].weights" and "marketing" in e["message"]


def test_golden_json_of_the_lab3_reference_solution():
    golden = ROOT / "tests" / "golden" / "lab3-reference.json"
    assert run("grade", REFERENCE / "lab3", "--format", "json").output == golden.read_text()
