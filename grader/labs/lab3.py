"""lab3, the chargeback/showback policy pack: parse chargeback.yaml, allocation.csv and
communication_plan.md; recompute the allocation the learner's own rules imply (reference-models §4)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from pydantic import BaseModel, ConfigDict, Field

from grader.errors import SubmissionError
from grader.finance import chargeback
from grader.finance.common import UNTAGGED
from grader.labs import reference_cache
from grader.labs.base import LabSpec
from grader.loaders.csv_table import number, read_table
from grader.labs.reading import read_markdown, read_yaml_model
from grader.loaders.markdown_doc import Section
from grader.loaders.submission import SubmissionFiles
from grader.loaders.yaml_source import YamlDoc
from grader.models.problems import Problem
from grader.models.submission import ChargebackPack

if TYPE_CHECKING:
    from grader.loaders.dataset import Dataset

PACK, ALLOCATION, PLAN = "chargeback.yaml", "allocation.csv", "communication_plan.md"
ROW_COLUMNS = ("BilledCost", "EffectiveCost", "x_BusinessUnit", "x_Tagged", "ConsumedQuantity", "ConsumedUnit",
               *chargeback.MATCH_COLUMNS.values())


class Lab3Settings(BaseModel):
    """Rubric-wide tolerances (reference-models §4 defaults)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    gap_tol: float = Field(0.01, ge=0)             # |reconciliation_gap|
    rate_tol: float = Field(0.05, ge=0)            # |recovery_ratio − (1 + markup)|
    allocation_rel_tol: float = Field(0.005, ge=0)
    allocation_abs_tol: float = Field(0.01, ge=0)


# ---- parsing ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LearnerCharge:
    line: int
    unit: str
    direct: float
    shared: float
    total: float


@dataclass
class ParsedPack:
    pack: ChargebackPack
    doc: YamlDoc
    allocation: list[LearnerCharge]
    plan: list[Section]


def parse(files: SubmissionFiles) -> ParsedPack:
    problems: list[Problem] = []
    pack, doc = read_yaml_model(files, PACK, ChargebackPack, problems)

    charges: list[LearnerCharge] = []
    try:
        table, found = read_table(files.require(ALLOCATION), ALLOCATION,
                                  ("business_unit", "direct_cost", "shared_cost", "total_charge"))
        problems += found
        seen: dict[str, int] = {}
        for line, row in table.rows:
            unit = row["business_unit"]
            if not unit:
                problems.append(Problem(file=ALLOCATION, line=line, location="business_unit",
                                        message="the business unit is empty.", fix="name the unit charged."))
                continue
            if unit in seen:
                problems.append(Problem(file=ALLOCATION, line=line, location="business_unit",
                                        message=f"'{unit}' appears twice (first on line {seen[unit]}).",
                                        fix="give one row per business unit."))
                continue
            seen[unit] = line
            values = [number(row[c], ALLOCATION, line, c, problems) for c in ("direct_cost", "shared_cost", "total_charge")]
            if None not in values:
                charges.append(LearnerCharge(line, unit, *values))
    except SubmissionError as exc:
        problems += exc.problems

    plan = read_markdown(files, PLAN, problems)

    if problems or pack is None:
        problems.sort(key=lambda p: ({PACK: 0, ALLOCATION: 1, PLAN: 2}.get(p.file, 3), p.line or 0))
        raise SubmissionError("the policy pack cannot be graded as submitted.", problems)
    return ParsedPack(pack=pack, doc=doc, allocation=charges, plan=plan)


# ---- recomputation ------------------------------------------------------------------------------

@dataclass
class Lab3Context:
    parsed: ParsedPack
    settings: Lab3Settings
    allocation: chargeback.Allocation
    rates: list[chargeback.RateRecovery]
    unallocated_by_category: dict[str, float]            # ServiceCategory -> cost no rule takes
    comparison: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)  # unit -> (learner, ref)
    diagnosis: str | None = None                          # what the learner's figures match instead

    @property
    def pack(self) -> ChargebackPack:
        return self.parsed.pack

    @property
    def markup(self) -> float:
        return self.pack.markup_pct if self.pack.model == "chargeback" else 0.0

    def unit_matches(self, unit: str) -> bool:
        learner, reference = self.comparison[unit]
        s = self.settings
        return learner is not None and reference is not None and abs(learner - reference) <= max(
            s.allocation_rel_tol * abs(reference), s.allocation_abs_tol)

    @property
    def allocation_matches(self) -> bool:
        return bool(self.comparison) and all(self.unit_matches(u) for u in self.comparison)


