"""lab1 checks, driven by the cases in lab1_cases.yaml."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from grader.checks import registry
from tests.checks.cases import assert_outcome
from grader.checks.feedback import Reveal
from grader.labs import lab1
from grader.loaders.dataset import load_dataset
from grader.loaders.submission import open_submission
from tests.conftest import REFERENCE, SHIPPED_DATASET

CASES = yaml.safe_load((Path(__file__).parent / "lab1_cases.yaml").read_text())


def _submission(case: dict, folder: Path) -> Path:
    shutil.copytree(REFERENCE / "lab1", folder)
    if "dashboard" in case:
        dash = yaml.safe_load((folder / "dashboard.yaml").read_text())
        dash.update(case["dashboard"])
        (folder / "dashboard.yaml").write_text(yaml.safe_dump(dash))
    lines = (folder / "kpis.csv").read_text().splitlines()
    header, rows = lines[0], lines[1:]
    if case.get("drop") == "all":
        rows = []
    elif case.get("drop"):
        rows = [r for r in rows if r.split(",")[0] not in case["drop"]]
    for s in case.get("scale", []):
        for i, r in enumerate(rows):
            metric, period, unit, value = r.split(",")
            if (metric, unit) == (s["metric"], s["unit"]):
                rows[i] = f"{metric},{period},{unit},{float(value) * s['by']!r}"
    rows += case.get("add_rows", [])
    (folder / "kpis.csv").write_text("\n".join([header] + rows) + "\n")
    alerts = (folder / "alerts.csv").read_text().splitlines()
    if "alerts" in case:
        alerts = alerts[:1] + case["alerts"]
    alerts += case.get("alerts_add", [])
    (folder / "alerts.csv").write_text("\n".join(alerts) + "\n")
    return folder


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_lab1_check_case(case: dict, tmp_path: Path):
    spec = registry()[case["check"]]
    parsed = lab1.parse(open_submission(_submission(case, tmp_path / "sub")))
    ctx = lab1.recompute(parsed, load_dataset(SHIPPED_DATASET), lab1.Lab1Settings())
    outcome = spec.func(ctx, spec.params.model_validate(case.get("params", {})), Reveal(case.get("reveal", "value")))
    assert_outcome(outcome, case)


def test_every_lab1_check_has_a_case():
    assert {c["check"] for c in CASES} == {n for n, s in registry().items() if s.lab == "lab1"}
