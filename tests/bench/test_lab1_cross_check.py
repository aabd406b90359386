"""The lab1 reference models against an independent DuckDB SQL implementation (bench/lab1_reference.py)
on a generated 20,000-row FOCUS file: every KPI of every unit and every alert must agree."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from tests.conftest import ROOT


def _bench():
    spec = importlib.util.spec_from_file_location("bench_lab1", ROOT / "bench" / "lab1_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_grader_and_duckdb_agree(tmp_path: Path):
    bench = _bench()
    bench.generate(tmp_path / "data", 20_000, seed=7)
    grader, duck = bench.run_grader(tmp_path / "data"), bench.run_duckdb(tmp_path / "data")
    assert len(grader["values"]) == 42 * len(bench.CHECKED)            # 40 units, untagged and the organisation
    assert grader["alerts"], "the generated data should raise some alerts"
    assert bench.compare(grader, duck) == []
