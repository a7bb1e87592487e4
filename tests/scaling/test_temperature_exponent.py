"""T-exponent of G(0, T): exact power laws, profiled background, sign and input checks.

Noise-free laws must come back exactly; seeded noise only within its propagated spread.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bayes_zba.scaling.temperature_exponent import EXPONENT_BOUNDS, temperature_exponent

TEMPERATURES = np.geomspace(0.1, 6.0, 12)


def test_known_background_gives_the_exponent_and_amplitude_of_a_power_law():
    result = temperature_exponent(TEMPERATURES, 2500.0 + 0.8 * TEMPERATURES**2, G0=2500.0)
    assert result.exponent == pytest.approx(2.0, rel=1e-10)
    assert result.amplitude == pytest.approx(0.8, rel=1e-10)
    assert not result.G0_profiled
    assert result.n_temperatures == TEMPERATURES.size


def test_negative_anomaly_keeps_its_sign_in_the_amplitude():
    result = temperature_exponent(TEMPERATURES, 100.0 - 0.3 * TEMPERATURES, G0=100.0)
    assert result.exponent == pytest.approx(1.0, rel=1e-10)
    assert result.amplitude == pytest.approx(-0.3, rel=1e-10)


@settings(max_examples=25, deadline=None)
@given(
    exponent=st.floats(0.2, 3.0),
    amplitude=st.floats(0.05, 20.0),
    G0=st.floats(10.0, 5000.0),
)
def test_profiled_background_recovers_noise_free_power_laws(exponent, amplitude, G0):
    result = temperature_exponent(TEMPERATURES, G0 + amplitude * TEMPERATURES**exponent)
    assert result.G0_profiled
    assert result.exponent == pytest.approx(exponent, rel=1e-4)
    assert pytest.approx(G0, abs=1e-4 * amplitude) == result.G0


def test_profiled_exponent_of_noisy_square_root_law_is_near_one_half():
    rng = np.random.default_rng(20240611)
    exponents = []
    for _ in range(50):
        G_zero = 3000.0 + 2.0 * np.sqrt(TEMPERATURES) + rng.normal(0.0, 0.01, TEMPERATURES.size)
        exponents.append(temperature_exponent(TEMPERATURES, G_zero).exponent)
    assert np.mean(exponents) == pytest.approx(0.5, abs=0.005)
    assert np.std(exponents) < 0.02


def test_non_finite_points_are_ignored():
    G_zero = 1.0 + TEMPERATURES**0.5
    G_zero[3] = np.nan
    result = temperature_exponent(TEMPERATURES, G_zero, G0=1.0)
    assert result.n_temperatures == TEMPERATURES.size - 1
    assert result.exponent == pytest.approx(0.5, rel=1e-10)


def test_too_few_temperatures_are_refused():
    T = np.array([0.1, 0.2, 0.2, 0.4])
    G_zero = 1.0 + T**2
    with pytest.raises(ValueError, match="profiled G0: needs 4 distinct temperatures, got 3"):
        temperature_exponent(T, G_zero)
    assert temperature_exponent(T, G_zero, G0=1.0).exponent == pytest.approx(2.0)
    with pytest.raises(ValueError, match="known G0: needs 3 distinct temperatures, got 2"):
        temperature_exponent(T[:3], G_zero[:3], G0=1.0)


def test_an_exponent_the_data_cannot_fix_is_flagged_at_the_bound():
    T = np.array([0.1, 0.2, 0.4, 0.8])
    steep = temperature_exponent(T, 1.0 + 1e-3 * np.exp(10.0 * T))
    assert steep.at_bound
    assert steep.exponent == pytest.approx(EXPONENT_BOUNDS[1], rel=1e-3)
    assert not temperature_exponent(T, 1.0 + T**2).at_bound
    assert not temperature_exponent(T, 1.0 + T**9, G0=1.0).at_bound
