"""PSIS-LOO over points: agreement with exact LOO, high-k̂ points reported with their curve."""

import arviz_base as azb
import numpy as np
import pytest
from scipy import stats

from bayes_zba.compare import point_loo, waic


def _normal_mean_tree(y: np.ndarray, seed: int, sigma: float = 1.0, prior_sd: float = 10.0):
    """Exact posterior draws of μ in y_i ~ N(μ, σ²), μ ~ N(0, prior_sd²); 3 points per curve."""
    precision = 1 / prior_sd**2 + y.size / sigma**2
    mean = y.sum() / sigma**2 / precision
    mu = np.random.default_rng(seed).normal(mean, precision**-0.5, (4, 1000))
    curve_index = np.arange(y.size) // 3
    return azb.from_dict(
        {
            "posterior": {"mu": mu, "curve_offset": np.zeros((4, 1000, curve_index.max() + 1))},
            "log_likelihood": {"G_obs": stats.norm(mu[..., None], sigma).logpdf(y)},
            "observed_data": {"G_obs": y},
            "constant_data": {"curve_index": curve_index},
        },
        dims={"G_obs": ["point"], "curve_index": ["point"], "curve_offset": ["curve"]},
        coords={"curve": [f"T={t}K" for t in range(curve_index.max() + 1)]},
    )


def _exact_loo(y: np.ndarray, sigma: float = 1.0, prior_sd: float = 10.0) -> np.ndarray:
    elpd = np.empty(y.size)
    for i in range(y.size):
        rest = np.delete(y, i)
        precision = 1 / prior_sd**2 + rest.size / sigma**2
        mean = rest.sum() / sigma**2 / precision
        elpd[i] = stats.norm(mean, np.sqrt(sigma**2 + 1 / precision)).logpdf(y[i])
    return elpd


def test_psis_loo_matches_exact_loo_of_a_conjugate_model():
    y = np.random.default_rng(0).normal(2.0, 1.0, 30)
    estimate = point_loo(_normal_mean_tree(y, seed=1))
    exact = _exact_loo(y)
    assert np.max(np.abs(estimate.elpd_i.values - exact)) < 0.01
    assert abs(estimate.elpd - exact.sum()) < 0.05
    assert estimate.unresolved_high_k() == []


def test_high_k_points_are_reported_with_index_and_curve():
    y = np.random.default_rng(0).normal(0.0, 1.0, 12)
    y[7] = 40.0  # one wild spike: its LOO posterior differs wildly from the full one
    estimate = point_loo(_normal_mean_tree(y, seed=2))
    summary = estimate.summary()
    assert summary["n_high_k"] >= 1
    worst = summary["unresolved_high_k"][0]
    assert worst["index"] == 7
    assert worst["curve"] == "T=2K"
    assert worst["k"] > summary["good_k"]
    assert estimate.to_elpd_data().warning is True


@pytest.mark.slow
def test_psis_loo_of_a_sampled_pymc_model_matches_exact_loo():
    """A real PyMC posterior (NUTS draws, compute_log_likelihood) of y_i ~ N(μ, 1)."""
    pm = pytest.importorskip("pymc")
    y = np.random.default_rng(5).normal(2.0, 1.0, 30)
    with pm.Model(coords={"point": np.arange(y.size)}):
        mu = pm.Normal("mu", 0.0, 10.0)
        pm.Normal("G_obs", mu, 1.0, observed=y, dims="point")
        tree = pm.sample(
            draws=1000,
            tune=500,
            chains=2,
            random_seed=6,
            progressbar=False,
            compute_convergence_checks=False,
        )
        pm.compute_log_likelihood(tree, progressbar=False)
    estimate = point_loo(tree)
    exact = _exact_loo(y)
    assert abs(estimate.elpd - exact.sum()) < 0.1
    assert abs(waic(tree).elpd - estimate.elpd) < estimate.se
