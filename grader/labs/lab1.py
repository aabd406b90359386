"""lab1, the FinOps KPI dashboard: parse dashboard.yaml, kpis.csv and alerts.csv; recompute every
KPI (reference-models.md §2, §5) and the reference alerts (§7) for the dashboard's month."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from grader.errors import ConfigError, SubmissionError
from grader.finance import kpi
from grader.finance.anomaly import ORG, alert_scores, cost_spikes, daily_series, spike_list
from grader.finance.attribution import resource_attributes
from grader.finance.common import UNTAGGED, within_tolerance
from grader.labs import reference_cache
from grader.labs.base import LabSpec
from grader.loaders.csv_table import number, read_table
from grader.loaders.submission import SubmissionFiles
from grader.loaders.timestamps import parse_utc
from grader.labs.reading import read_yaml_model
from grader.models.problems import Problem
from grader.models.submission import Dashboard

if TYPE_CHECKING:
    import pandas as pd

    from grader.loaders.dataset import Dataset

DASHBOARD, KPIS, ALERTS = "dashboard.yaml", "kpis.csv", "alerts.csv"
ALERT_KINDS = ("cost_spike", "budget")
KPI_COLUMNS = ("EffectiveCost", "BilledCost", "ListCost", "ChargeCategory", "CommitmentDiscountStatus",
               "ServiceCategory", "PricingCategory", "x_BusinessUnit", "x_Tagged", "ResourceId", "x_Day")


class Lab1Settings(BaseModel):
    """Rubric-wide settings: KPI match tolerances (§2) and optional detector overrides (§7)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    rel_tol: float = Field(0.01, ge=0)
    abs_tol: float = Field(0.005, ge=0)
    window_days: int | None = Field(None, ge=2)
    k: float | None = Field(None, ge=0)
    min_pct: float | None = Field(None, ge=0)
    min_abs: float | None = Field(None, ge=0)
    budget_threshold: float | None = Field(None, ge=0)


# ---- parsing ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReportedKpi:
    line: int
    metric: str
    period: str
    unit: str          # "" = organisation
    value: float


@dataclass(frozen=True)
class LearnerAlert:
    line: int
    kind: str
    date: str
    unit: str
    value: str
    baseline: str


@dataclass
class ParsedDashboard:
    dashboard: Dashboard
    kpis: list[ReportedKpi]
    alerts: list[LearnerAlert]
    kpi_lines: list[int]       # line of each dashboard.yaml KPI definition
    period_line: int = 1


def _valid_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
        return len(text) == 10
    except ValueError:
        return False


def _valid_month(text: str) -> bool:
    return len(text) == 7 and _valid_day(text + "-01")


def parse(files: SubmissionFiles) -> ParsedDashboard:
    problems: list[Problem] = []
    dashboard, doc = read_yaml_model(files, DASHBOARD, Dashboard, problems)
    kpi_lines = [doc.line_of(("kpis", i)) or 1 for i in range(len(dashboard.kpis))] if dashboard else []
    period_line = (doc.line_of(("period",)) or 1) if dashboard else 1

    reported: list[ReportedKpi] = []
    try:
        table, found = read_table(files.require(KPIS), KPIS, ("metric", "period", "business_unit", "value"))
        problems += found
        for line, row in table.rows:
            if not row["metric"]:
                problems.append(Problem(file=KPIS, line=line, location="metric", message="the metric is empty."))
                continue
            if not _valid_month(row["period"]):
                problems.append(Problem(file=KPIS, line=line, location="period",
                                        message=f"period '{row['period']}' is not a month.", fix="write it as YYYY-MM."))
                continue
            value = number(row["value"], KPIS, line, "value", problems)
            if value is not None:
                reported.append(ReportedKpi(line, row["metric"], row["period"], row["business_unit"], value))
    except SubmissionError as exc:
        problems += exc.problems

    alerts: list[LearnerAlert] = []
    try:
        table, found = read_table(files.require(ALERTS), ALERTS, ("kind", "date", "business_unit"),
                                  optional=("value", "baseline"))
        problems += found
        for line, row in table.rows:
            kind, when = row["kind"], row["date"]
            if kind not in ALERT_KINDS:
                problems.append(Problem(file=ALERTS, line=line, location="kind", message=f"unknown kind '{kind}'.",
                                        fix="use cost_spike (a day) or budget (a month)."))
            elif kind == "cost_spike" and not _valid_day(when):
                problems.append(Problem(file=ALERTS, line=line, location="date",
                                        message=f"a cost_spike is dated by day, not '{when}'.", fix="write YYYY-MM-DD."))
            elif kind == "budget" and not _valid_month(when):
                problems.append(Problem(file=ALERTS, line=line, location="date",
                                        message=f"a budget alert is dated by month, not '{when}'.", fix="write YYYY-MM."))
            else:
                alerts.append(LearnerAlert(line, kind, when, row["business_unit"], row.get("value", ""),
                                           row.get("baseline", "")))
    except SubmissionError as exc:
        problems += exc.problems

    if problems or dashboard is None:
        raise SubmissionError("the dashboard cannot be graded as submitted.", problems)
    return ParsedDashboard(dashboard=dashboard, kpis=reported, alerts=alerts, kpi_lines=kpi_lines,
                           period_line=period_line)


