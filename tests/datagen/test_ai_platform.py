"""The ai-platform generator: determinism, and a dataset that tells the course's story."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest
import yaml

from grader.datagen import ai_platform
from grader.loaders.dataset import load_dataset
from tests.conftest import SHIPPED_DATASET


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_and_shipped_copy_is_current(tmp_path: Path):
    ai_platform.generate(tmp_path / "a")
    ai_platform.generate(tmp_path / "b")
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    # The copy shipped as package data is exactly what the default generation writes.
    assert _digest(tmp_path / "a") == _digest(SHIPPED_DATASET)


def test_other_seed_other_data(tmp_path: Path):
    ai_platform.generate(tmp_path / "a", seed=1, months=1)
    ai_platform.generate(tmp_path / "b", seed=2, months=1)
    assert (tmp_path / "a" / "billing.csv").read_bytes() != (tmp_path / "b" / "billing.csv").read_bytes()


@pytest.fixture(scope="module")
def shipped():
    return load_dataset(SHIPPED_DATASET)


def test_whole_months_of_daily_rows(shipped):
    b = shipped.billing
    days = b["x_Day"].dt.strftime("%Y-%m-%d")
    assert days.min() == "2026-07-01" and days.max() == "2026-09-30"
    assert days.nunique() == 92                                   # every day of Jul, Aug, Sep
    assert sorted(b["x_Month"].unique()) == ["2026-07", "2026-08", "2026-09"]
    daily = b[b["ChargeCategory"] == "Usage"]
    assert ((daily["ChargePeriodEnd"] - daily["ChargePeriodStart"]) == pd.Timedelta(days=1)).all()


def test_fleet_units_and_gpu_families(shipped):
    b = shipped.billing
    units = set(b.loc[b["x_Tagged"], "x_BusinessUnit"])
    assert 4 <= len(units) <= 6
    util = shipped.table("utilization")
    assert {"A100", "H100", "L4", "T4", "A10G"} <= set(util["GpuModel"])
    assert set(util["GpuModel"]) <= set(shipped.settings.gpu_power_watts)     # no config error for lab1
    assert set(util["ResourceId"]) <= set(b["ResourceId"].dropna())
    assert util["GpuUtilization"].between(0, 1).all()
    # realistic hourly prices: H100 p5.48xlarge > A100 p4d.24xlarge > single-GPU inference nodes
    price = b[b["ResourceType"] == "Virtual Machine"].groupby("SkuId")["ListUnitPrice"].first()
    assert price["p5.48xlarge-us-east-1"] > price["p4d.24xlarge-us-west-2"] > price["g6.xlarge-us-east-1"]


def test_charge_mix_commitment_credits_tax_and_shared_cost(shipped):
    b = shipped.billing
    assert set(b["ChargeCategory"]) == {"Usage", "Purchase", "Credit", "Tax"}
    status = b["CommitmentDiscountStatus"].value_counts()
    assert status["Used"] > 0 and status["Unused"] > 0
    assert (b.loc[b["ChargeCategory"] == "Credit", "EffectiveCost"] < 0).all()
    # purchases are amortised: billed, with zero effective cost, and the bill reconciles
    purchase = b[b["ChargeCategory"] == "Purchase"]
    assert (purchase["EffectiveCost"] == 0).all() and (purchase["BilledCost"] > 0).all()
    assert b["BilledCost"].sum() == pytest.approx(b["EffectiveCost"].sum(), rel=1e-9)
    untagged_share = b.loc[~b["x_Tagged"], "EffectiveCost"].sum() / b["EffectiveCost"].sum()
    assert 0.08 <= untagged_share <= 0.12


def test_supporting_files_and_instructor_answers(shipped):
    metrics = shipped.table("business_metrics")
    assert set(metrics["Metric"]) == {"inferences", "training_runs"}
    budgets = shipped.table("budgets")
    assert len(budgets) == 15 and (budgets["Budget"] > 0).all()
    settings = shipped.settings
    assert settings.sources and settings.pue == 1.135 and settings.grid_intensity_g_per_kwh["us-east-1"] == 379.069
    answers = yaml.safe_load((SHIPPED_DATASET / "instructor" / "anomalies.yaml").read_text())
    assert len(answers["anomalies"]) >= 3
    for a in answers["anomalies"]:
        assert a["business_unit"] in set(shipped.billing["x_BusinessUnit"])
    # the answers are not in the learner-facing files
    assert "anomal" not in (SHIPPED_DATASET / "billing.csv").read_text().lower()


def test_size_stays_small():
    total = sum(p.stat().st_size for p in SHIPPED_DATASET.rglob("*") if p.is_file())
    assert total < 4 * 1024 * 1024
