"""Chargeback and showback allocation for one month (reference-models.md §4).

Pure: the month's rows (a DataFrame, or `Rows` of numpy columns as the reference cache keeps them)
and plain rule descriptions in, numbers out. Rows go to the first rule whose match holds
(vectorised, one pass per rule); pools are split over their targets. Sums per business unit or
category are correctly rounded (math.fsum), so they do not depend on row order.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping, Sequence, Union

import numpy as np

from grader.finance.common import UNTAGGED

if TYPE_CHECKING:
    import pandas as pd

NUMBER_COLUMNS = ("BilledCost", "EffectiveCost", "ListCost", "ConsumedQuantity")
FLAG_COLUMNS = ("x_Tagged",)

# match key -> the column of `rows` it tests (§4 item 2); `tag` and `untagged` are handled apart.
MATCH_COLUMNS = {"service_category": "ServiceCategory", "service_name": "ServiceName",
                 "charge_category": "ChargeCategory", "sub_account_id": "SubAccountId", "region": "RegionId"}


def tag_column(key: str) -> str:
    """The column of `rows` holding each row's value of tag `key` (the caller extracts it)."""
    return f"x_Tag:{key}"


@dataclass(frozen=True)
class Rule:
    name: str
    match: Mapping[str, object]            # keys of MATCH_COLUMNS, `tag: {key: value}`, `untagged: bool`
    method: str                            # proportional | even | fixed
    weights: Mapping[str, float] | None = None
    targets: Sequence[str] | None = None


@dataclass
class Pool:
    rule: Rule
    amount: float                          # S: Σ basis of the rows the rule takes
    rows: int
    targets: list[str]
    method_used: str                       # proportional falls back to even when Σd = 0
    shares: dict[str, float] = field(default_factory=dict)


@dataclass
class Allocation:
    direct: dict[str, float]
    shared: dict[str, float]
    charges: dict[str, float]              # total_charge per business unit (§4 item 4)
    pools: list[Pool]
    total_cost: float
    unallocated_cost: float
    unallocated_nonzero_rows: int
    markup: float
    reconciliation_gap: float
    row_rule: np.ndarray                   # per row: index of the rule that took it, −1 for none


def _values(want: object) -> list[str]:
    return [str(v) for v in want] if isinstance(want, (list, tuple)) else [str(want)]


class Rows:
    """A month's rows as numpy columns: floats (NaN when missing) for costs and quantities, booleans
    for x_Tagged, objects (None when missing) for text. Built over a DataFrame (columns converted
    on first use) or from plain lists (the reference cache)."""

    def __init__(self, length: int, columns: dict[str, np.ndarray] | None = None, frame: "pd.DataFrame | None" = None):
        self.length = length
        self._columns = dict(columns or {})
        self._frame = frame

    @classmethod
    def of(cls, rows: "RowsLike") -> "Rows":
        return rows if isinstance(rows, Rows) else cls(len(rows), frame=rows)

    def __len__(self) -> int:
        return self.length

    def __contains__(self, name: str) -> bool:
        return name in self._columns or (self._frame is not None and name in self._frame.columns)

    def column(self, name: str) -> np.ndarray:
        if name not in self._columns:
            if self._frame is None or name not in self._frame.columns:
                raise KeyError(name)
            series = self._frame[name]
            if name in NUMBER_COLUMNS:
                values = series.to_numpy(dtype=float, na_value=np.nan)
            elif name in FLAG_COLUMNS:
                values = series.to_numpy(dtype=bool)
            else:
                values = series.astype(object).where(series.notna(), None).to_numpy(dtype=object)
            self._columns[name] = values
        return self._columns[name]

    def add(self, name: str, values: np.ndarray) -> None:
        self._columns[name] = values


RowsLike = Union[Rows, "pd.DataFrame"]


