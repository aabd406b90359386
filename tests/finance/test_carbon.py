"""reference-models.md §5 (Cloud Carbon Footprint methodology)."""
from __future__ import annotations

import numpy as np
import pytest

from grader.finance import carbon


def test_ccf_test_vector_a100_us_east_1():
    # reference-models.md §5: 100 A100-hours at u = 0.5 in us-east-1 on AWS → 226.5 W, 25.70775 kWh, 9.745011 kg
    # (CCF coefficients: A100 46/407 W, AWS PUE 1.135, us-east-1 379.069 g/kWh)
    watts = carbon.average_watts(46, 407, 0.5)
    assert watts == pytest.approx(226.5, abs=1e-12)
    kwh = carbon.energy_kwh(100, watts, 1.135)
    assert kwh == pytest.approx(25.70775, abs=1e-9)
    assert carbon.carbon_kg(kwh, 379.069) == pytest.approx(9.745011, abs=1e-6)


def test_vectorised_footprint_matches_scalar():
    kwh, kg = carbon.resource_day_footprint(np.array([100.0, 24.0]), np.array([0.5, 0.0]), np.array([46.0, 8.0]),
                                            np.array([407.0, 71.0]), np.array([379.069, 475.0]), 1.135)
    assert kwh.tolist() == pytest.approx([25.70775, 24 * 8 / 1000 * 1.135])
    assert kg.tolist() == pytest.approx([25.70775 * 0.379069, 24 * 8 / 1000 * 1.135 * 0.475])
