"""The lab1 KPIs for one month P, organisation-wide and per business unit (reference-models.md §2).

Sums are computed once per unit with vectorised group-bys; the organisation (unit "") is a direct
sum over all rows. A ratio with a zero denominator is undefined (None). Metrics that need a file the
dataset lacks are not computed at all: the caller reports them as not gradable.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from grader.finance import carbon
from grader.finance.anomaly import ORG

if TYPE_CHECKING:
    import pandas as pd


BILLING_METRICS = ("effective_cost", "billed_cost", "list_cost", "allocated_cost_pct", "effective_savings_rate",
                   "commitment_utilization", "commitment_coverage")
GPU_METRICS = ("gpu_hours", "gpu_utilization", "cost_per_gpu_hour", "idle_gpu_cost", "energy_kwh", "carbon_kgco2e")
BUSINESS_METRICS = ("cost_per_1k_inferences", "cost_per_training_run")
METRICS = BILLING_METRICS + GPU_METRICS + BUSINESS_METRICS + ("budget_variance_pct", "anomaly_count")
UNIT_COST_METRICS = ("cost_per_gpu_hour", "cost_per_1k_inferences", "cost_per_training_run")
ORG_ONLY = ("allocated_cost_pct",)
NEEDS = {**{m: "utilization.csv" for m in GPU_METRICS}, **{m: "business_metrics.csv" for m in BUSINESS_METRICS},
         "budget_variance_pct": "budgets.csv"}


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """Undefined (NaN here, None in the table) where the denominator is 0 (§1)."""
    return numerator / denominator.where(denominator != 0)


def _sums(frame: pd.DataFrame, by: str, columns: list[str]) -> pd.DataFrame:
    """Σ columns per `by` value, plus the organisation row ORG summed directly over all rows."""
    import pandas as pd

    per_unit = frame.groupby(by, sort=True)[columns].sum()
    org = frame[columns].sum().to_frame(ORG).T
    return pd.concat([org, per_unit])


def billing_sums(rows: pd.DataFrame) -> pd.DataFrame:
    """The billing sums behind every billing KPI, per unit (rows of month P only)."""
    import pandas as pd

    ec, lc = rows["EffectiveCost"], rows["ListCost"]
    usage = rows["ChargeCategory"] == "Usage"
    status = rows["CommitmentDiscountStatus"]
    compute = usage & (rows["ServiceCategory"] == "Compute")
    zero = 0.0
    frame = pd.DataFrame({
        "unit": rows["x_BusinessUnit"],
        "ec": ec, "bc": rows["BilledCost"], "lc": lc,
        "ec_tagged": ec.where(rows["x_Tagged"], zero),
        "usage_ec": ec.where(usage, zero), "usage_lc": lc.where(usage, zero),
        "cu_used": ec.where(usage & (status == "Used"), zero),
        "cu_both": ec.where(usage & status.isin(["Used", "Unused"]), zero),
        "cc_committed": lc.where(compute & (rows["PricingCategory"] == "Committed"), zero),
        "cc_all": lc.where(compute, zero),
    })
    return _sums(frame, "unit", [c for c in frame.columns if c != "unit"])


def gpu_sums(util: pd.DataFrame, billing_rows: pd.DataFrame, pue: float) -> pd.DataFrame:
    """GPU sums per unit for month P.

    `util`: utilisation rows of P with `ResourceId`, `day` (UTC midnight), `GpuHours`,
    `GpuUtilization`, `business_unit` and `region` (the resource's, §1), `w_min`, `w_max`, `grid`.
    `billing_rows`: billing rows of P (EffectiveCost, ResourceId, x_Day).
    """
    import pandas as pd

    gpu_resources = util["ResourceId"].unique()
    on_gpu = billing_rows[billing_rows["ResourceId"].isin(gpu_resources)]
    # cost_per_gpu_hour numerator: P's billing rows of resources with utilisation rows in P,
    # attributed to the resource's business unit (§2 "by BU: the resource's business unit").
    resource_unit = util.drop_duplicates("ResourceId").set_index("ResourceId")["business_unit"]
    cost = pd.DataFrame({"unit": on_gpu["ResourceId"].map(resource_unit), "gpu_cost": on_gpu["EffectiveCost"]})
    # idle_gpu_cost: each resource-day's EffectiveCost × (1 − GpuUtilization)
    day_cost = on_gpu.groupby(["ResourceId", "x_Day"])["EffectiveCost"].sum()
    keys = pd.MultiIndex.from_arrays([util["ResourceId"], util["day"]])
    rd_cost = day_cost.reindex(keys, fill_value=0.0).to_numpy()
    u = util["GpuUtilization"].to_numpy(dtype=float)
    hours = util["GpuHours"].to_numpy(dtype=float)
    kwh, kg = carbon.resource_day_footprint(hours, u, util["w_min"].to_numpy(dtype=float),
                                            util["w_max"].to_numpy(dtype=float), util["grid"].to_numpy(dtype=float), pue)
    frame = pd.DataFrame({"unit": util["business_unit"].to_numpy(), "gpu_hours": hours, "util_hours": hours * u,
                          "idle_cost": rd_cost * (1.0 - u), "kwh": kwh, "kg": kg})
    sums = _sums(frame, "unit", ["gpu_hours", "util_hours", "idle_cost", "kwh", "kg"])
    return sums.join(_sums(cost, "unit", ["gpu_cost"]), how="outer")


@dataclass
class KpiTable:
    """Reference values for month P: (metric, unit) → value, None where undefined."""

    period: str
    values: dict[tuple[str, str], float | None]
    not_gradable: dict[str, str] = field(default_factory=dict)    # metric → the missing file
    units: frozenset[str] = frozenset()

    def get(self, metric: str, unit: str) -> float | None:
        return self.values.get((metric, unit))


def kpi_table(period: str, billing_rows: pd.DataFrame, units: list[str], *, gpu: pd.DataFrame | None,
              business: pd.DataFrame | None, budgets: pd.DataFrame | None,
              spike_counts: dict[str, int]) -> KpiTable:
    """Every §2 metric for `period`, for ORG and each unit of `units`.

    `gpu` is `gpu_sums(...)` or None without utilization.csv; `business` has columns unit, metric,
    value (rows of P) or is None; `budgets` has columns unit, budget (rows of P) or is None;
    `spike_counts` maps a series (ORG or unit) to its number of cost_spike days in P.
    """
    import pandas as pd

    index = pd.Index([ORG] + sorted(u for u in units if u != ORG))
    b = billing_sums(billing_rows).reindex(index, fill_value=0.0)
    m: dict[str, pd.Series] = {
        "effective_cost": b["ec"], "billed_cost": b["bc"], "list_cost": b["lc"],
        "allocated_cost_pct": _ratio(b["ec_tagged"], b["ec"]).where(index == ORG),
        "effective_savings_rate": 1.0 - _ratio(b["usage_ec"], b["usage_lc"]),
        "commitment_utilization": _ratio(b["cu_used"], b["cu_both"]),
        "commitment_coverage": _ratio(b["cc_committed"], b["cc_all"]),
        "anomaly_count": pd.Series([float(spike_counts.get(u, 0)) for u in index], index=index),
    }
    not_gradable: dict[str, str] = {}
    if gpu is not None:
        g = gpu.reindex(index, fill_value=0.0).fillna(0.0)
        m.update({"gpu_hours": g["gpu_hours"], "gpu_utilization": _ratio(g["util_hours"], g["gpu_hours"]),
                  "cost_per_gpu_hour": _ratio(g["gpu_cost"], g["gpu_hours"]), "idle_gpu_cost": g["idle_cost"],
                  "energy_kwh": g["kwh"], "carbon_kgco2e": g["kg"]})
    else:
        not_gradable.update({x: NEEDS[x] for x in GPU_METRICS})
    if business is not None:
        value = business["value"]
        counts = pd.DataFrame({"unit": business["unit"],
                               "inferences": value.where(business["metric"] == "inferences", 0.0),
                               "training_runs": value.where(business["metric"] == "training_runs", 0.0)})
        volume = _sums(counts, "unit", ["inferences", "training_runs"]).reindex(index, fill_value=0.0)
        m["cost_per_1k_inferences"] = _ratio(b["ec"], volume["inferences"]) * 1000.0
        m["cost_per_training_run"] = _ratio(b["ec"], volume["training_runs"])
    else:
        not_gradable.update({x: NEEDS[x] for x in BUSINESS_METRICS})
    if budgets is not None:
        per_unit = budgets.groupby("unit")["budget"].sum()
        budget = per_unit.reindex(index)                       # NaN: the unit has no budget row
        budget.loc[ORG] = per_unit.sum()                       # org: Σ of the units' budgets for P
        m["budget_variance_pct"] = _ratio(b["ec"] - budget, budget)
    else:
        not_gradable["budget_variance_pct"] = NEEDS["budget_variance_pct"]
    values: dict[tuple[str, str], float | None] = {}
    for metric, series in m.items():
        for unit, value in zip(index, series.to_numpy(dtype=float)):
            values[(metric, unit)] = None if np.isnan(value) else float(value)
    return KpiTable(period=period, values=values, not_gradable=not_gradable, units=frozenset(index))


def budget_alerts(table: KpiTable, threshold: float) -> list[tuple[str, str]]:
    """[(period, unit)] where a unit's budget_variance_pct > threshold (§7); units only, not ORG."""
    out = []
    for (metric, unit), value in table.values.items():
        if metric == "budget_variance_pct" and unit != ORG and value is not None and value > threshold:
            out.append((table.period, unit))
    return sorted(out)
