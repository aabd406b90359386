"""Checks for lab1, the FinOps KPI dashboard. Each receives the recomputed `Lab1Context`."""
from __future__ import annotations

from collections import Counter
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from grader.checks.feedback import Reveal, listing, num, pct
from grader.checks.registry import Outcome, check
from grader.finance import kpi
from grader.finance.anomaly import ORG
from grader.labs.lab1 import Lab1Context, KpiRowResult

Family = Literal["cost", "utilization", "unit_cost", "carbon", "anomaly"]
# The better direction of a metric, where finance would agree on one (gpu_hours has none).
BETTER = {**{m: "below" for m in ("effective_cost", "billed_cost", "list_cost", "idle_gpu_cost", "energy_kwh",
                                   "carbon_kgco2e", "budget_variance_pct", "anomaly_count") + kpi.UNIT_COST_METRICS},
          **{m: "above" for m in ("allocated_cost_pct", "effective_savings_rate", "commitment_utilization",
                                  "commitment_coverage", "gpu_utilization")}}
REFRESH_ORDER = ("hourly", "daily", "weekly", "monthly")


class _P(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


def _share(ok: int, total: int) -> float:
    return ok / total if total else 1.0


def _first_line(rows: list[KpiRowResult], file: str = "kpis.csv") -> dict:
    lines = [r.kpi.line for r in rows if r.status == "mismatch"]
    return {"file": file, "line": min(lines) if lines else None}


def _where(unit: str) -> str:
    return unit if unit != ORG else "organisation"


def _mismatches(rows: list[KpiRowResult], ctx: Lab1Context, reveal: Reveal) -> list[str]:
    s = ctx.settings
    tol = f"±max({s.rel_tol:.0%}, {s.abs_tol:g})"
    return [reveal.mismatch(f"kpis.csv:{r.kpi.line} {r.kpi.metric} ({_where(r.kpi.unit)})", r.kpi.value, r.reference,
                            num, tol, verb="reported") for r in rows if r.status == "mismatch"]


class FamiliesParams(_P):
    required: list[Family] = Field(default_factory=lambda: ["cost", "utilization", "carbon", "anomaly"], min_length=1)


@check("lab1.families_present", lab="lab1", params=FamiliesParams)
def families_present(ctx: Lab1Context, p: FamiliesParams, reveal: Reveal) -> Outcome:
    """The dashboard defines at least one KPI of each required family."""
    have = {k.family for k in ctx.parsed.dashboard.kpis}
    missing = [f for f in p.required if f not in have]
    if not missing:
        return Outcome(1.0, f"KPIs cover {', '.join(p.required)}.")
    return Outcome(_share(len(p.required) - len(missing), len(p.required)),
                   f"No KPI of family {', '.join(missing)}; the dashboard needs {', '.join(p.required)}.")


@check("lab1.kpis_defined", lab="lab1")
def kpis_defined(ctx: Lab1Context, p: BaseModel, reveal: Reveal) -> Outcome:
    """Every KPI has a target, a direction and an owner; every metric in kpis.csv is defined."""
    issues = []
    defs = ctx.parsed.dashboard.kpis
    for line, k in zip(ctx.parsed.kpi_lines, defs):
        missing = [name for name, v in (("a target", k.target), ("a direction", k.direction),
                                         ("an owner", (k.owner or "").strip() or None)) if v is None]
        if missing:
            issues.append(f"{k.metric} (dashboard.yaml:{line}) lacks {', '.join(missing)}")
    defined = {k.metric for k in defs}
    undefined = sorted({r.metric for r in ctx.parsed.kpis} - defined)
    issues += [f"{m} is reported in kpis.csv but has no definition in dashboard.yaml" for m in undefined]
    total = len(defs) + len(undefined)
    if not issues:
        return Outcome(1.0, f"All {len(defs)} KPIs have a target, a direction and an owner.")
    incomplete = [line for line, k in zip(ctx.parsed.kpi_lines, defs)
                  if k.target is None or k.direction is None or not (k.owner or "").strip()]
    return Outcome(_share(total - len(issues), total), f"{listing(issues)}.", file="dashboard.yaml",
                   line=min(incomplete) if incomplete else None)


@check("lab1.values_match", lab="lab1")
def values_match(ctx: Lab1Context, p: BaseModel, reveal: Reveal) -> Outcome:
    """Reported kpis.csv values of the dashboard's month match the recomputed KPIs (share matched)."""
    checked = [r for r in ctx.rows if r.checked]
    matched = sum(r.status == "matched" for r in checked)
    skipped = Counter(r.note for r in ctx.rows if not r.checked)
    notes = "" if not skipped else " Not graded: " + "; ".join(f"{n} row(s) {why}" for why, n in sorted(skipped.items())) + "."
    if not checked:
        return Outcome(0.0, "No row of kpis.csv could be checked against the data." + notes)
    wrong = _mismatches(checked, ctx, reveal)
    head = f"{matched} of {len(checked)} checked values match."
    return Outcome(matched / len(checked), head + (f" {listing(wrong)}." if wrong else "") + notes,
                   **_first_line(checked))


@check("lab1.unit_costs", lab="lab1")
def unit_costs(ctx: Lab1Context, p: BaseModel, reveal: Reveal) -> Outcome:
    """At least one unit cost (per GPU-hour, per 1k inferences, per training run) is reported and every
    reported unit cost is correct (reference-models §2 pass rule)."""
    rows = [r for r in ctx.rows if r.checked and r.kpi.metric in kpi.UNIT_COST_METRICS]
    if not rows:
        gradable = [m for m in kpi.UNIT_COST_METRICS if m not in ctx.reference.table.not_gradable]
        why = (f"report at least one of {', '.join(gradable)} for {ctx.period}" if gradable
               else "this dataset has none of the files unit costs need")
        return Outcome(0.0, f"No unit cost could be checked: {why}.", passed=False, file="kpis.csv")
    matched = sum(r.status == "matched" for r in rows)
    wrong = _mismatches(rows, ctx, reveal)
    if not wrong:
        return Outcome(1.0, f"All {len(rows)} unit cost(s) correct.")
    return Outcome(matched / len(rows), f"{matched} of {len(rows)} unit costs correct. {listing(wrong)}.",
                   **_first_line(rows))


class AlertParams(_P):
    min_precision: float = Field(0.8, ge=0, le=1)
    min_recall: float = Field(0.8, ge=0, le=1)


@check("lab1.alerts", lab="lab1", params=AlertParams)
def alerts(ctx: Lab1Context, p: AlertParams, reveal: Reveal) -> Outcome:
    """Variance alerts (cost spikes, budget overruns) of the month judged against the reference
    detector: precision ≥ min_precision and recall ≥ min_recall."""
    passed = ctx.precision >= p.min_precision and ctx.recall >= p.min_recall
    parts = [f"precision {pct(ctx.precision)} (need {p.min_precision:.0%}), recall {pct(ctx.recall)} "
             f"(need {p.min_recall:.0%})"]
    unexpected = sorted(ctx.learner_alerts - ctx.reference.alerts)
    missed = sorted(ctx.reference.alerts - ctx.learner_alerts)
    if unexpected:
        parts.append("not reference alerts: " + listing([f"{k} {d} {_where(u)}" for k, d, u in unexpected]))
    if missed:
        parts.append("missed: " + (listing([f"{k} {d} {_where(u)}" for k, d, u in missed]) if reveal.mode == "value"
                                   else f"{len(missed)} alert(s)"))
    fraction = 1.0 if passed else (min(1.0, ctx.precision / p.min_precision if p.min_precision else 1.0)
                                   + min(1.0, ctx.recall / p.min_recall if p.min_recall else 1.0)) / 2
    false_lines = [a.line for a in ctx.parsed.alerts if (a.kind, a.date, a.unit) in set(unexpected)]
    return Outcome(min(fraction, 1.0), "Alerts: " + "; ".join(parts) + ".", passed=passed, file="alerts.csv",
                   line=min(false_lines) if false_lines else None)


@check("lab1.allocation_reported", lab="lab1")
def allocation_reported(ctx: Lab1Context, p: BaseModel, reveal: Reveal) -> Outcome:
    """The organisation-wide allocated_cost_pct (tag coverage) of the month is reported, and correct."""
    rows = [r for r in ctx.rows if r.kpi.metric == "allocated_cost_pct" and r.kpi.unit == ORG and r.checked]
    if not rows:
        return Outcome(0.0, f"kpis.csv has no organisation-wide allocated_cost_pct for {ctx.period}.")
    if all(r.status == "matched" for r in rows):
        return Outcome(1.0, "Tag coverage (allocated_cost_pct) is reported and correct.")
    return Outcome(0.5, "Tag coverage is reported but wrong: " + listing(_mismatches(rows, ctx, reveal)) + ".",
                   **_first_line(rows))


class RefreshParams(_P):
    max_refresh: Literal["hourly", "daily", "weekly", "monthly"] = "daily"


@check("lab1.refresh", lab="lab1", params=RefreshParams)
def refresh(ctx: Lab1Context, p: RefreshParams, reveal: Reveal) -> Outcome:
    """The dashboard refreshes at least as often as max_refresh."""
    got = ctx.parsed.dashboard.refresh
    if got is None:
        return Outcome(0.0, "dashboard.yaml gives no refresh cadence.")
    if REFRESH_ORDER.index(got) <= REFRESH_ORDER.index(p.max_refresh):
        return Outcome(1.0, f"Refreshed {got}.")
    return Outcome(0.0, f"Refreshed {got}; a FinOps dashboard needs {p.max_refresh} or better to catch spikes.")


@check("lab1.target_directions", lab="lab1")
def target_directions(ctx: Lab1Context, p: BaseModel, reveal: Reveal) -> Outcome:
    """Each KPI's direction is the one finance would choose (costs below, utilisation above)."""
    judged = [(k, BETTER[k.metric]) for k in ctx.parsed.dashboard.kpis if k.metric in BETTER and k.direction]
    wrong = [f"{k.metric} should be '{want}' its target" for k, want in judged if k.direction != want]
    if not wrong:
        return Outcome(1.0, "Every KPI's direction makes sense.")
    return Outcome(_share(len(judged) - len(wrong), len(judged)), f"{listing(wrong)}.")
