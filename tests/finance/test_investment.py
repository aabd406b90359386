"""reference-models.md §6 investment figures, known answers with their public sources."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.finance import investment as inv

NPV_EXAMPLE = (0.08, 40000, [5000, 8000, 12000, 30000])


def test_npv_numpy_financial_docstring():
    # numpy-financial npv docstring: npf.npv(0.08, [-40_000, 5_000, 8_000, 12_000, 30_000]) → 3065.22267
    assert inv.npv(*NPV_EXAMPLE) == pytest.approx(3065.22267, abs=1e-5)


def test_excel_npv_discounts_every_flow_one_more_year():
    # Excel's NPV(rate, v1, …) puts v1 at the end of period 1 (Microsoft NPV function help)
    assert inv.excel_npv(*NPV_EXAMPLE) == pytest.approx(3065.22267 / 1.08, abs=1e-5)


@pytest.mark.parametrize("investment,flows,expected", [
    (100, [39, 59, 55, 20], 0.28095),                          # numpy-financial irr docstring
    (70000, [12000, 15000, 18000, 21000, 26000], 0.08663),      # Microsoft Excel IRR help (five-year example)
])
def test_irr_known_answers(investment, flows, expected):
    assert inv.irr(investment, flows) == pytest.approx(expected, abs=5e-6)


def test_irr_undefined_is_none_not_nan():
    assert inv.irr(0, [90000, 90000]) is None                  # no sign change: no rate makes NPV zero
    assert inv.irr(100, [-10, 200, -150]) is None              # sign changes but no real root (max NPV ≈ −56)
    assert inv.irr(100, [10, 10]) == pytest.approx(-0.6298437881, abs=1e-9)   # exists, negative


def test_payback_known_answers():
    # reference-models.md §6: the npv example pays back in 3.5 years, 3.86099 discounted
    assert inv.payback_years(40000, [5000, 8000, 12000, 30000]) == 3.5
    assert inv.discounted_payback_years(*NPV_EXAMPLE) == pytest.approx(3.86099, abs=5e-6)
    assert inv.payback_years(0, [1, 2]) == 0.0 and inv.discounted_payback_years(0.1, 0, [1]) == 0.0
    assert inv.payback_years(100, [10, 10]) is None
    assert inv.payback_years(100, [100]) == 1.0                 # cumulative exactly 0 counts


def test_roi():
    assert inv.roi(250000, [120000, 180000, 180000]) == pytest.approx(0.92)
    assert inv.roi(0, [1]) is None


def test_sensitivity_and_scenarios_by_hand():
    r, i, cf = 0.10, 250000, [120000, 180000, 180000]
    base = inv.npv(r, i, cf)
    s = inv.sensitivity("investment", 0.9, 1.1, r, i, cf)
    assert (s.npv_low, s.npv_high) == (pytest.approx(base + 25000), pytest.approx(base - 25000))
    assert s.swing == pytest.approx(50000)
    pv = base + i                                               # NPV is linear in a cash-flow multiplier
    c = inv.sensitivity("cash_flows", 0.8, 1.2, r, i, cf)
    assert (c.npv_low, c.npv_high) == (pytest.approx(0.8 * pv - i), pytest.approx(1.2 * pv - i))
    d = inv.sensitivity("discount_rate", 0.8, 1.2, r, i, cf)
    assert d.npv_low == pytest.approx(inv.npv(0.08, i, cf))
    npvs = inv.scenario_npvs(r, i, cf, [1.0, 0.6, 1.3])
    assert inv.risk_adjusted_npv([0.6, 0.3, 0.1], npvs) == pytest.approx((0.6 + 0.18 + 0.13) * pv - i)
    assert inv.risk_adjusted_npv([], []) is None


@settings(max_examples=200, deadline=None)
@given(investment=st.floats(1, 1e6), flows=st.lists(st.floats(-1e5, 1e6), min_size=1, max_size=8))
def test_npv_at_the_irr_is_zero(investment, flows):
    rate = inv.irr(investment, flows)
    # numpy-financial returns, of the real roots, the rate closest to 0 (pinned by §6); near −100 %
    # a root can be genuine yet impossible to check in floating point (factors of (1 + r)^-t ≈ 1e12+).
    if rate is not None and rate > -0.95:
        # zero up to rounding of the discounted terms (large when the IRR is near −1)
        scale = investment + sum(abs(f) / abs(1 + rate) ** t for t, f in enumerate(flows, start=1))
        assert abs(inv.npv(rate, investment, flows)) <= 1e-6 * max(1.0, scale)


def test_degenerate_flows_give_no_irr_instead_of_crashing():
    # found by hypothesis: numpy-financial's root finder raises LinAlgError on subnormal flows
    assert inv.irr(1.0, [2.225073858507e-311]) is None


def test_an_irr_of_minus_100_percent_is_undefined():
    # found by hypothesis: [-1, 2.65e-292] solves at r = −1, where no discount factor exists
    assert inv.irr(1.0, [2.652945947558599e-292]) is None
