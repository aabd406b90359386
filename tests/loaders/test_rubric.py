"""Rubric loading: every problem at once; registry rules."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.checks import registry
from grader.checks.registry import CheckSpec, DuplicateCheckError, NoParams, check
from grader.errors import ConfigError
from grader.loaders.rubric import load_rubric
from tests.conftest import ROOT


def test_shipped_lab2_rubric_loads_with_defaults():
    loaded = load_rubric(ROOT / "rubrics" / "lab2-optimization-playbook.yaml")
    assert loaded.rubric.max_score == 100.0
    assert [c.id for c in loaded.rubric.criteria if c.gate] == ["savings_target"]
    assert loaded.params["savings_target"].min_savings_pct == 0.30
    assert (loaded.settings.rel_tol, loaded.settings.abs_tol, loaded.settings.pct_abs_tol) == (0.05, 1.0, 0.005)
    assert len(loaded.sha256) == 64


def test_all_problems_reported_at_once(tmp_path: Path, monkeypatch):
    monkeypatch.setitem(registry(), "lab1.fake", CheckSpec("lab1.fake", "lab1", NoParams, lambda *a: None))
    path = tmp_path / "r.yaml"
    path.write_text(
        "id: r\nlab: lab2\ntitle: t\ncriteria:\n"
        "  - {id: a, title: A, points: 1, check: lab1.fake}\n"
        "  - {id: b, title: B, points: 1, check: lab2.payback, params: {max_payback_years: 0}}\n"
        "  - {id: c, title: C, points: 1, check: missing.check}\n")
    with pytest.raises(ConfigError) as err:
        load_rubric(path)
    messages = [(p.line, p.message) for p in err.value.problems]
    assert messages[0] == (5, "check 'lab1.fake' grades lab1, not lab2.")
    assert messages[1][0] == 6 and "greater than 0" in messages[1][1]
    assert messages[2] == (7, "unknown check 'missing.check'.")


def test_duplicate_criterion_ids_and_bad_points(tmp_path: Path):
    path = tmp_path / "r.yaml"
    path.write_text("id: r\nlab: lab2\ntitle: t\ncriteria:\n"
                    "  - {id: a, title: A, points: 1, check: lab2.no_losses}\n"
                    "  - {id: a, title: B, points: -1, check: lab2.no_losses}\n")
    with pytest.raises(ConfigError) as err:
        load_rubric(path)
    text = str(err.value)
    assert "r.yaml:6 (criteria[1].id): criterion id 'a' is repeated" in text
    assert "r.yaml:6 (criteria[1].points)" in text


def test_duplicate_check_name_is_an_error_at_registration():
    with pytest.raises(DuplicateCheckError):
        check("lab2.savings_target", lab="lab2")(lambda *a: None)


def test_every_check_has_a_docstring_and_params_model():
    for name, spec in registry().items():
        assert spec.doc, name
        assert spec.params.model_config.get("extra") == "forbid", name
