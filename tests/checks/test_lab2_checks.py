"""lab2 checks, driven by the cases in lab2_cases.yaml."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from grader.checks import registry
from tests.checks.cases import assert_outcome
from grader.checks.feedback import Reveal
from grader.labs import lab2
from grader.loaders.dataset import load_dataset
from grader.loaders.submission import open_submission

CASES = yaml.safe_load((Path(__file__).parent / "lab2_cases.yaml").read_text())
DEFAULT_ACTION = {"title": "an action", "lever": "scheduling", "scope": {"business_unit": "search"},
                  "params": {"hours_off_per_week": 84}}


def _context(case: dict, dataset_path: Path, tmp_path: Path):
    actions = [{"id": f"A{i + 1}", **DEFAULT_ACTION, **a} for i, a in enumerate(case["actions"])]
    playbook = {"actions": actions}
    if "claimed" in case:
        playbook["claimed_savings_pct"] = case["claimed"]
    (tmp_path / "playbook.yaml").write_text(yaml.safe_dump(playbook))
    parsed = lab2.parse(open_submission(tmp_path))
    return lab2.recompute(parsed, load_dataset(dataset_path), lab2.Lab2Settings())


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_lab2_check_case(case: dict, tiny_dataset: Path, tmp_path: Path):
    spec = registry()[case["check"]]
    ctx = _context(case, tiny_dataset, tmp_path)
    outcome = spec.func(ctx, spec.params.model_validate(case.get("params", {})), Reveal(case.get("reveal", "value")))
    assert_outcome(outcome, case)


def test_every_lab2_check_has_a_case():
    covered = {c["check"] for c in CASES}
    assert covered == {name for name, spec in registry().items() if spec.lab == "lab2"}


def test_tiny_dataset_baseline(tiny_dataset: Path, tmp_path: Path):
    ctx = _context({"actions": [{}]}, tiny_dataset, tmp_path)
    assert ctx.baseline == 72000.0
    assert ctx.savings_annual == 6000.0
