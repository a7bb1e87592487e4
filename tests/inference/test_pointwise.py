"""Curve-marginal likelihood: analytic Normal form vs brute-force MVN, Student-t vs quadrature."""

import numpy as np
import pytest
from scipy import integrate, stats

from bayes_zba.inference.pointwise import Residuals, curve_log_likelihood, pointwise_log_likelihood


def _random_residuals(seed: int, nu: bool) -> Residuals:
    rng = np.random.default_rng(seed)
    n_samples, n_curves = 3, 4
    curve_index = np.repeat(np.arange(n_curves), rng.integers(2, 7, n_curves))
    n_points = curve_index.size
    return Residuals(
        r=rng.normal(0, 0.5, (n_samples, n_points)),
        s=rng.uniform(0.1, 0.6, (n_samples, n_points)),
        curve_index=curve_index,
        n_curves=n_curves,
        tau=rng.uniform(0.05, 2.0, n_samples),
        nu=rng.uniform(1.5, 30.0, n_samples) if nu else None,
    )


@pytest.mark.parametrize("seed", range(5))
def test_normal_curve_marginal_equals_multivariate_normal(seed):
    res = _random_residuals(seed, nu=False)
    result = curve_log_likelihood(res)
    for sample in range(res.r.shape[0]):
        for curve in range(res.n_curves):
            on_curve = res.curve_index == curve
            n = on_curve.sum()
            cov = np.diag(res.s[sample, on_curve] ** 2) + res.tau[sample] ** 2 * np.ones((n, n))
            expected = stats.multivariate_normal(np.zeros(n), cov).logpdf(res.r[sample, on_curve])
            assert result[sample, curve] == pytest.approx(expected, rel=1e-10, abs=1e-10)


@pytest.mark.parametrize("seed", range(3))
def test_student_curve_marginal_matches_numerical_integral(seed):
    res = _random_residuals(seed, nu=True)
    result = curve_log_likelihood(res)
    for sample in range(res.r.shape[0]):
        nu, tau = res.nu[sample], res.tau[sample]
        for curve in range(res.n_curves):
            on_curve = res.curve_index == curve
            r, s = res.r[sample, on_curve], res.s[sample, on_curve]

            def integrand(c, r=r, s=s, nu=nu, tau=tau):
                log_t = stats.t.logpdf(r - c, nu, scale=s).sum()
                return np.exp(log_t + stats.norm.logpdf(c, scale=tau))

            value, _ = integrate.quad(integrand, -np.inf, np.inf, limit=400, epsabs=0, epsrel=1e-11)
            assert result[sample, curve] == pytest.approx(np.log(value), abs=1e-6)


def test_without_drift_the_marginal_is_the_sum_of_pointwise_terms():
    for nu in (False, True):
        res = _random_residuals(7, nu=nu)
        res = Residuals(res.r, res.s, res.curve_index, res.n_curves, np.zeros(3), res.nu)
        pointwise = pointwise_log_likelihood(res.r, res.s, res.nu)
        np.testing.assert_allclose(curve_log_likelihood(res), res.curve_sum(pointwise), rtol=1e-12)


def test_pointwise_terms_match_scipy():
    res = _random_residuals(3, nu=True)
    expected_t = stats.t.logpdf(res.r, res.nu[:, None], scale=res.s)
    np.testing.assert_allclose(pointwise_log_likelihood(res.r, res.s, res.nu), expected_t)
    expected_normal = stats.norm.logpdf(res.r, scale=res.s)
    np.testing.assert_allclose(pointwise_log_likelihood(res.r, res.s, None), expected_normal)
