"""WAIC: hand-computed values on a tiny array, agreement with LOO, the p_waic_i > 0.4 flag."""

import math

import arviz_base as azb
import numpy as np
from conftest import conjugate_fit, simulate_curves

from bayes_zba.compare import point_loo, waic

TINY_LOG_LIK = np.array(
    [[[-1.0, -2.0], [-1.5, -0.5], [-1.2, -3.0]], [[-0.8, -1.0], [-1.1, -2.5], [-0.9, -0.7]]]
)


def _tiny_tree():
    return azb.from_dict(
        {"posterior": {"theta": np.zeros((2, 3))}, "log_likelihood": {"G_obs": TINY_LOG_LIK}},
        dims={"G_obs": ["point"]},
    )


def _hand_waic(values: list[float]) -> tuple[float, float]:
    """(lppd_i, p_waic_i) of one point from plain Python arithmetic."""
    n = len(values)
    lppd = math.log(sum(math.exp(v) for v in values) / n)
    mean = sum(values) / n
    return lppd, sum((v - mean) ** 2 for v in values) / (n - 1)


def test_waic_matches_hand_computation():
    per_point = [_hand_waic(list(TINY_LOG_LIK[..., i].ravel())) for i in range(2)]
    elpd_i = [lppd - p for lppd, p in per_point]
    mean = sum(elpd_i) / 2
    se = math.sqrt(2 * sum((e - mean) ** 2 for e in elpd_i) / 1)

    result = waic(_tiny_tree())

    assert math.isclose(result.elpd, sum(elpd_i), rel_tol=1e-12)
    assert math.isclose(result.p, sum(p for _, p in per_point), rel_tol=1e-12)
    assert math.isclose(result.se, se, rel_tol=1e-12)


def test_waic_flags_points_with_large_p_waic():
    summary = waic(_tiny_tree()).summary()
    # p_waic of point 1 is var(-2, -0.5, -3, -1, -2.5, -0.7) ≈ 0.99 > 0.4; point 0 ≈ 0.06.
    assert summary["n_high_p_waic"] == 1
    assert summary["warning"] is True


def test_waic_agrees_with_loo_within_se_on_well_behaved_data():
    fit = conjugate_fit(simulate_curves(seed=3, n_curves=10, n_per_curve=20), seed=4)
    by_waic, by_loo = waic(fit.tree), point_loo(fit.tree)
    assert abs(by_waic.elpd - by_loo.elpd) < by_loo.se
    assert abs(by_waic.p - by_loo.p) < 1.0
