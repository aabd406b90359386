"""GitHub Classroom's grader result, as the autograding-grading-reporter action reads it: base64 JSON
{version, status, max_score, tests: [{name, status, score, message, filename, line_no}]}, printed as
`result=…` so that `grader grade … --format classroom >> "$GITHUB_OUTPUT"` sets the step output."""
from __future__ import annotations

import base64
import json

from grader.models.results import GradeReport


def payload(report: GradeReport) -> dict:
    tests = []
    for p in report.errors:
        test = {"name": "submission is readable", "status": "error", "score": 0, "message": p.render()}
        test.update({"filename": p.file, "line_no": p.line} if p.line else {"filename": p.file})
        tests.append(test)
    for c in report.criteria:
        status = "pass" if c.status == "pass" else ("error" if c.status == "error" else "fail")
        test = {"name": c.title, "status": status, "score": c.score,
                "message": c.feedback + (f" How to improve: {c.hint}" if c.hint else "")}
        if c.file:
            test["filename"] = c.file
        if c.line:
            test["line_no"] = c.line
        tests.append(test)
    status = "error" if report.errors else ("pass" if report.passed else "fail")
    return {"version": 1, "status": status, "max_score": report.max_score, "tests": tests}


def render(report: GradeReport, color: bool = False) -> str:
    data = json.dumps(payload(report), ensure_ascii=False, allow_nan=False, sort_keys=True).encode()
    return "result=" + base64.b64encode(data).decode() + "\n"
