"""Benchmark: load a 1,000,000-row FOCUS file and compute the lab1 reference figures, against DuckDB
doing the same aggregations on the same files in the same run.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/lab1_reference.py [--rows 1000000] [--repeat 3] [--data DIR]

Each engine runs in its own process (peak RSS is that process's), `--repeat` times; the table gives
medians. Both engines' figures are compared (relative 1e-9), so the benchmark is also a check of
the reference models against an independent SQL implementation.
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PERIOD = "2026-09"
UNITS = [f"u{i:02d}" for i in range(40)]


# ---- input generation ---------------------------------------------------------------------------

def generate(folder: Path, rows: int, seed: int = 304) -> None:
    """A FOCUS-like billing file over 2026-08..09 plus utilisation, business and budget files."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    n_res = 20_000
    res_unit = rng.integers(0, len(UNITS), n_res)
    res_region = rng.choice(np.array(["us-east-1", "us-west-2", "eu-west-1", "ap-south-1"], dtype=object), n_res)
    days = pd.date_range("2026-08-01", "2026-09-30", freq="D")
    resource = rng.integers(0, n_res, rows)
    unit_idx = np.where(rng.random(rows) < 0.05, rng.integers(0, len(UNITS), rows), res_unit[resource])
    untagged = rng.random(rows) < 0.10
    units = np.array(UNITS, dtype=object)[unit_idx]
    tags = np.where(untagged, None, np.char.add(np.char.add('{"business_unit": "', units.astype(str)), '", "env": "prod"}'))
    category = rng.choice(np.array(["Usage"] * 97 + ["Purchase", "Credit", "Tax"], dtype=object), rows)
    service_cat = rng.choice(np.array(["Compute", "Storage", "Networking", "Databases", "Analytics", "Other"],
                                      dtype=object), rows, p=[0.5, 0.2, 0.15, 0.05, 0.05, 0.05])
    committed = (service_cat == "Compute") & (rng.random(rows) < 0.3)
    status = np.where(committed, np.where(rng.random(rows) < 0.9, "Used", "Unused"), None)
    list_cost = np.round(rng.lognormal(0.0, 1.5, rows), 6)
    effective = np.where(committed, np.round(list_cost * 0.65, 6), list_cost)
    effective = np.where(category == "Credit", -effective, effective)
    day = days[rng.integers(0, len(days), rows)]
    start = pd.Series(day).dt.strftime("%Y-%m-%dT%H:00:00Z").to_numpy()
    frame = pd.DataFrame({
        "BilledCost": np.where(committed, 0.0, effective), "EffectiveCost": effective, "ListCost": list_cost,
        "ChargeCategory": category, "ChargePeriodStart": start,
        "ChargePeriodEnd": (pd.Series(day) + pd.Timedelta(days=1)).dt.strftime("%Y-%m-%dT%H:00:00Z").to_numpy(),
        "ServiceCategory": service_cat, "ServiceName": np.char.add("svc-", rng.integers(0, 12, rows).astype(str)),
        "ResourceId": np.char.add("r", resource.astype(str)),
        "RegionId": np.where(rng.random(rows) < 0.02, None, res_region[resource]),
        "SubAccountId": np.char.add("acct-", (res_unit[resource] % 7).astype(str)),
        "SkuId": np.char.add("sku-", rng.integers(0, 50, rows).astype(str)),
        "PricingCategory": np.where(committed, "Committed", "Standard"),
        "CommitmentDiscountId": np.where(committed, "sp-1", None), "CommitmentDiscountStatus": status,
        "ConsumedQuantity": np.round(rng.random(rows) * 10, 4), "ConsumedUnit": "Hours", "Tags": tags,
    })
    frame.to_csv(folder / "billing.csv", index=False, na_rep="NULL")
    gpu = np.arange(2_000)                      # resources r0..r1999 carry GPUs
    ud = pd.MultiIndex.from_product([gpu, days]).to_frame(index=False, name=["r", "day"])
    models = np.array(["A100", "T4", "A10G", "V100"], dtype=object)
    pd.DataFrame({"ResourceId": "r" + ud["r"].astype(str), "Date": ud["day"].dt.strftime("%Y-%m-%d"),
                  "GpuHours": rng.integers(1, 25, len(ud)) * 8, "GpuUtilization": np.round(rng.random(len(ud)), 4),
                  "GpuModel": models[ud["r"].to_numpy() % 4]}).to_csv(folder / "utilization.csv", index=False)
    bm = pd.MultiIndex.from_product([days, UNITS, ["inferences", "training_runs"]]).to_frame(
        index=False, name=["Date", "BusinessUnit", "Metric"])
    bm["Date"] = bm["Date"].dt.strftime("%Y-%m-%d")
    bm["Value"] = rng.integers(1_000, 2_000_000, len(bm))
    bm.to_csv(folder / "business_metrics.csv", index=False)
    pd.DataFrame([(m, u, float(rng.integers(500, 2_000))) for m in ("2026-08", "2026-09") for u in UNITS],
                 columns=["Month", "BusinessUnit", "Budget"]).to_csv(folder / "budgets.csv", index=False)
    (folder / "dataset.yaml").write_text(
        "name: bench\ngrid_intensity_g_per_kwh: {default: 475.0, us-east-1: 379.069, us-west-2: 322.167}\n")