def _rules(pack: ChargebackPack) -> list[chargeback.Rule]:
    return [chargeback.Rule(name=r.name, match=r.match.as_dict(), method=r.method, weights=r.weights,
                            targets=r.targets) for r in pack.shared_costs]


CACHE_MODEL = 1         # bump when the rows lab3 allocates change: older caches are then ignored
CACHE_INPUTS = ("billing.csv", "billing.parquet")
CACHE_COLUMNS = (*ROW_COLUMNS, "Tags")


def _encode(values: np.ndarray, name: str) -> Any:
    """A column as the cache keeps it: numbers and flags as lists, text as its distinct values (in
    order of first appearance) and one code per row, -1 for null."""
    if name in chargeback.NUMBER_COLUMNS:
        return values.astype(float).tolist()
    if name in chargeback.FLAG_COLUMNS:
        return values.astype(bool).tolist()
    import pandas as pd                       # only when the cache is written, from the billing rows

    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    # Distinct objects whose text is the same (1 and "1") share one value, as they would as text.
    first: dict[str, int] = {}
    remap = np.array([first.setdefault(str(u), len(first)) for u in uniques] + [-1], dtype=np.intp)
    return {"values": list(first), "codes": remap[codes].tolist()}


def _decode(data: Any, name: str) -> np.ndarray:
    if name in chargeback.NUMBER_COLUMNS:
        return np.array(data, dtype=float)
    if name in chargeback.FLAG_COLUMNS:
        return np.array(data, dtype=bool)
    values = data["values"]
    if not all(isinstance(v, str) for v in values):
        raise TypeError("text column values must be strings")
    codes = np.asarray(data["codes"])
    if codes.size == 0:
        codes = codes.astype(np.intp)
    elif codes.ndim != 1 or codes.dtype.kind not in "iub":
        raise TypeError("text column codes must be integers")
    if codes.size and codes.max() >= len(values):
        raise IndexError("a text column code names no value")
    table = np.array([*values, None], dtype=object)     # any negative code: the trailing None (null)
    return table[np.where(codes < 0, len(values), codes)]


def cache_part(dataset: "Dataset") -> dict[str, Any]:
    """lab3's part of the reference cache: each month's rows, the columns allocation reads."""
    billing = dataset.billing
    periods = {}
    for month in sorted(billing["x_Month"].unique()):
        rows = chargeback.Rows.of(billing.loc[billing["x_Month"] == month, list(CACHE_COLUMNS)])
        periods[str(month)] = {"length": len(rows), "columns": {c: _encode(rows.column(c), c) for c in CACHE_COLUMNS}}
    return {"model": CACHE_MODEL, "inputs_sha256": reference_cache.inputs_sha256(dataset, CACHE_INPUTS),
            "months": sorted(periods), "periods": periods}


def _cached(dataset: "Dataset") -> dict[str, Any] | None:
    def load() -> dict[str, Any] | None:
        section = reference_cache.part(dataset, "lab3", CACHE_MODEL, CACHE_INPUTS)
        ok = (section is not None and isinstance(section.get("periods"), dict)
              and isinstance(section.get("months"), list) and all(isinstance(m, str) for m in section["months"]))
        return section if ok else None

    return dataset.memo("lab3.cache", load)


def _months(dataset: "Dataset") -> list[str]:
    cached = _cached(dataset)
    return list(cached["months"]) if cached is not None else sorted(dataset.billing["x_Month"].unique())


def _decoded(month: Any) -> chargeback.Rows | None:
    """A cached month's rows, or None when the entry is damaged (every column its length)."""
    try:
        length = int(month["length"])
        columns = {c: _decode(month["columns"][c], c) for c in CACHE_COLUMNS}
    except (TypeError, ValueError, KeyError, IndexError, AttributeError):
        return None
    well_formed = all(v.ndim == 1 and len(v) == length for v in columns.values())
    return chargeback.Rows(length, columns) if well_formed else None


def _rows_of(dataset: "Dataset", period: str) -> chargeback.Rows:
    cached = _cached(dataset)
    rows = _decoded(cached["periods"][period]) if cached is not None and period in cached["periods"] else None
    if rows is not None:
        return rows
    billing = dataset.billing
    return chargeback.Rows.of(billing.loc[billing["x_Month"] == period, list(CACHE_COLUMNS)])


