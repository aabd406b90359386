"""Small formatting helpers shared by the text reporters."""
from __future__ import annotations


def points(x: float) -> str:
    """Points for people: at most two decimals, no trailing zeros (13.33, 30, 7.5)."""
    return f"{x:.2f}".rstrip("0").rstrip(".")