# ---- the two engines ----------------------------------------------------------------------------

CHECKED = ("effective_cost", "allocated_cost_pct", "effective_savings_rate", "commitment_utilization",
           "commitment_coverage", "gpu_hours", "gpu_utilization", "cost_per_gpu_hour", "idle_gpu_cost",
           "energy_kwh", "carbon_kgco2e", "cost_per_1k_inferences", "cost_per_training_run", "budget_variance_pct",
           "anomaly_count")


def run_grader(folder: Path) -> dict:
    from grader.labs import lab1
    from grader.loaders.dataset import load_dataset

    t0 = time.perf_counter()
    ref = lab1.reference(load_dataset(folder), PERIOD, lab1.Lab1Settings())
    seconds = time.perf_counter() - t0
    values = {f"{m}|{u}": v for (m, u), v in ref.table.values.items() if m in CHECKED}
    return {"seconds": seconds, "values": values, "alerts": sorted("|".join(a) for a in ref.alerts)}


DUCKDB_SQL = """
SET TimeZone = 'UTC';
CREATE TABLE b AS
SELECT *, CAST(ChargePeriodStart AS DATE) AS day, strftime(ChargePeriodStart, '%Y-%m') AS month,
       coalesce(nullif(json_extract_string(Tags, '$.business_unit'), ''), 'untagged') AS unit,
       nullif(json_extract_string(Tags, '$.business_unit'), '') IS NOT NULL AS tagged
FROM read_csv('{d}/billing.csv', nullstr = ['NULL', ''], header = true,
              types = {{'ChargePeriodStart': 'TIMESTAMPTZ', 'ChargePeriodEnd': 'TIMESTAMPTZ', 'Tags': 'VARCHAR'}});
CREATE TABLE bp AS SELECT * FROM b WHERE month = '{p}';
-- §1: a resource's unit and region, most frequent over all its rows, ties alphabetical
CREATE TABLE ru AS SELECT ResourceId, unit FROM (
  SELECT ResourceId, unit, row_number() OVER (PARTITION BY ResourceId ORDER BY count(*) DESC, unit) AS k
  FROM b WHERE ResourceId IS NOT NULL GROUP BY ResourceId, unit) WHERE k = 1;
CREATE TABLE rr AS SELECT ResourceId, RegionId FROM (
  SELECT ResourceId, RegionId, row_number() OVER (PARTITION BY ResourceId ORDER BY count(*) DESC, RegionId) AS k
  FROM b WHERE ResourceId IS NOT NULL AND RegionId IS NOT NULL GROUP BY ResourceId, RegionId) WHERE k = 1;
CREATE TABLE grid AS SELECT * FROM (VALUES ('us-east-1', 379.069), ('us-west-2', 322.167)) g(region, g);
CREATE TABLE power AS SELECT * FROM (VALUES ('A100', 46.0, 407.0), ('V100', 35.0, 306.0), ('T4', 8.0, 71.0),
                                            ('A10G', 18.0, 153.0)) p(model, wmin, wmax);
CREATE TABLE u AS
SELECT x.ResourceId, CAST(x.Date AS DATE) AS day, x.GpuHours, x.GpuUtilization,
       coalesce(ru.unit, 'untagged') AS unit, coalesce(grid.g, 475.0) AS g, power.wmin, power.wmax
FROM read_csv('{d}/utilization.csv', header = true) x
LEFT JOIN ru USING (ResourceId) LEFT JOIN rr USING (ResourceId) LEFT JOIN grid ON grid.region = rr.RegionId
JOIN power ON power.model = x.GpuModel
WHERE strftime(CAST(x.Date AS DATE), '%Y-%m') = '{p}';
CREATE TABLE daycost AS SELECT ResourceId, day, sum(EffectiveCost) AS c FROM bp
  WHERE ResourceId IN (SELECT DISTINCT ResourceId FROM u) GROUP BY ALL;
CREATE TABLE bm AS SELECT BusinessUnit AS unit, Metric, sum(Value) AS v
  FROM read_csv('{d}/business_metrics.csv', header = true) WHERE strftime(CAST(Date AS DATE), '%Y-%m') = '{p}'
  GROUP BY ROLLUP (BusinessUnit), Metric;
CREATE TABLE bud AS SELECT BusinessUnit AS unit, sum(Budget) AS budget
  FROM read_csv('{d}/budgets.csv', header = true, types = {{'Month': 'VARCHAR'}}) WHERE Month = '{p}'
  GROUP BY ROLLUP (BusinessUnit);
-- §7 daily series (ORG as ''), every day of the calendar, the detector on the 14 days before
CREATE TABLE series AS
WITH cal AS (SELECT unnest(generate_series(min(day), max(day), INTERVAL 1 DAY))::DATE AS day FROM b),
     names AS (SELECT DISTINCT unit FROM b UNION ALL SELECT ''),
     costs AS (SELECT day, coalesce(unit, '') AS unit, sum(EffectiveCost) AS x FROM b GROUP BY ROLLUP (unit), day)
SELECT cal.day, names.unit, coalesce(costs.x, 0) AS x FROM cal CROSS JOIN names
LEFT JOIN costs ON costs.day = cal.day AND costs.unit = names.unit;
CREATE TABLE spikes AS
SELECT day, unit FROM (
  SELECT day, unit, x,
    avg(x) OVER w AS mu, stddev_samp(x) OVER w AS sigma, count(*) OVER w AS n
  FROM series WINDOW w AS (PARTITION BY unit ORDER BY day ROWS BETWEEN 14 PRECEDING AND 1 PRECEDING))
WHERE n = 14 AND x - mu > 0 AND x - mu >= 0 AND (mu <= 0 OR (x - mu) / mu >= 0.2)
  AND (sigma = 0 OR (x - mu) / sigma >= 3) AND strftime(day, '%Y-%m') = '{p}';
"""

