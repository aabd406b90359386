"""The assessment panel's scores (submissions.md §3, panel.yaml), checked against the rubric."""
from __future__ import annotations

from grader.errors import ConfigError
from grader.loaders.yaml_source import YamlProblems, load_model
from grader.models.problems import Problem
from grader.models.submission import Panel

PANEL = "panel.yaml"


def load_panel(raw: bytes, file: str, manual_ids: list[str]) -> Panel:
    """Parse a panel file; a score for a criterion the rubric does not have as manual, or outside
    0–10, is an error naming it (all at once). Panels are written by instructors: exit 2."""
    try:
        panel = load_model(raw, file, Panel)
    except YamlProblems as exc:
        raise ConfigError(f"panel file {file} is invalid.", exc.problems) from None
    problems = []
    for i, rater in enumerate(panel.raters):
        for criterion, score in rater.scores.items():
            where = f"raters[{i}].scores.{criterion}"
            if criterion not in manual_ids:
                problems.append(Problem(file=file, location=where,
                                        message=f"'{criterion}' is not a manual criterion of the rubric "
                                                f"({', '.join(manual_ids) or 'it has none'}).",
                                        fix="score only the rubric's manual criteria."))
            elif not 0 <= score <= 10:
                problems.append(Problem(file=file, location=where,
                                        message=f"{rater.name}'s score {score:g} for '{criterion}' is outside 0–10.",
                                        fix="scores run from 0 to 10."))
    if problems:
        raise ConfigError(f"panel file {file} has {len(problems)} problem(s).", problems)
    return panel
