"""Allocation (reference-models.md §4): methods as in the FinOps Foundation's shared-cost guidance and
AWS Cost Categories split charge rules (PROPORTIONAL, EVEN, FIXED); answers worked by hand."""
from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from grader.finance import chargeback
from grader.finance.chargeback import Rule


def rows(*spec) -> pd.DataFrame:
    """(unit or None, ServiceCategory, cost[, extra columns])"""
    records = []
    for unit, category, cost, *extra in spec:
        r = {"x_BusinessUnit": unit or "untagged", "x_Tagged": unit is not None, "ServiceCategory": category,
             "ServiceName": category + "-svc", "ChargeCategory": "Usage", "SubAccountId": "acct", "RegionId": "r1",
             "EffectiveCost": cost, "BilledCost": cost * 2, "ConsumedQuantity": 1.0, "ConsumedUnit": "Hours",
             chargeback.tag_column("env"): "prod"}
        r.update(extra[0] if extra else {})
        records.append(r)
    return pd.DataFrame(records)


MONTH = rows(("a", "Compute", 60.0), ("b", "Compute", 30.0), ("c", "Compute", 10.0),
             (None, "Networking", 50.0), (None, "Security", 20.0), (None, "Storage", 9.0))


def test_proportional_even_fixed():
    rules = [Rule("net", {"untagged": True, "service_category": "Networking"}, "proportional"),
             Rule("sec", {"untagged": True, "service_category": "Security"}, "fixed", weights={"a": 1, "b": 3}),
             Rule("rest", {"untagged": True}, "even")]
    a = chargeback.allocate(MONTH, "EffectiveCost", rules, 0.0)
    # net 50 by direct 60/30/10 → 30, 15, 5; sec 20 by weights 1:3 (c weighs 0) → 5, 15, 0; rest 9 ÷ 3 → 3 each
    assert a.shared == pytest.approx({"a": 38.0, "b": 33.0, "c": 8.0})
    assert a.charges == pytest.approx({"a": 98.0, "b": 63.0, "c": 18.0})
    assert (a.total_cost, a.reconciliation_gap, a.unallocated_cost) == (179.0, pytest.approx(0.0), 0.0)


def test_first_matching_rule_takes_the_row():
    rules = [Rule("all untagged", {"untagged": True}, "even"),
             Rule("never", {"service_category": "Networking"}, "proportional")]
    a = chargeback.allocate(MONTH, "EffectiveCost", rules, 0.0)
    assert [p.amount for p in a.pools] == [79.0, 0.0]


def test_proportional_falls_back_to_even_when_direct_sums_to_zero():
    month = rows(("a", "Compute", 5.0), ("b", "Compute", -5.0), (None, "Networking", 12.0))
    a = chargeback.allocate(month, "EffectiveCost", [Rule("net", {"untagged": True}, "proportional")], 0.0)
    assert a.pools[0].method_used == "even"
    assert a.shared == pytest.approx({"a": 6.0, "b": 6.0})


def test_explicit_targets_and_markup():
    rules = [Rule("net", {"untagged": True}, "even", targets=["b", "z"])]   # z: no direct cost, still charged
    a = chargeback.allocate(MONTH, "EffectiveCost", rules, 0.1)
    assert a.charges == pytest.approx({"a": 66.0, "b": (30 + 39.5) * 1.1, "c": 11.0, "z": 39.5 * 1.1})
    assert a.reconciliation_gap == pytest.approx(0.0, abs=1e-9)            # Σ = 1.1 × 179


def test_unallocated_rows_and_pool_without_targets():
    a = chargeback.allocate(MONTH, "EffectiveCost", [Rule("net", {"service_category": "Networking"}, "even")], 0.0)
    assert (a.unallocated_cost, a.unallocated_nonzero_rows) == (29.0, 2)
    assert a.reconciliation_gap == pytest.approx(-29.0)
    only_untagged = rows((None, "Networking", 7.0), (None, "Storage", 0.0))
    b = chargeback.allocate(only_untagged, "EffectiveCost", [Rule("all", {"untagged": True}, "proportional")], 0.0)
    assert b.pools[0].targets == [] and b.unallocated_cost == 7.0 and b.unallocated_nonzero_rows == 1
    assert b.charges == {}


def test_charges_name_every_tagged_unit_and_never_untagged():
    month = rows(("a", "Compute", 10.0), ("zero", "Compute", 0.0), (None, "Networking", 4.0))
    a = chargeback.allocate(month, "EffectiveCost", [Rule("n", {"untagged": True}, "fixed", weights={"w": 1.0, "a": 1.0},
                                                          targets=["a", "w"])], 0.0)
    assert set(a.charges) == {"a", "zero", "w"}                 # zero: a tagged row of 0 cost still gets an entry
    assert a.charges["zero"] == 0.0 and a.charges["w"] == 2.0


@pytest.mark.parametrize("match,expected", [
    ({"service_category": ["Networking", "Storage"]}, [False, False, False, True, False, True]),
    ({"untagged": False}, [True, True, True, False, False, False]),
    ({"tag": {"env": ["prod", "dev"]}}, [True] * 6),
    ({"tag": {"env": "dev"}}, [False] * 6),
    ({"sub_account_id": "acct", "region": "r1", "charge_category": "Usage"}, [True] * 6),
    ({"service_name": "Security-svc", "untagged": True}, [False, False, False, False, True, False]),
])
def test_match_keys(match, expected):
    assert chargeback.match_mask(MONTH, match).tolist() == expected


