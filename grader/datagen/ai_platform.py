"""Generate the default course dataset `ai-platform` (submissions.md §2), deterministically.

Same seed, same bytes: randomness comes only from `random.Random.random()`, whose sequence Python
guarantees across versions, with one stream per resource derived from (seed, resource name) so that
adding a resource does not shift the others. Numbers are written with `repr` after rounding.
Rows are built in Python: a few thousand of them, where clarity matters more than speed.
"""
from __future__ import annotations

import calendar
import csv
import hashlib
import io
import json
import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from grader.datagen import fleet
from grader.datagen.fleet import FlatService, GpuGroup

if TYPE_CHECKING:
    from grader.datagen.variation import Variation

DEFAULT_SEED = 304
DEFAULT_MONTHS = 3
DEFAULT_START = "2026-07"

BILLING_COLUMNS = (
    "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodStart", "BillingPeriodEnd",
    "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargeFrequency", "ChargePeriodStart",
    "ChargePeriodEnd", "BilledCost", "EffectiveCost", "ListCost", "ListUnitPrice", "PricingCategory",
    "PricingQuantity", "PricingUnit", "ConsumedQuantity", "ConsumedUnit", "CommitmentDiscountCategory",
    "CommitmentDiscountId", "CommitmentDiscountStatus", "CommitmentDiscountType", "ProviderName",
    "PublisherName", "InvoiceIssuerName", "RegionId", "RegionName", "ResourceId", "ResourceName",
    "ResourceType", "ServiceCategory", "ServiceName", "SkuId", "SubAccountId", "SubAccountName", "Tags",
)
BILLING_ACCOUNT = ("310000000000", "AI Platform Inc.")
AWS = "Amazon Web Services, Inc."


def _rng(seed: int, name: str) -> random.Random:
    digest = hashlib.sha256(f"{seed}:{name}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _normal(rng: random.Random) -> float:
    """Standard normal by Box–Muller on `random()` only (stable across Python versions)."""
    u1 = 1.0 - rng.random()   # (0, 1]
    u2 = rng.random()
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def _hexid(name: str, n: int = 17) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:n]


def _money(x: float) -> float:
    return round(x, 6)


def _ts(d: date) -> str:
    return f"{d.isoformat()}T00:00:00Z"


def _tags(business_unit: str | None, **extra: str) -> str:
    tags = dict(extra)
    if business_unit is not None:
        tags = {"business_unit": business_unit, **tags}
    return json.dumps(tags, separators=(",", ":")) if tags else ""


@dataclass
class Generated:
    billing: list[dict] = field(default_factory=list)
    utilization: list[tuple] = field(default_factory=list)
    metrics: list[tuple] = field(default_factory=list)
    budgets: list[tuple] = field(default_factory=list)
    anomalies: list[dict] = field(default_factory=list)


def _months(start: str, months: int) -> list[tuple[int, int]]:
    year, month = (int(p) for p in start.split("-"))
    out = []
    for _ in range(months):
        out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


