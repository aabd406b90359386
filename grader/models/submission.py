"""What learners write (submissions.md §3). Unknown fields are errors, so typos are caught."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from grader.models.course import LabId


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
        # A business unit tag may be a number (`42`); YAML would read it as an int.
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return str(v)
        if isinstance(v, list):
            return [("true" if x else "false") if isinstance(x, bool) else
                    str(x) if isinstance(x, (int, float)) else x for x in v]
        return v

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
