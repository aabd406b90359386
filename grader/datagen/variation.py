"""Per-learner variants of the ai-platform dataset (issue 10).

A variant is derived from (course seed, learner id) alone: the same fleet and story as the shipped
dataset, with the learner's own generator seed (so noise, resource ids and anomaly days differ) and
bounded changes to prices, volumes, tag coverage and budgets. The bounds keep every lab equally
hard: the budget factors stay on their side of the alert threshold, the fleet and its utilisation
are unchanged (the reference playbook's levers still apply), and costs move by at most about ±25 %.
"""
from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, replace

from grader.datagen import fleet

GENERATOR_VERSION = 1          # bump when the bytes a variant is generated as change

# Multiplicative ranges (uniform) — the difficulty band README "Per-learner variants" documents.
PRICE_LEVEL = (0.75, 1.35)         # one negotiated discount or premium on every price (credits too):
                                   # every amount moves, every ratio stays
INSTANCE_PRICE = (0.90, 1.10)      # on top, per instance type
FLEET_SIZE = (0.70, 1.40)          # instances per GPU group (rounded; at least 1), except FIXED_GROUPS
SERVICE_PRICE = (0.90, 1.10)       # per storage, network and platform service
SERVICE_VOLUME = (0.80, 1.25)      # per service's daily quantity
DEMAND = (0.80, 1.25)              # per business unit's inferences and training runs
OVER_BUDGET = (0.93, 0.97)         # on research's budget factor (fleet.BUDGET_FACTORS): it stays the unit over
WITHIN_BUDGET = (1.00, 1.06)       # budget, clear of the alert threshold; the others stay within theirs
UNTAGGED_NOTEBOOKS = (1, 3)        # untagged dev notebooks: the tagging gap
# Groups whose size the story names (the Savings Plan covers the H100 cluster; an anomaly scales
# search inference "to 36 nodes"), and the untagged notebooks (UNTAGGED_NOTEBOOKS): never resized.
FIXED_GROUPS = ("research-h100-cluster", "search-l4-inference", "untagged-notebook")


def _digest(course_seed: int, learner: str) -> bytes:
    return hashlib.sha256(f"mod304-variant:{course_seed}:{learner}".encode()).digest()


def variant_id(course_seed: int, learner: str) -> str:
    """The variant's public name: says nothing about the learner or the seed."""
    return "v-" + _digest(course_seed, learner)[16:22].hex()


@dataclass(frozen=True)
class Variation:
    learner: str
    course_seed: int
    seed: int                                   # the generator seed of this variant
    price_level: float
    instance_price: tuple[tuple[str, float], ...]
    fleet_size: tuple[tuple[str, float], ...]
    service_price: tuple[tuple[str, float], ...]
    service_volume: tuple[tuple[str, float], ...]
    demand: tuple[tuple[str, float], ...]
    budget: tuple[tuple[str, float], ...]
    untagged_notebooks: int

    @property
    def id(self) -> str:
        return variant_id(self.course_seed, self.learner)

    def apply(self):
        """(instance types, GPU groups, flat services, business metrics, budget factors, monthly
        credit) as varied."""
        price, svc_price, volume = dict(self.instance_price), dict(self.service_price), dict(self.service_volume)
        demand, budget = dict(self.demand), dict(self.budget)
        level = self.price_level
        types = {n: replace(t, price=round(t.price * level * price[n], 4)) for n, t in fleet.INSTANCE_TYPES.items()}
        size = dict(self.fleet_size)

        def resized(g: fleet.GpuGroup) -> fleet.GpuGroup:
            if g.business_unit is None:
                return replace(g, count=self.untagged_notebooks)
            if g.name not in size:
                return g
            count = max(1, round(g.count * size[g.name]))
            weekend = None if g.weekend_count is None else min(g.weekend_count, count)
            return replace(g, count=count, weekend_count=weekend)

        groups = tuple(resized(g) for g in fleet.GPU_GROUPS)
        flats = tuple(replace(f, unit_price=round(f.unit_price * level * svc_price[f.name], 6),
                              daily_quantity=f.daily_quantity * volume[f.name]) for f in fleet.FLAT_SERVICES)
        metrics = {bu: {m: v * demand[bu] for m, v in ms.items()} for bu, ms in fleet.BUSINESS_METRICS.items()}
        factors = {bu: f * budget[bu] for bu, f in fleet.BUDGET_FACTORS.items()}
        credit = round(fleet.CREDIT["monthly_amount"] * level, 2)
        return types, groups, flats, metrics, factors, credit


def variation(course_seed: int, learner: str) -> Variation:
    """The learner's variation: a pure function of (course seed, learner id)."""
    digest = _digest(course_seed, learner)
    rng = random.Random(int.from_bytes(digest[8:16], "big"))

    def draws(names, bounds) -> tuple[tuple[str, float], ...]:
        low, high = bounds
        return tuple((n, round(low + (high - low) * rng.random(), 4)) for n in names)

    return Variation(
        learner=learner, course_seed=course_seed, seed=int.from_bytes(digest[:8], "big") >> 1,
        price_level=round(PRICE_LEVEL[0] + (PRICE_LEVEL[1] - PRICE_LEVEL[0]) * rng.random(), 4),
        instance_price=draws(sorted(fleet.INSTANCE_TYPES), INSTANCE_PRICE),
        fleet_size=draws([g.name for g in fleet.GPU_GROUPS if g.name not in FIXED_GROUPS], FLEET_SIZE),
        service_price=draws([f.name for f in fleet.FLAT_SERVICES], SERVICE_PRICE),
        service_volume=draws([f.name for f in fleet.FLAT_SERVICES], SERVICE_VOLUME),
        demand=draws(fleet.BUSINESS_UNITS, DEMAND),
        budget=tuple((bu, draws([bu], OVER_BUDGET if fleet.BUDGET_FACTORS[bu] < 1 else WITHIN_BUDGET)[0][1])
                     for bu in fleet.BUSINESS_UNITS),
        untagged_notebooks=UNTAGGED_NOTEBOOKS[0] + int(rng.random() * (UNTAGGED_NOTEBOOKS[1] - UNTAGGED_NOTEBOOKS[0] + 1)),
    )
