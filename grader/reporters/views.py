"""What a learner may see of a report: visible criteria only, no recomputed figures."""
from __future__ import annotations

from grader.models.results import GradeReport


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
    })
