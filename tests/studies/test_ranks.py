"""Tests of SBC rank statistics: thinning, ranks, uniformity tests and the ECDF band.

Calibrated and miscalibrated toy posteriors (exact conjugate normal model) must be told apart.
"""

import numpy as np
import pytest
from scipy import stats

from bayes_zba.studies.ranks import (
    PASS_P_VALUE,
    RANK_DRAWS_TARGET,
    chi_square_bins,
    ecdf_difference_band,
    fractional_ranks,
    outside_draws,
    poisson_binomial_tail,
    rank_of_truth,
    thinning_indices,
    uniformity,
)


def conjugate_normal_ranks(n_replications: int, width_factor: float, seed: int) -> np.ndarray:
    """Fractional ranks for θ ~ N(0,1), y ~ N(θ,1); posterior N(y/2, 1/2) scaled in width."""
    ranks, n_draws = conjugate_normal_integer_ranks(n_replications, width_factor, seed)
    return fractional_ranks(ranks, n_draws, np.random.default_rng(seed))


def conjugate_normal_integer_ranks(
    n_replications: int, width_factor: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Ranks of θ among RANK_DRAWS_TARGET draws of the (width-scaled) posterior, and L."""
    rng = np.random.default_rng(seed)
    ranks, n_draws = [], []
    for _ in range(n_replications):
        theta = rng.normal()
        y = rng.normal(theta, 1.0)
        draws = rng.normal(y / 2, np.sqrt(0.5) * width_factor, size=RANK_DRAWS_TARGET)
        ranks.append(rank_of_truth(draws, theta, rng))
        n_draws.append(draws.size)
    return np.array(ranks), np.array(n_draws)


def test_thinning_keeps_about_one_draw_per_effective_sample():
    assert thinning_indices(4000, ess=2500.0).size == RANK_DRAWS_TARGET
    kept = thinning_indices(4000, ess=37.6)
    assert kept.size == 37
    assert kept[0] == 0 and kept[-1] == 3999
    assert np.all(np.diff(kept) > 0)
    assert thinning_indices(50, ess=80.0).size == 50


def test_rank_counts_draws_below_truth_and_breaks_ties_at_random():
    rng = np.random.default_rng(0)
    draws = np.array([1.0, 2.0, 3.0, 4.0])
    assert rank_of_truth(draws, 0.5, rng) == 0
    assert rank_of_truth(draws, 9.0, rng) == 4
    assert rank_of_truth(draws, 2.5, rng) == 2
    tied = {rank_of_truth(np.zeros(4), 0.0, rng) for _ in range(200)}
    assert tied == {0, 1, 2, 3, 4}


def test_fractional_ranks_lie_in_the_open_unit_interval():
    rng = np.random.default_rng(1)
    u = fractional_ranks(np.array([0, 10, 99]), np.array([99, 10, 99]), rng)
    assert np.all((u > 0) & (u < 1))
    assert u[1] > 10 / 11


@pytest.mark.parametrize(("n", "bins"), [(20, 4), (200, 20), (1000, 20), (3, 2)])
def test_chi_square_bins_expect_five_replications_each(n, bins):
    assert chi_square_bins(n) == bins


def test_calibrated_posterior_passes():
    result = uniformity(conjugate_normal_ranks(400, width_factor=1.0, seed=11), seed=5)
    assert result.passed and result.p_value >= PASS_P_VALUE
    assert result.ecdf_in_band
    assert result.n_bins == 20
    assert abs(result.mean_rank - 0.5) < 0.05 and abs(result.rank_spread - 1.0) < 0.15


@pytest.mark.parametrize(("width_factor", "too_narrow"), [(0.5, True), (2.0, False)])
def test_over_and_under_confident_posteriors_fail(width_factor, too_narrow):
    result = uniformity(conjugate_normal_ranks(400, width_factor, seed=11), seed=5)
    assert not result.passed
    assert not result.ecdf_in_band
    assert result.as_dict()["pass"] is False
    assert (result.rank_spread > 1.2) if too_narrow else (result.rank_spread < 0.8)


def test_ecdf_band_is_centred_and_brackets_zero():
    band = ecdf_difference_band(np.linspace(0.005, 0.995, 100), seed=3)
    assert band.x[0] == 0.0 and band.x[-1] == 1.0
    assert np.all(band.lower <= 0.0) and np.all(band.upper >= 0.0)
    assert band.contains_ecdf()


def test_poisson_binomial_tail_is_the_binomial_tail_for_equal_probabilities():
    probabilities = np.full(60, 2.0 / 101.0)
    for count in (0, 1, 3, 8):
        expected = stats.binom.sf(count - 1, 60, 2.0 / 101.0)
        assert poisson_binomial_tail(probabilities, count) == pytest.approx(expected, rel=1e-9)
    assert poisson_binomial_tail(np.array([1.0, 0.5]), 1) == pytest.approx(1.0)
    assert poisson_binomial_tail(np.array([1.0, 0.5]), 2) == pytest.approx(0.5)


def test_outside_counts_each_end_against_its_own_number_of_draws():
    outside = outside_draws(np.array([0, 100, 50, 9, 0, 1]), np.array([100, 100, 100, 9, 1, 1]))
    assert (outside.below, outside.above) == (2, 3)
    assert outside.expected == pytest.approx(3 / 101 + 1 / 10 + 2 / 2)
    assert outside.as_dict()["p_value"] == outside.p_value


def test_outside_count_tells_a_too_narrow_posterior_from_a_calibrated_one():
    calibrated = outside_draws(*conjugate_normal_integer_ranks(400, width_factor=1.0, seed=11))
    narrow = outside_draws(*conjugate_normal_integer_ranks(400, width_factor=0.7, seed=11))
    assert calibrated.expected == pytest.approx(400 / 101)
    assert calibrated.p_value > 0.05
    assert narrow.below + narrow.above > 3 * (calibrated.below + calibrated.above + 1)
    assert narrow.p_value < 1e-6
