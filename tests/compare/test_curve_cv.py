"""Leave-one-curve-out CV: PSIS on G_curve vs the exact answer, and exact refits of high k̂."""

import numpy as np
import pytest
from conftest import CurveData, conjugate_fit, exact_loco_elpd, exact_refit, simulate_curves
from scipy.special import logsumexp

from bayes_zba.compare import curve_cv, curve_psis
from bayes_zba.compare.curve_cv import with_exact_curves


def _influential_curves() -> CurveData:
    """Three curves, one shifted by 2: PSIS k̂ exceeds 0.7 on two of them (seeded)."""
    data = simulate_curves(seed=11, n_curves=3)
    y = data.y.copy()
    y[1] += 2.0
    return CurveData(y=y, labels=data.labels)


def _recording(refit):
    calls = []

    def wrapped(labels):
        calls.append(list(labels))
        return refit(labels)

    return wrapped, calls


def test_curve_psis_matches_exact_leave_one_curve_out(curve_data):
    estimate = curve_psis(conjugate_fit(curve_data, seed=1).tree)
    assert estimate.unit_dim == "curve"
    assert estimate.unresolved_high_k() == []
    assert np.max(np.abs(estimate.elpd_i.values - exact_loco_elpd(curve_data))) < 0.02


def test_high_k_curves_are_refit_one_at_a_time_and_become_exact():
    data = _influential_curves()
    fit = conjugate_fit(data, seed=1)
    high_k = curve_psis(fit.tree).unresolved_high_k()
    assert len(high_k) == 2
    refit, calls = _recording(exact_refit(data, seed=7))

    estimate = curve_cv(fit.tree, refit=refit)

    assert calls == [[label] for label in high_k]
    assert set(estimate.refit) == set(high_k)
    assert estimate.unresolved_high_k() == []
    assert estimate.summary()["refit"] == list(high_k)
    assert np.max(np.abs(estimate.elpd_i.values - exact_loco_elpd(data))) < 0.1


def test_refits_stop_at_max_refits_and_the_rest_stay_reported():
    data = _influential_curves()
    fit = conjugate_fit(data, seed=1)
    worst, second = curve_psis(fit.tree).unresolved_high_k()

    estimate = curve_cv(fit.tree, refit=exact_refit(data, seed=7), max_refits=1)

    assert estimate.refit == (worst,)
    assert estimate.unresolved_high_k() == [second]
    assert [u["curve"] for u in estimate.summary()["unresolved_high_k"]] == [second]


def test_exact_value_is_log_mean_exp_of_the_heldout_likelihood(curve_data):
    estimate = curve_psis(conjugate_fit(curve_data, seed=1).tree)
    heldout = exact_refit(curve_data, seed=3)(["c2"])
    updated = with_exact_curves(estimate, heldout)
    expected = logsumexp(heldout.values) - np.log(heldout.size)
    assert updated.elpd_i.sel(curve="c2").item() == pytest.approx(expected, rel=1e-12)
    others = [c for c in curve_data.labels if c != "c2"]
    assert np.array_equal(updated.elpd_i.sel(curve=others), estimate.elpd_i.sel(curve=others))
    assert updated.p == pytest.approx(estimate.p + estimate.elpd_i.sel(curve="c2") - expected)


def test_refit_returning_another_curve_is_an_error():
    data = _influential_curves()
    fit = conjugate_fit(data, seed=1)
    wrong = exact_refit(data, seed=7)

    with pytest.raises(ValueError, match="returned curves"):
        curve_cv(fit.tree, refit=lambda labels: wrong(["c2"] if labels != ["c2"] else ["c0"]))


def test_psis_is_optimistic_for_a_strongly_influential_curve():
    """The verdict leans on this: unresolved high k̂ flatters a model, never hides a win."""
    data = simulate_curves(seed=11, n_curves=4)
    y = data.y.copy()
    y[1] += 6.0
    estimate = curve_psis(conjugate_fit(CurveData(y=y, labels=data.labels), seed=1).tree)
    exact = exact_loco_elpd(CurveData(y=y, labels=data.labels))
    assert estimate.pareto_k.sel(curve="c1") > 1.0
    assert estimate.elpd_i.sel(curve="c1") > exact[1] + 1.0