class _Builder:
    def __init__(self, seed: int, start: str, months: int, variation: "Variation | None" = None):
        self.seed = seed
        self.types, self.groups, self.flats = fleet.INSTANCE_TYPES, fleet.GPU_GROUPS, fleet.FLAT_SERVICES
        self.metrics, self.budget_factors = fleet.BUSINESS_METRICS, fleet.BUDGET_FACTORS
        self.credit = fleet.CREDIT["monthly_amount"]
        self.spread = variation is not None
        if variation is not None:
            self.types, self.groups, self.flats, self.metrics, self.budget_factors, self.credit = variation.apply()
        self.months = _months(start, months)
        first = date(*self.months[0], 1)
        last_y, last_m = self.months[-1]
        self.days = [first + timedelta(days=i)
                     for i in range((date(last_y, last_m, calendar.monthrange(last_y, last_m)[1]) - first).days + 1)]
        self.out = Generated()

    def row(self, day: date, *, business_unit: str | None, category: str, service: str, region: str | None,
            resource_id: str | None, resource_name: str | None, resource_type: str | None, sku: str,
            description: str, quantity: float, unit: str, list_price: float, billed: float, effective: float,
            listed: float, charge_category: str = "Usage", frequency: str = "Usage-Based",
            pricing: str = "Standard", commitment: tuple[str, str] | None = None, tags: str | None = None,
            period_end: date | None = None) -> None:
        account = fleet.ACCOUNTS[business_unit if business_unit in fleet.ACCOUNTS else None]
        bp_start = day.replace(day=1)
        bp_end = (bp_start + timedelta(days=32)).replace(day=1)
        self.out.billing.append({
            "BillingAccountId": BILLING_ACCOUNT[0], "BillingAccountName": BILLING_ACCOUNT[1],
            "BillingCurrency": "USD", "BillingPeriodStart": _ts(bp_start), "BillingPeriodEnd": _ts(bp_end),
            "ChargeCategory": charge_category, "ChargeClass": "", "ChargeDescription": description,
            "ChargeFrequency": frequency, "ChargePeriodStart": _ts(day),
            "ChargePeriodEnd": _ts(period_end or day + timedelta(days=1)),
            "BilledCost": _money(billed), "EffectiveCost": _money(effective), "ListCost": _money(listed),
            "ListUnitPrice": list_price, "PricingCategory": pricing if charge_category == "Usage" else "",
            "PricingQuantity": round(quantity, 6), "PricingUnit": unit, "ConsumedQuantity": round(quantity, 6),
            "ConsumedUnit": unit,
            "CommitmentDiscountCategory": "Spend" if commitment else "",
            "CommitmentDiscountId": commitment[0] if commitment else "",
            "CommitmentDiscountStatus": commitment[1] if commitment else "",
            "CommitmentDiscountType": "Compute Savings Plan" if commitment else "",
            "ProviderName": "AWS", "PublisherName": AWS, "InvoiceIssuerName": AWS,
            "RegionId": region or "", "RegionName": fleet.REGIONS.get(region, "") if region else "",
            "ResourceId": resource_id or "", "ResourceName": resource_name or "", "ResourceType": resource_type or "",
            "ServiceCategory": category, "ServiceName": service, "SkuId": sku,
            "SubAccountId": account[0], "SubAccountName": account[1],
            "Tags": _tags(business_unit) if tags is None else tags,
        })

    # ---- GPU fleet ----------------------------------------------------------------------------
    def gpu_group(self, group: GpuGroup, extra: dict[date, int]) -> dict[date, float]:
        """Rows for a group's instances; returns the day → Σ on-demand value of committed hours."""
        itype = self.types[group.instance_type]
        rng = _rng(self.seed, group.name)
        committed_value: dict[date, float] = {}
        sp = fleet.SAVINGS_PLAN
        for day in self.days:
            weekend = day.weekday() >= 5
            active = 0 if (weekend and group.weekday_only) else (
                group.weekend_count if weekend and group.weekend_count is not None else group.count)
            instances = [(i, False) for i in range(group.count)] + [(k, True) for k in range(extra.get(day, 0))]
            for index, is_extra in instances:
                draw_run, draw_hours, draw_util = rng.random(), rng.random(), _normal(rng)
                if is_extra:
                    hours, util = 24.0, min(0.99, 0.93 + 0.02 * draw_util)
                else:
                    if index >= active or draw_run >= group.run_probability:
                        continue
                    hours = 24.0 if group.run_probability == 1.0 or draw_hours < 0.75 else float(6 + int(draw_hours * 18))
                    util = group.utilization * (0.85 if weekend and group.workload == "inference" else 1.0)
                    util = min(0.99, max(0.02, util + 0.04 * draw_util))
                name = f"{group.name}-{'x' if is_extra else ''}{index + 1:02d}"
                resource_id = f"i-{_hexid(f'{self.seed}:{name}')}"
                on_demand = hours * itype.price
                covered = group.committed and not is_extra
                if covered:
                    committed_value[day] = committed_value.get(day, 0.0) + on_demand
                self.row(day, business_unit=group.business_unit, category="Compute",
                         service="Amazon Elastic Compute Cloud", region=group.region, resource_id=resource_id,
                         resource_name=name, resource_type="Virtual Machine",
                         sku=f"{itype.name}-{group.region}",
                         description=f"{itype.name} Linux instance-hours ({itype.gpus}x {itype.gpu_model})",
                         quantity=hours, unit="Hours", list_price=itype.price,
                         billed=0.0 if covered else on_demand,
                         effective=on_demand * (1 - sp["discount"]) if covered else on_demand, listed=on_demand,
                         pricing="Committed" if covered else "Standard",
                         commitment=(sp["id"], "Used") if covered else None,
                         tags=_tags(group.business_unit, environment=group.environment, workload=group.workload))
                self.out.utilization.append((resource_id, day.isoformat(), round(hours * itype.gpus, 6),
                                             round(util, 4), itype.gpu_model))
        return committed_value

    def savings_plan(self, committed_value: dict[date, float]) -> None:
        sp = fleet.SAVINGS_PLAN
        group = next(g for g in self.groups if g.name == sp["group"])
        itype = self.types[group.instance_type]
        daily_commitment = group.count * itype.price * 24 * (1 - sp["discount"])
        for day in self.days:
            unused = daily_commitment - committed_value.get(day, 0.0) * (1 - sp["discount"])
            if unused > 1e-9:
                self.row(day, business_unit=group.business_unit, category="Compute", service="Savings Plans for AWS Compute usage",
                         region=None, resource_id=sp["id"], resource_name="research H100 savings plan",
                         resource_type="Savings Plan", sku="ComputeSP:1yrNoUpfront",
                         description="Unused Savings Plan commitment", quantity=unused, unit="USD",
                         list_price=1.0, billed=0.0, effective=unused, listed=0.0, pricing="Committed",
                         commitment=(sp["id"], "Unused"))
        for year, month in self.months:
            first = date(year, month, 1)
            days = calendar.monthrange(year, month)[1]
            fee = daily_commitment * days
            self.row(first, business_unit=group.business_unit, category="Compute",
                     service="Savings Plans for AWS Compute usage", region=None, resource_id=sp["id"],
                     resource_name="research H100 savings plan", resource_type="Savings Plan",
                     sku="ComputeSP:1yrNoUpfront", description="Savings Plan recurring fee", quantity=fee,
                     unit="USD", list_price=1.0, billed=fee, effective=0.0, listed=0.0,
                     charge_category="Purchase", frequency="Recurring",
                     commitment=(sp["id"], ""), period_end=first + timedelta(days=days))

    # ---- everything else ----------------------------------------------------------------------
    def flat_service(self, svc: FlatService, multipliers: dict[date, float]) -> None:
        rng = _rng(self.seed, svc.name)
        resource_id = f"arn:aws:{svc.service_category.lower().replace(' ', '-')}:{svc.region}:" \
                      f"{fleet.ACCOUNTS[svc.business_unit][0]}:{svc.name}"
        first = self.days[0]
        for day in self.days:
            months_in = (day - first).days / 30.0
            quantity = svc.daily_quantity * (1 + svc.growth_per_month) ** months_in
            quantity *= max(0.2, 1 + svc.noise * _normal(rng)) * multipliers.get(day, 1.0)
            cost = quantity * svc.unit_price
            self.row(day, business_unit=svc.business_unit, category=svc.service_category, service=svc.service_name,
                     region=svc.region, resource_id=resource_id, resource_name=svc.name, resource_type=None,
                     sku=f"{svc.name}-{svc.unit}", description=f"{svc.service_name} {svc.unit}",
                     quantity=quantity, unit=svc.unit, list_price=svc.unit_price, billed=cost, effective=cost,
                     listed=cost, tags=_tags(svc.business_unit, environment="prod" if svc.business_unit else "shared"))

    def support_tax_credits(self) -> None:
        billed_by_day: dict[str, float] = {}
        for r in self.out.billing:
            if r["ChargeCategory"] == "Usage":
                billed_by_day[r["ChargePeriodStart"]] = billed_by_day.get(r["ChargePeriodStart"], 0.0) + r["BilledCost"]
        for day in self.days:
            usage = billed_by_day.get(_ts(day), 0.0)
            support = usage * fleet.SUPPORT_RATE
            self.row(day, business_unit=None, category="Management and Governance", service="AWS Support (Business)",
                     region=None, resource_id=None, resource_name=None, resource_type=None, sku="AWSSupportBusiness",
                     description="AWS Support (Business), accrued daily", quantity=support, unit="USD",
                     list_price=1.0, billed=support, effective=support, listed=support, frequency="Recurring",
                     tags="")
            tax = (usage + support) * fleet.TAX_RATE
            self.row(day, business_unit=None, category="Other", service="Tax", region=None, resource_id=None,
                     resource_name=None, resource_type=None, sku="SalesTax", description="Sales tax, accrued daily",
                     quantity=tax, unit="USD", list_price=1.0, billed=tax, effective=tax, listed=0.0,
                     charge_category="Tax", frequency="Recurring", tags="")
            # Credits are applied to usage line by line, so they accrue daily too.
            credit = self.credit / calendar.monthrange(day.year, day.month)[1]
            self.row(day, business_unit=fleet.CREDIT["business_unit"], category="Other", service="AWS Credits",
                     region=None, resource_id=None, resource_name=None, resource_type=None, sku="ResearchCredit",
                     description=fleet.CREDIT["description"], quantity=-credit, unit="USD", list_price=1.0,
                     billed=credit, effective=credit, listed=0.0, charge_category="Credit", frequency="One-Time")

    def business_metrics(self) -> None:
        for bu, metrics in self.metrics.items():
            for metric, mean in metrics.items():
                rng = _rng(self.seed, f"metric:{bu}:{metric}")
                for day in self.days:
                    weekend = day.weekday() >= 5
                    if metric == "inferences":
                        value = round(mean * (0.8 if weekend else 1.0) * (1 + 0.05 * _normal(rng)))
                    else:
                        value = max(0, round(mean + math.sqrt(mean) * _normal(rng)))
                    self.out.metrics.append((day.isoformat(), bu, metric, value))

    def budgets(self) -> None:
        actual: dict[tuple[str, str], float] = {}
        for r in self.out.billing:
            bu = json.loads(r["Tags"]).get("business_unit") if r["Tags"] else None
            if bu is not None:
                key = (r["ChargePeriodStart"][:7], bu)
                actual[key] = actual.get(key, 0.0) + r["EffectiveCost"]
        for year, month in self.months:
            for bu in fleet.BUSINESS_UNITS:
                rng = _rng(self.seed, f"budget:{bu}:{year}-{month:02d}")
                factor = self.budget_factors[bu] * (1 + 0.03 * _normal(rng))
                budget = round(actual.get((f"{year}-{month:02d}", bu), 0.0) * factor, -2)
                self.out.budgets.append((f"{year}-{month:02d}", bu, budget))

    def anomaly_days(self) -> dict[str, list[date]]:
        """Pick distinct days for each injected anomaly, leaving the detector a full window before.
        A learner's variant puts one anomaly in each month, the last month getting the first kind, so
        whichever month a learner reports on holds the same kind of incident as every other variant."""
        rng = _rng(self.seed, "anomalies")
        candidates = self.days[21:-1]
        chosen: dict[str, list[date]] = {}
        taken: set[date] = set()
        for i, spec in enumerate(fleet.ANOMALIES):
            pool = candidates
            if self.spread:
                month = self.months[(len(self.months) - 1 - i) % len(self.months)]
                pool = [d for d in candidates if (d.year, d.month) == month] or candidates
            for attempt in range(1000):
                day = pool[int(rng.random() * len(pool))] if attempt < 500 else \
                    candidates[int(rng.random() * len(candidates))]
                span = [day, day + timedelta(days=1)] if spec["kind"] == "runaway_training" else [day]
                if not any(d in taken or d + timedelta(days=k) in taken for d in span for k in (-1, 0, 1)):
                    break
            taken.update(span)
            chosen[spec["kind"]] = span
        return chosen

    def build(self) -> Generated:
        days = self.anomaly_days()
        extra_instances: dict[str, dict[date, int]] = {}
        multipliers: dict[str, dict[date, float]] = {}
        for spec in fleet.ANOMALIES:
            for day in days[spec["kind"]]:
                if "group" in spec:
                    extra_instances.setdefault(spec["group"], {})[day] = spec["extra_instances"]
                else:
                    multipliers.setdefault(spec["service"], {})[day] = spec["multiplier"]
                self.out.anomalies.append({"date": day.isoformat(), "business_unit": spec["business_unit"],
                                           "kind": spec["kind"], "description": spec["description"]})
        committed: dict[date, float] = {}
        for group in self.groups:
            for day, value in self.gpu_group(group, extra_instances.get(group.name, {})).items():
                committed[day] = committed.get(day, 0.0) + value
        self.savings_plan(committed)
        for svc in self.flats:
            self.flat_service(svc, multipliers.get(svc.name, {}))
        self.support_tax_credits()
        self.business_metrics()
        self.budgets()
        self.out.billing.sort(key=lambda r: (r["ChargePeriodStart"], r["SubAccountId"], r["ServiceName"],
                                             r["ResourceId"], r["ChargeCategory"], r["ResourceName"]))
        self.out.anomalies.sort(key=lambda a: (a["date"], a["business_unit"]))
        return self.out


