"""The spline F(w) of the Bayesian scaling model: constraints at 0, straight tail, backends.

Random free coefficients must keep F'(0) = F''(0) = 0 and a C² join to the straight tail.
"""

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest

from bayes_zba.physics.tables import gamma_geometry
from bayes_zba.scaling.spline import ScalingSpline, spline_for_range

SPLINE = spline_for_range(4.0)
STEP = 1e-4


def random_coefficients(seed: int, draws: int = 6) -> np.ndarray:
    """Coefficients with F(0) = 1 and free ones scattered around a rising line."""
    rng = np.random.default_rng(seed)
    free = 1.0 + 0.3 * np.arange(2, SPLINE.n_intervals + 1) * rng.uniform(0.5, 2.0, (draws, 1))
    return SPLINE.coefficients(np.ones(draws), free + rng.normal(0.0, 0.2, free.shape), np)


def derivatives(w: float, coefficients: np.ndarray) -> tuple[np.ndarray, ...]:
    """F, F' and F'' at w by central differences."""
    F = [SPLINE.evaluate(np.array([w + k * STEP]), coefficients, np)[..., 0] for k in (-1, 0, 1)]
    return F[1], (F[2] - F[0]) / (2 * STEP), (F[2] - 2 * F[1] + F[0]) / STEP**2


def test_knots_cover_the_range_with_the_default_spacing():
    assert (SPLINE.n_intervals, SPLINE.w_end) == (8, 4.0)
    assert spline_for_range(4.2).w_end == 4.5
    assert spline_for_range(0.1).n_intervals == 2


def test_F_is_one_and_flat_to_second_order_at_zero():
    coefficients = random_coefficients(1)
    F = SPLINE.evaluate(np.array([0.0]), coefficients, np)[..., 0]
    np.testing.assert_allclose(F, 1.0, atol=1e-14)
    _, slope, curvature = derivatives(STEP, coefficients)  # one-sided region is w >= 0
    np.testing.assert_allclose(slope, 0.0, atol=1e-6)
    np.testing.assert_allclose(curvature, 0.0, atol=1e-3)


def test_tail_is_the_straight_continuation_of_the_spline():
    coefficients = random_coefficients(2)
    *_, curvature = derivatives(SPLINE.w_end - 10 * STEP, coefficients)
    np.testing.assert_allclose(curvature, 0.0, atol=5e-3)  # natural end: F''(w_end) = 0
    far = SPLINE.evaluate(np.array([SPLINE.w_end + 3.0]), coefficients, np)[..., 0]
    end, end_slope, _ = derivatives(SPLINE.w_end, coefficients)
    np.testing.assert_allclose(far, end + 3.0 * end_slope, rtol=1e-6)


def test_leading_axes_broadcast_against_points():
    coefficients = random_coefficients(3, draws=4)
    w = np.linspace(0.0, 6.0, 9)
    table = SPLINE.evaluate(w, coefficients, np)
    assert table.shape == (4, 9)
    np.testing.assert_allclose(table[2], SPLINE.evaluate(w, coefficients[2], np))
    per_row = SPLINE.evaluate(np.stack([w, 2 * w]), coefficients[:2, None, :], np)
    np.testing.assert_allclose(per_row[1, 1], SPLINE.evaluate(2 * w, coefficients[1], np))


def test_pytensor_agrees_with_numpy_and_has_finite_gradients_at_zero():
    at_zero, free, w = pt.scalar("at_zero"), pt.vector("free"), pt.vector("w")
    F = SPLINE.evaluate(w, SPLINE.coefficients(at_zero, free, pt), pt)
    outputs = [F, *pytensor.grad(F.sum(), [at_zero, free, w])]
    evaluate = pytensor.function([at_zero, free, w], outputs, mode="FAST_COMPILE")  # no JIT
    rng = np.random.default_rng(4)
    c, points = rng.normal(2.0, 0.5, SPLINE.n_free), np.array([0.0, 0.7, 2.5, 4.0, 9.0])
    value, *gradients = evaluate(1.5, c, points)
    expected = SPLINE.evaluate(points, SPLINE.coefficients(1.5, c, np), np)
    np.testing.assert_allclose(value, expected, rtol=1e-12)
    assert all(np.all(np.isfinite(g)) for g in gradients)


@pytest.mark.parametrize(("A", "a_geom"), [((4.2 / 7.8) ** 2, 0.8), (1.0, 0.0), (0.05, 1.0)])
def test_the_spline_represents_the_2ck_scaling_function(A, a_geom):
    """Least squares over the free coefficients: Γ_a(A w²) - 1 to 0.2 % of its range."""
    w = np.linspace(0.0, SPLINE.w_end, 400)
    target = gamma_geometry(A * w**2, a_geom, np) - 1.0
    columns = np.stack(
        [SPLINE.evaluate(w, SPLINE.coefficients(0.0, e, np), np) for e in np.eye(SPLINE.n_free)],
        axis=1,
    )
    fitted = columns @ np.linalg.lstsq(columns, target, rcond=None)[0]
    assert np.max(np.abs(fitted - target)) < 2e-3 * np.ptp(target)


def test_coefficients_start_with_the_value_at_zero_and_end_naturally():
    c = SPLINE.coefficients(np.float64(2.5), np.array([2.6, 2.4, 3.3, 3.0, 3.1, 3.2, 2.9]), np)
    assert isinstance(SPLINE, ScalingSpline)
    np.testing.assert_allclose(c[:3], 2.5)
    assert c.size == SPLINE.n_intervals + 3
    assert c[-1] == pytest.approx(2 * c[-2] - c[-3])
