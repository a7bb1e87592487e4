"""Fits with exact answers for the comparison tests: conjugate normal models, no sampler.

Data y_cj = μ + c_c + ε_cj (curves c, points j), c_c ~ N(0, τ²), ε ~ N(0, σ²), μ ~ N(0, s0²)
with σ, τ known: μ's posterior, LOO and leave-one-curve-out predictives are all closed form.
"""

from dataclasses import dataclass, field

import arviz_base as azb
import numpy as np
import pytest
import xarray as xr
from scipy import stats

SIGMA, TAU, PRIOR_SD = 1.0, 0.5, 10.0


@dataclass(frozen=True)
class SamplerDiagnostics:
    """The fields of inference's Diagnostics that compare reads."""

    max_rhat: float = 1.001
    min_ess_bulk: float = 1500.0
    min_ess_tail: float = 1400.0
    n_divergent: int = 0
    bfmi: tuple[float, ...] = (1.0, 1.0)
    treedepth_hits: int = 0
    ok: bool = True
    warnings: tuple[str, ...] = ()
    restarts: tuple[str, ...] = ()


@dataclass(frozen=True)
class SyntheticFit:
    """A Fit-shaped record (tree, sample, provenance, diagnostics) built without sampling."""

    tree: xr.DataTree
    model: str
    sample: str = "s1"
    provenance: dict = field(default_factory=dict)
    diagnostics: SamplerDiagnostics = field(default_factory=SamplerDiagnostics)


@dataclass(frozen=True)
class CurveData:
    y: np.ndarray  # (curves, points per curve)
    labels: tuple[str, ...]

    @property
    def curve_means(self) -> np.ndarray:
        return self.y.mean(axis=1)


def simulate_curves(seed: int, n_curves: int = 8, n_per_curve: int = 6, mu: float = 1.0):
    rng = np.random.default_rng(seed)
    offsets = rng.normal(0.0, TAU, n_curves)
    y = mu + offsets[:, None] + rng.normal(0.0, SIGMA, (n_curves, n_per_curve))
    return CurveData(y=y, labels=tuple(f"c{i}" for i in range(n_curves)))


def mu_posterior(data: CurveData, keep: np.ndarray) -> tuple[float, float]:
    """Mean and variance of μ given the curves where `keep` is True (offsets integrated)."""
    n = data.y.shape[1]
    curve_var = TAU**2 + SIGMA**2 / n
    precision = 1.0 / PRIOR_SD**2 + keep.sum() / curve_var
    mean = (data.curve_means[keep].sum() / curve_var) / precision
    return mean, 1.0 / precision


def curve_cov(n: int, extra: float = 0.0) -> np.ndarray:
    return SIGMA**2 * np.eye(n) + (TAU**2 + extra) * np.ones((n, n))


def exact_loco_elpd(data: CurveData) -> np.ndarray:
    """Exact leave-one-curve-out log predictive density of every curve."""
    n_curves, n = data.y.shape
    elpd = np.empty(n_curves)
    for c in range(n_curves):
        keep = np.arange(n_curves) != c
        mean, var = mu_posterior(data, keep)
        elpd[c] = stats.multivariate_normal(np.full(n, mean), curve_cov(n, var)).logpdf(data.y[c])
    return elpd


def curve_log_lik(data: CurveData, mu_draws: np.ndarray, curves: np.ndarray) -> np.ndarray:
    """log p(y_c | μ) with the offset integrated out, shape mu_draws.shape + (len(curves),)."""
    n = data.y.shape[1]
    resid = data.y[curves][None, None] - mu_draws[..., None, None]
    log_lik = stats.multivariate_normal(np.zeros(n), curve_cov(n)).logpdf(resid)
    return log_lik.reshape(resid.shape[:-1])  # scipy squeezes length-1 axes


def posterior_draws(data: CurveData, keep: np.ndarray, seed: int, chains=4, draws=1000):
    mean, var = mu_posterior(data, keep)
    return np.random.default_rng(seed).normal(mean, np.sqrt(var), (chains, draws))


def conjugate_fit(data: CurveData, seed: int, model: str = "true", shift: float = 0.0):
    """A Fit-shaped tree of the conjugate model; `shift` moves μ's draws (a worse model)."""
    n_curves, n = data.y.shape
    all_curves = np.ones(n_curves, bool)
    mu = posterior_draws(data, all_curves, seed) + shift
    offsets = _offset_draws(data, mu, seed + 1)
    point_mean = (mu[..., None] + offsets)[..., np.repeat(np.arange(n_curves), n)]
    g_obs = stats.norm(point_mean, SIGMA).logpdf(data.y.ravel())
    tree = azb.from_dict(
        {
            "posterior": {"mu": mu, "curve_offset": offsets},
            "log_likelihood": {
                "G_obs": g_obs,
                "G_curve": curve_log_lik(data, mu, np.arange(n_curves)),
            },
            "observed_data": {"G_obs": data.y.ravel()},
            "constant_data": {"curve_index": np.repeat(np.arange(n_curves), n)},
        },
        dims={
            "curve_offset": ["curve"],
            "G_obs": ["point"],
            "G_curve": ["curve"],
            "curve_index": ["point"],
        },
        coords={"curve": list(data.labels)},
    )
    return SyntheticFit(tree=tree, model=model, provenance={"model": model, "seed": seed})


def _offset_draws(data: CurveData, mu: np.ndarray, seed: int) -> np.ndarray:
    """Draws of c_c | μ, y_c (conjugate normal)."""
    n = data.y.shape[1]
    precision = 1.0 / TAU**2 + n / SIGMA**2
    mean = (n / SIGMA**2) * (data.curve_means - mu[..., None]) / precision
    rng = np.random.default_rng(seed)
    return mean + rng.normal(0.0, 1.0 / np.sqrt(precision), mean.shape)


def exact_refit(data: CurveData, seed: int, shift: float = 0.0):
    """refit(labels) of the conjugate model: exact posterior draws without those curves."""

    def refit(labels):
        held_out = np.array([data.labels.index(label) for label in labels])
        keep = ~np.isin(np.arange(len(data.labels)), held_out)
        mu = posterior_draws(data, keep, seed) + shift
        return xr.DataArray(
            curve_log_lik(data, mu, held_out),
            dims=("chain", "draw", "curve"),
            coords={"curve": list(labels)},
        )

    return refit


@pytest.fixture
def curve_data() -> CurveData:
    return simulate_curves(seed=11)
