"""Assessment checks, driven by the cases in assessment_cases.yaml."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from grader.checks import registry
from tests.checks.cases import assert_outcome
from grader.checks.feedback import Reveal
from grader.labs import assessment
from grader.loaders.submission import open_submission
from tests.conftest import REFERENCE

CASES = yaml.safe_load((Path(__file__).parent / "assessment_cases.yaml").read_text())


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_assessment_check_case(case: dict, tmp_path: Path):
    folder = tmp_path / "sub"
    shutil.copytree(REFERENCE / "assessment", folder)
    data = yaml.safe_load((folder / "business_case.yaml").read_text())
    data.update(case.get("case", {}))
    if data.get("carbon") is None:
        data.pop("carbon", None)
    (folder / "business_case.yaml").write_text(yaml.safe_dump(data))
    if "memo" in case:
        (folder / "memo.md").write_text(case["memo"])
    ctx = assessment.recompute(assessment.parse(open_submission(folder)), None, assessment.AssessmentSettings())
    spec = registry()[case["check"]]
    outcome = spec.func(ctx, spec.params.model_validate(case.get("params", {})), Reveal(case.get("reveal", "value")))
    assert_outcome(outcome, case)


def test_every_assessment_check_has_a_case():
    assert {c["check"] for c in CASES} == {n for n, s in registry().items() if s.lab == "assessment"}
