"""The course configuration (submissions.md §1)."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from grader.limits import Limits

LabId = Literal["lab1", "lab2", "lab3", "assessment"]
LAB_IDS: tuple[str, ...] = ("lab1", "lab2", "lab3", "assessment")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class DatasetRef(_Strict):
    path: str   # relative to the course file


class LabConfig(_Strict):
    title: str
    rubric: str                       # a path relative to the course file, or a shipped rubric id
    dataset: str | None = None        # a key of `datasets`; the assessment needs none
    due: datetime | None = None


class LatePolicy(_Strict):
    grace_minutes: float = Field(0, ge=0)
    percent_per_day: float = Field(0, ge=0, le=100)
    max_days_late: int = Field(0, ge=0)


class Course(_Strict):
    course: str
    title: str
    datasets: dict[str, DatasetRef] = {}
    labs: dict[LabId, LabConfig]
    late_policy: LatePolicy | None = None
    limits: Limits | None = None          # size limits on submissions (grader/limits.py defaults)
    # Per-learner dataset variants (issue 10): `per_learner` grades each learner on the variant
    # derived from (variant_seed, learner id); `variant_cache` is a folder written by
    # `grader dataset variants` (relative to the course file), read instead of regenerating.
    variants: Literal["shared", "per_learner"] = "shared"
    variant_seed: int | None = Field(None, ge=0, lt=2**63)
    variant_cache: str | None = None

    @model_validator(mode="after")
    def _seeded(self) -> "Course":
        if self.variants == "per_learner" and self.variant_seed is None:
            raise ValueError("variants: per_learner needs variant_seed, the course seed every variant derives from")
        return self