# ---- the dataset's reference (once per dataset, then once per period and detector settings) -----

@dataclass
class Base:
    series: "pd.DataFrame"                 # daily EffectiveCost per unit and ORG (§7)
    units: frozenset[str]
    months: list[str]
    utilization: "pd.DataFrame | None"     # with day, month, business_unit, w_min, w_max, grid
    business: "pd.DataFrame | None"        # unit, month, metric, value
    budgets: "pd.DataFrame | None"         # unit, month, budget


def _prepare_utilization(dataset: "Dataset", attrs: "pd.DataFrame") -> "pd.DataFrame | None":
    import pandas as pd

    raw = dataset.table("utilization")
    if raw is None:
        return None
    settings = dataset.settings
    util = pd.DataFrame({
        "ResourceId": raw["ResourceId"].astype("str"),
        "day": parse_utc(raw["Date"]).dt.floor("D"),
        "GpuHours": pd.to_numeric(raw["GpuHours"], errors="coerce"),
        "GpuUtilization": pd.to_numeric(raw["GpuUtilization"], errors="coerce"),
        "GpuModel": raw["GpuModel"].astype("str"),
    })
    bad = util[["day", "GpuHours", "GpuUtilization"]].isna().any(axis=1) | ~util["GpuUtilization"].between(0, 1)
    if bad.any():
        line = int(bad.to_numpy().argmax()) + 2
        raise ConfigError(f"utilization.csv has {int(bad.sum())} unreadable row(s), the first on line {line}: "
                          "Date, GpuHours and GpuUtilization (0..1) are required.")
    models = sorted(set(util["GpuModel"].unique()) - set(settings.gpu_power_watts))
    if models:
        raise ConfigError(f"dataset.yaml has no gpu_power_watts for GPU model(s) {', '.join(models)} "
                          "used in utilization.csv; add their min and max watts.")
    util["business_unit"] = util["ResourceId"].map(attrs["business_unit"]).fillna(UNTAGGED)
    region = util["ResourceId"].map(attrs["region"])
    grid = settings.grid_intensity_g_per_kwh
    missing = sorted({r for r in region.dropna().unique() if r not in grid})
    if "default" not in grid and (missing or region.isna().any()):
        named = ", ".join(missing) if missing else "resources without a region"
        raise ConfigError(f"dataset.yaml has no grid_intensity_g_per_kwh for {named} and no `default`.")
    util["grid"] = region.map(grid).fillna(grid.get("default", 0.0)).astype(float)
    util["w_min"] = util["GpuModel"].map({m: p.min for m, p in settings.gpu_power_watts.items()})
    util["w_max"] = util["GpuModel"].map({m: p.max for m, p in settings.gpu_power_watts.items()})
    days = util["day"].unique()
    util["month"] = util["day"].map(dict(zip(days, pd.DatetimeIndex(days).strftime("%Y-%m"))))
    return util


def _month_of(dates: "pd.Series") -> "pd.Series":
    return parse_utc(dates).dt.strftime("%Y-%m")


