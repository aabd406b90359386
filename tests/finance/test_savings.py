"""Known answers for reference-models.md §3 (levers, break-even, combination) and its invariants."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.finance import savings
from grader.finance.common import safe_ratio, within_tolerance


# Each answer applies the §3 "Rates" formula by hand; the first is the submissions.md §3 example.
@pytest.mark.parametrize("lever,params,expected", [
    ("rightsizing", {"current_utilization": 0.35, "target_utilization": 0.70}, 0.5),
    ("rightsizing", {"current_utilization": 0.80, "target_utilization": 0.70}, 0.0),   # max(0, ·)
    ("scheduling", {"hours_off_per_week": 84}, 0.5),
    ("scheduling", {"hours_off_per_week": 168}, 1.0),
    ("storage_tiering", {"fraction_moved": 0.6, "price_ratio": 0.25, "retrieval_overhead": 0.02}, 0.43),
    ("storage_tiering", {"fraction_moved": 0.6, "price_ratio": 0.25}, 0.45),          # e defaults to 0
    ("storage_tiering", {"fraction_moved": 0.1, "price_ratio": 0.5, "retrieval_overhead": 0.2}, -0.15),
    ("placement", {"fraction_moved": 0.5, "price_ratio": 0.8}, 0.1),
    ("spot", {"fraction_moved": 0.5, "discount": 0.7, "interruption_overhead": 0.1}, 0.335),
    ("commitment", {"coverage": 0.8, "discount": 0.4, "utilization": 0.9}, 0.8 * (1 - 0.6 / 0.9)),
    ("commitment", {"coverage": 1.0, "discount": 0.3, "utilization": 0.5}, -0.4),    # below break-even: a loss
])
def test_lever_rates(lever, params, expected):
    assert savings.lever_rate(lever, params) == pytest.approx(expected, abs=1e-12)


def test_commitment_break_even_cloudability_vector():
    # Cloudability: break-even utilisation = committed rate ÷ on-demand rate; o = 0.126, r = 0.074 → 0.5873
    assert savings.break_even_from_rates(0.126, 0.074) == pytest.approx(0.5873, abs=5e-5)
    discount = 1 - 0.074 / 0.126
    assert savings.commitment_break_even(discount) == pytest.approx(0.5873, abs=5e-5)
    # at break-even the commitment saves exactly nothing
    assert savings.commitment_rate(1.0, discount, 1 - discount) == pytest.approx(0.0, abs=1e-12)


def test_combination_58_percent_not_75():
    # reference-models.md §3: 20 %, 30 % and 25 % on one cell combine to 58 %, not 75 %.
    mask = np.array([True])
    taken = savings.combine(np.array([100.0]), ["rightsizing", "scheduling", "spot"], [0.2, 0.3, 0.25], [mask] * 3)
    assert taken[:, 0].tolist() == pytest.approx([20.0, 24.0, 14.0])
    assert taken.sum() == pytest.approx(58.0, abs=1e-12)


def test_lever_order_not_file_order():
    # A commitment listed first still applies after rightsizing ("rightsize before you commit").
    mask = np.array([True])
    taken = savings.combine(np.array([1000.0]), ["commitment", "rightsizing"], [0.1, 0.5], [mask, mask])
    assert taken[:, 0].tolist() == pytest.approx([50.0, 500.0])


def test_ties_in_file_order_and_negative_rate_grows_remaining():
    mask = np.array([True])
    taken = savings.combine(np.array([100.0]), ["commitment", "commitment", "commitment"], [-0.5, 0.5, 0.1],
                            [mask] * 3)
    # -0.5 takes -50 and leaves 150; 0.5 takes 75 and leaves 75; 0.1 takes 7.5
    assert taken[:, 0].tolist() == pytest.approx([-50.0, 75.0, 7.5])


def test_cells_annualise_over_distinct_usage_months_and_keep_null_keys():
    usage = pd.DataFrame({
        "business_unit": ["a", "a", "b", "untagged"],
        "service_category": ["Compute", "Compute", "Storage", "Compute"],
        "service_name": ["EC2", "EC2", "S3", "EC2"],
        "region": ["r1", "r1", None, None],
        "month": ["2026-07", "2026-08", "2026-08", "2026-07"],
        "effective_cost": [10.0, 20.0, 6.0, -1.0],
    })
    cells = savings.build_cells(usage)
    by_unit = cells.set_index("business_unit")
    # 2 distinct months: baseline = Σ ÷ 2 × 12
    assert by_unit.loc["a", "baseline"] == pytest.approx(180.0)
    assert by_unit.loc["b", "baseline"] == pytest.approx(36.0)       # a null region is its own cell
    assert pd.isna(by_unit.loc["b", "region"])
    assert by_unit.loc["untagged", "baseline"] == pytest.approx(-6.0)
    assert len(cells) == 3


def test_select_cells_scalar_list_and_missing_keys():
    cells = pd.DataFrame({"business_unit": ["a", "b", "c"], "service_category": ["Compute", "Compute", "Storage"],
                          "service_name": ["EC2", "EC2", "S3"], "region": ["r1", None, "r1"], "baseline": [1.0, 2, 3]})
    assert savings.select_cells(cells, {}).tolist() == [True, True, True]
    assert savings.select_cells(cells, {"business_unit": ["a", "c"]}).tolist() == [True, False, True]
    assert savings.select_cells(cells, {"service_category": "Compute", "region": "r1"}).tolist() == [True, False, False]
    assert savings.select_cells(cells, {"business_unit": "zzz"}).tolist() == [False, False, False]


def test_safe_ratio_and_tolerance():
    assert safe_ratio(1.0, 0.0) is None
    assert safe_ratio(1.0, 4.0) == 0.25
    assert within_tolerance(105.0, 100.0, 0.05, 1.0)
    assert not within_tolerance(105.1, 100.0, 0.05, 1.0)
    assert within_tolerance(0.9, 0.0, 0.05, 1.0)          # abs_tol governs near zero
    assert not within_tolerance(None, 0.0, 0.05, 1.0)


rate_params = {
    "rightsizing": st.fixed_dictionaries({"current_utilization": st.floats(0, 1),
                                          "target_utilization": st.floats(0.01, 1)}),
    "scheduling": st.fixed_dictionaries({"hours_off_per_week": st.floats(0, 168)}),
    "storage_tiering": st.fixed_dictionaries({"fraction_moved": st.floats(0, 1), "price_ratio": st.floats(0, 5),
                                              "retrieval_overhead": st.floats(0, 1)}),
    "placement": st.fixed_dictionaries({"fraction_moved": st.floats(0, 1), "price_ratio": st.floats(0, 5)}),
    "spot": st.fixed_dictionaries({"fraction_moved": st.floats(0, 1), "discount": st.floats(0, 0.99),
                                   "interruption_overhead": st.floats(0, 2)}),
    "commitment": st.fixed_dictionaries({"coverage": st.floats(0, 1), "discount": st.floats(0, 0.99),
                                         "utilization": st.floats(0.01, 1)}),
}
action = st.sampled_from(sorted(rate_params)).flatmap(lambda lever: st.tuples(st.just(lever), rate_params[lever]))


@settings(max_examples=200, deadline=None)
@given(baselines=st.lists(st.floats(0, 1e7), min_size=1, max_size=6),
       actions=st.lists(st.tuples(action, st.lists(st.booleans(), min_size=6, max_size=6)), min_size=1, max_size=8))
def test_savings_never_exceed_the_baseline(baselines, actions):
    b = np.array(baselines)
    levers = [a[0][0] for a in actions]
    rates = [savings.lever_rate(a[0][0], a[0][1]) for a in actions]
    masks = [np.array(a[1][: len(b)]) for a in actions]
    taken = savings.combine(b, levers, rates, masks)
    assert all(r <= 1.0 for r in rates)
    # per cell: what all actions take never exceeds that cell's (non-negative) baseline
    assert np.all(taken.sum(axis=0) <= b + 1e-9 * np.maximum(b, 1))


@settings(max_examples=100, deadline=None)
@given(baselines=st.lists(st.floats(0, 1e6), min_size=2, max_size=5),
       actions=st.lists(st.tuples(action, st.lists(st.booleans(), min_size=5, max_size=5)), min_size=1, max_size=6),
       extra=st.floats(0, 1e6))
def test_cells_are_independent(baselines, actions, extra):
    """Adding a cell no action selects, or changing another cell's baseline, leaves each cell's result alone."""
    b = np.array(baselines)
    levers = [a[0][0] for a in actions]
    rates = [savings.lever_rate(a[0][0], a[0][1]) for a in actions]
    masks = [np.array(a[1][: len(b)]) for a in actions]
    base = savings.combine(b, levers, rates, masks)
    b2 = b.copy()
    b2[0] = extra
    changed = savings.combine(b2, levers, rates, masks)
    np.testing.assert_array_equal(base[:, 1:], changed[:, 1:])
    wider = savings.combine(np.append(b, 123.0), levers, rates, [np.append(m, False) for m in masks])
    np.testing.assert_array_equal(wider[:, :-1], base)
    assert not wider[:, -1].any()
