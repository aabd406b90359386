"""The assertions every check-case runner makes (cases are YAML data next to each runner)."""
from __future__ import annotations

import pytest


def assert_outcome(outcome, case: dict) -> None:
    assert outcome.fraction == pytest.approx(case["fraction"], abs=1e-12)
    assert outcome.passed is case.get("passed", case["fraction"] == 1.0)
    for text in case.get("feedback", []):
        assert text in outcome.feedback
    for text in case.get("absent", []):
        assert text not in outcome.feedback
