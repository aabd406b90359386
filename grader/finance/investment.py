"""Investment figures of a business case (reference-models.md §6).

Flows: −investment at t = 0, cash_flows[t−1] at the end of year t. NPV and IRR come from
numpy-financial (its npv puts the first value at t = 0, unlike Excel's NPV()).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence


def flows(investment: float, cash_flows: Sequence[float]) -> list[float]:
    return [-float(investment), *(float(c) for c in cash_flows)]


def npv(rate: float, investment: float, cash_flows: Sequence[float]) -> float:
    """−I + Σ CFₜ ÷ (1 + r)ᵗ = numpy_financial.npv(r, [−I, CF1, …]) (§6)."""
    import numpy_financial as npf

    return float(npf.npv(rate, flows(investment, cash_flows)))


def irr(investment: float, cash_flows: Sequence[float]) -> float | None:
    """The rate where NPV = 0 (numpy_financial.irr); None when none exists (it returns NaN silently).

    numpy-financial picks, of the real roots, the rate closest to 0; its polynomial solve can lose
    digits when one flow is tiny beside the others, so its root is polished with Newton steps and
    kept only if it verifiably zeroes the NPV. Failing that, the solve is retried with flows below
    1e-12 of the largest set to 0; a root that still cannot be verified is reported as undefined.
    """
    import numpy as np
    import numpy_financial as npf

    values = flows(investment, cash_flows)
    if not (any(v > 0 for v in values) and any(v < 0 for v in values)):
        return None          # no sign change: no rate makes the NPV zero
    largest = max(abs(v) for v in values)
    trimmed = [v if abs(v) > 1e-12 * largest else 0.0 for v in values]
    for attempt in (values, trimmed):
        try:
            with np.errstate(all="ignore"):          # overflow on degenerate flows is handled below
                rate = float(npf.irr(attempt))
        except (np.linalg.LinAlgError, ValueError, FloatingPointError):
            continue         # the root finder fails on degenerate flows (e.g. subnormal values)
        # a rate of −100 % or below makes every discount factor undefined: no meaningful IRR
        if not (math.isfinite(rate) and rate > -1):
            continue
        rate = _polish(values, rate)
        if _is_root(values, rate):
            return rate
    return None


def _is_root(values: Sequence[float], rate: float) -> bool:
    """|NPV| within 1e-9 of the size of the discounted terms (or of 1)."""
    f, _ = _npv_and_slope(values, rate)
    scale = sum(abs(v) * (1 + rate) ** -t for t, v in enumerate(values))
    return math.isfinite(f) and abs(f) <= 1e-9 * max(1.0, scale)


def _npv_and_slope(values: Sequence[float], rate: float) -> tuple[float, float]:
    f = slope = 0.0
    for t, v in enumerate(values):
        f += v * (1 + rate) ** -t
        slope -= t * v * (1 + rate) ** (-t - 1)
    return f, slope


def _polish(values: Sequence[float], rate: float) -> float:
    """Newton steps from numpy-financial's root (keeping its choice of root, §6), accepted only while
    they shrink |NPV|: its companion-matrix solve loses digits when a flow is tiny next to others."""
    best, best_f = rate, abs(_npv_and_slope(values, rate)[0])
    for _ in range(50):
        f, slope = _npv_and_slope(values, best)
        if slope == 0 or not math.isfinite(slope):
            break
        candidate = best - f / slope
        if not (math.isfinite(candidate) and candidate > -1):
            break
        candidate_f = abs(_npv_and_slope(values, candidate)[0])
        if candidate_f >= best_f:
            break
        best, best_f = candidate, candidate_f
    return best


def _payback(values: Sequence[float]) -> float | None:
    """k = first year with cumulative ≥ 0; (k − 1) + (−cum₍ₖ₋₁₎) ÷ CFₖ; None if never (§6)."""
    cumulative = values[0]
    for k in range(1, len(values)):
        previous = cumulative
        cumulative += values[k]
        if cumulative >= 0:
            return (k - 1) + (-previous) / values[k]
    return None


def payback_years(investment: float, cash_flows: Sequence[float]) -> float | None:
    """Undiscounted payback in years; 0 when there is no investment (§6)."""
    if investment == 0:
        return 0.0
    return _payback(flows(investment, cash_flows))


def discounted_payback_years(rate: float, investment: float, cash_flows: Sequence[float]) -> float | None:
    """Payback on CFₜ ÷ (1 + r)ᵗ (§6)."""
    if investment == 0:
        return 0.0
    return _payback([-float(investment)] + [c / (1 + rate) ** t for t, c in enumerate(cash_flows, start=1)])


def roi(investment: float, cash_flows: Sequence[float]) -> float | None:
    """(Σ CF − I) ÷ I, undiscounted; None when I = 0 (§6)."""
    if investment == 0:
        return None
    return (sum(cash_flows) - investment) / investment


@dataclass(frozen=True)
class Sensitivity:
    driver: str
    low: float
    high: float
    npv_low: float
    npv_high: float

    @property
    def swing(self) -> float:
        return abs(self.npv_high - self.npv_low)


def sensitivity(driver: str, low: float, high: float, rate: float, investment: float,
                cash_flows: Sequence[float]) -> Sensitivity:
    """NPV at the low and high multiplier of one driver, the others at base (§6)."""

    def at(m: float) -> float:
        if driver == "cash_flows":
            return npv(rate, investment, [c * m for c in cash_flows])
        if driver == "investment":
            return npv(rate, investment * m, cash_flows)
        if driver == "discount_rate":
            return npv(rate * m, investment, cash_flows)
        raise ValueError(f"unknown driver {driver!r}")

    return Sensitivity(driver, low, high, at(low), at(high))


def scenario_npvs(rate: float, investment: float, cash_flows: Sequence[float],
                  multipliers: Sequence[float]) -> list[float]:
    """NPV with every CF × the scenario's cash_flow_multiplier (§6)."""
    return [npv(rate, investment, [c * m for c in cash_flows]) for m in multipliers]


def risk_adjusted_npv(probabilities: Sequence[float], npvs: Sequence[float]) -> float | None:
    """Σ pₛ × NPVₛ (§6); None without scenarios."""
    if not probabilities:
        return None
    return float(sum(p * v for p, v in zip(probabilities, npvs)))


def excel_npv(rate: float, investment: float, cash_flows: Sequence[float]) -> float:
    """What Excel's NPV(rate, −I, CF1, …) gives: every flow one period later, i.e. NPV ÷ (1 + r).
    Used only to recognise that common mistake in feedback."""
    return npv(rate, investment, cash_flows) / (1 + rate)