def base(dataset: "Dataset") -> Base:
    def compute() -> Base:
        import pandas as pd

        billing = dataset.billing
        units = set(billing["x_BusinessUnit"].unique())
        business = dataset.table("business_metrics")
        if business is not None:
            business = pd.DataFrame({"unit": business["BusinessUnit"].astype("str"), "month": _month_of(business["Date"]),
                                     "metric": business["Metric"].astype("str"),
                                     "value": pd.to_numeric(business["Value"], errors="coerce").fillna(0.0)})
            units |= set(business["unit"])
        budgets = dataset.table("budgets")
        if budgets is not None:
            budgets = pd.DataFrame({"unit": budgets["BusinessUnit"].astype("str"), "month": budgets["Month"].astype("str"),
                                    "budget": pd.to_numeric(budgets["Budget"], errors="coerce")})
            units |= set(budgets["unit"])
        return Base(series=daily_series(billing["x_Day"], billing["x_BusinessUnit"], billing["EffectiveCost"]),
                    units=frozenset(units), months=sorted(billing["x_Month"].unique()),
                    utilization=_prepare_utilization(dataset, resource_attributes(billing)),
                    business=business, budgets=budgets)

    return dataset.memo("lab1.base", compute)


@dataclass
class Lab1Reference:
    table: kpi.KpiTable
    alerts: frozenset[tuple[str, str, str]]      # (kind, date, unit)


CACHE_MODEL = 1         # bump when a lab1 reference model changes: older caches are then ignored
CACHE_INPUTS = ("billing.csv", "billing.parquet", "utilization.csv", "business_metrics.csv", "budgets.csv")


def _detector(dataset: "Dataset", settings: Lab1Settings) -> tuple[tuple[int, float, float, float], float]:
    a = dataset.settings.anomaly
    detector = (settings.window_days or a.window_days, a.k if settings.k is None else settings.k,
                a.min_pct if settings.min_pct is None else settings.min_pct,
                a.min_abs if settings.min_abs is None else settings.min_abs)
    threshold = dataset.settings.budget_threshold if settings.budget_threshold is None else settings.budget_threshold
    return detector, threshold


def cache_part(dataset: "Dataset") -> dict[str, Any]:
    """lab1's part of the reference cache: every month's KPI table and alerts, with the dataset's
    own detector and budget threshold (what a rubric without overrides grades with)."""
    detector, threshold = _detector(dataset, Lab1Settings())
    months = base(dataset).months
    periods = {}
    for month in months:
        ref = reference(dataset, month, Lab1Settings())
        periods[month] = {"values": [[m, u, v] for (m, u), v in sorted(ref.table.values.items())],
                          "not_gradable": ref.table.not_gradable, "units": sorted(ref.table.units),
                          "alerts": sorted(list(a) for a in ref.alerts)}
    return {"model": CACHE_MODEL, "inputs_sha256": reference_cache.inputs_sha256(dataset, CACHE_INPUTS),
            "detector": list(detector), "threshold": threshold, "months": months, "periods": periods}


def _cached(dataset: "Dataset") -> dict[str, Any] | None:
    """lab1's part of the reference cache, read into tables, when it is current and well formed."""
    def load() -> dict[str, Any] | None:
        section = reference_cache.part(dataset, "lab1", CACHE_MODEL, CACHE_INPUTS)
        if section is None:
            return None
        try:
            periods = {}
            for period, month in section["periods"].items():
                table = kpi.KpiTable(period=period, values={(m, u): v for m, u, v in month["values"]},
                                     not_gradable=dict(month["not_gradable"]), units=frozenset(month["units"]))
                periods[period] = Lab1Reference(table=table, alerts=frozenset(tuple(a) for a in month["alerts"]))
            months = [str(m) for m in section["months"]]
            return {"detector": list(section["detector"]), "threshold": section["threshold"], "months": months,
                    "periods": periods}
        except (TypeError, ValueError, KeyError, AttributeError):
            return None                   # damaged: recompute from the data

    return dataset.memo("lab1.cache", load)


def months(dataset: "Dataset") -> list[str]:
    """The dataset's months, from the reference cache when it holds them."""
    cached = _cached(dataset)
    return list(cached["months"]) if cached is not None else base(dataset).months


