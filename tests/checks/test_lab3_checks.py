"""lab3 checks, driven by the cases in lab3_cases.yaml."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from grader.checks import registry
from tests.checks.cases import assert_outcome
from grader.checks.feedback import Reveal
from grader.labs import lab3
from grader.loaders.dataset import load_dataset
from grader.loaders.submission import open_submission
from tests.conftest import REFERENCE, SHIPPED_DATASET

CASES = yaml.safe_load((Path(__file__).parent / "lab3_cases.yaml").read_text())


def _submission(case: dict, folder: Path) -> Path:
    shutil.copytree(REFERENCE / "lab3", folder)
    pack = yaml.safe_load((folder / "chargeback.yaml").read_text())
    pack.update(case.get("pack", {}))
    if "rules" in case:
        pack["shared_costs"] = case["rules"]
    (folder / "chargeback.yaml").write_text(yaml.safe_dump(pack))
    lines = (folder / "allocation.csv").read_text().splitlines()
    header, rows = lines[0], lines[1:]
    out = []
    for row in rows:
        unit, d, s, t = row.split(",")
        if unit == case.get("drop_unit"):
            continue
        total = float(t)
        if case.get("scale", {}).get("unit") == unit:
            total *= case["scale"]["by"]
        if case.get("unmarked"):
            total /= 1.02
        out.append(f"{unit},{d},{s},{total:.2f}")
    (folder / "allocation.csv").write_text("\n".join([header] + out + case.get("add_rows", [])) + "\n")
    if "plan" in case:
        (folder / "communication_plan.md").write_text(case["plan"])
    return folder


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_lab3_check_case(case: dict, tmp_path: Path):
    spec = registry()[case["check"]]
    parsed = lab3.parse(open_submission(_submission(case, tmp_path / "sub")))
    ctx = lab3.recompute(parsed, load_dataset(SHIPPED_DATASET), lab3.Lab3Settings())
    outcome = spec.func(ctx, spec.params.model_validate(case.get("params", {})), Reveal(case.get("reveal", "value")))
    assert_outcome(outcome, case)


def test_every_lab3_check_has_a_case():
    assert {c["check"] for c in CASES} == {n for n, s in registry().items() if s.lab == "lab3"}
