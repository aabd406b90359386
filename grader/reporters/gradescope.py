"""Gradescope's autograder results.json (gradescope/autograder_samples docs/specs.md).

Criteria become tests; hidden criteria are `after_published` (shown once grades are released);
an unreadable submission adds a visible failing test listing its problems.
"""
from __future__ import annotations

import json

from grader.models.results import GradeReport
from grader.reporters.common import points


def _test(number: int, name: str, score: float, max_score: float, status: str | None, output: str,
          tags: list[str], visibility: str) -> dict:
    test = {"name": name, "number": str(number), "score": score, "max_score": max_score, "output": output,
            "output_format": "text", "tags": tags, "visibility": visibility}
    if status is not None:
        test["status"] = status
    return test


def _summary(report: GradeReport) -> str:
    verdict = "passed" if report.passed else "not passed"
    text = f"{report.lab}: {points(report.score)}/{points(report.max_score)} ({report.percent:.1%}), {verdict}."
    if report.late.days:
        text += f" Late by {report.late.days} day(s): {report.late.penalty_pct:.0%} deducted."
    return text


def render(report: GradeReport, color: bool = False) -> str:
    tests = []
    if report.errors:
        problems = "\n".join(p.render() for p in report.errors)
        tests.append(_test(0, "Submission could be read", 0.0, 0.0, "failed",
                           f"Grading stopped: fix these and submit again.\n{problems}", ["errors"], "visible"))
    for i, c in enumerate(report.criteria, start=1):
        output = c.feedback + (f"\nHow to improve: {c.hint}" if c.hint else "")
        status = None if c.status == "manual" else ("passed" if c.status == "pass" else "failed")
        tags = [c.id, c.status] + (["gate"] if c.gate else [])
        tests.append(_test(i, c.title, c.score, c.max_score, status, output, tags,
                           "visible" if c.visibility == "visible" else "after_published"))
    results = {"score": report.score, "output": _summary(report), "output_format": "text",
               "visibility": "visible", "stdout_visibility": "hidden", "tests": tests}
    return json.dumps(results, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def failure(message: str) -> str:
    """Valid results.json when grading itself failed: score 0, a visible failing test; the details
    (a configuration problem or a grader bug) are for staff, in stdout, not for learners."""
    results = {"score": 0.0, "output": "The autograder could not grade this submission; course staff have been "
                                       "shown why. Your submission was received.", "output_format": "text",
               "visibility": "visible", "stdout_visibility": "hidden",
               "tests": [_test(1, "Grading", 0.0, 0.0, "failed", "Grading failed; staff will look into it.",
                               ["grading-failed"], "visible")],
               "extra_data": {"error": message}}
    return json.dumps(results, indent=2, ensure_ascii=False) + "\n"
