"""GitHub Actions: workflow-command annotations, the learner-repository workflow, the CI view."""
from __future__ import annotations

from pathlib import Path

from grader.models.results import GradeReport
from grader.reporters.common import points


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotations(report: GradeReport, submission: Path, main_file: str | None) -> list[str]:
    """`::error` for each problem (at its file and line), `::warning` for each criterion not passed
    (at the lab's main file), with paths relative to the working directory (the repository)."""
    def where(name: str) -> str:
        path = submission / name
        try:
            return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    lines = []
    for p in report.errors:
        props = f"file={_escape_property(where(p.file))}" + (f",line={p.line}" if p.line else "")
        lines.append(f"::error {props},title={_escape_property('Cannot be graded')}::{_escape_data(p.render())}")
    for c in report.criteria if not report.errors else []:     # an invalid submission: its problems say it all
        if c.status in ("fail", "partial", "error"):
            target = c.file or main_file
            props = f"file={_escape_property(where(target))}," if target else ""
            props += f"line={c.line}," if c.file and c.line else ""
            text = c.feedback + (f" How to improve: {c.hint}" if c.hint else "")
            lines.append(f"::warning {props}title={_escape_property(f'{c.title} ({points(c.score)}/{points(c.max_score)})')}"
                         f"::{_escape_data(text)}")
    return lines


def ci_view(report: GradeReport) -> GradeReport:
    """What a CI log may show a learner: every criterion counts, but hidden ones keep their feedback
    for the release; recomputed figures are left out."""
    criteria = [c.model_copy(update={"feedback": "Hidden criterion: graded now, feedback after release.", "hint": None})
                if c.visibility == "hidden" else c for c in report.criteria]
    return report.model_copy(update={"criteria": criteria, "figures": {}})


WORKFLOW = """# Written by `grader ci init`: grades this repository's {lab} submission on every push.
name: Grade {lab}
on: [push, workflow_dispatch]
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  grade:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: Install the grader
        run: python -m pip install "{package}"
      - name: Grade
        id: grade
        run: grader ci {submission} --output-dir grader-results
      - name: Keep the results
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: grader-results
          path: grader-results
      - name: Report to GitHub Classroom
        if: always()
        uses: classroom-resources/autograding-grading-reporter@v1
        env:
          GRADE_RESULTS: "${{{{ steps.grade.outputs.result }}}}"
        with:
          runners: grade
"""


def workflow(lab: str, submission: str, package: str) -> str:
    return WORKFLOW.format(lab=lab, submission=submission, package=package)
