"""lab1 recomputation: independent known answers, the real FOCUS sample, configuration errors."""
from __future__ import annotations

import csv
import shutil
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from grader.errors import ConfigError
from grader.finance.anomaly import ORG
from grader.labs import lab1
from grader.loaders.dataset import load_dataset
from tests.conftest import SHIPPED_DATASET


@pytest.fixture(scope="module")
def shipped_ref() -> lab1.Lab1Reference:
    return lab1.reference(load_dataset(SHIPPED_DATASET), "2026-09", lab1.Lab1Settings())


def _csv(name: str):
    with open(SHIPPED_DATASET / name, newline="") as f:
        yield from csv.DictReader(f)


def test_costs_and_esr_match_an_independent_computation(shipped_ref):
    """Σ per unit with csv + Decimal + json, not pandas."""
    import json

    ec, usage_ec, usage_lc = defaultdict(Decimal), Decimal(0), Decimal(0)
    for row in _csv("billing.csv"):
        if not row["ChargePeriodStart"].startswith("2026-09"):
            continue
        unit = json.loads(row["Tags"]).get("business_unit", "untagged") if row["Tags"] else "untagged"
        ec[unit] += Decimal(row["EffectiveCost"])
        ec[ORG] += Decimal(row["EffectiveCost"])
        if row["ChargeCategory"] == "Usage":
            usage_ec += Decimal(row["EffectiveCost"])
            usage_lc += Decimal(row["ListCost"])
    for unit, total in ec.items():
        assert shipped_ref.table.get("effective_cost", unit) == pytest.approx(float(total), rel=1e-12)
    assert shipped_ref.table.get("effective_savings_rate", ORG) == pytest.approx(float(1 - usage_ec / usage_lc), rel=1e-12)
    tagged = sum(v for k, v in ec.items() if k not in (ORG, "untagged"))
    assert shipped_ref.table.get("allocated_cost_pct", ORG) == pytest.approx(float(tagged / ec[ORG]), rel=1e-12)


def test_gpu_hours_utilisation_and_inferences_independently(shipped_ref):
    hours = weighted = Decimal(0)
    for row in _csv("utilization.csv"):
        if row["Date"].startswith("2026-09"):
            hours += Decimal(row["GpuHours"])
            weighted += Decimal(row["GpuHours"]) * Decimal(row["GpuUtilization"])
    assert shipped_ref.table.get("gpu_hours", ORG) == pytest.approx(float(hours), rel=1e-12)
    assert shipped_ref.table.get("gpu_utilization", ORG) == pytest.approx(float(weighted / hours), rel=1e-12)
    search = sum(Decimal(r["Value"]) for r in _csv("business_metrics.csv")
                 if r["Date"].startswith("2026-09") and r["BusinessUnit"] == "search" and r["Metric"] == "inferences")
    expected = shipped_ref.table.get("effective_cost", "search") / float(search) * 1000
    assert shipped_ref.table.get("cost_per_1k_inferences", "search") == pytest.approx(expected, rel=1e-12)


def test_reference_alerts_include_every_injected_anomaly_of_the_month(shipped_ref):
    import yaml

    truth = yaml.safe_load((SHIPPED_DATASET / "instructor" / "anomalies.yaml").read_text())["anomalies"]
    injected = {("cost_spike", a["date"], a["business_unit"]) for a in truth if a["date"].startswith("2026-09")}
    assert injected and injected <= shipped_ref.alerts
    assert ("budget", "2026-09", "research") in shipped_ref.alerts      # research is budgeted at ~0.88 of its cost


def test_real_focus_sample_as_dataset(sample_dataset: Path):
    """shared/data/focus-1.0-sample.csv, period 2024-09, no utilisation or business files."""
    ref = lab1.reference(load_dataset(sample_dataset), "2024-09", lab1.Lab1Settings())
    t = ref.table
    # per provider (csv + Decimal): AWS 13.0, Microsoft 1.97651418586, Oracle 0 → 14.97651418586
    assert t.get("effective_cost", ORG) == pytest.approx(14.97651418586, abs=1e-9)
    assert t.get("billed_cost", ORG) == pytest.approx(20.52022672899, abs=1e-9)
    # tagged 16.0 of 14.97651418586: above 1 because untagged rows carry the credits (§2)
    assert t.get("allocated_cost_pct", ORG) == pytest.approx(16.0 / 14.97651418586, rel=1e-12)
    assert t.get("effective_cost", "PeoriaData") == pytest.approx(16.0, abs=1e-9)
    assert set(t.not_gradable) == {"gpu_hours", "gpu_utilization", "cost_per_gpu_hour", "idle_gpu_cost",
                                   "energy_kwh", "carbon_kgco2e", "cost_per_1k_inferences", "cost_per_training_run",
                                   "budget_variance_pct"}
    assert len(t.units) == 302 + 1                         # 301 units, untagged, and the organisation


def _copy_shipped(tmp_path: Path) -> Path:
    folder = tmp_path / "ds"
    shutil.copytree(SHIPPED_DATASET, folder)
    return folder


def test_gpu_model_without_power_is_a_configuration_error(tmp_path: Path):
    folder = _copy_shipped(tmp_path)
    text = (folder / "dataset.yaml").read_text().replace("  H100:\n    min: 70\n    max: 700\n", "")
    (folder / "dataset.yaml").write_text(text)
    with pytest.raises(ConfigError) as err:
        lab1.reference(load_dataset(folder), "2026-09", lab1.Lab1Settings())
    assert "gpu_power_watts for GPU model(s) H100" in err.value.message


def test_region_without_intensity_and_no_default_is_a_configuration_error(tmp_path: Path):
    folder = _copy_shipped(tmp_path)
    text = (folder / "dataset.yaml").read_text().replace("  default: 475.0\n", "").replace("  eu-west-1: 278.6\n", "")
    (folder / "dataset.yaml").write_text(text)
    with pytest.raises(ConfigError) as err:
        lab1.reference(load_dataset(folder), "2026-09", lab1.Lab1Settings())
    assert "grid_intensity_g_per_kwh for eu-west-1" in err.value.message


def test_reference_is_computed_once_per_period_and_detector(shipped_ref):
    ds = load_dataset(SHIPPED_DATASET)
    assert lab1.reference(ds, "2026-09", lab1.Lab1Settings()) is shipped_ref
    other = lab1.reference(ds, "2026-09", lab1.Lab1Settings(k=100.0))
    assert other is not shipped_ref
    assert not any(kind == "cost_spike" for kind, _, _ in other.alerts)    # a k of 100 σ finds nothing
