"""What a learner may see of a report: visible criteria only, no recomputed figures."""
from __future__ import annotations

from grader.models.results import GradeReport


def fix_first(report: GradeReport) -> str | None:
    """What to fix first: the located problems, then a gate that failed (the lab cannot pass without
    it), then the criterion losing the most points."""
    if report.errors:
        p = report.errors[0]
        return f"{len(report.errors)} problem(s) stop grading; start with {p.render()}"
    open_ = [c for c in report.criteria if c.status in ("fail", "partial", "error")]
    if not open_:
        return None
    gates = [c for c in open_ if c.gate]
    c = max(gates or open_, key=lambda c: c.max_score - c.score)
    why = "the lab cannot pass without it" if c.gate else f"{c.max_score - c.score:.2f}".rstrip("0").rstrip(".") + \
        " points to gain"
    return f"'{c.title}' ({why})" + (f": {c.hint}" if c.hint else ".")


def learner_view(report: GradeReport) -> GradeReport:
    """Hidden criteria are removed but counted (so passing every visible check is not mistaken for
    full marks); figures are dropped, since they would reveal expected values."""
    visible = [c for c in report.criteria if c.visibility == "visible"]
    hidden = [c for c in report.criteria if c.visibility == "hidden"]
    score = float(sum(c.score for c in visible))
    max_score = float(sum(c.max_score for c in visible))
    return report.model_copy(update={
        "criteria": visible, "score": score, "max_score": max_score,
        "percent": score / max_score if max_score else 0.0, "figures": {},
        "hidden": {"criteria": len(hidden), "points": float(sum(c.max_score for c in hidden))},
        "fix_first": fix_first(report.model_copy(update={"criteria": visible})),
    })