DUCKDB_KPIS = """
WITH s AS (
  SELECT coalesce(unit, '') AS unit, sum(EffectiveCost) ec,
    sum(CASE WHEN tagged THEN EffectiveCost ELSE 0 END) ec_tagged,
    sum(CASE WHEN ChargeCategory = 'Usage' THEN EffectiveCost ELSE 0 END) usage_ec,
    sum(CASE WHEN ChargeCategory = 'Usage' THEN ListCost ELSE 0 END) usage_lc,
    sum(CASE WHEN ChargeCategory = 'Usage' AND CommitmentDiscountStatus = 'Used' THEN EffectiveCost ELSE 0 END) cu_used,
    sum(CASE WHEN ChargeCategory = 'Usage' AND CommitmentDiscountStatus IN ('Used', 'Unused') THEN EffectiveCost ELSE 0 END) cu_both,
    sum(CASE WHEN ChargeCategory = 'Usage' AND ServiceCategory = 'Compute' AND PricingCategory = 'Committed' THEN ListCost ELSE 0 END) cc_c,
    sum(CASE WHEN ChargeCategory = 'Usage' AND ServiceCategory = 'Compute' THEN ListCost ELSE 0 END) cc_all
  FROM bp GROUP BY ROLLUP (unit)),
g AS (
  SELECT coalesce(unit, '') AS unit, sum(GpuHours) h, sum(GpuHours * GpuUtilization) uh,
    sum(coalesce(daycost.c, 0) * (1 - GpuUtilization)) idle,
    sum(GpuHours * (wmin + GpuUtilization * (wmax - wmin)) / 1000 * 1.135) kwh,
    sum(GpuHours * (wmin + GpuUtilization * (wmax - wmin)) / 1000 * 1.135 * g / 1000) kg
  FROM u LEFT JOIN daycost USING (ResourceId, day) GROUP BY ROLLUP (unit)),
gc AS (
  SELECT coalesce(ru.unit, '') AS unit, sum(EffectiveCost) c FROM bp JOIN ru USING (ResourceId)
  WHERE ResourceId IN (SELECT DISTINCT ResourceId FROM u) GROUP BY ROLLUP (ru.unit)),
v AS (SELECT coalesce(unit, '') AS unit, sum(CASE WHEN Metric = 'inferences' THEN v ELSE 0 END) inf,
             sum(CASE WHEN Metric = 'training_runs' THEN v ELSE 0 END) tr FROM bm GROUP BY 1),
a AS (SELECT unit, count(*) AS n FROM spikes GROUP BY unit)
SELECT s.unit, s.ec, s.ec_tagged / nullif(s.ec, 0), 1 - s.usage_ec / nullif(s.usage_lc, 0),
       s.cu_used / nullif(s.cu_both, 0), s.cc_c / nullif(s.cc_all, 0),
       coalesce(g.h, 0), g.uh / nullif(g.h, 0), gc.c / nullif(g.h, 0), coalesce(g.idle, 0), coalesce(g.kwh, 0),
       coalesce(g.kg, 0), s.ec / nullif(v.inf, 0) * 1000, s.ec / nullif(v.tr, 0),
       (s.ec - bud.budget) / nullif(bud.budget, 0), coalesce(a.n, 0)
FROM s LEFT JOIN g USING (unit) LEFT JOIN gc USING (unit) LEFT JOIN v USING (unit)
LEFT JOIN bud ON coalesce(bud.unit, '') = s.unit LEFT JOIN a USING (unit)
"""


