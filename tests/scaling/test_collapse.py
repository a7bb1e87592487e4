"""Collapse numerics: G(0, T) interpolation, the (I-14) transform and D(α) of (I-24).

Synthetic sweeps whose scaling function is known make every expected value exact.
"""

import numpy as np
import pytest

from bayes_zba.scaling.collapse import (
    collapse_coordinates,
    collapse_deviation,
    interpolate_sweep,
    reduced_bias,
    zero_bias_conductance,
)
from bayes_zba.units import KELVIN_PER_MILLIVOLT

TEMPERATURES = np.array([0.1, 0.2, 0.4, 0.8, 1.4, 3.0])


def sweeps(scaling_function, alpha, *, temperatures=TEMPERATURES, V_max=5.0, n_points=401):
    """Tidy (V, T, curve, G) arrays with G = 1000 + T^α F(eV/kT) on every curve."""
    V_one = np.linspace(-V_max, V_max, n_points)
    V = np.tile(V_one, temperatures.size)
    curve = np.repeat(np.arange(temperatures.size), n_points)
    T = temperatures[curve]
    G = 1000.0 + T**alpha * scaling_function(reduced_bias(V, T))
    return V, T, curve, G


def test_zero_bias_conductance_interpolates_between_the_two_nearest_biases():
    V = np.array([-1.0, 0.5, 1.0, -0.5, 0.25, 2.0])
    curve = np.array([0, 0, 0, 1, 1, 1])
    G = np.array([10.0, 13.0, 14.0, 20.0, 23.0, 99.0])  # curve 1: 20 at -0.5, 23 at +0.25
    np.testing.assert_allclose(zero_bias_conductance(V, G, curve), [12.0, 22.0])


def test_zero_bias_conductance_keeps_leading_draw_axes():
    V = np.array([-1.0, 1.0, -2.0, 2.0])
    curve = np.array([0, 0, 1, 1])
    draws = np.array([[1.0, 3.0, 0.0, 4.0], [5.0, 5.0, 2.0, 6.0]])
    result = zero_bias_conductance(V, draws, curve)
    assert result.shape == (2, 2)
    np.testing.assert_allclose(result, [[2.0, 2.0], [5.0, 4.0]])


def test_zero_bias_conductance_is_nan_when_the_sweep_misses_zero():
    V = np.array([0.5, 1.0, -1.0, 1.0])
    curve = np.array([0, 0, 1, 1])
    result = zero_bias_conductance(V, np.array([1.0, 2.0, 3.0, 5.0]), curve)
    assert np.isnan(result[0])
    assert result[1] == pytest.approx(4.0)


def test_interpolate_sweep_reproduces_a_straight_line_and_marks_outside_points():
    V = np.linspace(-2.0, 3.0, 7)
    values = interpolate_sweep(V, 4.0 - 2.5 * V, np.array([-2.0, -0.3, 1.7, 3.0, 3.5]))
    np.testing.assert_allclose(values[:4], 4.0 - 2.5 * np.array([-2.0, -0.3, 1.7, 3.0]))
    assert np.isnan(values[4])


def test_reduced_bias_uses_e_over_k_in_kelvin_per_millivolt():
    assert reduced_bias(1.0, 2.0) == pytest.approx(KELVIN_PER_MILLIVOLT / 2.0)


def test_collapse_coordinates_put_exactly_scaling_data_on_one_curve():
    V, T, curve, G = sweeps(lambda v: np.sqrt(1.0 + v**2) - 1.0, 0.5)
    G_zero = zero_bias_conductance(V, G, curve)[curve]
    x, y = collapse_coordinates(V, T, G, G_zero, alpha=0.5)
    v = np.sign(x) * np.abs(x) ** 2
    np.testing.assert_allclose(y, np.sqrt(1.0 + v**2) - 1.0, atol=1e-9)


def test_deviation_vanishes_at_the_true_alpha_for_a_linear_scaling_function():
    V, T, curve, G = sweeps(lambda v: 0.3 * v, 0.5)
    assert collapse_deviation(V, T, G, curve, alpha=0.5).value == pytest.approx(0.0, abs=1e-20)
    assert collapse_deviation(V, T, G, curve, alpha=0.6).value > 1e-4


def test_deviation_matches_the_closed_form_for_two_curves():
    """F_1 = 0 and F_2 = s v give (1/2) Σ_n ∫ (s v / 2)² dv = s² a³ / 6 over [-a, a]."""
    temperatures = np.array([0.2, 0.5])
    s = 0.7
    V, T, curve, G = sweeps(lambda v: s * v, 0.5, temperatures=temperatures)
    G = np.where(curve == 0, 1000.0, G)
    result = collapse_deviation(V, T, G, curve, alpha=0.5, v_max=4.0)
    assert result.v_range == (-4.0, 4.0)
    assert result.value == pytest.approx(s**2 * 4.0**3 / 6.0, rel=1e-5)


def test_deviation_is_smallest_near_the_exponent_the_data_were_made_with():
    V, T, curve, G = sweeps(lambda v: np.sqrt(1.0 + v**2) - 1.0, 0.5)
    alphas = np.linspace(0.3, 0.7, 41)
    D = [collapse_deviation(V, T, G, curve, alpha=a).value for a in alphas]
    assert alphas[int(np.argmin(D))] == pytest.approx(0.5, abs=0.011)


def test_deviation_uses_the_n_lowest_temperatures_and_the_shared_v_range():
    shuffled = np.array([3.0, 0.1, 1.4, 0.4])
    V, T, curve, G = sweeps(lambda v: v, 0.5, temperatures=shuffled, V_max=1.0)
    result = collapse_deviation(V, T, G, curve, n_lowest=3, v_max=8.0)
    assert result.temperatures_K == (0.1, 0.4, 1.4)
    assert KELVIN_PER_MILLIVOLT * 1.0 / 1.4 > 8.0  # the 1.4 K sweep still covers |v| <= 8
    assert result.v_range == (-8.0, 8.0)


def test_deviation_range_shrinks_to_what_every_curve_covers():
    V, T, curve, G = sweeps(lambda v: v, 0.5, temperatures=np.array([0.5, 3.0]), V_max=1.0)
    result = collapse_deviation(V, T, G, curve)
    assert result.v_range[1] == pytest.approx(KELVIN_PER_MILLIVOLT / 3.0)


def test_deviation_needs_two_curves():
    V, T, curve, G = sweeps(lambda v: v, 0.5, temperatures=np.array([0.5]))
    with pytest.raises(ValueError, match="two curves"):
        collapse_deviation(V, T, G, curve)
