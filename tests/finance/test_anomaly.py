"""The cost-spike detector and alert scores (reference-models.md §7) on hand-built series."""
from __future__ import annotations

import pandas as pd
import pytest

from grader.finance.anomaly import ORG, alert_scores, cost_spikes, daily_series, spike_list

DAYS = pd.date_range("2026-09-01", periods=16, freq="D", tz="UTC")


def _spikes(values, window=14, k=3.0, min_pct=0.2, min_abs=0.0):
    series = pd.DataFrame({"x": values}, index=DAYS[: len(values)])
    return cost_spikes(series, window, k, min_pct, min_abs)["x"].tolist()


def test_a_spike_fires():
    # window 100,102,98,... (μ = 100, σ ≈ 1.46); 130 is +30 % and ≈ 20 σ above
    base = [100, 102, 98, 101, 99, 100, 103, 97, 100, 101, 99, 100, 102, 98]
    assert _spikes(base + [130]) == [False] * 14 + [True]


def test_below_min_pct_does_not_fire_even_if_many_sigmas():
    base = [100, 101, 99, 100, 101, 99, 100, 101, 99, 100, 101, 99, 100, 100]
    assert _spikes(base + [115])[-1] is False          # +15 % < 20 %, although ≈ 19 σ
    assert _spikes(base + [115], min_pct=0.1)[-1] is True


def test_flat_window_sigma_zero():
    flat = [50.0] * 14
    assert _spikes(flat + [60.0])[-1] is True          # σ = 0 exactly: only the % rule applies
    assert _spikes(flat + [55.0])[-1] is False         # +10 %
    assert _spikes(flat + [50.0])[-1] is False         # no increase


def test_needs_a_full_window_and_sample_sigma():
    assert _spikes([10.0] * 5 + [100.0], window=14) == [False] * 6
    # ddof = 1: window [0, 10] has σ = 7.0711; x = 30 is (30 − 5)/7.07 = 3.54 σ → fires at k = 3.5, not at 3.6
    assert _spikes([0.0, 10.0, 30.0], window=2, k=3.5) == [False, False, True]
    assert _spikes([0.0, 10.0, 30.0], window=2, k=3.6) == [False, False, False]


def test_non_positive_mean_and_min_abs():
    assert _spikes([-5.0, -5.0, 1.0], window=2) == [False, False, True]    # μ ≤ 0: the % rule is waived
    assert _spikes([0.0, 0.0, 0.5], window=2, min_abs=1.0)[-1] is False


def test_daily_series_fills_missing_days_and_adds_org():
    days = pd.Series(pd.to_datetime(["2026-09-01", "2026-09-03", "2026-09-03"], utc=True))
    series = daily_series(days, pd.Series(["a", "a", "b"]), pd.Series([1.0, 2.0, 4.0]))
    assert list(series.columns) == [ORG, "a", "b"]
    assert series[ORG].tolist() == [1.0, 0.0, 6.0]
    assert series["b"].tolist() == [0.0, 0.0, 4.0]


def test_spike_list_names_org_as_empty():
    series = pd.DataFrame({ORG: [1.0] * 14 + [9.0], "a": [1.0] * 15}, index=DAYS[:15])
    assert spike_list(cost_spikes(series, 14, 3, 0.2, 0)) == [("2026-09-15", ORG)]


@pytest.mark.parametrize("learner,reference,expected", [
    ({("b", "2026-09", "x")}, {("b", "2026-09", "x")}, (1.0, 1.0)),
    ({("b", "2026-09", "x"), ("b", "2026-09", "y")}, {("b", "2026-09", "x")}, (0.5, 1.0)),
    (set(), set(), (1.0, 1.0)),
    (set(), {("b", "2026-09", "x")}, (0.0, 0.0)),
    ({("b", "2026-09", "x")}, set(), (0.0, 1.0)),
])
def test_alert_scores(learner, reference, expected):
    assert alert_scores(learner, reference) == expected
