"""Regenerate the lab1 reference solution and examples from the shipped dataset's reference figures.

Run after an intended change to the dataset or the lab1 reference models:
    .venv/bin/python reference_solutions/regenerate_lab1.py
Values are rounded as a BI export would round them (5 significant digits, cents for large amounts).
"""
from __future__ import annotations

from pathlib import Path

from grader.labs import lab1
from grader.loaders.dataset import load_dataset
from grader.resources import DEFAULT_DATASET, PROJECT_DIR

PERIOD = "2026-09"
DASHBOARD = """# FinOps KPI dashboard — AI platform, {period}
period: {period}
refresh: {refresh}
kpis:
  - {{metric: effective_cost, family: cost, target: 190000, direction: below, owner: FinOps lead}}
  - {{metric: allocated_cost_pct, family: cost, target: 0.95, direction: above, owner: FinOps lead}}
  - {{metric: effective_savings_rate, family: cost, target: 0.15, direction: above, owner: FinOps lead}}
  - {{metric: commitment_utilization, family: cost, target: 0.95, direction: above, owner: Research compute council}}
  - {{metric: budget_variance_pct, family: cost, target: 0.0, direction: below, owner: Finance business partner}}
  - {{metric: gpu_utilization, family: utilization, target: 0.70, direction: above, owner: Platform engineering}}
  - {{metric: idle_gpu_cost, family: cost, target: 30000, direction: below, owner: Platform engineering}}
  - {{metric: cost_per_gpu_hour, family: unit_cost, target: 2.20, direction: below, owner: Platform engineering}}
  - {{metric: cost_per_1k_inferences, family: unit_cost, target: 0.30, direction: below, owner: Search}}
  - {{metric: cost_per_training_run, family: unit_cost, target: 600, direction: below, owner: Research compute council}}
  - {{metric: carbon_kgco2e, family: carbon, target: 4500, direction: below, owner: Sustainability office}}
  - {{metric: energy_kwh, family: carbon, target: 13000, direction: below, owner: Sustainability office}}
  - {{metric: anomaly_count, family: anomaly, target: 0, direction: below, owner: FinOps lead}}
"""
ROWS = [("effective_cost", ""), ("effective_cost", "search"), ("effective_cost", "research"), ("allocated_cost_pct", ""),
        ("effective_savings_rate", ""), ("commitment_utilization", ""), ("budget_variance_pct", "research"),
        ("gpu_utilization", ""), ("gpu_utilization", "search"), ("idle_gpu_cost", ""), ("cost_per_gpu_hour", ""),
        ("cost_per_1k_inferences", "search"), ("cost_per_1k_inferences", "ads"), ("cost_per_training_run", "research"),
        ("carbon_kgco2e", ""), ("energy_kwh", ""), ("anomaly_count", ""), ("anomaly_count", "research")]


def _fmt(v: float) -> str:
    return repr(round(v, 2)) if abs(v) >= 100 else repr(float(f"{v:.5g}"))


def main() -> None:
    ref = lab1.reference(load_dataset(DEFAULT_DATASET), PERIOD, lab1.Lab1Settings())

    def kpis(override=None) -> str:
        lines = ["metric,period,business_unit,value"]
        for metric, unit in ROWS:
            value = ref.table.get(metric, unit)
            if override and (metric, unit) in override:
                value = override[(metric, unit)](value)
            lines.append(f"{metric},{PERIOD},{unit},{_fmt(value)}")
        return "\n".join(lines) + "\n"

    def alerts(items) -> str:
        return "\n".join(["kind,date,business_unit,value,baseline"] + [f"{k},{d},{u},," for k, d, u in items]) + "\n"

    def write(folder: str, learner: str, name: str, refresh: str, kpi_text: str, alert_text: str, when: str) -> None:
        f = PROJECT_DIR / folder
        f.mkdir(parents=True, exist_ok=True)
        (f / "submission.yaml").write_text(f"learner: {{id: {learner}, name: {name}}}\nlab: lab1\nsubmitted_at: {when}\n")
        (f / "dashboard.yaml").write_text(DASHBOARD.format(period=PERIOD, refresh=refresh))
        (f / "kpis.csv").write_text(kpi_text)
        (f / "alerts.csv").write_text(alert_text)

    reference_alerts = sorted(ref.alerts)
    write("reference_solutions/lab1", "ref-lab1", "Reference Solution", "daily", kpis(), alerts(reference_alerts),
          "2026-10-01T09:00:00Z")
    # good: the effective savings rate computed over every charge (not Usage rows), one false alert
    write("submissions_example/lab1-good", "k2000", "Katherine Johnson", "hourly",
          kpis({("effective_savings_rate", ""): lambda v: v * 1.3}),
          alerts(reference_alerts + [("cost_spike", "2026-09-12", "ads")]), "2026-10-02T20:00:00Z")
    # unit costs per inference instead of per 1,000 inferences
    per_inference = {("cost_per_1k_inferences", u): (lambda v: v / 1000) for u in ("search", "ads")}
    write("submissions_example/lab1-wrong-unit-costs", "w3000", "Wally Wrong", "daily", kpis(per_inference),
          alerts(reference_alerts), "2026-10-02T21:00:00Z")
    # alerts only on the organisation's total and budgets: the units' spikes are missed
    write("submissions_example/lab1-missed-alerts", "m4000", "Miss Alert", "weekly", kpis(),
          alerts([a for a in reference_alerts if a[2] == "" or a[0] == "budget"]), "2026-10-02T22:00:00Z")


if __name__ == "__main__":
    main()
