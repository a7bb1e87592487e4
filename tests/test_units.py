"""Unit constants against CODATA 2018 and the values quoted in physics.md §0."""

import numpy as np
import pytest

from bayes_zba import units


def test_kelvin_per_millivolt_matches_codata_and_physics_md():
    # CODATA 2018: k_B/e = 8.617333262e-5 eV/K, so e·1 mV/k_B = 11.604518 K.
    assert pytest.approx(1e-3 / 8.617333262e-5, rel=1e-10) == units.KELVIN_PER_MILLIVOLT
    assert round(units.KELVIN_PER_MILLIVOLT, 6) == 11.604518


def test_kelvin_per_tesla_is_zeeman_with_g2():
    # CODATA 2018: μ_B/k_B = 0.67171381563 K/T; g = 2.
    assert pytest.approx(2 * 0.67171381563, rel=1e-10) == units.KELVIN_PER_TESLA
    assert abs(units.KELVIN_PER_TESLA - 1.343427) < 1e-6  # physics.md §0 quotes 1.343427


def test_conductance_quantum():
    # CODATA 2018: e²/h = 3.874045865e-5 S.
    assert pytest.approx(3.874045865e-5, rel=1e-9) == units.E2H_SIEMENS
    assert units.CONDUCTANCE_TO_E2H["uS"] * 38.74045865 == pytest.approx(1.0, rel=1e-9)


def test_conversions_are_linear_and_work_on_arrays():
    v = np.array([-2.0, 0.0, 1.0])
    np.testing.assert_allclose(units.bias_energy_kelvin(v), v * 11.604518, rtol=1e-7)
    np.testing.assert_allclose(units.zeeman_energy_kelvin(v), v * 1.343427, rtol=1e-6)
