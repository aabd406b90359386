"""Reporters: pure functions GradeReport -> text, chosen by name from one explicit mapping."""
from __future__ import annotations

from typing import Callable

from grader.reporters import classroom, gradescope, html, json_report, junit, markdown, terminal

Reporter = Callable[..., str]

REPORTERS: dict[str, Reporter] = {
    "terminal": terminal.render,
    "json": json_report.render,
    "gradescope": gradescope.render,
    "junit": junit.render,
    "markdown": markdown.render,
    "classroom": classroom.render,
    "html": html.render,
}

# Per learner and lab in `batch --out`: <learner>.<lab>.<suffix>.
SUFFIXES: dict[str, str] = {
    "terminal": "txt", "json": "json", "gradescope": "gradescope.json", "junit": "junit.xml", "markdown": "md",
    "classroom": "classroom.txt", "html": "html",
}

# File names used with --output-dir (one file per format).
FILE_NAMES: dict[str, str] = {
    "terminal": "report.txt", "json": "result.json", "gradescope": "results.json", "junit": "junit.xml",
    "markdown": "summary.md", "classroom": "classroom.txt", "html": "report.html",
}
