"""Checks for lab2, the optimisation playbook. Each receives the recomputed `Lab2Context`."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from grader.checks.feedback import Reveal, listing, money, pct
from grader.checks.registry import Outcome, check
from grader.finance.savings import commitment_break_even
from grader.labs.lab2 import Lab2Context
from grader.finance.common import UNTAGGED


class _P(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


def _share(ok: int, total: int) -> float:
    return ok / total if total else 1.0


FILE = "playbook.yaml"


def _at(ctx: Lab2Context, action_ids: list[str]) -> dict:
    """file and line of the first action named, for CI annotations."""
    lines = [ctx.parsed.lines[a] for a in action_ids if a in ctx.parsed.lines]
    return {"file": FILE, "line": min(lines) if lines else None}


class SavingsTargetParams(_P):
    min_savings_pct: float = Field(0.30, gt=0, le=1)


@check("lab2.savings_target", lab="lab2", params=SavingsTargetParams)
def savings_target(ctx: Lab2Context, p: SavingsTargetParams, reveal: Reveal) -> Outcome:
    """Recomputed savings_pct ≥ min_savings_pct (reference-models §3 gate); partial credit in proportion."""
    got = ctx.savings_pct
    if got is None:
        return Outcome(0.0, "The dataset's baseline is zero, so savings cannot be expressed as a share.", passed=False,
                       file=FILE)
    passed = got >= p.min_savings_pct
    fraction = 1.0 if passed else max(0.0, min(1.0, got / p.min_savings_pct))
    if reveal.mode == "value":
        text = (f"Recomputed savings {pct(got)} of the {money(ctx.baseline)} annual baseline "
                f"({money(ctx.savings_annual)} a year; target {p.min_savings_pct:.0%}).")
    else:
        text = f"Recomputed savings {'reach' if passed else 'fall short of'} the {p.min_savings_pct:.0%} target."
    claimed = ctx.playbook.claimed_savings_pct
    if claimed is not None and claimed >= p.min_savings_pct and not passed:
        text += f" Your headline claims {pct(claimed)}: the recomputation, not the claim, decides."
    return Outcome(fraction, text, passed=passed, file=FILE)


class ClaimsParams(_P):
    include_headline: bool = True


@check("lab2.claims_accurate", lab="lab2", params=ClaimsParams)
def claims_accurate(ctx: Lab2Context, p: ClaimsParams, reveal: Reveal) -> Outcome:
    """Each action's claimed_annual_savings (and the headline claimed_savings_pct) within tolerance."""
    s = ctx.settings
    tol = f"±max({s.rel_tol:.0%}, {money(s.abs_tol)})"
    wrong = []
    for r in ctx.actions:
        claimed = r.action.claimed_annual_savings
        if claimed is None:
            wrong.append(f"{r.action.id}: no claimed_annual_savings")
        elif not r.accurate:
            wrong.append(reveal.mismatch(r.action.id, claimed, r.savings_annual, money, tol))
    ok, total = len(ctx.actions) - len(wrong), len(ctx.actions)
    if p.include_headline:
        total += 1
        claimed = ctx.playbook.claimed_savings_pct
        if claimed is None:
            wrong.append("claimed_savings_pct: missing")
        elif ctx.headline_accurate:
            ok += 1
        elif ctx.savings_pct is not None:
            wrong.append(reveal.mismatch("claimed_savings_pct", claimed, ctx.savings_pct, pct,
                                         f"±max({s.pct_rel_tol:.0%} relative, {s.pct_abs_tol:.1%})"))
    if not wrong:
        return Outcome(1.0, f"All {total} claims match the recomputed savings.")
    bad = [r.action.id for r in ctx.actions if not r.accurate]
    return Outcome(_share(ok, total), f"{ok} of {total} claims accurate. {listing(wrong)}.", **_at(ctx, bad))


class ScopedParams(_P):
    require_business_unit: bool = True


@check("lab2.actions_scoped", lab="lab2", params=ScopedParams)
def actions_scoped(ctx: Lab2Context, p: ScopedParams, reveal: Reveal) -> Outcome:
    """Every action scoped to real business units (no unknown scope values, no org-wide blanket)."""
    issues = []
    for r in ctx.actions:
        units = r.action.scope.business_unit
        if r.unknown_scope_values:
            issues.append(f"{r.action.id}: not in the dataset: {', '.join(r.unknown_scope_values)}")
        elif p.require_business_unit and units is None:
            issues.append(f"{r.action.id}: no business_unit in scope (who owns this saving?)")
        elif p.require_business_unit and UNTAGGED in ([units] if isinstance(units, str) else units):
            issues.append(f"{r.action.id}: 'untagged' is not a business unit; tag the cost first")
    ok = len(ctx.actions) - len(issues)
    if not issues:
        return Outcome(1.0, f"All {ok} actions are scoped to business units in the data.")
    return Outcome(_share(ok, len(ctx.actions)), f"{ok} of {len(ctx.actions)} actions well scoped. {listing(issues)}.",
                   **_at(ctx, [i.split(":")[0] for i in issues]))


class AccountableParams(_P):
    min_mitigation_words: int = Field(6, ge=0)


