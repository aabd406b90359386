"""Energy and carbon per resource-day (reference-models.md §5, Cloud Carbon Footprint methodology)."""
from __future__ import annotations

import numpy as np


def average_watts(w_min, w_max, utilization):
    """W = Wmin + u × (Wmax − Wmin), per GPU (CCF)."""
    return w_min + utilization * (w_max - w_min)


def energy_kwh(gpu_hours, watts, pue: float):
    """kWh = GpuHours × W ÷ 1000 × PUE (CCF)."""
    return gpu_hours * watts / 1000.0 * pue


def carbon_kg(kwh, grid_g_per_kwh):
    """kgCO2e = kWh × grid intensity (g/kWh) ÷ 1000 (CCF)."""
    return kwh * grid_g_per_kwh / 1000.0


def resource_day_footprint(gpu_hours: np.ndarray, utilization: np.ndarray, w_min: np.ndarray, w_max: np.ndarray,
                           grid: np.ndarray, pue: float) -> tuple[np.ndarray, np.ndarray]:
    """(kWh, kgCO2e) arrays for resource-days, vectorised."""
    kwh = energy_kwh(gpu_hours, average_watts(w_min, w_max, utilization), pue)
    return kwh, carbon_kg(kwh, grid)
