"""Cost spikes and budget alerts (reference-models.md §7).

Window statistics are computed exactly over each window (two-pass mean and ddof=1 standard
deviation), not with a running update, so a flat window has σ = 0 exactly.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd


ORG = ""   # the organisation-wide series, named as an empty business unit (kpis.csv, alerts.csv)


def daily_series(days: pd.Series, units: pd.Series, cost: pd.Series) -> pd.DataFrame:
    """Σ cost per day: one column per business unit plus ORG, over every day from the first to the
    last date (a day without rows counts as 0) (§7)."""
    import pandas as pd

    # Series kept as they are: to_numpy() on tz-aware days would build a Timestamp object per row.
    frame = pd.DataFrame({"day": days.reset_index(drop=True), "unit": units.reset_index(drop=True),
                          "cost": cost.reset_index(drop=True)})
    if frame.empty:
        return pd.DataFrame(columns=[ORG])
    calendar = pd.date_range(frame["day"].min(), frame["day"].max(), freq="D")
    by_unit = frame.groupby(["day", "unit"], sort=True)["cost"].sum().unstack("unit", fill_value=0.0)
    by_unit = by_unit.reindex(calendar, fill_value=0.0)
    org = frame.groupby("day")["cost"].sum().reindex(calendar, fill_value=0.0)
    series = pd.concat([org.rename(ORG), by_unit], axis=1)
    series.columns = [str(c) for c in series.columns]
    return series.astype(float)


def cost_spikes(series: pd.DataFrame, window_days: int, k: float, min_pct: float, min_abs: float) -> pd.DataFrame:
    """Boolean frame, True where day t is a `cost_spike` of that series (§7).

    Day t needs N = window_days earlier days; with μ, σ (ddof = 1) of those N days:
    (x − μ) > 0 and (x − μ) ≥ min_abs and (μ ≤ 0 or (x − μ)/μ ≥ min_pct) and (σ = 0 or (x − μ)/σ ≥ k).
    """
    import pandas as pd

    x = series.to_numpy(dtype=float)
    spikes = np.zeros_like(x, dtype=bool)
    n = window_days
    if len(x) > n:
        windows = np.lib.stride_tricks.sliding_window_view(x, n, axis=0)[: len(x) - n]   # (T−N, S, N)
        mu = windows.mean(axis=-1)
        sigma = windows.std(axis=-1, ddof=1)
        current = x[n:]
        d = current - mu
        with np.errstate(divide="ignore", invalid="ignore"):
            pct_ok = (mu <= 0) | (d / np.where(mu > 0, mu, 1.0) >= min_pct)
            z_ok = (sigma == 0) | (d / np.where(sigma > 0, sigma, 1.0) >= k)
        spikes[n:] = (d > 0) & (d >= min_abs) & pct_ok & z_ok
    return pd.DataFrame(spikes, index=series.index, columns=series.columns)


def spike_list(spikes: pd.DataFrame) -> list[tuple[str, str]]:
    """[(YYYY-MM-DD, unit or ORG)] of every spike, sorted."""
    days, cols = np.nonzero(spikes.to_numpy())
    index = spikes.index
    return sorted((index[d].strftime("%Y-%m-%d"), spikes.columns[c]) for d, c in zip(days, cols))


def alert_scores(learner: set[tuple[str, str, str]], reference: set[tuple[str, str, str]]) -> tuple[float, float]:
    """(precision, recall) of learner alerts (kind, date, unit) against the reference set (§7)."""
    matched = len(learner & reference)
    precision = matched / len(learner) if learner else (1.0 if not reference else 0.0)
    recall = matched / len(reference) if reference else 1.0
    return precision, recall