def _csv(header: tuple[str, ...], rows) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode()


def _settings(seed: int, start: str, months: int, variation: "Variation | None") -> dict:
    made_by = (f"`grader dataset variants` for learner {variation.learner} (variant {variation.id})" if variation
               else f"`grader dataset generate --seed {seed} --start {start} --months {months}`")
    return {
        "name": "ai-platform",
        "description": f"Generated by {made_by}: an AI platform's GPU training and inference fleet on AWS.",
        "seed": seed,
        "start": start,
        "months": months,
        **({"variant": {"id": variation.id, "learner": variation.learner, "course_seed": variation.course_seed}}
           if variation else {}),
        "currency": "USD",
        "business_unit_tag": "business_unit",
        "pue": 1.135,
        "grid_intensity_g_per_kwh": fleet.GRID_INTENSITY,
        "gpu_power_watts": fleet.GPU_POWER_WATTS,
        "anomaly": {"window_days": 14, "k": 3.0, "min_pct": 0.20, "min_abs": 0.0},
        "budget_threshold": 0.10,
        "sources": fleet.SOURCES,
    }


README = """# ai-platform dataset (generated)

A fictional AI platform's GPU training and inference fleet on AWS: {units} business units, daily
FOCUS 1.0 rows over {months} whole month(s) from {start}, generated by
`grader dataset generate --seed {seed} --start {start} --months {months} --out DIR`.

| file | content |
|---|---|
| billing.csv | FOCUS 1.0 cost and usage rows ({rows:,}) |
| utilization.csv | GPU hours and mean utilisation per resource-day |
| business_metrics.csv | inferences and training runs per unit and day |
| budgets.csv | monthly budget per business unit |
| dataset.yaml | settings: carbon coefficients and their sources, anomaly detector |
| reference-cache.json | the grader's reference cache (lab1 KPI tables and alerts, lab2 cells), valid while the files it was computed from are unchanged |
| instructor/anomalies.yaml | **instructors only**: the injected cost anomalies; remove the `instructor/` folder before sharing the dataset with learners |
"""