@check("lab2.actions_accountable", lab="lab2", params=AccountableParams)
def actions_accountable(ctx: Lab2Context, p: AccountableParams, reveal: Reveal) -> Outcome:
    """Every action has an owner, a risk level and a concrete mitigation (at least N words)."""
    issues = []
    for r in ctx.actions:
        a, missing = r.action, []
        if not (a.owner or "").strip():
            missing.append("an owner")
        if a.risk is None or a.risk.level is None:
            missing.append("a risk level")
        words = len((a.risk.mitigation or "").split()) if a.risk else 0
        if words < p.min_mitigation_words:
            missing.append(f"a concrete mitigation ({words} of {p.min_mitigation_words}+ words)")
        if missing:
            issues.append(f"{a.id} lacks {', '.join(missing)}")
    ok = len(ctx.actions) - len(issues)
    if not issues:
        return Outcome(1.0, f"All {ok} actions have an owner, a risk level and a mitigation.")
    return Outcome(_share(ok, len(ctx.actions)), f"{ok} of {len(ctx.actions)} actions accountable. {listing(issues)}.",
                   **_at(ctx, [i.split(" lacks")[0] for i in issues]))


@check("lab2.no_losses", lab="lab2")
def no_losses(ctx: Lab2Context, p: BaseModel, reveal: Reveal) -> Outcome:
    """No action loses money: commitments at or above break-even utilisation (υ ≥ 1 − d), no negative rate."""
    losses = []
    for r in ctx.actions:
        if r.rate >= 0:
            continue
        if r.action.lever == "commitment":
            be = commitment_break_even(r.params.discount)
            losses.append(f"{r.action.id}: utilisation {r.params.utilization:g} is below break-even {be:.4g} "
                          f"(1 − discount), so the commitment costs more than on-demand")
        else:
            losses.append(f"{r.action.id}: its parameters give a negative rate ({r.rate:.3f}), a loss")
    if not losses:
        return Outcome(1.0, "No action loses money; every commitment is at or above break-even utilisation.")
    ok = len(ctx.actions) - len(losses)
    return Outcome(_share(ok, len(ctx.actions)), f"Loss-making: {listing(losses)}.",
                   **_at(ctx, [r.action.id for r in ctx.actions if r.rate < 0]))


class PaybackParams(_P):
    max_payback_years: float = Field(1.0, gt=0)
    require_costs: bool = False


@check("lab2.payback", lab="lab2", params=PaybackParams)
def payback(ctx: Lab2Context, p: PaybackParams, reveal: Reveal) -> Outcome:
    """Actions with an implementation_cost pay it back from recomputed savings within max_payback_years."""
    costed = [r for r in ctx.actions if r.action.implementation_cost is not None]
    if not costed:
        if p.require_costs:
            return Outcome(0.0, "No action states an implementation_cost; finance needs them to judge payback.")
        return Outcome(1.0, "No implementation costs stated; payback not assessed.")
    slow = []
    for r in costed:
        years = r.payback_years
        if years is None:
            slow.append(f"{r.action.id}: never pays back (no recomputed savings)")
        elif years > p.max_payback_years:
            slow.append(f"{r.action.id}: pays back in {years:.1f} years" if reveal.mode == "value"
                        else f"{r.action.id}: pays back too slowly")
    ok = len(costed) - len(slow)
    if not slow:
        return Outcome(1.0, f"All {ok} costed actions pay back within {p.max_payback_years:g} year(s).")
    return Outcome(_share(ok, len(costed)), f"{ok} of {len(costed)} costed actions pay back within "
                                            f"{p.max_payback_years:g} year(s). {listing(slow)}.",
                   **_at(ctx, [s.split(":")[0] for s in slow]))


class LeverMixParams(_P):
    min_levers: int = Field(3, ge=1, le=6)


@check("lab2.lever_mix", lab="lab2", params=LeverMixParams)
def lever_mix(ctx: Lab2Context, p: LeverMixParams, reveal: Reveal) -> Outcome:
    """The playbook uses at least min_levers distinct levers."""
    levers = sorted({r.action.lever for r in ctx.actions})
    fraction = min(1.0, len(levers) / p.min_levers)
    return Outcome(fraction, f"{len(levers)} distinct lever(s) ({', '.join(levers)}); {p.min_levers} expected.",
                   file=FILE)


class HeadlineParams(_P):
    abs_tol: float = Field(0.01, ge=0)


@check("lab2.headline_consistent", lab="lab2", params=HeadlineParams)
def headline_consistent(ctx: Lab2Context, p: HeadlineParams, reveal: Reveal) -> Outcome:
    """The headline claim equals Σ claimed_annual_savings ÷ the recomputed baseline, within abs_tol."""
    claims = [r.action.claimed_annual_savings for r in ctx.actions]
    headline = ctx.playbook.claimed_savings_pct
    if headline is None or any(c is None for c in claims) or ctx.baseline == 0:
        return Outcome(0.0, "The headline or some action claims are missing, so they cannot be reconciled.")
    implied = sum(claims) / ctx.baseline
    if abs(implied - headline) <= p.abs_tol:
        return Outcome(1.0, "The headline agrees with the sum of the action claims.")
    return Outcome(0.0, "The headline does not agree with the sum of the action claims over the baseline"
                        + (f" (they imply {pct(implied)})." if reveal.mode == "value" else "."))
