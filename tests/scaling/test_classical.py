"""Classical scaling analysis (paper I §VI.B): α*, B_Σ, F0, F1, Γ1 on data that scale exactly.

Truths come from the generating Ansatz: B_Σ, α and the (I-27) window line of Γ_a(A v) - 1.
"""

import numpy as np
import pytest
from scaling_data import SAMPLE_ONE, scaling_dataset, window_truth

from bayes_zba.scaling.classical import (
    ScalingOptions,
    Spread,
    bootstrap_alpha,
    classical_scaling,
    ratio,
    window_line,
    zero_bias_line,
)
from bayes_zba.scaling.sweeps import sample_sweeps

FAST = ScalingOptions(bootstrap=5)


@pytest.fixture(scope="module")
def exact():
    """Noise- and drift-free sample-1 data and their classical analysis."""
    sweeps = sample_sweeps(scaling_dataset())
    return sweeps, classical_scaling(sweeps, FAST)


def test_alpha_star_of_exact_scaling_is_the_generating_exponent(exact):
    _, result = exact
    assert result.alpha_star == pytest.approx(0.5, abs=2e-3)
    assert not result.alpha_at_edge
    assert np.argmin(result.D_alpha) == np.argmin(np.abs(result.alpha_grid - 0.5))


@pytest.mark.parametrize("alpha", [0.3, 0.7])
def test_alpha_star_follows_other_exponents(alpha):
    sweeps = sample_sweeps(scaling_dataset(alpha=alpha))
    assert classical_scaling(sweeps, FAST).alpha_star == pytest.approx(alpha, abs=2e-3)


def test_table_one_numbers_of_exact_scaling_match_the_window_truth(exact):
    _, result = exact
    slope, gamma1 = window_truth()
    B = SAMPLE_ONE["B_sigma"]
    assert result.B_sigma.value == pytest.approx(B, rel=1e-6)
    assert result.F0.value == pytest.approx(B * slope, rel=0.01)
    assert result.F1.value == pytest.approx(B * gamma1, rel=0.01)
    assert result.Gamma1.value == pytest.approx(gamma1, abs=0.01)
    assert result.F0.spread < 0.02 * result.F0.value  # the same line at every temperature


def test_drift_between_curves_leaves_the_collapse_and_the_window_lines_unchanged(exact):
    _, clean = exact
    drifting = classical_scaling(sample_sweeps(scaling_dataset(drift=0.943, seed=3)), FAST)
    assert drifting.alpha_star == pytest.approx(clean.alpha_star, abs=1e-6)
    assert drifting.F0.value == pytest.approx(clean.F0.value, rel=1e-9)
    assert drifting.F1.value == pytest.approx(clean.F1.value, rel=1e-9)
    assert drifting.B_sigma.value != pytest.approx(clean.B_sigma.value, rel=1e-3)
    assert drifting.B_sigma.spread > 0.05


def test_default_regime_is_the_collapse_curves_and_t_max_widens_it(exact):
    sweeps, result = exact
    assert result.collapse_temperatures == pytest.approx((0.1, 0.2, 0.3, 0.4, 0.6))
    assert result.regime_temperatures == result.collapse_temperatures
    wide = classical_scaling(sweeps, ScalingOptions(bootstrap=0, t_max_K=1.4))
    assert wide.regime_temperatures == pytest.approx((0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0, 1.4))


def test_t_min_leaves_out_the_coldest_curves(exact):
    sweeps, _ = exact
    result = classical_scaling(sweeps, ScalingOptions(bootstrap=0, t_min_K=0.3))
    assert result.collapse_temperatures == pytest.approx((0.3, 0.4, 0.6, 0.8, 1.0))
    assert result.alpha_star == pytest.approx(0.5, abs=2e-3)


def test_window_lines_skip_curves_with_too_few_points_in_the_window(exact):
    _, result = exact
    # at 0.1 K the window v^1/2 in [2, 3] holds two biases of the 151-point sweep per sign
    assert [line.T_K for line in result.lines] == pytest.approx([0.2, 0.3, 0.4, 0.6])


def test_bootstrap_error_is_seeded_and_reflects_the_noise():
    sweeps = sample_sweeps(scaling_dataset(noise=0.07, seed=1))
    first = bootstrap_alpha(sweeps, 0.5, 0.07, n_lowest=5, v_max=8.0, replicates=8, seed=4)
    again = bootstrap_alpha(sweeps, 0.5, 0.07, n_lowest=5, v_max=8.0, replicates=8, seed=4)
    quieter = bootstrap_alpha(sweeps, 0.5, 0.007, n_lowest=5, v_max=8.0, replicates=8, seed=4)
    np.testing.assert_array_equal(first, again)
    assert np.std(quieter) < 0.3 * np.std(first)


def test_noise_floor_matches_the_deviation_of_noisy_exact_scaling():
    result = classical_scaling(sample_sweeps(scaling_dataset(noise=0.07, seed=2)), FAST)
    assert result.noise_sigma == pytest.approx(0.07, rel=0.15)
    assert 0.5 < result.noise_ratio < 2.0


def test_window_line_recovers_a_line_and_keeps_leading_axes():
    x = np.linspace(0.0, 5.0, 51)
    y = np.stack([3.0 * x - 2.0, -x + 0.5 + 10.0 * (x > 3.0)])
    slope, intercept = window_line(x, y, (2.0, 3.0))
    np.testing.assert_allclose(slope, [3.0, -1.0])
    np.testing.assert_allclose(intercept, [-2.0, 0.5])


def test_zero_bias_line_gives_the_slope_and_its_standard_error():
    T = np.array([0.1, 0.4, 0.9, 1.6, 2.5])
    exact_G00, exact_B = zero_bias_line(T, 100.0 + 4.0 * np.sqrt(T), 0.5)
    assert (exact_G00, exact_B.value, exact_B.spread) == pytest.approx((100.0, 4.0, 0.0))
    bumped = 100.0 + 4.0 * np.sqrt(T) + np.array([0.1, -0.1, 0.0, 0.1, -0.1])
    _, B = zero_bias_line(T, bumped, 0.5)
    x = np.sqrt(T)
    residual = bumped - np.polyval(np.polyfit(x, bumped, 1), x)
    expected = np.sqrt(residual @ residual / 3 / np.sum((x - x.mean()) ** 2))
    assert B.spread == pytest.approx(expected)


def test_ratio_adds_relative_spreads_in_quadrature():
    result = ratio(Spread(-6.0, 0.6), Spread(8.0, 0.6))
    assert result.value == pytest.approx(-0.75)
    assert result.spread == pytest.approx(0.75 * np.hypot(0.1, 0.075))