def _tag_column(tags: np.ndarray, key: str) -> np.ndarray:
    from grader.loaders.focus import tag_value

    parsed = {text: tag_value(text, key)[0] for text in {t for t in tags if t is not None}}
    return np.array([None if t is None else parsed[t] for t in tags], dtype=object)


def _month_rows(dataset: "Dataset", period: str, tag_keys: set[str]) -> chargeback.Rows:
    """The month's rows with the columns allocation needs, once per dataset and period (from the
    reference cache when it holds them); tag columns are added on demand, once per key."""
    rows = dataset.memo(f"lab3.rows:{period}", lambda: _rows_of(dataset, period))
    for key in sorted(tag_keys):
        if chargeback.tag_column(key) not in rows:
            rows.add(chargeback.tag_column(key), _tag_column(rows.column("Tags"), key))
    return rows


def _compare(ctx: Lab3Context, charges: dict[str, float]) -> dict[str, tuple[float | None, float | None]]:
    learner = {c.unit: c.total for c in ctx.parsed.allocation}
    return {u: (learner.get(u), charges.get(u)) for u in sorted(set(learner) | set(charges))}


def _diagnose(ctx: Lab3Context, rows, index, rules: list[chargeback.Rule]) -> str | None:
    """When the learner's allocation does not match, find the declared choice it follows instead."""
    pack = ctx.pack
    trials: list[tuple[str, list[chargeback.Rule], float]] = []
    for i, rule in enumerate(rules):
        for method in ("proportional", "even", "fixed"):
            if method == rule.method or (method == "fixed" and not rule.weights):
                continue
            changed = rules[:i] + [replace(rule, method=method)] + rules[i + 1:]
            trials.append((f"rule '{rule.name}' split with method {method}, not {rule.method} as declared",
                           changed, ctx.markup))
    if pack.model == "chargeback" and pack.markup_pct:
        trials.append(("charges without the declared markup", rules, 0.0))
    for text, trial_rules, markup in trials:
        alt = chargeback.allocate(rows, pack.cost_basis, trial_rules, markup, index)
        probe = replace(ctx, comparison=_compare(ctx, alt.charges))
        if probe.allocation_matches:
            return text
    return None


def recompute(parsed: ParsedPack, dataset: "Dataset", settings: Lab3Settings) -> Lab3Context:
    pack = parsed.pack
    months = _months(dataset)
    if pack.period not in months:
        raise SubmissionError(f"period {pack.period} is not in the dataset.", [Problem(
            file=PACK, location="period", line=parsed.doc.line_of(("period",)),
            message=f"period {pack.period} has no billing data; the dataset covers {', '.join(months)}.",
            fix="allocate one of those months.")])
    problems = []
    for i, rule in enumerate(pack.shared_costs):
        for kind, names in (("targets", rule.targets or []), ("weights", list(rule.weights or {}))):
            if UNTAGGED in names:
                problems.append(Problem(file=PACK, location=f"shared_costs[{i}].{kind}",
                                        line=parsed.doc.line_of(("shared_costs", i, kind)),
                                        message=f"'{UNTAGGED}' cannot be charged: it is not a business unit.",
                                        fix="share untagged cost among real units."))
    if problems:
        raise SubmissionError(f"{PACK} charges untagged cost to 'untagged'.", problems)

    tag_keys = {k for r in pack.shared_costs for k in (r.match.tag or {})}
    rows = _month_rows(dataset, pack.period, tag_keys)
    rules = _rules(pack)
    markup = pack.markup_pct if pack.model == "chargeback" else 0.0
    index = dataset.memo(f"lab3.index:{pack.period}", lambda: chargeback.MatchIndex(rows))
    allocation = chargeback.allocate(rows, pack.cost_basis, rules, markup, index)
    for i, (rule, pool) in enumerate(zip(pack.shared_costs, allocation.pools)):
        if rule.method == "fixed":
            stray = sorted(set(rule.weights or {}) - set(pool.targets))
            if stray:
                problems.append(Problem(
                    file=PACK, location=f"shared_costs[{i}].weights", line=parsed.doc.line_of(("shared_costs", i, "weights")),
                    message=f"rule '{rule.name}': weight(s) for {', '.join(stray)}, which are not among its targets "
                            f"({', '.join(pool.targets) or 'none'}).",
                    fix="weight only the units that share this pool, or list them in `targets`."))
    if problems:
        raise SubmissionError(f"{PACK} has weights for units that do not share the pool.", problems)

    left = (allocation.row_rule == -1) & ~rows.column("x_Tagged")
    by_category: dict[str, float] = {}
    if left.any():               # most packs leave nothing: skip the sums then
        categories = np.array(["(none)" if c is None else c for c in rows.column("ServiceCategory")[left]], dtype=object)
        sums = chargeback.group_sums(rows.column(pack.cost_basis)[left], categories)
        by_category = {k: v for k, v in sums.items() if v != 0}
    ctx = Lab3Context(parsed=parsed, settings=settings, allocation=allocation,
                      rates=[chargeback.rate_recovery(rows, pack.cost_basis, r.unit, r.rate, index) for r in pack.rates],
                      unallocated_by_category=by_category)
    ctx.comparison = _compare(ctx, allocation.charges)
    if not ctx.allocation_matches:
        ctx.diagnosis = _diagnose(ctx, rows, index, rules)
    return ctx


