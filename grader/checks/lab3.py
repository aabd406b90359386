"""Checks for lab3, the chargeback/showback policy pack. Each receives the recomputed `Lab3Context`."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from grader.checks.feedback import Reveal, listing, money
from grader.checks.registry import Outcome, check
from grader.checks.sections import sections_outcome
from grader.labs.lab3 import Lab3Context

# Section names of a communication plan and the heading words that count for them (any case).
PLAN_SECTIONS = {
    "audience": ["audience", "stakeholder", "recipients"],
    "cadence": ["cadence", "schedule", "frequency", "timing", "calendar"],
    "channels": ["channel", "medium", "media", "communication method"],
    "disputes": ["dispute", "escalation", "escalate", "appeal", "challenge"],
    "rollout": ["rollout", "roll-out", "roll out", "timeline", "phase", "launch", "implementation plan"],
}


class _P(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


@check("lab3.reconciles", lab="lab3")
def reconciles(ctx: Lab3Context, p: BaseModel, reveal: Reveal) -> Outcome:
    """Σ total_charge = (1 + markup) × the month's total cost, within the rubric's gap tolerance (a cent)."""
    a = ctx.allocation
    gap, tol = a.reconciliation_gap, ctx.settings.gap_tol
    if abs(gap) <= tol:
        return Outcome(1.0, f"The charges reconcile with the bill of {money(a.total_cost)} (gap {gap:+.4f}).")
    why = []
    if a.unallocated_cost:
        why.append(f"{money(a.unallocated_cost)} is charged to nobody")
    empty = [p.rule.name for p in a.pools if not p.targets and p.amount]
    if empty:
        why.append(f"pool(s) {', '.join(empty)} have no unit to share them")
    return Outcome(0.0, f"The charges miss the bill by {gap:+,.2f}" + (f": {'; '.join(why)}" if why else "") + ".")


@check("lab3.no_unallocated", lab="lab3")
def no_unallocated(ctx: Lab3Context, p: BaseModel, reveal: Reveal) -> Outcome:
    """No untagged row with a non-zero cost is left out of every shared-cost rule."""
    a = ctx.allocation
    if a.unallocated_nonzero_rows == 0:
        return Outcome(1.0, "Every row with a cost is charged directly or through a shared-cost rule.")
    kinds = sorted(ctx.unallocated_by_category.items(), key=lambda kv: -abs(kv[1]))
    detail = ", ".join(f"{k} {money(v)}" for k, v in kinds[:5])
    return Outcome(0.0, f"{a.unallocated_nonzero_rows:,} untagged row(s), {money(a.unallocated_cost)} in all, match no "
                        f"rule: {detail}.", passed=False)


@check("lab3.allocation_matches", lab="lab3")
def allocation_matches(ctx: Lab3Context, p: BaseModel, reveal: Reveal) -> Outcome:
    """allocation.csv's total_charge per unit equals the recomputed charge (±max(0.5 %, $0.01)) and it
    names exactly the units charged."""
    s = ctx.settings
    tol = f"±max({s.allocation_rel_tol:.1%}, {money(s.allocation_abs_tol) if s.allocation_abs_tol >= 1 else s.allocation_abs_tol})"
    issues = []
    for unit, (learner, reference) in ctx.comparison.items():
        if learner is None:
            issues.append(f"{unit}: missing (it is charged)")
        elif reference is None:
            issues.append(f"{unit}: not a unit this pack charges")
        elif not ctx.unit_matches(unit):
            issues.append(reveal.mismatch(unit, learner, reference, lambda x: f"{x:,.2f}", tol, verb="charged"))
    total = len(ctx.comparison)
    ok = total - len(issues)
    if not issues:
        return Outcome(1.0, f"All {total} units' charges match the recomputed allocation.")
    text = f"{ok} of {total} units match. {listing(issues)}."
    if ctx.diagnosis:
        text += f" Your figures match {ctx.diagnosis}."
    lines = [c.line for c in ctx.parsed.allocation if not ctx.unit_matches(c.unit)]
    return Outcome(ok / total if total else 0.0, text, file="allocation.csv", line=min(lines) if lines else None)


class RatesParams(_P):
    require_rates: bool = False


@check("lab3.rates_recover", lab="lab3", params=RatesParams)
def rates_recover(ctx: Lab3Context, p: RatesParams, reveal: Reveal) -> Outcome:
    """Each unit rate recovers the cost of the rows it prices: |recovery − (1 + markup)| within the tolerance (5 %)."""
    if not ctx.rates:
        if p.require_rates:
            return Outcome(0.0, "No unit rates are given; the pack needs a price list.")
        return Outcome(1.0, "No unit rates given; rate recovery not assessed.")
    target, tol = 1.0 + ctx.markup, ctx.settings.rate_tol
    issues = []
    for r in ctx.rates:
        if r.recovery_ratio is None:
            issues.append(f"{r.unit}: no cost is measured in '{r.unit}' in {ctx.pack.period}")
        elif abs(r.recovery_ratio - target) > tol:
            issues.append(f"{r.unit} at {r.rate:g}: recovers {r.recovery_ratio:.1%} of its cost"
                          if reveal.mode == "value" else
                          f"{r.unit} at {r.rate:g}: recovers too {'much' if r.recovery_ratio > target else 'little'}")
    ok = len(ctx.rates) - len(issues)
    if not issues:
        return Outcome(1.0, f"All {ok} rate(s) recover {target:.0%} of their cost within {tol:.0%}.")
    return Outcome(ok / len(ctx.rates), f"{ok} of {len(ctx.rates)} rates sound (target {target:.0%} ± {tol:.0%}). "
                                        f"{listing(issues)}.")


@check("lab3.model_consistent", lab="lab3")
def model_consistent(ctx: Lab3Context, p: BaseModel, reveal: Reveal) -> Outcome:
    """Showback vs chargeback is stated and consistent: a showback carries no markup."""
    pack = ctx.pack
    if pack.model == "showback" and pack.markup_pct:
        return Outcome(0.0, f"A showback with markup_pct {pack.markup_pct:g}: showback informs, it does not bill, so "
                            "the markup is not applied.")
    extra = f" with a {pack.markup_pct:.0%} markup" if pack.model == "chargeback" and pack.markup_pct else ""
    return Outcome(1.0, f"The pack is a {pack.model}{extra}.")


class PlanParams(_P):
    min_words: int = Field(15, ge=1)
    sections: dict[str, list[str]] = Field(default_factory=lambda: dict(PLAN_SECTIONS), min_length=1)


@check("lab3.communication_plan", lab="lab3", params=PlanParams)
def communication_plan(ctx: Lab3Context, p: PlanParams, reveal: Reveal) -> Outcome:
    """communication_plan.md has a section with real content (min_words) for each required topic."""
    return sections_outcome(ctx.parsed.plan, p.sections, p.min_words, "plan", "communication_plan.md")


@check("lab3.finance_approval", lab="lab3")
def finance_approval(ctx: Lab3Context, p: BaseModel, reveal: Reveal) -> Outcome:
    """An approval with role finance and decision approved (the lab's completion criterion)."""
    finance = [a for a in ctx.pack.approvals if a.role.strip().lower() == "finance"]
    if any(a.decision == "approved" for a in finance):
        return Outcome(1.0, "Finance approved the pack.")
    if finance:
        return Outcome(0.0, f"Finance's decision is {finance[-1].decision}, not approved.")
    return Outcome(0.0, "No approval from finance.")


class ApprovalsParams(_P):
    roles: list[str] = Field(default_factory=lambda: ["finance", "product"], min_length=1)


@check("lab3.approvals_complete", lab="lab3", params=ApprovalsParams)
def approvals_complete(ctx: Lab3Context, p: ApprovalsParams, reveal: Reveal) -> Outcome:
    """Each required role approved the pack, with a name and a date."""
    issues = []
    for role in p.roles:
        mine = [a for a in ctx.pack.approvals if a.role.strip().lower() == role.lower()]
        good = [a for a in mine if a.decision == "approved" and a.date is not None and (a.name or "").strip()]
        if not mine:
            issues.append(f"{role}: no approval")
        elif not good:
            a = mine[-1]
            lacks = [x for x, ok in (("approval", a.decision == "approved"), ("a date", a.date is not None),
                                     ("a name", bool((a.name or "").strip()))) if not ok]
            issues.append(f"{role}: lacks {', '.join(lacks)}")
    ok = len(p.roles) - len(issues)
    if not issues:
        return Outcome(1.0, f"Approved, named and dated by {', '.join(p.roles)}.")
    return Outcome(ok / len(p.roles), f"{listing(issues)}.")
