"""Tests of the thermal (Fermi-window) quadrature and the log-normal expectations over log Δ.

Accuracy targets are those of physics.md §2 (32 nodes, <= 1e-6) and §3 (Gauss-Hermite over log Δ).
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.special import ndtr

from bayes_zba.physics.kernels import (
    HERMITE_NODES,
    THERMAL_NODES,
    fermi_window,
    fermi_window_slope,
    lognormal_expectation,
    lognormal_nodes,
    split_lognormal_expectation,
    thermal_average,
    thermal_nodes,
)
from bayes_zba.physics.tables import gamma_tilde

THERMAL_TOLERANCE = 1e-6  # physics.md §2


def fine_thermal_reference(g) -> float:
    """∫ dx [-f0'(x)] g(x) by the trapezoid rule with step 0.25 on |x| <= 40 (error < 1e-15
    for g analytic in |Im x| < π)."""
    x = np.arange(-40.0, 40.125, 0.25)
    return float(0.25 * fermi_window(x) @ g(x))


def test_node_counts_are_documented_constants():
    assert THERMAL_NODES == 32
    assert HERMITE_NODES >= 12
    assert len(thermal_nodes()[0]) == THERMAL_NODES
    assert len(lognormal_nodes()[0]) == HERMITE_NODES


def test_thermal_rule_is_symmetric_and_normalised():
    x, w = thermal_nodes()
    np.testing.assert_allclose(x, -x[::-1], atol=1e-12)
    np.testing.assert_allclose(w, w[::-1], rtol=1e-14)
    assert abs(w.sum() - 1.0) < 1e-14


@pytest.mark.parametrize(
    ("power", "moment"),
    [(2, np.pi**2 / 3), (4, 7 * np.pi**4 / 15), (6, 31 * np.pi**6 / 21)],
)
def test_thermal_moments(power, moment):
    x, w = thermal_nodes()
    assert abs(w @ x**power / moment - 1) <= THERMAL_TOLERANCE


@pytest.mark.parametrize("k", [0.3, 1.0])
def test_thermal_average_of_cosine_is_exact_fourier_transform(k):
    x, w = thermal_nodes()
    assert abs(w @ np.cos(k * x) / (np.pi * k / np.sinh(np.pi * k)) - 1) <= THERMAL_TOLERANCE


@pytest.mark.parametrize("shift", [0.0, 2.0, 5.0, 20.0])
def test_thermal_average_of_smoothed_square_root(shift):
    def g(x):
        return np.sqrt(np.hypot(x + shift, 3.0))

    x, w = thermal_nodes()
    assert abs(w @ g(x) / fine_thermal_reference(g) - 1) <= THERMAL_TOLERANCE


@pytest.mark.parametrize("shift", [0.0, 1.0, 3.0, 10.0])
def test_thermal_average_of_gamma_tilde(shift):
    def g(x):
        return gamma_tilde(x + shift)

    x, w = thermal_nodes()
    assert abs(w @ g(x) / fine_thermal_reference(g) - 1) <= THERMAL_TOLERANCE


def test_fermi_window_slope_matches_finite_difference():
    x = np.linspace(-30, 30, 61) + 0.1
    step = 1e-5
    numeric = (fermi_window(x + step) - fermi_window(x - step)) / (2 * step)
    np.testing.assert_allclose(fermi_window_slope(x), numeric, atol=1e-10)
    assert np.all(np.isfinite(fermi_window([-1e5, 1e5])))


def test_thermal_average_scales_with_temperature_and_broadcasts():
    T = np.array([[0.1, 1.0, 4.0], [2.0, 3.0, 5.0]])
    result = thermal_average(lambda omega: omega**2, T, np)
    assert result.shape == T.shape
    np.testing.assert_allclose(result, np.pi**2 * T**2 / 3, rtol=THERMAL_TOLERANCE)


def test_thermal_average_jax_matches_numpy():
    def g(backend):
        return lambda omega: backend.sqrt((omega + 2.5) ** 2 + 1.0)

    temperatures = np.array([0.05, 0.7, 3.0])
    compiled = jax.jit(lambda T: thermal_average(g(jnp), T, jnp))
    np.testing.assert_allclose(
        compiled(temperatures), thermal_average(g(np), temperatures, np), rtol=1e-12
    )


def test_rules_reject_too_few_nodes():
    with pytest.raises(ValueError, match="thermal"):
        thermal_nodes(1)
    with pytest.raises(ValueError, match="Hermite"):
        lognormal_nodes(0)


# k σ <= 1.5: the widest prior width s_Δ = 1.5 (physics.md §3) on E[Δ].
@pytest.mark.parametrize(
    ("power", "width"),
    [(1, 0.3), (1, 1.0), (1, 1.5), (2, 0.5), (2, 0.75), (3, 0.5), (4, 0.25), (-1, 1.5), (-2, 0.7)],
)
def test_lognormal_moments(power, width):
    log_median = 0.4
    exact = np.exp(power * log_median + (power * width) ** 2 / 2)
    estimate = lognormal_expectation(lambda delta: delta**power, log_median, width, np)
    assert abs(estimate / exact - 1) <= 1e-10


def test_lognormal_expectation_at_zero_width_is_the_median_value():
    estimate = lognormal_expectation(lambda delta: np.sqrt(delta) + delta**2, -0.7, 0.0, np)
    median = np.exp(-0.7)
    assert abs(estimate - (np.sqrt(median) + median**2)) < 1e-14


def test_lognormal_expectation_keeps_data_on_leading_axes():
    data = np.array([[1.0], [2.0], [3.0]])
    estimate = lognormal_expectation(lambda delta: data * delta, 0.0, 0.5, np)
    np.testing.assert_allclose(estimate, data[:, 0] * np.exp(0.125), rtol=1e-12)


def test_lognormal_expectation_jax_matches_numpy_with_finite_gradients():
    data = np.array([[0.5], [1.5]])

    def f(backend):
        return lambda delta: backend.arcsinh(data / delta)

    def expectation(log_median, width):
        return lognormal_expectation(f(jnp), log_median, width, jnp)

    gradient = jax.jit(jax.grad(lambda *args: expectation(*args).sum(), argnums=(0, 1)))
    for width_value in (0.0, 0.8, 1.5):
        np.testing.assert_allclose(
            expectation(-1.0, width_value),
            lognormal_expectation(f(np), -1.0, width_value, np),
            rtol=1e-12,
        )
        assert np.isfinite(gradient(-1.0, width_value)).all()


def fine_lognormal_reference(f, log_median: float, width: float) -> np.ndarray:
    """E[f(Δ)] by the trapezoid rule on z in [-9, 9] with 200,001 points (f bounded)."""
    z = np.linspace(-9.0, 9.0, 200_001)
    density = np.exp(-(z**2) / 2)
    return f(np.exp(log_median + width * z)) @ (density / density.sum())


@pytest.mark.parametrize("width", [0.3, 1.5, -0.8])
@pytest.mark.parametrize("log_break", [-3.0, -0.2, 0.0, 2.5, -690.0])
def test_split_expectation_of_a_step_at_the_break_is_exact(width, log_break):
    log_median = -0.2

    def below_break(delta):
        return (delta < np.exp(log_break)).astype(float)

    estimate = split_lognormal_expectation(below_break, log_median, width, log_break, np)
    exact = ndtr((log_break - log_median) / abs(width))
    assert estimate == pytest.approx(exact, abs=1e-14)


@pytest.mark.parametrize(
    ("width", "tolerance"), [(0.1, 2e-3), (0.3, 1e-4), (0.5, 1e-4), (1.0, 2e-4), (1.5, 5e-4)]
)
def test_split_expectation_of_a_smooth_step_at_the_break(width, tolerance):
    """A step of width 0.1 in Δ at Δ = 1, where log Δ ~ Normal(0.3, width), with 16 nodes.

    Gauss-Hermite with 16 nodes errs by 8e-3 to 8e-2 here for width >= 0.3 (7e-2 at 1.5);
    the split rule does not, but is the worse of the two when the step is as wide as the
    distribution (width 0.1: 1e-3, Gauss-Hermite 1e-7).
    """
    log_median, log_break = 0.3, 0.0

    def smooth_step(delta):
        return 0.5 * (1.0 - np.tanh((delta - 1.0) / 0.1))

    reference = fine_lognormal_reference(smooth_step, log_median, width)
    estimate = split_lognormal_expectation(smooth_step, log_median, width, log_break, np)
    assert estimate == pytest.approx(reference, abs=tolerance)


def test_split_expectation_at_zero_width_is_the_median_value():
    def f(delta):
        return np.sqrt(delta) / (1.0 + delta)

    for log_break in (-1.0, -0.7, 2.0):
        estimate = split_lognormal_expectation(f, -0.7, 0.0, log_break, np)
        assert estimate == pytest.approx(f(np.exp(-0.7)), rel=1e-14)


def test_split_expectation_jax_matches_numpy_with_finite_gradients():
    log_break = np.log(np.array([1e-300, 0.1, 0.37, 4.0]))
    data = np.array([[0.5], [1.5], [0.3], [2.0]])

    def f(backend):
        return lambda delta: backend.arcsinh(data / delta)

    def expectation(log_median, width):
        return split_lognormal_expectation(f(jnp), log_median, width, log_break, jnp)

    gradient = jax.jit(jax.grad(lambda *args: expectation(*args).sum(), argnums=(0, 1)))
    for width_value in (0.0, -0.4, 0.8, 1.5):
        expected = split_lognormal_expectation(f(np), -1.0, width_value, log_break, np)
        np.testing.assert_allclose(expectation(-1.0, width_value), expected, rtol=1e-12)
        assert np.isfinite(gradient(-1.0, width_value)).all()
