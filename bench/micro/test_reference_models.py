"""Micro-benchmarks of the pure reference models, outside the default test run:

    .venv/bin/pip install -q -e '.[bench]' && .venv/bin/python -m pytest bench/micro --benchmark-only
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from grader.finance import anomaly, chargeback, investment, kpi, savings
from grader.labs import lab1, lab3
from grader.loaders.dataset import load_dataset

DATASET = Path(__file__).resolve().parents[2] / "grader" / "data" / "ai-platform"


@pytest.fixture(scope="module")
def dataset():
    ds = load_dataset(DATASET)
    ds.billing
    return ds


def test_combine_2000_cells_12_actions(benchmark):
    rng = np.random.default_rng(1)
    baselines = rng.uniform(0, 1e5, 2000)
    levers = [savings.LEVER_ORDER[i % 6] for i in range(12)]
    masks = [rng.random(2000) < 0.3 for _ in range(12)]
    benchmark(savings.combine, baselines, levers, [0.1] * 12, masks)


def test_kpi_table_for_a_month(benchmark, dataset):
    base = lab1.base(dataset)
    rows = dataset.billing[dataset.billing["x_Month"] == "2026-09"]
    gpu = kpi.gpu_sums(base.utilization[base.utilization["month"] == "2026-09"], rows, 1.135)
    benchmark(kpi.kpi_table, "2026-09", rows, sorted(base.units), gpu=gpu,
              business=base.business[base.business["month"] == "2026-09"],
              budgets=base.budgets[base.budgets["month"] == "2026-09"], spike_counts={})


def test_cost_spike_detector_92_days(benchmark, dataset):
    series = lab1.base(dataset).series
    benchmark(anomaly.cost_spikes, series, 14, 3.0, 0.2, 0.0)


def test_allocation_of_a_month(benchmark, dataset):
    rows = lab3._month_rows(dataset, "2026-09", set())
    rules = [chargeback.Rule("net", {"untagged": True, "service_category": "Networking"}, "proportional"),
             chargeback.Rule("rest", {"untagged": True}, "even")]
    benchmark(chargeback.allocate, rows, "EffectiveCost", rules, 0.02)


def test_irr(benchmark):
    benchmark(investment.irr, 70000, [12000, 15000, 18000, 21000, 26000])
