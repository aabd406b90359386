"""The native result (results.md §1): one `GradeReport` per graded submission."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from grader.models.problems import Problem

Status = Literal["pass", "partial", "fail", "error", "manual"]
RESULT_SCHEMA = "grader.result/1"


class RubricRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    version: int
    sha256: str


class Late(BaseModel):
    model_config = ConfigDict(extra="forbid")
    days: int = 0
    penalty_pct: float = 0.0


class CriterionResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    title: str
    status: Status
    score: float
    max_score: float
    feedback: str
    visibility: Literal["visible", "hidden"]
    hint: str | None = None      # shown to learners when the criterion is not passed
    gate: bool = False
    file: str | None = None      # the learner file (and line) of the first finding, when a check knows it
    line: int | None = None


class GradeReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_: str = RESULT_SCHEMA
    learner: str | None
    lab: str | None
    rubric: RubricRef | None
    grader_version: str
    score: float
    max_score: float
    percent: float
    passed: bool
    late: Late = Late()
    criteria: list[CriterionResult] = []
    figures: dict[str, Any] = {}
    errors: list[Problem] = []
    warnings: list[str] = []
    # Set only in a learner's view: hidden criteria left out, with their count and points.
    hidden: dict[str, float] | None = None
    # Set while manual criteria await the panel: the percent reachable if they earn full marks.
    max_reachable_percent: float | None = None
    # Set in a learner's view: the one thing to fix first.
    fix_first: str | None = None

    @property
    def invalid(self) -> bool:
        return bool(self.errors)

    def to_json_dict(self) -> dict[str, Any]:
        data = self.model_dump(exclude={"schema_"})
        data["schema"] = self.schema_
        data["errors"] = [p.to_json() for p in self.errors]
        data["criteria"] = [{k: v for k, v in c.items() if v is not None} for c in data["criteria"]]
        for optional in ("hidden", "max_reachable_percent", "fix_first"):
            if data[optional] is None:
                del data[optional]
        return data
