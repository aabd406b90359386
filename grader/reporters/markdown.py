"""A Markdown summary for $GITHUB_STEP_SUMMARY and pull-request comments; learner text is escaped."""
from __future__ import annotations

import html

from grader.models.results import GradeReport
from grader.reporters.common import points

_ICON = {"pass": "✅", "partial": "🟡", "fail": "❌", "error": "⚠️", "manual": "⏳"}


def _cell(text: str) -> str:
    """Inside a table cell: no raw HTML, no pipes, no line breaks."""
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", "<br>")


def render(report: GradeReport, color: bool = False) -> str:
    verdict = "✅ passed" if report.passed else "❌ not passed"
    who = _cell(report.learner or "unknown learner")
    lines = [f"## {_cell(report.lab or 'submission')} · {who} — {points(report.score)}/{points(report.max_score)} "
             f"({report.percent:.1%}) · {verdict}", ""]
    if report.errors:
        lines += ["**The submission could not be graded:**", ""]
        lines += [f"- {_cell(p.render())}" for p in report.errors]
        lines.append("")
    if report.criteria:
        lines += ["| | Criterion | Points | Feedback |", "|---|---|---:|---|"]
        for c in report.criteria:
            feedback = c.feedback + (f" *How to improve:* {c.hint}" if c.hint else "")
            gate = " (gate)" if c.gate else ""
            lines.append(f"| {_ICON[c.status]} | {_cell(c.title)}{gate} | {points(c.score)}/{points(c.max_score)} | {_cell(feedback)} |")
        lines.append("")
    if report.late.days:
        lines += [f"Late by {report.late.days} day(s): {report.late.penalty_pct:.0%} of the points deducted.", ""]
    if report.hidden and report.hidden.get("criteria"):
        lines += [f"{int(report.hidden['criteria'])} hidden criteria worth {report.hidden['points']:g} points are "
                  "graded after hand-in.", ""]
    if report.max_reachable_percent is not None:
        lines += [f"Awaiting the panel: up to {report.max_reachable_percent:.1%} is still reachable.", ""]
    return "\n".join(lines)
