"""Savings levers and their combination without double counting (reference-models.md §3).

Pure: numbers and DataFrames in, numbers out. Nothing is rounded.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np

if TYPE_CHECKING:            # pandas is imported where it is used: a cached lab2 reference needs none
    import pandas as pd

# §3 "Combining": rightsize before you commit (course rule).
LEVER_ORDER: tuple[str, ...] = ("rightsizing", "scheduling", "storage_tiering", "placement", "spot",
                                "commitment")

# Cell key columns, in the order of §3: (business unit, ServiceCategory, ServiceName, RegionId).
CELL_KEYS: tuple[str, ...] = ("business_unit", "service_category", "service_name", "region")


# ---- rates (§3 "Rates" table) -------------------------------------------------------------------

def rightsizing_rate(current_utilization: float, target_utilization: float) -> float:
    """r = max(0, 1 − u/t)."""
    return max(0.0, 1.0 - current_utilization / target_utilization)


def scheduling_rate(hours_off_per_week: float) -> float:
    """r = h / 168 (hours in a week)."""
    return hours_off_per_week / 168.0


def storage_tiering_rate(fraction_moved: float, price_ratio: float, retrieval_overhead: float = 0.0) -> float:
    """r = m × (1 − k) − e."""
    return fraction_moved * (1.0 - price_ratio) - retrieval_overhead


def placement_rate(fraction_moved: float, price_ratio: float) -> float:
    """r = m × (1 − k)."""
    return fraction_moved * (1.0 - price_ratio)


def spot_rate(fraction_moved: float, discount: float, interruption_overhead: float) -> float:
    """r = m × (1 − (1 − d)(1 + o))."""
    return fraction_moved * (1.0 - (1.0 - discount) * (1.0 + interruption_overhead))


def commitment_rate(coverage: float, discount: float, utilization: float) -> float:
    """r = c × (1 − (1 − d)/υ); negative below break-even (a loss, kept)."""
    return coverage * (1.0 - (1.0 - discount) / utilization)


def commitment_break_even(discount: float) -> float:
    """Break-even utilisation υ = 1 − d (Cloudability: committed rate ÷ on-demand rate)."""
    return 1.0 - discount


def break_even_from_rates(on_demand_rate: float, committed_rate: float) -> float:
    """Break-even utilisation = committed rate ÷ on-demand rate (Cloudability)."""
    return committed_rate / on_demand_rate


LEVER_RATES = {
    "rightsizing": rightsizing_rate,
    "scheduling": scheduling_rate,
    "storage_tiering": storage_tiering_rate,
    "placement": placement_rate,
    "spot": spot_rate,
    "commitment": commitment_rate,
}


def lever_rate(lever: str, params: Mapping[str, float]) -> float:
    """The rate r of one action, from its lever's parameters (already validated)."""
    return float(LEVER_RATES[lever](**params))


# ---- cells (§3 "Cells") -------------------------------------------------------------------------

def build_cells(usage: "pd.DataFrame") -> "pd.DataFrame":
    """Annualised baseline per cell.

    `usage` holds the Usage rows only, with columns `business_unit`, `service_category`,
    `service_name`, `region`, `month` and `effective_cost`. A cell's baseline is its Σ EffectiveCost
    ÷ the number of distinct months in those rows × 12. Null keys form their own cells.
    """
    import pandas as pd

    months = usage["month"].nunique()
    if months == 0:
        return pd.DataFrame({**{k: pd.Series([], dtype=object) for k in CELL_KEYS},
                             "baseline": pd.Series([], dtype=float)})
    sums = usage.groupby(list(CELL_KEYS), dropna=False, sort=True)["effective_cost"].sum()
    cells = sums.reset_index().rename(columns={"effective_cost": "baseline"})
    cells["baseline"] = cells["baseline"] / months * 12.0
    return cells


CellIndex = dict[str, dict[str, np.ndarray]]


def index_cells(cells: "pd.DataFrame") -> CellIndex:
    """For each cell key, each value's boolean mask over the cells (built once; null keys match nothing)."""
    import pandas as pd

    index: CellIndex = {}
    for key in CELL_KEYS:
        column = cells[key].to_numpy(dtype=object)
        index[key] = {str(v): column == v for v in pd.unique(cells[key].dropna())}
    return index


def select_cells(cells: "pd.DataFrame", scope: Mapping[str, str | Sequence[str] | None]) -> np.ndarray:
    """Boolean mask of the cells a scope selects; a missing (None) key matches all, a list any of."""
    return select_indexed(index_cells(cells), len(cells), scope)


def select_indexed(index: CellIndex, cells: int, scope: Mapping[str, str | Sequence[str] | None]) -> np.ndarray:
    """select_cells over a prebuilt index of `cells` cells."""
    none = np.zeros(cells, dtype=bool)
    mask = np.ones(cells, dtype=bool)
    for key in CELL_KEYS:
        want = scope.get(key)
        if want is None:
            continue
        chosen = none
        for value in [want] if isinstance(want, str) else want:
            chosen = chosen | index[key].get(value, none)
        mask &= chosen
    return mask


# ---- combination (§3 "Combining without double counting") ---------------------------------------

def combine(baselines: np.ndarray, levers: Sequence[str], rates: Sequence[float],
            masks: Sequence[np.ndarray]) -> np.ndarray:
    """What each action takes from each cell: an (actions × cells) array.

    Within a cell, actions apply in lever order (ties: file order); each takes r × remaining and
    leaves remaining × (1 − r).
    """
    baselines = np.asarray(baselines, dtype=float)
    taken = np.zeros((len(levers), len(baselines)), dtype=float)
    remaining = baselines.copy()
    order = sorted(range(len(levers)), key=lambda i: (LEVER_ORDER.index(levers[i]), i))
    for i in order:
        r, mask = rates[i], masks[i]
        taken[i] = np.where(mask, r * remaining, 0.0)
        remaining = np.where(mask, remaining * (1.0 - r), remaining)
    return taken
