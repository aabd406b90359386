"""Fuzzing (Hypothesis): every loader on arbitrary input, and each lab's reference submission mutated
at random and graded end to end. The only acceptable failures are located problems; any other
exception is a bug, and a case it finds joins the corpus (test_corpus.py). Bounded: a fixed number
of examples per target, well under a minute in all."""
from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.engine import GradeOptions, grade_submission
from grader.errors import ConfigError, SubmissionError
from grader.loaders.containers import from_notebook, from_workbook
from grader.loaders.course import load_course
from grader.loaders.csv_table import read_table
from grader.loaders.focus import load_billing
from grader.loaders.markdown_doc import sections
from grader.loaders.yaml_source import YamlProblems, parse_yaml
from grader.reporters import json_report
from tests.conftest import REFERENCE

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20)


@FAST
@given(st.binary(max_size=2000) | st.text(max_size=2000).map(str.encode))
def test_yaml_reader(raw: bytes):
    try:
        parse_yaml(raw, "f.yaml")
    except YamlProblems as exc:
        assert exc.problems and all(p.file == "f.yaml" for p in exc.problems)


@FAST
@given(st.binary(max_size=2000) | st.text(max_size=2000).map(str.encode))
def test_csv_reader(raw: bytes):
    table, problems = read_table(raw, "t.csv", ("a", "b"), optional=("c",))
    assert all(p.file == "t.csv" for p in problems)


@FAST
@given(st.text(max_size=3000))
def test_markdown_reader(text: str):
    for s in sections(text):
        assert s.words >= 0 and s.line >= 1


@FAST
@given(st.binary(max_size=3000) | json_values.map(lambda v: json.dumps(v).encode()))
def test_notebook_reader(raw: bytes):
    found, problems = from_notebook(raw, "n.ipynb")
    assert all(p.file == "n.ipynb" for p in problems)


cells = st.fixed_dictionaries({
    "cell_type": st.sampled_from(["raw", "markdown", "code", "weird"]),
    "source": st.text(max_size=200) | st.lists(st.text(max_size=40), max_size=4),
    "metadata": st.fixed_dictionaries({"tags": st.lists(st.sampled_from(
        ["grader:playbook.yaml", "grader:kpis.csv", "grader:", "grader:../x", "other"]) | st.text(max_size=20),
        max_size=3)}),
    "outputs": st.lists(st.fixed_dictionaries({"output_type": st.sampled_from(["display_data", "stream"]),
                                               "data": st.dictionaries(st.sampled_from(
                                                   ["application/json", "text/csv", "text/plain"]), json_values,
                                                   max_size=2),
                                               "name": st.just("stdout"), "text": st.text(max_size=50)}), max_size=2),
})


@FAST
@given(st.lists(cells, max_size=6))
def test_notebook_structures(cell_list):
    raw = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cell_list}).encode()
    found, problems = from_notebook(raw, "n.ipynb")
    assert all(isinstance(e.data, bytes) for e in found)


@SLOW
@given(st.binary(max_size=3000))
def test_workbook_reader(raw: bytes):
    found, problems = from_workbook(b"PK\x03\x04" + raw, "w.xlsx")
    assert problems or found == [] or all(e.name.endswith(".csv") for e in found)


@SLOW
@given(st.text(max_size=3000))
def test_billing_reader(text: str):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "billing.csv"
        path.write_text(text)
        try:
            load_billing(path)
        except ConfigError as exc:
            assert str(exc)


# ---- whole submissions: each lab's reference, mutated ---------------------------------------------

def _paths(value, prefix=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield prefix + (k,)
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield prefix + (i,)
            yield from _paths(v, prefix + (i,))


def _mutate(doc, data):
    """Replace, delete or add something somewhere in a parsed YAML document."""
    doc = copy.deepcopy(doc)
    paths = list(_paths(doc))
    for _ in range(data.draw(st.integers(1, 3))):
        if not paths:
            break
        path = data.draw(st.sampled_from(paths))
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        action = data.draw(st.sampled_from(["replace", "delete", "add"]))
        try:
            if action == "replace":
                parent[path[-1]] = data.draw(json_values)
            elif action == "delete":
                del parent[path[-1]]
            elif isinstance(parent, dict):
                parent[data.draw(st.text(max_size=8))] = data.draw(json_values)
        except (KeyError, IndexError, TypeError):
            pass
        paths = list(_paths(doc))
    return doc


LAB_FILES = {"lab1": "dashboard.yaml", "lab2": "playbook.yaml", "lab3": "chargeback.yaml",
             "assessment": "business_case.yaml"}
COURSE = load_course()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
@given(lab=st.sampled_from(sorted(LAB_FILES)), data=st.data())
def test_mutated_submissions_grade_or_fail_cleanly(lab, data):
    name = LAB_FILES[lab]
    original = yaml.safe_load((REFERENCE / lab / name).read_text())
    mutated = _mutate(original, data)
    with tempfile.TemporaryDirectory() as tmp:
        sub = Path(tmp) / "sub"
        sub.mkdir()
        for f in (REFERENCE / lab).iterdir():
            (sub / f.name).write_bytes(f.read_bytes())
        try:
            text = yaml.safe_dump(mutated, allow_unicode=True)
        except (yaml.YAMLError, ValueError):
            return
        (sub / name).write_text(text)
        try:
            report = grade_submission(sub, COURSE, GradeOptions())
        except (SubmissionError, ConfigError):
            raise AssertionError("a submission problem must become a result, not an exception")
        rendered = json_report.render(report)          # no NaN, no infinity: allow_nan=False would raise
        assert json.loads(rendered)["lab"] in (lab, None)