def group_sums(values: np.ndarray, keys: np.ndarray) -> dict[str, float]:
    """Σ values per key (missing values skipped), correctly rounded, keys in sorted order."""
    lookup: dict[str, int] = {}
    codes = np.array([lookup.setdefault(str(k), len(lookup)) for k in keys.tolist()], dtype=np.intp)
    present = ~np.isnan(values)
    # One sort, then each key's values are one slice: O(n log n), not a pass over all rows per key.
    order = np.argsort(codes[present], kind="stable")
    grouped = values[present][order]
    bounds = np.searchsorted(codes[present][order], np.arange(len(lookup) + 1))
    return {key: math.fsum(grouped[bounds[lookup[key]]:bounds[lookup[key] + 1]].tolist()) for key in sorted(lookup)}


class MatchIndex:
    """Each tested column of `rows` factorised once, so a rule's match is an integer `isin`.

    Grading tries a pack's rules several times (and a batch grades many packs on the same month);
    comparing small integer codes is far cheaper than comparing strings again each time."""

    def __init__(self, rows: RowsLike):
        self.rows = Rows.of(rows)
        self._codes: dict[str, tuple[np.ndarray, dict[str, int]]] = {}

    def _factorised(self, column: str) -> tuple[np.ndarray, dict[str, int]]:
        if column not in self._codes:
            lookup: dict[str, int] = {}
            codes = np.array([-1 if v is None else lookup.setdefault(v, len(lookup))
                              for v in self.rows.column(column).tolist()], dtype=np.int64)
            self._codes[column] = (codes, lookup)          # missing -> -1, never matched
        return self._codes[column]

    def isin(self, column: str, values: list[str]) -> np.ndarray:
        codes, lookup = self._factorised(column)
        wanted = [lookup[v] for v in values if v in lookup]
        if not wanted:
            return np.zeros(len(codes), dtype=bool)
        return np.isin(codes, wanted)

    def lower_equals(self, column: str, value: str) -> np.ndarray:
        """Rows whose `column` equals `value` ignoring case (str.lower on both); missing never does."""
        codes, lookup = self._factorised(column)
        wanted = [i for u, i in lookup.items() if isinstance(u, str) and u.lower() == value.lower()]
        return np.isin(codes, wanted) if wanted else np.zeros(len(codes), dtype=bool)


def _index(rows: RowsLike, index: MatchIndex | None) -> MatchIndex:
    if index is not None and (index.rows is rows or index.rows._frame is rows):
        return index
    return MatchIndex(Rows.of(rows))


def match_mask(rows: RowsLike, match: Mapping[str, object], index: MatchIndex | None = None) -> np.ndarray:
    """Rows where every key of `match` holds; a list value means any of (§4 item 2)."""
    index = _index(rows, index)
    rows = index.rows
    mask = np.ones(len(rows), dtype=bool)
    for key, want in match.items():
        if key in MATCH_COLUMNS:
            mask &= index.isin(MATCH_COLUMNS[key], _values(want))
        elif key == "tag":
            for tag_key, tag_want in dict(want).items():
                mask &= index.isin(tag_column(tag_key), _values(tag_want))
        elif key == "untagged":
            tagged = rows.column("x_Tagged")
            mask &= ~tagged if want else tagged
        else:
            raise KeyError(f"unknown match key {key!r}")
    return mask


def split(amount: float, method: str, targets: Sequence[str], direct: Mapping[str, float],
          weights: Mapping[str, float] | None) -> tuple[dict[str, float], str]:
    """Split a pool S over its targets (§4 item 3); returns the shares and the method used."""
    if not targets:
        return {}, method
    if method == "proportional":
        d = {t: direct.get(t, 0.0) for t in targets}
        total = sum(d.values())
        if total != 0:
            return {t: amount * (d[t] / total) for t in targets}, method    # S × dᵢ ÷ Σd (the share first:
                                                                               # no underflow on tiny costs)
        method = "even"                                                     # Σd = 0: fall back to even
    if method == "even":
        return {t: amount / len(targets) for t in targets}, method          # S ÷ n
    if method == "fixed":
        w = {t: float((weights or {}).get(t, 0.0)) for t in targets}
        total = sum(w.values())
        return {t: amount * (w[t] / total) for t in targets}, method        # S × wᵢ ÷ Σw
    raise ValueError(f"unknown method {method!r}")


