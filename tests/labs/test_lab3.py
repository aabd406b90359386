"""lab3 on the real FOCUS sample: hundreds of units, credits and untagged rows."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_cli import grade_json

PLAN = "\n".join(f"## {h}\n" + "word " * 20 for h in ("Audience", "Cadence", "Channels", "Disputes", "Rollout"))


@pytest.mark.parametrize("method,expected", [
    # Independent answers (stdlib csv + Decimal, BilledCost basis): untagged cost 0.27416448666 shared over the
    # 199 units with non-zero direct cost, whose direct costs sum to 20.24606224233.
    ("proportional", {"PeoriaData": 16.174197839249498, "PragueEngineering": 0.45001247939574797,
                      "PhiladelphiaData": 0.41434881354062220}),
    ("even", {"PeoriaData": 15.959477029188241, "PragueEngineering": 0.44537771098824121,
              "PhiladelphiaData": 0.41019053648824121}),
])
def test_sample_allocation(sample_dataset: Path, make_submission, method, expected):
    sub = make_submission({
        "submission.yaml": "learner: {id: s1}\nlab: lab3\n",
        "chargeback.yaml": f"model: showback\nperiod: 2024-09\ncost_basis: BilledCost\nshared_costs:\n"
                           f"  - {{name: untagged, match: {{untagged: true}}, method: {method}}}\n"
                           "approvals:\n  - {role: finance, name: F, date: 2024-10-01, decision: approved}\n",
        "allocation.csv": "business_unit,direct_cost,shared_cost,total_charge\n",
        "communication_plan.md": PLAN,
    })
    code, report = grade_json(sub, "--dataset", str(sample_dataset))
    f = report["figures"]
    for unit, charge in expected.items():
        assert f["charges"][unit] == pytest.approx(charge, abs=1e-12)
    assert len(f["charges"]) == 301                         # every tagged unit of 2024-09, never 'untagged'
    assert f["total_cost"] == pytest.approx(20.52022672899, abs=1e-12)
    assert abs(f["reconciliation_gap"]) < 1e-9 and f["unallocated_cost"] == 0.0
    assert report["passed"] is True and code == 0           # reconciles, nothing left, finance approved