def run_duckdb(folder: Path) -> dict:
    import duckdb

    t0 = time.perf_counter()
    con = duckdb.connect()
    con.execute(DUCKDB_SQL.format(d=folder, p=PERIOD))
    rows = con.execute(DUCKDB_KPIS).fetchall()
    budget = con.execute("""SELECT s.unit FROM (SELECT unit, sum(EffectiveCost) ec FROM bp GROUP BY unit) s
                             JOIN bud USING (unit) WHERE (s.ec - bud.budget) / bud.budget > 0.10""").fetchall()
    spikes = con.execute("SELECT strftime(day, '%Y-%m-%d'), unit FROM spikes").fetchall()
    seconds = time.perf_counter() - t0
    values = {}
    for unit, *figures in rows:
        for metric, value in zip(CHECKED, figures):
            if metric == "allocated_cost_pct" and unit != "":
                value = None
            values[f"{metric}|{unit}"] = None if value is None else float(value)
    alerts = sorted([f"cost_spike|{d}|{u}" for d, u in spikes] + [f"budget|{PERIOD}|{u}" for (u,) in budget])
    return {"seconds": seconds, "values": values, "alerts": alerts}


def _peak_rss_mb() -> float:
    """This process's peak RSS. Not getrusage: Linux carries ru_maxrss across exec, so a child would
    report its parent's peak; VmHWM belongs to the process image itself."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(engine: str, folder: Path) -> None:
    result = (run_grader if engine == "grader" else run_duckdb)(folder)
    result["peak_rss_mb"] = _peak_rss_mb()
    print(json.dumps(result))


def measure(engine: str, folder: Path) -> dict:
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, __file__, "--child", engine, "--data", str(folder)], capture_output=True,
                         text=True, check=True)
    result = json.loads(out.stdout)
    result["process_seconds"] = time.perf_counter() - t0
    return result


def compare(a: dict, b: dict) -> list[str]:
    problems = []
    for key in sorted(set(a["values"]) | set(b["values"])):
        x, y = a["values"].get(key), b["values"].get(key)
        if (x is None) != (y is None) or (x is not None and abs(x - y) > 1e-9 * max(1.0, abs(y))):
            problems.append(f"{key}: grader {x} duckdb {y}")
    if a["alerts"] != b["alerts"]:
        problems.append(f"alerts differ: {sorted(set(a['alerts']) ^ set(b['alerts']))}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, help="input folder (generated there if it has no billing.csv)")
    parser.add_argument("--child", choices=("grader", "duckdb"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.data)
        return
    folder = args.data or Path(tempfile.mkdtemp(prefix="bench-lab1-"))
    if not (folder / "billing.csv").exists():
        t0 = time.perf_counter()
        generate(folder, args.rows)
        print(f"generated {args.rows:,} rows in {time.perf_counter() - t0:.1f}s: {folder} "
              f"({(folder / 'billing.csv').stat().st_size / 1e6:.0f} MB)")
    runs = {e: [measure(e, folder) for _ in range(args.repeat)] for e in ("grader", "duckdb")}
    problems = compare(runs["grader"][0], runs["duckdb"][0])
    print(f"{'engine':<8} {'load+figures s':>15} {'process s':>10} {'peak RSS MB':>12}   (median of {args.repeat})")
    med = {}
    for engine, rs in runs.items():
        med[engine] = statistics.median(r["seconds"] for r in rs)
        print(f"{engine:<8} {med[engine]:>15.2f} {statistics.median(r['process_seconds'] for r in rs):>10.2f} "
              f"{statistics.median(r['peak_rss_mb'] for r in rs):>12.0f}")
    print(f"ratio grader ÷ duckdb: {med['grader'] / med['duckdb']:.2f}")
    n = len(runs["grader"][0]["values"])
    print(f"figures compared: {n} values, {len(runs['grader'][0]['alerts'])} alerts — "
          + ("all agree within 1e-9" if not problems else f"{len(problems)} DIFFER:\n  " + "\n  ".join(problems[:20])))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
