"""A self-contained feedback page (no network needed to view it): criteria, feedback, and the
charts where a picture says more than a table. All learner text is escaped (Jinja2 autoescape)."""
from __future__ import annotations

from pathlib import Path

from grader.models.results import GradeReport
from grader.reporters.common import points

TEMPLATES = Path(__file__).parent / "templates"
LAB_TITLES = {"lab1": "FinOps KPI dashboard", "lab2": "Optimization playbook", "lab3": "Chargeback policy pack",
              "assessment": "Executive business case"}


def environment():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                       keep_trailing_newline=True)


def lab_charts(report: GradeReport) -> list[str]:
    """Savings waterfall (lab2), KPI vs target (lab1), allocation bars (lab3), tornado (assessment)."""
    from grader.reporters import charts

    f = report.figures
    if not f or report.errors:
        return []
    if report.lab == "lab2" and f.get("actions"):
        steps = [(a, v["savings_annual"]) for a, v in f["actions"].items()]
        return [charts.waterfall(f["baseline_annual_cost"], steps, "Annual cost: baseline, each action, after")]
    if report.lab == "lab1":
        rows = [(f"{r['metric']} ({r['business_unit'] or 'org'})", r["reference"] / r["target"])
                for r in f.get("kpis", []) if r.get("reference") is not None and r.get("target")]
        return [charts.bars(rows, "Recomputed KPI ÷ target (1 = on target)", "ratio", reference=1.0)] if rows else []
    if report.lab == "lab3" and f.get("charges"):
        top = sorted(f["charges"].items(), key=lambda kv: -abs(kv[1]))[:15]
        return [charts.bars(top, "Recomputed charge per business unit", "charge")]
    if report.lab == "assessment" and f.get("tornado"):
        return [charts.tornado(f["tornado"], f["npv"], "NPV sensitivity (widest swing on top)")]
    return []


def render(report: GradeReport, color: bool = False) -> str:
    env = environment()
    return env.get_template("learner.html").render(
        report=report, charts=lab_charts(report), points=points, css=(TEMPLATES / "base.css").read_text(),
        lab_title=LAB_TITLES.get(report.lab or "", "Submission"))
