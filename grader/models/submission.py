"""What learners write (submissions.md §3). Unknown fields are errors, so typos are caught."""
from __future__ import annotations

from datetime import date as Date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from grader.models.course import LabId


def tag_text(v: Any) -> Any:
    """A tag value YAML read as a number or boolean, as the text it has in the billing Tags JSON."""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v) if isinstance(v, (int, float)) else v


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Learner(_Strict):
    # Used in file names and gradebook keys: no path characters.
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
    name: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254)


class Manifest(_Strict):
    learner: Learner
    lab: LabId
    submitted_at: datetime | None = None
    # The dataset variant the learner analysed (its dataset.yaml `variant.id`), when the course
    # gives each learner their own: checked against the learner's id.
    dataset_variant: str | None = Field(None, pattern=r"^v-[0-9a-f]{12}$")


# ---- lab2: optimisation playbook ----------------------------------------------------------------

Lever = Literal["rightsizing", "scheduling", "storage_tiering", "placement", "spot", "commitment"]
ScopeValue = str | list[str]


class Scope(_Strict):
    business_unit: ScopeValue | None = None
    service_category: ScopeValue | None = None
    service_name: ScopeValue | None = None
    region: ScopeValue | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _scalars_as_text(cls, v: Any) -> Any:
        return [tag_text(x) for x in v] if isinstance(v, list) else tag_text(v)

    @field_validator("*")
    @classmethod
    def _non_empty_list(cls, v: Any) -> Any:
        if isinstance(v, list) and not v:
            raise ValueError("an empty list selects nothing; leave the key out to mean 'all'")
        return v


class Risk(_Strict):
    level: Literal["low", "medium", "high"] | None = None
    mitigation: str | None = None


class Action(_Strict):
    id: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=300)
    lever: Lever
    scope: Scope = Field(default_factory=Scope)
    params: dict[str, Any]
    claimed_annual_savings: float | None = None
    implementation_cost: float | None = Field(None, ge=0)
    owner: str | None = Field(None, max_length=200)
    risk: Risk | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v


class Playbook(_Strict):
    claimed_savings_pct: float | None = None
    actions: list[Action] = Field(min_length=1, max_length=500)

    @field_validator("actions")
    @classmethod
    def _unique_ids(cls, v: list[Action]) -> list[Action]:
        seen: set[str] = set()
        dupes = sorted({a.id for a in v if a.id in seen or seen.add(a.id)})
        if dupes:
            raise ValueError(f"action ids must be unique; repeated: {', '.join(dupes)}")
        return v


# ---- lab1: KPI dashboard ------------------------------------------------------------------------

Family = Literal["cost", "utilization", "unit_cost", "carbon", "anomaly"]
PERIOD_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


class KpiDefinition(_Strict):
    metric: str = Field(min_length=1, max_length=100)
    family: Family
    target: float | None = None
    direction: Literal["below", "above"] | None = None
    owner: str | None = Field(None, max_length=200)
    business_unit: str | None = None

    @field_validator("business_unit", mode="before")
    @classmethod
    def _unit_as_text(cls, v: Any) -> Any:
        return tag_text(v)


class Dashboard(_Strict):
    period: str = Field(pattern=PERIOD_PATTERN)
    refresh: Literal["hourly", "daily", "weekly", "monthly"] | None = None
    kpis: list[KpiDefinition] = Field(min_length=1, max_length=1000)


# ---- lab3: chargeback / showback policy pack ----------------------------------------------------

MatchValue = str | list[str]


