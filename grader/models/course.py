"""The course configuration (submissions.md §1)."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

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
