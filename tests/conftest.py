"""Shared fixtures. Tests read ../shared and the shipped files; they write only under tmp_path."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.loaders.focus import REQUIRED_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FOCUS_SAMPLE = SHARED / "data" / "focus-1.0-sample.csv"
SHIPPED_DATASET = ROOT / "grader" / "data" / "ai-platform"
EXAMPLES = ROOT / "submissions_example"
REFERENCE = ROOT / "reference_solutions"


@pytest.fixture
def focus_sample() -> Path:
    if not FOCUS_SAMPLE.exists():
        pytest.fail(f"the shared FOCUS sample is missing at {FOCUS_SAMPLE}")
    return FOCUS_SAMPLE


@pytest.fixture
def sample_dataset(tmp_path: Path, focus_sample: Path) -> Path:
    """A dataset folder whose billing.csv is the real FOCUS sample, unchanged (a copy)."""
    folder = tmp_path / "focus-sample"
    folder.mkdir()
    shutil.copyfile(focus_sample, folder / "billing.csv")
    (folder / "dataset.yaml").write_text("name: focus-sample\n")
    return folder


@pytest.fixture
def make_submission(tmp_path: Path):
    """Write a submission folder from {file name: text}; returns its path."""
    counter = iter(range(10_000))

    def make(files: dict[str, str], name: str | None = None) -> Path:
        folder = tmp_path / (name or f"sub{next(counter)}")
        folder.mkdir(parents=True)
        for rel, text in files.items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_text(text)
        return folder

    return make


MANIFEST = "learner: {id: t1}\nlab: lab2\n"

# One month of Usage; annual baselines: search/Compute 12,000; research/Compute 36,000;
# research/Storage 12,000; untagged/Networking 12,000 → organisation 72,000.
TINY_ROWS = [
    ("search", "Compute", "Amazon Elastic Compute Cloud", "us-east-1", 1000.0),
    ("research", "Compute", "Amazon Elastic Compute Cloud", "us-west-2", 3000.0),
    ("research", "Storage", "Amazon Simple Storage Service", "us-east-1", 1000.0),
    (None, "Networking", "Amazon Virtual Private Cloud", "us-east-1", 1000.0),
]


@pytest.fixture(scope="session")
def tiny_dataset(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tiny")
    lines = [",".join(REQUIRED_COLUMNS)]
    for unit, category, service, region, cost in TINY_ROWS:
        values = {c: "" for c in REQUIRED_COLUMNS}
        values.update(BilledCost=str(cost), EffectiveCost=str(cost), ListCost=str(cost), ChargeCategory="Usage",
                      ChargePeriodStart="2026-09-01T00:00:00Z", ChargePeriodEnd="2026-09-02T00:00:00Z",
                      ServiceCategory=category, ServiceName=service, RegionId=region, ConsumedQuantity="1",
                      Tags='"{""business_unit"": ""%s""}"' % unit if unit else "NULL")
        lines.append(",".join(values[c] for c in REQUIRED_COLUMNS))
    (folder / "billing.csv").write_text("\n".join(lines) + "\n")
    (folder / "dataset.yaml").write_text("name: tiny\n")
    return folder