def allocate(rows: RowsLike, basis: str, rules: Sequence[Rule], markup: float,
             index: MatchIndex | None = None) -> Allocation:
    """Allocate the month's rows. `rows` carries the basis column, `x_BusinessUnit`, `x_Tagged`,
    the MATCH_COLUMNS and any tag columns the rules test. `markup` is 0 for showback; `index`, a
    MatchIndex of `rows` kept by the caller, saves re-reading the columns."""
    index = _index(rows, index)
    rows = index.rows
    cost = rows.column(basis)
    units = rows.column("x_BusinessUnit")
    tagged = rows.column("x_Tagged")
    taken_by = np.full(len(rows), -1)
    for i, rule in enumerate(rules):                     # the first rule whose match holds takes the row
        taken_by[(taken_by == -1) & match_mask(rows, rule.match, index)] = i

    is_direct = (taken_by == -1) & tagged
    direct = group_sums(cost[is_direct], units[is_direct])
    unallocated_rows = (taken_by == -1) & ~tagged
    unallocated = float(cost[unallocated_rows].sum())
    nonzero = int(np.count_nonzero(cost[unallocated_rows]))
    default_targets = sorted(u for u, v in direct.items() if v != 0)

    shared: dict[str, float] = {}
    pools = []
    for i, rule in enumerate(rules):
        in_pool = taken_by == i
        amount = float(cost[in_pool].sum())
        targets = list(rule.targets) if rule.targets else default_targets
        shares, used = split(amount, rule.method, targets, direct, rule.weights)
        if not targets:                                  # nobody to charge: the pool stays unallocated
            unallocated += amount
            nonzero += int(np.count_nonzero(cost[in_pool]))
        for unit, value in shares.items():
            shared[unit] = shared.get(unit, 0.0) + value
        pools.append(Pool(rule=rule, amount=amount, rows=int(in_pool.sum()), targets=targets, method_used=used,
                          shares=shares))

    named = set(units[tagged]) | {t for r in rules for t in (r.targets or [])} | \
        {t for r in rules for t in (r.weights or {})}
    named.discard(UNTAGGED)
    factor = 1.0 + markup
    charges = {u: (direct.get(u, 0.0) + shared.get(u, 0.0)) * factor for u in sorted(str(x) for x in named)}
    total_cost = float(cost.sum())
    gap = float(sum(charges.values())) - factor * total_cost
    return Allocation(direct=direct, shared=shared, charges=charges, pools=pools, total_cost=total_cost,
                      unallocated_cost=unallocated, unallocated_nonzero_rows=nonzero, markup=markup,
                      reconciliation_gap=gap, row_rule=taken_by)


@dataclass(frozen=True)
class RateRecovery:
    unit: str
    rate: float
    quantity: float
    charges: float
    basis_cost: float
    recovery_ratio: float | None


def rate_recovery(rows: RowsLike, basis: str, unit: str, rate: float,
                  index: MatchIndex | None = None) -> RateRecovery:
    """Σ ConsumedQuantity × rate over rows whose ConsumedUnit equals `unit` (case-insensitive),
    and its ratio to their basis cost (§4 item 5); None when that cost is 0. Missing quantities
    and costs count as 0."""
    index = _index(rows, index)
    rows = index.rows
    same = index.lower_equals("ConsumedUnit", unit)
    quantity = float(np.nansum(rows.column("ConsumedQuantity")[same]))
    basis_cost = float(np.nansum(rows.column(basis)[same]))
    charges = quantity * rate
    return RateRecovery(unit=unit, rate=rate, quantity=quantity, charges=charges, basis_cost=basis_cost,
                        recovery_ratio=charges / basis_cost if basis_cost != 0 else None)
