"""The grader's exception tree and exit codes (results.md §2).

Every failure a user can cause is a `GraderError` subclass carrying its exit code; `cli.py` is the
only place that turns one into a message and an exit status.
"""
from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from grader.models.problems import Problem


class ExitCode(IntEnum):
    PASSED = 0
    NOT_PASSED = 1
    USAGE = 2
    INVALID_SUBMISSION = 3
    INTERNAL = 4


class GraderError(Exception):
    """Root of every error the grader raises on purpose."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, problems: Iterable["Problem"] = ()):
        super().__init__(message)
        self.message = message
        self.problems: list[Problem] = list(problems)

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        lines = [self.message] + [f"  - {p.render()}" for p in self.problems]
        return "\n".join(lines)


class UsageError(GraderError):
    """A bad option or a missing file named on the command line."""

    exit_code = ExitCode.USAGE


class ConfigError(GraderError):
    """An invalid course file, rubric or dataset: the instructor's side, not the learner's."""

    exit_code = ExitCode.USAGE


class SubmissionError(GraderError):
    """The learner's submission cannot be graded; `problems` lists every located cause."""

    exit_code = ExitCode.INVALID_SUBMISSION


class InternalError(GraderError):
    """A bug in the grader."""

    exit_code = ExitCode.INTERNAL