class Match(_Strict):
    """Which rows a shared-cost rule takes (reference-models §4 item 2); every key must hold."""

    service_category: MatchValue | None = None
    service_name: MatchValue | None = None
    charge_category: MatchValue | None = None
    sub_account_id: MatchValue | None = None
    region: MatchValue | None = None
    tag: dict[str, MatchValue] | None = None
    untagged: bool | None = None

    @field_validator("service_category", "service_name", "charge_category", "sub_account_id", "region",
                     mode="before")
    @classmethod
    def _text(cls, v: Any) -> Any:
        return [tag_text(x) for x in v] if isinstance(v, list) else tag_text(v)

    @field_validator("tag", mode="before")
    @classmethod
    def _tag_text(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {k: [tag_text(x) for x in val] if isinstance(val, list) else tag_text(val) for k, val in v.items()}
        return v

    def as_dict(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class SharedCostRule(_Strict):
    name: str = Field(min_length=1, max_length=200)
    match: Match
    method: Literal["proportional", "even", "fixed"]
    weights: dict[str, float] | None = None
    targets: list[str] | None = Field(None, min_length=1)

    @field_validator("weights", mode="before")
    @classmethod
    def _weight_keys(cls, v: Any) -> Any:
        return {tag_text(k): w for k, w in v.items()} if isinstance(v, dict) else v

    @field_validator("targets", mode="before")
    @classmethod
    def _target_text(cls, v: Any) -> Any:
        return [tag_text(x) for x in v] if isinstance(v, list) else v

    @field_validator("weights")
    @classmethod
    def _weights(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        if v is not None:
            if any(w < 0 for w in v.values()):
                raise ValueError("weights must be 0 or more")
            if not v or sum(v.values()) <= 0:
                raise ValueError("weights must add up to more than 0")
        return v


class UnitRate(_Strict):
    unit: str = Field(min_length=1)
    rate: float = Field(ge=0)


class Approval(_Strict):
    role: str = Field(min_length=1, max_length=100)
    name: str | None = Field(None, max_length=200)
    date: Date | None = None
    decision: Literal["approved", "rejected", "pending"]


class ChargebackPack(_Strict):
    model: Literal["showback", "chargeback"]
    period: str = Field(pattern=PERIOD_PATTERN)
    cost_basis: Literal["EffectiveCost", "BilledCost"] = "EffectiveCost"
    markup_pct: float = Field(0.0, ge=0, le=1)
    shared_costs: list[SharedCostRule] = Field(default_factory=list, max_length=200)
    rates: list[UnitRate] = Field(default_factory=list, max_length=100)
    approvals: list[Approval] = Field(default_factory=list, max_length=50)


# ---- assessment: executive business case --------------------------------------------------------

class Claims(_Strict):
    """The learner's figures; null where the learner finds a figure undefined, absent if not claimed."""

    npv: float | None = None
    irr: float | None = None
    payback_years: float | None = None
    discounted_payback_years: float | None = None
    roi: float | None = None
    risk_adjusted_npv: float | None = None


class SensitivityRow(_Strict):
    driver: Literal["cash_flows", "investment", "discount_rate"]
    low: float = Field(ge=0, le=100)
    high: float = Field(ge=0, le=100)
    npv_low: float | None = None
    npv_high: float | None = None


class Scenario(_Strict):
    name: str = Field(min_length=1, max_length=100)
    probability: float = Field(ge=0, le=1)
    cash_flow_multiplier: float = Field(ge=-100, le=100)


class CarbonFigures(_Strict):
    baseline_tco2e: float | None = Field(None, ge=0)
    projected_tco2e: float | None = Field(None, ge=0)


Money = Annotated[float, Field(ge=-1e15, le=1e15)]   # bounded, so no figure overflows


class BusinessCase(_Strict):
    title: str = Field(min_length=1, max_length=300)
    currency: str = "USD"
    discount_rate: float = Field(ge=0, le=1)
    investment: float = Field(ge=0, le=1e15)
    cash_flows: list[Money] = Field(min_length=1, max_length=50)
    claims: Claims = Field(default_factory=Claims)
    sensitivity: list[SensitivityRow] = Field(default_factory=list, max_length=20)
    scenarios: list[Scenario] = Field(default_factory=list, max_length=20)
    carbon: CarbonFigures | None = None
    decision: Literal["invest", "defer", "reject"]


class Rater(_Strict):
    name: str = Field(min_length=1, max_length=200)
    scores: dict[str, float]


class Panel(_Strict):
    """Scores given by the assessment panel (written by instructors), 0–10 per manual criterion."""

    raters: list[Rater] = Field(min_length=1, max_length=50)
