"""The assessment, an executive business case: parse business_case.yaml and memo.md; recompute every
investment figure (reference-models §6). Panel scores are merged by the engine."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from grader.errors import SubmissionError
from grader.finance import investment as inv
from grader.labs.base import LabSpec
from grader.labs.reading import read_markdown, read_yaml_model
from grader.loaders.markdown_doc import Section
from grader.loaders.submission import SubmissionFiles
from grader.models.problems import Problem
from grader.models.submission import BusinessCase

CASE, MEMO = "business_case.yaml", "memo.md"
FIGURES = ("npv", "irr", "payback_years", "discounted_payback_years", "roi", "risk_adjusted_npv")


class AssessmentSettings(BaseModel):
    """Tolerances of reference-models §6."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    money_rel_tol: float = Field(0.01, ge=0)       # npv, risk_adjusted_npv, sensitivity NPVs
    money_abs_tol: float = Field(0.0, ge=0)
    rate_abs_tol: float = Field(0.005, ge=0)       # irr, roi
    years_abs_tol: float = Field(0.05, ge=0)       # payback, discounted payback
    probability_tol: float = Field(1e-6, ge=0)


@dataclass
class ParsedCase:
    case: BusinessCase
    claimed: set[str]              # claims keys present in the file (a null claim is a claim: "undefined")
    memo: list[Section]


def parse(files: SubmissionFiles) -> ParsedCase:
    problems: list[Problem] = []
    case, doc = read_yaml_model(files, CASE, BusinessCase, problems)
    raw_claims = doc.data.get("claims") if doc is not None and isinstance(doc.data, dict) else None
    claimed = set(raw_claims) if isinstance(raw_claims, dict) else set()
    memo = read_markdown(files, MEMO, problems)
    if problems or case is None:
        raise SubmissionError("the business case cannot be graded as submitted.", problems)
    return ParsedCase(case=case, claimed=claimed, memo=memo)


@dataclass
class AssessmentContext:
    parsed: ParsedCase
    settings: AssessmentSettings
    figures: dict[str, float | None]                 # the §6 figures, recomputed
    sensitivity: list[inv.Sensitivity]               # at the learner's multipliers, in file order
    scenario_npvs: list[float]
    probability_sum: float
    excel_npv: float

    @property
    def case(self) -> BusinessCase:
        return self.parsed.case

    @property
    def decision_npv(self) -> float:
        """The figure the decision must follow: the risk-adjusted NPV, or the NPV without scenarios."""
        rnpv = self.figures["risk_adjusted_npv"]
        return self.figures["npv"] if rnpv is None else rnpv

    def tolerance_text(self, figure: str) -> str:
        s = self.settings
        if figure in ("irr", "roi"):
            return f"±{s.rate_abs_tol:g}"
        if figure in ("payback_years", "discounted_payback_years"):
            return f"±{s.years_abs_tol:g} years"
        return f"±{s.money_rel_tol:.0%}"

    def tolerance(self, figure: str, reference: float) -> float:
        s = self.settings
        if figure in ("irr", "roi"):
            return s.rate_abs_tol
        if figure in ("payback_years", "discounted_payback_years"):
            return s.years_abs_tol
        return max(s.money_rel_tol * abs(reference), s.money_abs_tol)


def recompute(parsed: ParsedCase, dataset: Any, settings: AssessmentSettings) -> AssessmentContext:
    c = parsed.case
    r, i, cf = c.discount_rate, c.investment, c.cash_flows
    npvs = inv.scenario_npvs(r, i, cf, [s.cash_flow_multiplier for s in c.scenarios])
    figures = {
        "npv": inv.npv(r, i, cf),
        "irr": inv.irr(i, cf),
        "payback_years": inv.payback_years(i, cf),
        "discounted_payback_years": inv.discounted_payback_years(r, i, cf),
        "roi": inv.roi(i, cf),
        "risk_adjusted_npv": inv.risk_adjusted_npv([s.probability for s in c.scenarios], npvs),
    }
    return AssessmentContext(
        parsed=parsed, settings=settings, figures=figures,
        sensitivity=[inv.sensitivity(s.driver, s.low, s.high, r, i, cf) for s in c.sensitivity],
        scenario_npvs=npvs, probability_sum=float(sum(s.probability for s in c.scenarios)),
        excel_npv=inv.excel_npv(r, i, cf))


def figures(ctx: AssessmentContext) -> dict[str, Any]:
    """results.md §1 assessment figures (panel_mean_pct is added by the engine), and the tornado table:
    drivers sorted by swing, for the report's chart."""
    tornado = sorted(ctx.sensitivity, key=lambda s: (-s.swing, s.driver))
    return {
        **ctx.figures,
        "scenarios": [{"name": s.name, "probability": s.probability, "npv": v}
                      for s, v in zip(ctx.case.scenarios, ctx.scenario_npvs)],
        "probability_sum": ctx.probability_sum,
        "tornado": [{"driver": s.driver, "low": s.low, "high": s.high, "npv_low": s.npv_low, "npv_high": s.npv_high,
                     "swing": s.swing} for s in tornado],
    }


def empty_figures() -> dict[str, Any]:
    return {name: None for name in FIGURES}


SPEC = LabSpec(id="assessment", files=(CASE, MEMO), settings=AssessmentSettings, needs_dataset=False, parse=parse,
               recompute=recompute, figures=figures, empty_figures=empty_figures)
