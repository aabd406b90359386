"""The one registry of named checks.

A check is a function `(context, params, reveal) -> Outcome` with a docstring and a pydantic params
model,
registered with `@check(name, lab=..., params=...)`. Rubric YAML refers to checks by name; loading a
rubric validates every criterion's params against its check before any grading starts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from pydantic import BaseModel, ConfigDict


class NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass
class Outcome:
    """What a check found: a fraction of the criterion's points, feedback, and whether it passed.

    `passed` defaults to `fraction == 1`; gates use it, so a check can state a threshold exactly
    instead of relying on a float ratio reaching 1.
    """

    fraction: float
    feedback: str
    passed: bool | None = None
    figures: dict[str, Any] = field(default_factory=dict)
    file: str | None = None       # where the learner should look first (for CI annotations)
    line: int | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.fraction <= 1.0:
            raise ValueError(f"fraction {self.fraction} is outside [0, 1]")
        if self.passed is None:
            self.passed = self.fraction == 1.0


@dataclass(frozen=True)
class CheckSpec:
    name: str
    lab: str
    params: type[BaseModel]
    func: Callable[..., Outcome]

    @property
    def doc(self) -> str:
        return (self.func.__doc__ or "").strip()


class DuplicateCheckError(RuntimeError):
    pass


REGISTRY: dict[str, CheckSpec] = {}


def check(name: str, *, lab: str, params: type[BaseModel] = NoParams):
    """Register a check under `name`; a duplicate name is an error at import."""

    def register(func: Callable[..., Outcome]) -> Callable[..., Outcome]:
        if name in REGISTRY:
            raise DuplicateCheckError(f"check {name!r} is registered twice")
        REGISTRY[name] = CheckSpec(name=name, lab=lab, params=params, func=func)
        return func

    return register
