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
from grader.loaders.focus import business_units, load_billing
from grader.loaders.timestamps import parse_utc

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


def test_load_the_shipped_billing_file(benchmark):
    benchmark(load_billing, DATASET / "billing.csv")


@pytest.fixture(scope="module")
def export_columns():
    """Columns shaped like a large export's: 500,000 rows repeating 92 days and 40 tag sets."""
    import pandas as pd

    rng = np.random.default_rng(2)
    days = np.array(pd.date_range("2026-07-01", periods=92, freq="D").strftime("%Y-%m-%dT%H:%M:%SZ"), dtype=object)
    tags = np.array(['{"business_unit": "u%d", "env": "prod"}' % i for i in range(40)] + [None], dtype=object)
    return (pd.Series(days[rng.integers(0, 92, 500_000)], dtype="str"),
            pd.Series(tags[rng.integers(0, 41, 500_000)], dtype="str"))


def test_parse_500k_period_starts(benchmark, export_columns):
    benchmark(parse_utc, export_columns[0])


def test_business_units_of_500k_rows(benchmark, export_columns):
    benchmark(business_units, export_columns[1], "business_unit")