def _from_cache(dataset: "Dataset", period: str, detector: tuple, threshold: float) -> Lab1Reference | None:
    cached = _cached(dataset)
    if cached is None or cached["detector"] != list(detector) or cached["threshold"] != threshold:
        return None
    return cached["periods"].get(period)


def reference(dataset: "Dataset", period: str, settings: Lab1Settings) -> Lab1Reference:
    """Every KPI and reference alert for `period`, computed once per (dataset, period, detector),
    or read from the dataset's reference cache."""
    detector, threshold = _detector(dataset, settings)

    def compute() -> Lab1Reference:
        cached = _from_cache(dataset, period, detector, threshold)
        if cached is not None:
            return cached
        b = base(dataset)
        spikes = dataset.memo(f"lab1.spikes:{detector}", lambda: spike_list(cost_spikes(b.series, *detector)))
        in_period = [(day, unit) for day, unit in spikes if day[:7] == period]
        billing = dataset.billing
        rows = billing.loc[billing["x_Month"] == period, list(KPI_COLUMNS)]
        gpu = None
        if b.utilization is not None:
            gpu = kpi.gpu_sums(b.utilization[b.utilization["month"] == period], rows, dataset.settings.pue)
        business = b.business[b.business["month"] == period] if b.business is not None else None
        budgets = b.budgets[b.budgets["month"] == period] if b.budgets is not None else None
        table = kpi.kpi_table(period, rows, sorted(b.units), gpu=gpu, business=business, budgets=budgets,
                              spike_counts=Counter(unit for _, unit in in_period))
        alerts = {("cost_spike", day, unit) for day, unit in in_period}
        alerts |= {("budget", month, unit) for month, unit in kpi.budget_alerts(table, threshold)}
        return Lab1Reference(table=table, alerts=frozenset(alerts))

    return dataset.memo(f"lab1.reference:{period}:{detector}:{threshold}", compute)


# ---- grading context ----------------------------------------------------------------------------

@dataclass(frozen=True)
class KpiRowResult:
    kpi: ReportedKpi
    status: str                  # matched | mismatch | unknown_metric | other_period | not_gradable | unknown_unit | undefined
    reference: float | None
    note: str = ""

    @property
    def checked(self) -> bool:
        return self.status in ("matched", "mismatch")


@dataclass
class Lab1Context:
    parsed: ParsedDashboard
    settings: Lab1Settings
    reference: Lab1Reference
    rows: list[KpiRowResult]
    learner_alerts: frozenset[tuple[str, str, str]]
    precision: float
    recall: float

    @property
    def period(self) -> str:
        return self.parsed.dashboard.period


def _judge(row: ReportedKpi, period: str, ref: Lab1Reference, settings: Lab1Settings) -> KpiRowResult:
    table = ref.table
    if row.metric not in kpi.METRICS:
        return KpiRowResult(row, "unknown_metric", None, "not a metric the course defines")
    if row.period != period:
        return KpiRowResult(row, "other_period", None, f"period {row.period}, not the dashboard's {period}")
    if row.metric in table.not_gradable:
        return KpiRowResult(row, "not_gradable", None, f"not gradable with this dataset (needs {table.not_gradable[row.metric]})")
    if row.unit not in table.units:
        return KpiRowResult(row, "unknown_unit", None, f"business unit '{row.unit}' is not in the dataset")
    expected = table.get(row.metric, row.unit)
    if expected is None:
        why = "organisation-wide only" if row.metric in kpi.ORG_ONLY and row.unit else "undefined (its denominator is 0)"
        return KpiRowResult(row, "undefined", None, why)
    ok = within_tolerance(row.value, expected, settings.rel_tol, settings.abs_tol)
    return KpiRowResult(row, "matched" if ok else "mismatch", expected)


def recompute(parsed: ParsedDashboard, dataset: "Dataset", settings: Lab1Settings) -> Lab1Context:
    period = parsed.dashboard.period
    covered = months(dataset)
    if period not in covered:
        raise SubmissionError(f"period {period} is not in the dataset.", [Problem(
            file=DASHBOARD, location="period", line=parsed.period_line,
            message=f"period {period} has no billing data; the dataset covers {', '.join(covered)}.",
            fix="report on one of those months.")])
    ref = reference(dataset, period, settings)
    rows = [_judge(r, period, ref, settings) for r in parsed.kpis]
    learner = frozenset((a.kind, a.date, a.unit) for a in parsed.alerts
                        if (a.date[:7] if a.kind == "cost_spike" else a.date) == period)
    precision, recall = alert_scores(set(learner), set(ref.alerts))
    return Lab1Context(parsed=parsed, settings=settings, reference=ref, rows=rows, learner_alerts=learner,
                       precision=precision, recall=recall)


