"""Checks for the assessment, an executive business case. Each receives the `AssessmentContext`."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from grader.checks.feedback import Reveal, money, pct
from grader.checks.registry import Outcome, check
from grader.checks.sections import sections_outcome
from grader.labs.assessment import FIGURES, AssessmentContext

MEMO_SECTIONS = {
    "executive summary": ["executive summary", "summary", "overview"],
    "recommendation": ["recommendation", "decision", "the ask", "proposal"],
    "financials": ["financial", "economics", "npv", "business case"],
    "sensitivity": ["sensitivity", "scenario", "what-if", "what if"],
    "risks": ["risk", "mitigation"],
    "sustainability": ["sustainability", "carbon", "environment", "esg", "emission"],
}
UNDEFINED = {"irr": "no rate makes these flows' NPV zero", "payback_years": "the flows never recover the investment",
             "discounted_payback_years": "the discounted flows never recover the investment",
             "roi": "there is no investment to divide by", "risk_adjusted_npv": "the case has no scenarios"}


class _P(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


def _fmt(figure: str, x: float) -> str:
    if figure in ("irr", "roi"):
        return pct(x)
    if figure.endswith("years"):
        return f"{x:.2f} years"
    return money(x)


class ClaimsParams(_P):
    figures: list[str] = Field(default_factory=lambda: ["npv", "irr", "payback_years", "roi", "risk_adjusted_npv"],
                               min_length=1)


@check("assessment.claims", lab="assessment", params=ClaimsParams)
def claims(ctx: AssessmentContext, p: ClaimsParams, reveal: Reveal) -> Outcome:
    """Each claimed figure matches the recomputation (money ±1 %, IRR and ROI ±0.005, payback ±0.05 years);
    a figure that does not exist must be claimed as null."""
    unknown = [f for f in p.figures if f not in FIGURES]
    if unknown:
        raise ValueError(f"unknown figures {unknown}")
    issues = []
    claimed = ctx.parsed.claimed
    for figure in p.figures:
        reference = ctx.figures[figure]
        got = getattr(ctx.case.claims, figure)
        if figure not in claimed:
            issues.append(f"{figure}: not claimed")
        elif reference is None:
            if got is not None:
                issues.append(f"{figure}: claimed {_fmt(figure, got)}, but it does not exist here "
                              f"({UNDEFINED[figure]}); claim it as null")
        elif got is None:
            issues.append(f"{figure}: claimed as undefined, but it exists")
        elif abs(got - reference) > ctx.tolerance(figure, reference):
            text = reveal.mismatch(figure, got, reference, lambda x, f=figure: _fmt(f, x), ctx.tolerance_text(figure))
            if figure == "npv" and abs(got - ctx.excel_npv) <= ctx.tolerance("npv", ctx.excel_npv):
                text += (" — this is what Excel's NPV() gives when the investment is inside its range: it "
                         "discounts the first flow a year; add the investment at t = 0 outside NPV()")
            issues.append(text)
    ok = len(p.figures) - len(issues)
    if not issues:
        return Outcome(1.0, f"All {ok} claimed figures match the recomputation.")
    return Outcome(ok / len(p.figures), f"{ok} of {len(p.figures)} figures right. {'; '.join(issues)}.",
                   file="business_case.yaml")


class SensitivityParams(_P):
    drivers: list[str] = Field(default_factory=lambda: ["cash_flows", "investment", "discount_rate"], min_length=1)


@check("assessment.sensitivity", lab="assessment", params=SensitivityParams)
def sensitivity(ctx: AssessmentContext, p: SensitivityParams, reveal: Reveal) -> Outcome:
    """Each main driver is flexed low and high (one at a time) and its NPVs are correct: a driver
    present with both NPVs right earns its share, present but wrong half of it."""
    rows = {row.driver: (row, ref) for row, ref in zip(ctx.case.sensitivity, ctx.sensitivity)}
    earned, issues = 0.0, []
    for driver in p.drivers:
        if driver not in rows:
            issues.append(f"{driver}: not analysed")
            continue
        row, ref = rows[driver]
        wrong = []
        for side, got, expected in (("low", row.npv_low, ref.npv_low), ("high", row.npv_high, ref.npv_high)):
            if got is None:
                wrong.append(f"no NPV at {side} ×{getattr(row, side):g}")
            elif abs(got - expected) > ctx.tolerance("npv", expected):
                wrong.append(reveal.mismatch(f"NPV at {side} ×{getattr(row, side):g}", got, expected, money,
                                             ctx.tolerance_text("npv")))
        if row.low > 1 or row.high < 1:
            wrong.append(f"multipliers {row.low:g}/{row.high:g} should bracket the base case (1)")
        if wrong:
            earned += 0.5
            issues.append(f"{driver}: {'; '.join(wrong)}")
        else:
            earned += 1
    if not issues:
        return Outcome(1.0, f"Sensitivity covers {', '.join(p.drivers)}, all NPVs right.")
    return Outcome(earned / len(p.drivers), f"{'. '.join(issues)}.")


class ScenarioParams(_P):
    min_scenarios: int = Field(2, ge=1)


@check("assessment.scenarios", lab="assessment", params=ScenarioParams)
def scenarios(ctx: AssessmentContext, p: ScenarioParams, reveal: Reveal) -> Outcome:
    """At least min_scenarios scenarios whose probabilities sum to 1 (within 1e-6)."""
    n = len(ctx.case.scenarios)
    total = ctx.probability_sum
    if n == 0:
        return Outcome(0.0, "No scenarios: a risk-adjusted NPV needs them.")
    if abs(total - 1.0) > ctx.settings.probability_tol:
        return Outcome(0.0, f"Scenario probabilities sum to {total:g}, not 1.")
    if n < p.min_scenarios:
        return Outcome(0.5, f"Only {n} scenario(s); {p.min_scenarios} or more show the range of outcomes.")
    return Outcome(1.0, f"{n} scenarios, probabilities summing to 1.")


@check("assessment.decision", lab="assessment")
def decision(ctx: AssessmentContext, p: BaseModel, reveal: Reveal) -> Outcome:
    """The decision follows the risk-adjusted NPV (the NPV without scenarios): invest when it is
    positive; defer or reject when it is not."""
    value, d = ctx.decision_npv, ctx.case.decision
    basis = "risk-adjusted NPV" if ctx.figures["risk_adjusted_npv"] is not None else "NPV"
    consistent = (d == "invest") == (value > 0)
    shown = f" ({money(value)})" if reveal.mode == "value" else ""
    if consistent:
        return Outcome(1.0, f"'{d}' follows the {basis}{shown}.")
    return Outcome(0.0, f"'{d}' contradicts the {basis}{shown}: "
                        + ("it is positive, so the case pays." if value > 0 else "it is not positive."))


class MemoParams(_P):
    min_words: int = Field(20, ge=1)
    sections: dict[str, list[str]] = Field(default_factory=lambda: dict(MEMO_SECTIONS), min_length=1)


@check("assessment.memo_sections", lab="assessment", params=MemoParams)
def memo_sections(ctx: AssessmentContext, p: MemoParams, reveal: Reveal) -> Outcome:
    """memo.md has a section with real content for each of the executive memo's parts."""
    return sections_outcome(ctx.parsed.memo, p.sections, p.min_words, "memo", "memo.md")


@check("assessment.sustainability", lab="assessment")
def sustainability(ctx: AssessmentContext, p: BaseModel, reveal: Reveal) -> Outcome:
    """Baseline and projected emissions (tCO2e) are stated."""
    carbon = ctx.case.carbon
    given = [x for x in (carbon.baseline_tco2e, carbon.projected_tco2e) if x is not None] if carbon else []
    if len(given) == 2:
        change = (carbon.projected_tco2e - carbon.baseline_tco2e)
        return Outcome(1.0, f"Emissions {carbon.baseline_tco2e:g} → {carbon.projected_tco2e:g} tCO2e ({change:+g}).")
    if given:
        return Outcome(0.5, "Only one of baseline_tco2e and projected_tco2e is given.")
    return Outcome(0.0, "No sustainability figures: add carbon: {baseline_tco2e, projected_tco2e}.")
