"""A readable table for people: criteria, points, status, feedback, then totals and errors."""
from __future__ import annotations

import io

from grader.models.results import GradeReport
from grader.reporters.common import points

_STYLE = {"pass": "green", "partial": "yellow", "fail": "red", "error": "red bold", "manual": "cyan"}


def render(report: GradeReport, color: bool = False) -> str:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=110, highlight=False,
                      color_system="standard" if color else None)
    who = report.learner or "(unknown learner)"
    head = f"[bold]{escape(who)}[/bold] · {escape(report.lab or '?')}"
    if report.rubric:
        head += f" · rubric {escape(report.rubric.id)} v{report.rubric.version}"
    console.print(head)
    if report.criteria:
        table = Table(show_lines=False, expand=True)
        table.add_column("criterion", ratio=3)
        table.add_column("points", justify="right", no_wrap=True)
        table.add_column("status", no_wrap=True)
        table.add_column("feedback", ratio=6)
        for c in report.criteria:
            title = escape(c.title) + (" [dim](gate)[/dim]" if c.gate else "")
            feedback = escape(c.feedback)
            if c.hint:
                feedback += f"\n[dim]How to improve: {escape(c.hint)}[/dim]"
            table.add_row(title, f"{points(c.score)}/{points(c.max_score)}",
                          f"[{_STYLE[c.status]}]{c.status}[/]", feedback)
        console.print(table)
    if report.errors:
        console.print(f"[red bold]{len(report.errors)} problem(s) stopped grading:[/]")
        for p in report.errors:
            console.print(f"  - {escape(p.render())}")
    for w in report.warnings:
        console.print(f"[yellow]warning:[/] {escape(w)}")
    if report.late.days:
        console.print(f"[yellow]Late by {report.late.days} day(s): {report.late.penalty_pct:.0%} of the points "
                      "deducted.[/]")
    verdict = "[green bold]PASSED[/]" if report.passed else "[red bold]NOT PASSED[/]"
    console.print(f"Score {points(report.score)}/{points(report.max_score)} ({report.percent:.1%}) · {verdict}")
    if report.fix_first:
        console.print(f"[bold]Fix first:[/bold] {escape(report.fix_first)}")
    if report.hidden:
        n, pts = int(report.hidden["criteria"]), report.hidden["points"]
        if n:
            console.print(f"[dim]{n} hidden criteria worth {points(pts)} points are graded when you hand in; "
                          "passing every visible check is not full marks.[/dim]")
    return buf.getvalue()
