"""Phrasing mismatches as much as a criterion's `reveal` setting allows."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal


def listing(items: list[str], limit: int = 8) -> str:
    """Problems joined for a feedback line, the first `limit` of them and how many more."""
    shown = "; ".join(items[:limit])
    return shown + (f"; and {len(items) - limit} more" if len(items) > limit else "")


def money(x: float) -> str:
    return f"-${-x:,.0f}" if x < 0 else f"${x:,.0f}"


def pct(x: float) -> str:
    return f"{x:.1%}"


def num(x: float) -> str:
    """A KPI value: thousands separated for money-sized numbers, 4 significant digits for ratios."""
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:,.2f}"
    return f"{x:.4g}"


@dataclass(frozen=True)
class Reveal:
    """`value` shows the expected figure, `direction` only too high/low, `none` only that it is off."""

    mode: Literal["value", "direction", "none"]

    def mismatch(self, what: str, got: float, expected: float, fmt: Callable[[float], str], tolerance: str,
                 verb: str = "claimed") -> str:
        if self.mode == "value":
            return f"{what}: {verb} {fmt(got)}, recomputed {fmt(expected)} (tolerance {tolerance})"
        if self.mode == "direction":
            return f"{what}: {verb} {fmt(got)} is too {'high' if got > expected else 'low'} (beyond {tolerance})"
        return f"{what}: {verb} {fmt(got)} does not match the recomputed figure"

    def figure(self, text: str) -> str:
        """A recomputed figure, or nothing when values are not revealed."""
        return text if self.mode == "value" else ""