VARIANT_README = """
**This is learner {v.learner}'s own variant ({v.id})**: the same fleet and story as every learner's,
with its own volumes, prices, tag coverage, anomaly days and budgets, so its answers are yours alone.
Write `dataset_variant: {v.id}` in your submission.yaml so the grader can tell you if you analysed
another copy by mistake.
"""


def generate(out: Path, seed: int = DEFAULT_SEED, months: int = DEFAULT_MONTHS, start: str = DEFAULT_START,
             variation: "Variation | None" = None, instructor: bool = True) -> dict:
    """Write the dataset into folder `out`; returns a summary (rows, bytes). With `variation`, a
    learner's variant (its own seed, prices, volumes, tags and budgets); `instructor=False` leaves
    out the instructors-only answers (a copy to hand to a learner)."""
    if variation is not None:
        seed = variation.seed
    data = _Builder(seed, start, months, variation).build()
    files = {
        "billing.csv": _csv(BILLING_COLUMNS, ([r[c] for c in BILLING_COLUMNS] for r in data.billing)),
        "utilization.csv": _csv(("ResourceId", "Date", "GpuHours", "GpuUtilization", "GpuModel"),
                                sorted(data.utilization, key=lambda u: (u[1], u[0]))),
        "business_metrics.csv": _csv(("Date", "BusinessUnit", "Metric", "Value"), sorted(data.metrics)),
        "budgets.csv": _csv(("Month", "BusinessUnit", "Budget"), data.budgets),
        "dataset.yaml": yaml.safe_dump(_settings(seed, start, months, variation), sort_keys=False).encode(),
        "README.md": (README.format(units=len(fleet.BUSINESS_UNITS), months=months, start=start, seed=seed,
                                    rows=len(data.billing)) + (VARIANT_README.format(v=variation) if variation else "")
                      ).encode(),
        "instructor/anomalies.yaml": yaml.safe_dump(
            {"dataset": "ai-platform", "seed": seed,
             "note": "Ground truth of injected cost anomalies. Instructors only.",
             "anomalies": data.anomalies}, sort_keys=False).encode(),
    }
    if not instructor:
        del files["instructor/anomalies.yaml"]
    out.mkdir(parents=True, exist_ok=True)
    if instructor:
        (out / "instructor").mkdir(exist_ok=True)
    for name, content in files.items():
        (out / name).write_bytes(content)
    from grader.labs.reference_cache import FILE as CACHE_FILE, text as cache_text
    from grader.loaders.dataset import load_dataset

    cache = cache_text(load_dataset(out, reuse=False)).encode()
    (out / CACHE_FILE).write_bytes(cache)
    files[CACHE_FILE] = cache
    return {"rows": len(data.billing), "bytes": sum(len(c) for c in files.values()),
            "files": {n: len(c) for n, c in files.items()}}
