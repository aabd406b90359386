"""Reporters: pure functions GradeReport -> text, chosen by name from one explicit mapping."""
from __future__ import annotations

from typing import Callable

from grader.models.results import GradeReport
from grader.reporters import json_report, terminal

Reporter = Callable[..., str]

REPORTERS: dict[str, Reporter] = {
    "terminal": terminal.render,
    "json": json_report.render,
}
