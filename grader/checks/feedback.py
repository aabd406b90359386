"""Phrasing mismatches as much as a criterion's `reveal` setting allows."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal


def money(x: float) -> str:
    return f"-${-x:,.0f}" if x < 0 else f"${x:,.0f}"


def pct(x: float) -> str:
    return f"{x:.1%}"


@dataclass(frozen=True)
class Reveal:
    """`value` shows the expected figure, `direction` only too high/low, `none` only that it is off."""

    mode: Literal["value", "direction", "none"]

    def mismatch(self, what: str, got: float, expected: float, fmt: Callable[[float], str], tolerance: str) -> str:
        if self.mode == "value":
            return f"{what}: claimed {fmt(got)}, recomputed {fmt(expected)} (tolerance {tolerance})"
        if self.mode == "direction":
            return f"{what}: claimed {fmt(got)} is too {'high' if got > expected else 'low'} (beyond {tolerance})"
        return f"{what}: claimed {fmt(got)} does not match the recomputed figure"

    def figure(self, text: str) -> str:
        """A recomputed figure, or nothing when values are not revealed."""
        return text if self.mode == "value" else ""
