"""lab2, the optimisation playbook: parse `playbook.yaml`, recompute its savings (reference-models §3)."""
from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from grader.errors import SubmissionError
from grader.finance import savings
from grader.finance.common import safe_ratio, within_tolerance
from grader.labs import reference_cache
from grader.labs.base import LabSpec
from grader.loaders.submission import SubmissionFiles
from grader.loaders.yaml_source import YamlProblems, parse_yaml, problems_from_validation
from grader.models.problems import Problem
from grader.models.submission import Action, Playbook

if TYPE_CHECKING:
    import numpy as np

    from grader.loaders.dataset import Dataset

FILE = "playbook.yaml"


# ---- lever parameters (reference-models.md §3, "Rates") -----------------------------------------

class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class RightsizingParams(_Params):
    current_utilization: float = Field(ge=0, le=1)
    target_utilization: float = Field(gt=0, le=1)


class SchedulingParams(_Params):
    hours_off_per_week: float = Field(ge=0, le=168)


class StorageTieringParams(_Params):
    fraction_moved: float = Field(ge=0, le=1)
    price_ratio: float = Field(ge=0)
    retrieval_overhead: float = Field(0.0, ge=0)


class PlacementParams(_Params):
    fraction_moved: float = Field(ge=0, le=1)
    price_ratio: float = Field(ge=0)


class SpotParams(_Params):
    fraction_moved: float = Field(ge=0, le=1)
    discount: float = Field(ge=0, lt=1)
    interruption_overhead: float = Field(ge=0)


class CommitmentParams(_Params):
    coverage: float = Field(ge=0, le=1)
    discount: float = Field(ge=0, lt=1)
    utilization: float = Field(gt=0, le=1)


LEVER_PARAMS: dict[str, type[_Params]] = {
    "rightsizing": RightsizingParams, "scheduling": SchedulingParams,
    "storage_tiering": StorageTieringParams, "placement": PlacementParams, "spot": SpotParams,
    "commitment": CommitmentParams,
}


