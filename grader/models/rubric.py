"""Rubric files: criteria, each naming a registered check by name (architecture.md)."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from grader.models.course import LabId

Reveal = Literal["value", "direction", "none"]


class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    points: float = Field(ge=0)
    check: str
    params: dict[str, Any] = {}
    visibility: Literal["visible", "hidden"] = "visible"
    partial_credit: bool = True      # false: all or nothing
    gate: bool = False               # the lab passes only if this criterion passes
    description: str | None = None   # what is graded and how, shown by `grader rubric show`
    hint: str | None = None          # how to improve, shown when the criterion is not passed
    # How much a mismatch reveals of the expected value. None: `value` for instructors (grade),
    # `direction` for learners (check), so the self-check is no answer oracle.
    reveal: Reveal | None = None


class Rubric(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    version: int = Field(1, ge=1)
    lab: LabId
    title: str
    pass_percent: float | None = Field(None, ge=0, le=1)   # an optional extra gate on `percent`
    settings: dict[str, Any] = {}                           # lab-wide settings (tolerances)
    criteria: list[Criterion] = Field(min_length=1)   # ids unique: checked by the loader, with lines

    @property
    def max_score(self) -> float:
        return float(sum(c.points for c in self.criteria))
