"""Conventions shared by every reference model (reference-models.md §1)."""
from __future__ import annotations

UNTAGGED = "untagged"   # the business unit of rows without one, in scopes, series and reports (§1)


def safe_ratio(numerator: float, denominator: float) -> float | None:
    """A ratio whose denominator is 0 is undefined: None, never 0 or NaN (§1)."""
    if denominator == 0:
        return None
    return numerator / denominator


def within_tolerance(value: float | None, reference: float, rel_tol: float, abs_tol: float) -> bool:
    """|value − reference| ≤ max(rel_tol × |reference|, abs_tol) (§2 KPI match, §3 claim accuracy)."""
    if value is None:
        return False
    return abs(value - reference) <= max(rel_tol * abs(reference), abs_tol)