class Lab2Settings(BaseModel):
    """Rubric-wide tolerances (reference-models.md §3 defaults)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    rel_tol: float = Field(0.05, ge=0)          # per-action claims
    abs_tol: float = Field(1.0, ge=0)           # currency units
    pct_rel_tol: float = Field(0.05, ge=0)      # headline claimed_savings_pct
    pct_abs_tol: float = Field(0.005, ge=0)


# ---- parsing ------------------------------------------------------------------------------------

@dataclass
class ParsedPlaybook:
    playbook: Playbook
    params: list[_Params]           # validated lever params, one per action
    lines: dict[str, int]           # action id -> line in playbook.yaml


def parse(files: SubmissionFiles) -> ParsedPlaybook:
    raw = files.require(FILE)
    try:
        doc = parse_yaml(raw, FILE)
    except YamlProblems as exc:
        raise SubmissionError(f"{FILE} cannot be read.", exc.problems) from None
    if doc.data is None:
        raise SubmissionError(f"{FILE} is empty.", [Problem(file=FILE, message="the file is empty.",
                                                            fix="fill in the playbook template.")])
    problems: list[Problem] = []
    playbook = None
    try:
        playbook = Playbook.model_validate(doc.data)
    except ValidationError as exc:
        problems += problems_from_validation(exc, doc)
    # Lever params are checked from the raw data too, so one run reports every problem.
    raw_actions = doc.data.get("actions") if isinstance(doc.data, dict) else None
    params: list[_Params] = []
    for i, action in enumerate(raw_actions if isinstance(raw_actions, list) else []):
        lever = action.get("lever") if isinstance(action, dict) else None
        raw_params = action.get("params") if isinstance(action, dict) else None
        if not isinstance(lever, str) or lever not in LEVER_PARAMS or not isinstance(raw_params, dict):
            continue
        try:
            params.append(LEVER_PARAMS[lever].model_validate(raw_params))
        except ValidationError as exc:
            problems += problems_from_validation(exc, doc, prefix=("actions", i, "params"))
    if problems or playbook is None:
        problems.sort(key=lambda p: (p.line or 0, p.location or ""))
        raise SubmissionError(f"{FILE} does not follow the playbook schema.", problems)
    lines = {a.id: doc.line_of(("actions", i)) or 1 for i, a in enumerate(playbook.actions)}
    return ParsedPlaybook(playbook=playbook, params=params, lines=lines)


# ---- recomputation ------------------------------------------------------------------------------

@dataclass
class ActionResult:
    action: Action
    params: _Params
    rate: float
    savings_annual: float
    cells: int                      # cells the scope selects
    scoped_baseline: float          # their annual baseline, before any action
    accurate: bool
    unknown_scope_values: list[str] = field(default_factory=list)   # "business_unit: serch"

    @property
    def payback_years(self) -> float | None:
        cost = self.action.implementation_cost
        if cost is None:
            return None
        if cost == 0:
            return 0.0
        return cost / self.savings_annual if self.savings_annual > 0 else None


@dataclass
class Lab2Context:
    parsed: ParsedPlaybook
    settings: Lab2Settings
    baseline: float
    savings_annual: float
    savings_pct: float | None
    headline_accurate: bool
    actions: list[ActionResult]
    months: int

    @property
    def playbook(self) -> Playbook:
        return self.parsed.playbook


CELLS_MODEL = 1          # bump when the cell computation changes: older caches are then ignored


@dataclass(frozen=True)
class ReferenceCells:
    """A dataset's lab2 reference (§3 cells): computed once per dataset, or read from its cache."""

    baselines: "np.ndarray"              # annual baseline per cell
    months: int                          # distinct months of the Usage rows
    values: dict[str, list[str]]         # scope key -> the values that exist, sorted (for hints)
    index: savings.CellIndex             # scope key -> value -> cell mask

    def to_json(self) -> dict[str, Any]:
        return {"baselines": [float(b) for b in self.baselines], "months": self.months, "values": self.values,
                "index": {k: {v: [int(i) for i in mask.nonzero()[0]] for v, mask in by_value.items()}
                          for k, by_value in self.index.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ReferenceCells":
        import numpy as np

        baselines = np.array(data["baselines"], dtype=float)
        index = {}
        for key, by_value in data["index"].items():
            index[key] = {}
            for value, cells in by_value.items():
                mask = np.zeros(len(baselines), dtype=bool)
                mask[cells] = True
                index[key][value] = mask
        return cls(baselines=baselines, months=int(data["months"]), values=data["values"], index=index)


def compute_cells(dataset: "Dataset") -> ReferenceCells:
    """The §3 cells from the billing data (pandas)."""
    billing = dataset.billing
    usage = billing.loc[billing["ChargeCategory"] == "Usage",
                        ["x_BusinessUnit", "ServiceCategory", "ServiceName", "RegionId", "x_Month", "EffectiveCost"]]
    usage = usage.rename(columns={"x_BusinessUnit": "business_unit", "ServiceCategory": "service_category",
                                  "ServiceName": "service_name", "RegionId": "region", "x_Month": "month",
                                  "EffectiveCost": "effective_cost"})
    frame = savings.build_cells(usage)
    values = {key: sorted({str(v) for v in frame[key].dropna().unique()}) for key in savings.CELL_KEYS}
    return ReferenceCells(baselines=frame["baseline"].to_numpy(dtype=float), months=int(usage["month"].nunique()),
                          values=values, index=savings.index_cells(frame))


def cache_part(dataset: "Dataset") -> dict[str, Any]:
    """lab2's part of the reference cache (grader.labs.reference_cache): the cells."""
    return {"model": CELLS_MODEL, **compute_cells(dataset).to_json()}


def _cached_cells(dataset: "Dataset") -> ReferenceCells | None:
    section = reference_cache.part(dataset, "lab2_cells", CELLS_MODEL)
    try:
        return ReferenceCells.from_json(section) if section is not None else None
    except (ValueError, KeyError, TypeError, IndexError):
        return None             # damaged: recompute from the billing data


def reference_cells(dataset: "Dataset") -> ReferenceCells:
    """The dataset's cells, once per dataset: from its cache when it matches the billing file."""
    return dataset.memo("lab2.cells", lambda: _cached_cells(dataset) or compute_cells(dataset))


def _unknown_scope_values(cells: ReferenceCells, action: Action) -> tuple[list[str], list[str]]:
    """Scope values that name nothing in the dataset, and a hint for each (a close match if any)."""
    unknown: list[str] = []
    hints: list[str] = []
    for key in savings.CELL_KEYS:
        want = getattr(action.scope, key)
        if want is None:
            continue
        known = cells.values[key]
        for value in [want] if isinstance(want, str) else want:
            if value not in known:
                unknown.append(f"{key}: {value}")
                close = difflib.get_close_matches(value, known, n=1)
                hints.append(f"{key} '{value}' is not in the dataset"
                             + (f" (did you mean '{close[0]}'?)" if close else f"; known: {', '.join(known[:12])}"))
    return unknown, hints


def recompute(parsed: ParsedPlaybook, dataset: "Dataset", settings: Lab2Settings) -> Lab2Context:
    return _recompute(parsed, reference_cells(dataset), settings)


def _recompute(parsed: ParsedPlaybook, cells: ReferenceCells, settings: Lab2Settings) -> Lab2Context:
    import numpy as np

    baselines = cells.baselines
    problems: list[Problem] = []
    masks: list[np.ndarray] = []
    unknown_by_action: list[list[str]] = []
    for i, action in enumerate(parsed.playbook.actions):
        scope = action.scope.model_dump()
        mask = savings.select_indexed(cells.index, len(baselines), scope)
        unknown, hints = _unknown_scope_values(cells, action)
        if not mask.any():
            problems.append(Problem(
                file=FILE, line=parsed.lines[action.id], location=f"actions[{i}].scope",
                message=f"action {action.id}: the scope selects no cost in the dataset"
                        + (f": {'; '.join(hints)}" if hints else " (no cell has all of these values)") + ".",
                fix="scope keys are business_unit, service_category, service_name and region, "
                    "with values exactly as they appear in the billing data."))
        masks.append(mask)
        unknown_by_action.append(unknown)
    if problems:
        raise SubmissionError(f"{FILE} has actions that select no cost.", problems)

    levers = [a.lever for a in parsed.playbook.actions]
    rates = [savings.lever_rate(a.lever, p.model_dump()) for a, p in zip(parsed.playbook.actions, parsed.params)]
    taken = savings.combine(baselines, levers, rates, masks)
    per_action = taken.sum(axis=1)
    baseline = float(baselines.sum())
    results = []
    for i, action in enumerate(parsed.playbook.actions):
        recomputed = float(per_action[i])
        results.append(ActionResult(
            action=action, params=parsed.params[i], rate=rates[i], savings_annual=recomputed,
            cells=int(masks[i].sum()), scoped_baseline=float(baselines[masks[i]].sum()),
            accurate=within_tolerance(action.claimed_annual_savings, recomputed, settings.rel_tol, settings.abs_tol),
            unknown_scope_values=unknown_by_action[i]))
    total = float(sum(r.savings_annual for r in results))
    pct = safe_ratio(total, baseline)
    claimed = parsed.playbook.claimed_savings_pct
    headline = pct is not None and within_tolerance(claimed, pct, settings.pct_rel_tol, settings.pct_abs_tol)
    return Lab2Context(parsed=parsed, settings=settings, baseline=baseline, savings_annual=total, savings_pct=pct,
                       headline_accurate=headline, actions=results, months=cells.months)


def figures(ctx: Lab2Context) -> dict[str, Any]:
    """results.md §1 lab2 figures, plus a few a finance reviewer wants."""
    costs = [r.action.implementation_cost for r in ctx.actions if r.action.implementation_cost is not None]
    return {
        "baseline_annual_cost": ctx.baseline,
        "savings_annual": ctx.savings_annual,
        "savings_pct": ctx.savings_pct,
        "claimed_savings_pct": ctx.playbook.claimed_savings_pct,
        "headline_accurate": ctx.headline_accurate,
        "baseline_months": ctx.months,
        "implementation_cost": float(sum(costs)) if costs else None,
        "actions": {r.action.id: {
            "lever": r.action.lever,
            "rate": r.rate,
            "savings_annual": r.savings_annual,
            "claimed_annual_savings": r.action.claimed_annual_savings,
            "accurate": r.accurate,
            "scoped_baseline": r.scoped_baseline,
            "payback_years": r.payback_years,
        } for r in ctx.actions},
    }


def empty_figures() -> dict[str, Any]:
    return {"baseline_annual_cost": None, "savings_annual": None, "savings_pct": None, "actions": {}}


def signature(dataset: "Dataset") -> dict[str, Any]:
    """The dataset's cells, as in its reference cache (per-learner variants)."""
    return {"model": CELLS_MODEL, **reference_cells(dataset).to_json()}


def evidence(parsed: ParsedPlaybook, sig: dict[str, Any], settings: Lab2Settings) -> tuple[int, int]:
    """How many of the playbook's claims (each action's, and the headline) hold on a signature's cells."""
    checked = len(parsed.playbook.actions) + 1
    try:
        ctx = _recompute(parsed, ReferenceCells.from_json(sig), settings)
    except SubmissionError:
        return 0, checked
    return sum(1 for r in ctx.actions if r.accurate) + int(ctx.headline_accurate), checked


SPEC = LabSpec(id="lab2", files=(FILE,), settings=Lab2Settings, needs_dataset=True, parse=parse,
               recompute=recompute, figures=figures, empty_figures=empty_figures, signature=signature,
               evidence=evidence)
