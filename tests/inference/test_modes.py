"""Scouting by climbing (inference.modes): modes and their Laplace covariance, which modes the
chains start at, and starts drawn inside each mode's typical set."""

import numpy as np
import pytest

from bayes_zba.inference.modes import (
    Mode,
    chosen_modes,
    climb,
    climb_all,
    laplace_covariance,
    laplace_draw,
    stranded_modes,
)
from bayes_zba.inference.restarts import STRANDED_LP_GAP

COVARIANCE = np.array([[2.0, 0.6], [0.6, 0.5]])
CENTRE = np.array([1.0, -2.0])


def gaussian(point):
    precision = np.linalg.inv(COVARIANCE)
    offset = point - CENTRE
    return -0.5 * float(offset @ precision @ offset), -precision @ offset


def test_a_climb_reaches_the_mode_and_its_laplace_covariance():
    mode = climb(gaussian, np.array([30.0, 40.0]))
    np.testing.assert_allclose(mode.point, CENTRE, atol=1e-5)
    np.testing.assert_allclose(mode.covariance, COVARIANCE, rtol=1e-5)
    assert mode.log_density == pytest.approx(0.0, abs=1e-9) and 0 < mode.evaluations < 100
    np.testing.assert_allclose(mode.scale(), np.sqrt(np.diag(COVARIANCE)))


def test_no_covariance_where_the_density_is_not_a_maximum():
    saddle = lambda x: (float(x[0] ** 2 - x[1] ** 2), np.array([2 * x[0], -2 * x[1]]))  # noqa: E731
    assert laplace_covariance(saddle, np.zeros(2)) is None
    mode = Mode(np.array([1.0, 2.0]), -3.0, None, 5)
    np.testing.assert_array_equal(mode.scale(), [1.0, 1.0])
    jittered = laplace_draw(mode, np.random.default_rng(0))
    assert 0 < np.abs(jittered - mode.point).max() < 1.0


def test_a_climb_that_meets_non_finite_density_stays_finite():
    def cliff(point):
        if point[0] > 2.0:
            return np.nan, np.full(1, np.nan)
        return -float((point[0] - 5.0) ** 2), np.array([-2.0 * (point[0] - 5.0)])

    mode = climb(cliff, np.array([0.0]))
    assert np.isfinite(mode.log_density) and mode.point[0] <= 2.0


def test_climbs_on_threads_give_the_climbs_one_by_one():
    starts = np.array([[5.0, 5.0], [-3.0, 8.0], [0.0, 0.0]])
    threaded = climb_all(gaussian, starts, workers=2)
    single = [climb(gaussian, start) for start in starts]
    for a, b in zip(threaded, single, strict=True):
        np.testing.assert_array_equal(a.point, b.point)


def modes_at(heights, places, scale=1.0):
    return [
        Mode(np.array([x, 0.0]), h, np.eye(2) * scale**2, 10)
        for h, x in zip(heights, places, strict=True)
    ]


def test_the_highest_mode_then_the_farthest_get_chains_and_stranded_ones_none():
    heights = [-163.0, -140.0, -140.0 - STRANDED_LP_GAP - 1, -162.0, -141.0, -164.0]
    modes = modes_at(heights, [0.0, 1.0, 20.0, 3.0, 4.0, 7.0])
    assert stranded_modes(modes) == [2]
    chosen = chosen_modes(modes, 4)
    assert chosen[0] == 1 and 2 not in chosen
    assert chosen[:3] == [1, 5, 4]  # x = 7 is farthest from 1, then x = 4 (3 from both)


def test_a_mode_off_on_its_own_gets_a_chain_at_the_crowds_height():
    """2ck SBC data set 2: a basin of its own at the crowd's height, third by rank."""
    heights = [-529.0, -530.0, -531.0, -532.0, -532.0, -535.0]
    chosen = chosen_modes(modes_at(heights, [0.0, 0.1, 9.0, 0.2, 0.3, 0.1]), 4)
    assert chosen[:2] == [0, 2]


def test_distances_are_in_posterior_sd_of_the_highest_mode():
    """Two coordinates: x in units of sd 10, y of sd 0.1; the mode far in y is the farther."""
    modes = [
        Mode(np.array([0.0, 0.0]), 0.0, np.diag([100.0, 0.01]), 1),
        Mode(np.array([5.0, 0.0]), -1.0, None, 1),
        Mode(np.array([0.0, 0.5]), -1.0, None, 1),
    ]
    assert chosen_modes(modes, 2) == [0, 2]


def test_fewer_usable_modes_than_chains_are_shared():
    assert chosen_modes(modes_at([0.0, -100.0, -100.0], [0, 1, 2]), 4) == [0, 0, 0, 0]
    assert chosen_modes(modes_at([0.0, -1.0, -100.0], [0, 1, 2]), 4) == [0, 1, 0, 1]


def test_starts_are_draws_from_the_laplace_approximation():
    mode = Mode(CENTRE, 0.0, COVARIANCE, 1)
    rng = np.random.default_rng(3)
    draws = np.stack([laplace_draw(mode, rng) for _ in range(4000)])
    np.testing.assert_allclose(draws.mean(axis=0), CENTRE, atol=0.1)
    np.testing.assert_allclose(np.cov(draws, rowvar=False), COVARIANCE, atol=0.1)