def test_a_kept_index_gives_the_same_masks_and_missing_values_never_match():
    month = rows(("a", "Compute", 1.0), ("b", "Compute", 2.0), (None, "Storage", 3.0))
    month["ServiceCategory"] = pd.Series(["Compute", None, "Storage"], dtype="string[pyarrow]")  # as loaded
    index = chargeback.MatchIndex(month)
    for match in ({"service_category": "Compute"}, {"service_category": ["Storage", "None", "nan"]},
                  {"service_category": "Nowhere"}, {"untagged": True, "service_category": "Storage"}):
        assert chargeback.match_mask(month, match, index).tolist() == chargeback.match_mask(month, match).tolist()
    assert chargeback.match_mask(month, {"service_category": ["Storage", "None", "nan"]}, index).tolist() == \
        [False, False, True]
    other = month.copy()
    other["ServiceCategory"] = ["Storage"] * 3          # an index kept for other rows is not used
    assert chargeback.match_mask(other, {"service_category": "Storage"}, index).tolist() == [True] * 3


def test_basis_column():
    a = chargeback.allocate(MONTH, "BilledCost", [Rule("u", {"untagged": True}, "even")], 0.0)
    assert a.total_cost == 358.0


def test_rate_recovery():
    month = rows(("a", "Compute", 30.0, {"ConsumedQuantity": 10.0, "ConsumedUnit": "GPU-Hours"}),
                 ("b", "Compute", 10.0, {"ConsumedQuantity": 5.0, "ConsumedUnit": "gpu-hours"}),
                 ("b", "Storage", 99.0, {"ConsumedQuantity": 1000.0, "ConsumedUnit": "GB-Mo"}))
    r = chargeback.rate_recovery(month, "EffectiveCost", "GPU-hours", 2.8)
    assert (r.quantity, r.charges, r.basis_cost) == (15.0, pytest.approx(42.0), 40.0)
    assert r.recovery_ratio == pytest.approx(1.05)
    assert chargeback.rate_recovery(month, "EffectiveCost", "TB", 1.0).recovery_ratio is None
    index = chargeback.MatchIndex(month)
    again = chargeback.rate_recovery(month, "EffectiveCost", "gpu-HOURS", 2.8, index)
    assert (again.quantity, again.basis_cost) == (15.0, 40.0)


units = st.sampled_from(["a", "b", "c", "d", None])
categories = st.sampled_from(["Compute", "Storage", "Networking"])


@settings(max_examples=150, deadline=None)
@given(spec=st.lists(st.tuples(units, categories, st.floats(-1e5, 1e6, allow_nan=False)), min_size=1, max_size=40),
       methods=st.lists(st.sampled_from(["proportional", "even", "fixed"]), min_size=1, max_size=4),
       markup=st.floats(0, 0.5), data=st.data())
def test_rules_that_cover_every_row_reconcile(spec, methods, markup, data):
    """For any rules that cover every row: Σ charges = (1 + markup) × total cost (1e-9 relative)."""
    month = rows(*spec)
    rules = []
    for i, method in enumerate(methods):
        category = data.draw(categories)
        targets = data.draw(st.one_of(st.none(), st.lists(st.sampled_from(["a", "b", "c", "x"]), min_size=1,
                                                          max_size=3, unique=True)))
        weights = None
        if method == "fixed":
            targets = targets or ["a", "b"]
            weights = {t: data.draw(st.floats(0.1, 10)) for t in targets}
        match = {"service_category": category} if i < len(methods) - 1 else {"untagged": True}
        rules.append(Rule(f"r{i}", match, method, weights=weights, targets=targets))
    a = chargeback.allocate(month, "EffectiveCost", rules, markup)
    assume(all(p.targets or p.amount == 0 for p in a.pools) and a.unallocated_nonzero_rows == 0)
    scale = max(1.0, sum(abs(c) for c in month["EffectiveCost"]))
    assert sum(a.charges.values()) == pytest.approx((1 + markup) * a.total_cost, rel=1e-9, abs=1e-9 * scale)


def test_proportional_split_of_subnormal_direct_costs():
    # found by hypothesis: S × d ÷ Σd underflowed to 2.0 × S when d was 5e-324
    month = rows(("a", "Compute", 5e-324), (None, "Compute", 1.5))
    a = chargeback.allocate(month, "EffectiveCost", [Rule("u", {"untagged": True}, "proportional")], 0.0)
    assert a.charges["a"] == 1.5


def test_group_sums_are_exact_per_key_in_sorted_order_with_missing_values_skipped():
    import math

    import numpy as np

    keys = np.array(["b", "a", 1, "1", None, "b", "c", "a", "b"], dtype=object)
    values = np.array([1e16, 0.1, 2.0, 3.0, 4.0, 1.0, np.nan, 0.2, -1e16])
    # 1 and "1" are one key as text; "c" has only a missing value and still appears (with 0);
    # b's 1e16 + 1 − 1e16 is 1 (math.fsum), where float addition in row order gives 0
    assert chargeback.group_sums(values, keys) == {"1": 5.0, "None": 4.0, "a": math.fsum([0.1, 0.2]),
                                                   "b": 1.0, "c": 0.0}
    assert list(chargeback.group_sums(values, keys)) == ["1", "None", "a", "b", "c"]
    assert chargeback.group_sums(np.array([]), np.array([], dtype=object)) == {}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c", "d", "ü", ""]),
                          st.one_of(st.floats(-1e12, 1e12), st.just(float("nan")))), max_size=60))
def test_group_sums_equal_a_sum_per_key_done_one_key_at_a_time(pairs):
    import math

    import numpy as np

    keys = np.array([k for k, _ in pairs], dtype=object)
    values = np.array([v for _, v in pairs], dtype=float)
    expected = {k: math.fsum(v for kk, v in pairs if kk == k and not math.isnan(v)) for k in sorted({k for k, _ in pairs})}
    assert chargeback.group_sums(values, keys) == expected
