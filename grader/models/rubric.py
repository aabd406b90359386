"""Rubric files: criteria, each naming a registered check by name (architecture.md)."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from grader.models.course import LabId

Reveal = Literal["value", "direction", "none"]


class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    points: float = Field(ge=0)
    check: str | None = None         # a registered check; None for a manual criterion
    manual: bool = False             # scored by a panel of raters (0–10), not by a check
    params: dict[str, Any] = {}
    visibility: Literal["visible", "hidden"] = "visible"
    partial_credit: bool = True      # false: all or nothing
    gate: bool = False               # the lab passes only if this criterion passes
    description: str | None = None   # what is graded and how, shown by `grader rubric show`
    hint: str | None = None          # how to improve, shown when the criterion is not passed
    # How much a mismatch reveals of the expected value. None: `value` for instructors (grade),
    # `direction` for learners (check), so the self-check is no answer oracle.
    reveal: Reveal | None = None

    @model_validator(mode="after")
    def _check_or_manual(self) -> "Criterion":
        if self.manual and (self.check is not None or self.params):
            raise ValueError("a manual criterion has no check or params: the panel scores it")
        if not self.manual and self.check is None:
            raise ValueError("give the criterion a `check`, or mark it `manual: true`")
        return self


class Rubric(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    version: int = Field(1, ge=1)
    lab: LabId
    title: str
    pass_percent: float | None = Field(None, ge=0, le=1)   # an optional extra gate on `percent`
    moderation_spread: float = Field(3.0, ge=0)            # raters further apart than this are flagged
    settings: dict[str, Any] = {}                           # lab-wide settings (tolerances)
    criteria: list[Criterion] = Field(min_length=1)   # ids unique: checked by the loader, with lines

    @property
    def max_score(self) -> float:
        return float(sum(c.points for c in self.criteria))
