"""A dataset's settings file, `dataset.yaml` (submissions.md §2)."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator


class PowerRange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min: float = Field(ge=0)
    max: float = Field(ge=0)


class AnomalySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    window_days: int = Field(14, ge=2)
    k: float = Field(3.0, ge=0)
    min_pct: float = Field(0.20, ge=0)
    min_abs: float = Field(0.0, ge=0)


def _default_power() -> dict[str, PowerRange]:
    # Cloud Carbon Footprint GPU coefficients (reference-models.md §5)
    return {"A100": PowerRange(min=46, max=407), "V100": PowerRange(min=35, max=306),
            "T4": PowerRange(min=8, max=71), "A10G": PowerRange(min=18, max=153)}


class VariantInfo(BaseModel):
    """Whose variant a dataset is (issue 10): the course seed and learner id it was derived from."""

    model_config = ConfigDict(extra="forbid")

    id: str
    learner: str
    course_seed: int


class DatasetSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    currency: str = "USD"
    business_unit_tag: str = "business_unit"
    pue: float = Field(1.135, gt=0)
    grid_intensity_g_per_kwh: dict[str, float] = Field(default_factory=lambda: {"default": 475.0})
    gpu_power_watts: dict[str, PowerRange] = Field(default_factory=_default_power)
    anomaly: AnomalySettings = Field(default_factory=AnomalySettings)
    budget_threshold: float = Field(0.10, ge=0)
    sources: dict[str, str] = {}
    description: str | None = None
    seed: int | None = None     # recorded by the generator, informational
    # The generator's first month and number of months: what per-learner variants are generated over.
    start: str | None = Field(None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    months: int | None = Field(None, ge=1, le=24)
    variant: VariantInfo | None = None   # set in a learner's variant (grader dataset variants)

    @field_validator("grid_intensity_g_per_kwh")
    @classmethod
    def _non_negative(cls, v: dict[str, float]) -> dict[str, float]:
        bad = [k for k, x in v.items() if x < 0]
        if bad:
            raise ValueError(f"grid intensity must be >= 0 for {', '.join(bad)}")
        return v
