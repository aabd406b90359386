"""Every KPI of reference-models.md §2 on a hand-built month, answers worked by hand."""
from __future__ import annotations

import pandas as pd
import pytest

from grader.finance import kpi
from grader.finance.anomaly import ORG

NAN = None


def _billing() -> pd.DataFrame:
    rows = [  # unit, category, service category, pricing, status, EC, BC, LC, resource, day
        ("a", "Usage", "Compute", "Committed", "Used", 60.0, 0.0, 100.0, "g1", "2026-09-01"),
        ("a", "Usage", "Compute", "Standard", NAN, 50.0, 50.0, 50.0, "g1", "2026-09-02"),
        ("b", "Usage", "Storage", "Standard", NAN, 30.0, 30.0, 30.0, "s1", "2026-09-01"),
        ("a", "Usage", "Compute", "Committed", "Unused", 20.0, 0.0, 0.0, "sp", "2026-09-01"),
        ("untagged", "Credit", "Other", NAN, NAN, -10.0, -10.0, 0.0, NAN, "2026-09-05"),
        ("a", "Purchase", "Compute", NAN, NAN, 0.0, 80.0, 0.0, "sp", "2026-09-01"),
    ]
    f = pd.DataFrame(rows, columns=["x_BusinessUnit", "ChargeCategory", "ServiceCategory", "PricingCategory",
                                    "CommitmentDiscountStatus", "EffectiveCost", "BilledCost", "ListCost",
                                    "ResourceId", "x_Day"])
    f["x_Day"] = pd.to_datetime(f["x_Day"], utc=True)
    f["x_Tagged"] = f["x_BusinessUnit"] != "untagged"
    return f


def _util() -> pd.DataFrame:
    return pd.DataFrame({
        "ResourceId": ["g1", "g1"], "day": pd.to_datetime(["2026-09-01", "2026-09-02"], utc=True),
        "GpuHours": [8.0, 4.0], "GpuUtilization": [0.5, 0.25], "business_unit": ["a", "a"],
        "w_min": [46.0, 46.0], "w_max": [407.0, 407.0], "grid": [379.069, 379.069]})


@pytest.fixture(scope="module")
def table() -> kpi.KpiTable:
    billing = _billing()
    business = pd.DataFrame({"unit": ["a", "a", "b"], "metric": ["inferences", "training_runs", "inferences"],
                             "value": [2000.0, 4.0, 0.0]})
    budgets = pd.DataFrame({"unit": ["a"], "budget": [100.0]})
    return kpi.kpi_table("2026-09", billing, ["a", "b", "untagged"], gpu=kpi.gpu_sums(_util(), billing, 1.135),
                         business=business, budgets=budgets, spike_counts={ORG: 1, "a": 2})


# EC: a 60+50+20 = 130, b 30, untagged −10 → 150. BC 150, LC 180.
@pytest.mark.parametrize("metric,unit,expected", [
    ("effective_cost", ORG, 150.0), ("effective_cost", "a", 130.0), ("effective_cost", "untagged", -10.0),
    ("billed_cost", ORG, 150.0), ("list_cost", ORG, 180.0), ("list_cost", "b", 30.0),
    ("allocated_cost_pct", ORG, 160.0 / 150.0),            # > 1: the untagged row is a credit (§2)
    ("allocated_cost_pct", "a", None),                      # organisation-wide only
    ("effective_savings_rate", ORG, 1 - 160.0 / 180.0),     # Usage rows only: the purchase is excluded
    ("effective_savings_rate", "a", 1 - 130.0 / 150.0),
    ("effective_savings_rate", "untagged", None),           # no Usage list cost
    ("commitment_utilization", ORG, 60.0 / 80.0), ("commitment_utilization", "b", None),
    ("commitment_coverage", ORG, 100.0 / 150.0), ("commitment_coverage", "b", None),
    ("gpu_hours", ORG, 12.0), ("gpu_hours", "a", 12.0), ("gpu_hours", "b", 0.0),
    ("gpu_utilization", "a", (8 * 0.5 + 4 * 0.25) / 12), ("gpu_utilization", "b", None),
    ("cost_per_gpu_hour", ORG, 110.0 / 12),                 # g1's rows: 60 + 50
    ("idle_gpu_cost", ORG, 60 * 0.5 + 50 * 0.75),
    ("energy_kwh", ORG, (8 * 226.5 + 4 * (46 + 0.25 * 361)) / 1000 * 1.135),
    ("carbon_kgco2e", ORG, (8 * 226.5 + 4 * (46 + 0.25 * 361)) / 1000 * 1.135 * 379.069 / 1000),
    ("cost_per_1k_inferences", ORG, 150.0 / 2000 * 1000), ("cost_per_1k_inferences", "a", 65.0),
    ("cost_per_1k_inferences", "b", None),
    ("cost_per_training_run", ORG, 37.5), ("cost_per_training_run", "a", 32.5),
    ("budget_variance_pct", ORG, (150 - 100) / 100),       # org budget: Σ of the units' budgets
    ("budget_variance_pct", "a", 0.3), ("budget_variance_pct", "b", None),
    ("anomaly_count", ORG, 1.0), ("anomaly_count", "a", 2.0), ("anomaly_count", "b", 0.0),
])
def test_metric(table, metric, unit, expected):
    got = table.get(metric, unit)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected, rel=1e-12)


def test_every_metric_is_covered(table):
    assert {m for m, _ in table.values} == set(kpi.METRICS)
    assert table.not_gradable == {}


def test_budget_alerts_units_only(table):
    assert kpi.budget_alerts(table, 0.10) == [("2026-09", "a")]


def test_missing_files_make_metrics_not_gradable():
    t = kpi.kpi_table("2026-09", _billing(), ["a"], gpu=None, business=None, budgets=None, spike_counts={})
    assert t.not_gradable["cost_per_gpu_hour"] == "utilization.csv"
    assert t.not_gradable["cost_per_1k_inferences"] == "business_metrics.csv"
    assert t.not_gradable["budget_variance_pct"] == "budgets.csv"
    assert ("gpu_hours", ORG) not in t.values


def test_gpu_cost_follows_the_resource_unit_not_the_row_tag():
    billing = _billing()
    util = _util().assign(business_unit="b")           # g1 mostly belongs to b by §1 in some dataset
    t = kpi.kpi_table("2026-09", billing, ["a", "b"], gpu=kpi.gpu_sums(util, billing, 1.135), business=None,
                      budgets=None, spike_counts={})
    assert t.get("cost_per_gpu_hour", "b") == pytest.approx(110.0 / 12)
    assert t.get("cost_per_gpu_hour", "a") is None