def _target(ctx: Lab1Context, row: ReportedKpi) -> dict[str, Any]:
    """The dashboard's target and direction for a reported row (its metric, for its unit or org-wide)."""
    for k in ctx.parsed.dashboard.kpis:
        if k.metric == row.metric and (k.business_unit or "") == row.unit:
            return {"target": k.target, "direction": k.direction}
    return {"target": None, "direction": None}


def figures(ctx: Lab1Context) -> dict[str, Any]:
    """results.md §1 lab1 figures, plus per-row and per-alert detail for instructors."""
    table = ctx.reference.table
    matched = ctx.learner_alerts & ctx.reference.alerts
    alert = lambda a: {"kind": a[0], "date": a[1], "business_unit": a[2]}  # noqa: E731
    return {
        "period": ctx.period,
        "total_effective_cost": table.get("effective_cost", ORG),
        "allocated_cost_pct": table.get("allocated_cost_pct", ORG),
        "kpi_checked": sum(r.checked for r in ctx.rows),
        "kpi_matched": sum(r.status == "matched" for r in ctx.rows),
        "alert_precision": ctx.precision,
        "alert_recall": ctx.recall,
        "not_gradable": dict(sorted(table.not_gradable.items())),
        "kpis": [{"line": r.kpi.line, "metric": r.kpi.metric, "business_unit": r.kpi.unit, "value": r.kpi.value,
                  "reference": r.reference, "status": r.status, **_target(ctx, r.kpi)} for r in ctx.rows],
        "alerts": {"reference": len(ctx.reference.alerts), "learner": len(ctx.learner_alerts), "matched": len(matched),
                   "missed": [alert(a) for a in sorted(ctx.reference.alerts - ctx.learner_alerts)],
                   "unexpected": [alert(a) for a in sorted(ctx.learner_alerts - ctx.reference.alerts)]},
    }


def empty_figures() -> dict[str, Any]:
    return {"total_effective_cost": None, "allocated_cost_pct": None, "kpi_checked": 0, "kpi_matched": 0,
            "alert_precision": None, "alert_recall": None}


def signature(dataset: "Dataset") -> dict[str, Any]:
    """Per month: every defined reference KPI ("metric|unit" -> value) and reference alert
    ("kind|date|unit"), with the dataset's own detector settings (per-learner variants)."""
    out = {}
    for month in months(dataset):
        ref = reference(dataset, month, Lab1Settings())
        out[month] = {"kpis": {f"{m}|{u}": v for (m, u), v in sorted(ref.table.values.items()) if v is not None},
                      "alerts": sorted("|".join(a) for a in ref.alerts)}
    return out


def evidence(parsed: ParsedDashboard, sig: dict[str, Any], settings: Lab1Settings) -> tuple[int, int]:
    """How many of the dashboard period's KPI rows and alerts match a dataset signature."""
    period = parsed.dashboard.period
    rows = [r for r in parsed.kpis if r.period == period and r.metric in kpi.METRICS]
    checked = len(rows) + len(parsed.alerts)
    month = sig.get(period)
    if month is None:
        return 0, checked
    values, alerts = month["kpis"], set(month["alerts"])
    matched = sum(1 for r in rows if (ref := values.get(f"{r.metric}|{r.unit}")) is not None
                  and within_tolerance(r.value, ref, settings.rel_tol, settings.abs_tol))
    matched += sum(1 for a in parsed.alerts if f"{a.kind}|{a.date}|{a.unit}" in alerts)
    return matched, checked


SPEC = LabSpec(id="lab1", files=(DASHBOARD, KPIS, ALERTS), settings=Lab1Settings, needs_dataset=True, parse=parse,
               recompute=recompute, figures=figures, empty_figures=empty_figures, signature=signature,
               evidence=evidence)