def figures(ctx: Lab3Context) -> dict[str, Any]:
    """results.md §1 lab3 figures, plus the parts behind them."""
    a = ctx.allocation
    return {
        "period": ctx.pack.period,
        "model": ctx.pack.model,
        "markup_pct": a.markup,
        "total_cost": a.total_cost,
        "charges": a.charges,
        "reconciliation_gap": a.reconciliation_gap,
        "unallocated_cost": a.unallocated_cost,
        "unallocated_nonzero_rows": a.unallocated_nonzero_rows,
        "direct": dict(sorted(a.direct.items())),
        "shared": dict(sorted(a.shared.items())),
        "pools": [{"name": p.rule.name, "amount": p.amount, "rows": p.rows, "method": p.method_used,
                   "targets": len(p.targets)} for p in a.pools],
        "rates": [{"unit": r.unit, "rate": r.rate, "quantity": r.quantity, "charges": r.charges,
                   "basis_cost": r.basis_cost, "recovery_ratio": r.recovery_ratio} for r in ctx.rates],
        "allocation_matches": ctx.allocation_matches,
    }


def empty_figures() -> dict[str, Any]:
    return {"total_cost": None, "charges": {}, "reconciliation_gap": None, "unallocated_cost": None}


def signature(dataset: "Dataset") -> dict[str, Any]:
    """Per cost basis and month: the total over all rows and each unit's tagged cost (its direct
    cost when the rules take only untagged rows, as packs usually do), for per-learner variants."""
    billing = dataset.billing
    tagged = billing[billing["x_Tagged"]]
    out: dict[str, Any] = {}
    for basis in ("EffectiveCost", "BilledCost"):
        totals = billing.groupby("x_Month")[basis].sum()
        units = tagged.groupby(["x_Month", "x_BusinessUnit"])[basis].sum()
        out[basis] = {str(m): {"total": float(t), "direct": {str(u): float(v) for (mm, u), v in units.items() if mm == m}}
                      for m, t in totals.items()}
    return out


def evidence(parsed: ParsedPack, sig: dict[str, Any], settings: Lab3Settings) -> tuple[int, int]:
    """How many of allocation.csv's direct costs, and its total, match a signature."""
    pack = parsed.pack
    checked = len(parsed.allocation) + 1
    month = sig.get(pack.cost_basis, {}).get(pack.period)
    if month is None:
        return 0, checked

    def near(value: float, reference: float) -> bool:
        return abs(value - reference) <= max(settings.allocation_rel_tol * abs(reference), settings.allocation_abs_tol)

    markup = pack.markup_pct if pack.model == "chargeback" else 0.0
    matched = sum(1 for c in parsed.allocation if c.unit in month["direct"] and near(c.direct, month["direct"][c.unit]))
    matched += int(near(sum(c.total for c in parsed.allocation), (1 + markup) * month["total"]))
    return matched, checked


SPEC = LabSpec(id="lab3", files=(PACK, ALLOCATION, PLAN), settings=Lab3Settings, needs_dataset=True, parse=parse,
               recompute=recompute, figures=figures, empty_figures=empty_figures, signature=signature,
               evidence=evidence)
