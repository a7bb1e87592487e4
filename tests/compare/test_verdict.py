"""Verdict rules: thresholds, tied sets, what makes a comparison unreliable, the sentence."""

from dataclasses import replace

import hypothesis.strategies as st
import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis.extra.numpy import arrays

from bayes_zba.compare.elpd import log_mean_exp
from bayes_zba.compare.verdict import (
    DECISIVE_DSE,
    INCONCLUSIVE_DSE,
    MIN_ELPD_DIFF,
    OUTPACED_NOTE,
    VERDICT_RULES,
    Health,
    Standing,
    Verdict,
    beaten_at_best_chain,
    contenders,
    decide,
    separation,
)
from bayes_zba.rhat import RHAT_MAX

MODELS = ("2ck", "wam", "kr2", "kk")


def _standings(*diffs_and_dse: tuple[float, float], models=MODELS) -> list[Standing]:
    rows = [(0.0, 0.0), *diffs_and_dse]
    return [Standing(m, d, s) for m, (d, s) in zip(models, rows, strict=False)]


def _healthy(**overrides) -> dict[str, Health]:
    health = {
        m: Health(m, 0, 1.002, {"curve_cv": (0, 10), "loo": (0, 1000)}, 4, 1.002) for m in MODELS
    }
    return health | overrides


def _decide(headline, crosscheck=None, health=None) -> Verdict:
    return decide(
        headline,
        crosscheck if crosscheck is not None else headline,
        health if health is not None else _healthy(),
        criterion="curve_cv",
        crosscheck_criterion="loo",
    )


@pytest.mark.parametrize(
    ("diff", "dse", "expected"),
    [
        (-3.9, 0.1, "inconclusive"),  # below the absolute floor
        (-10.0, 5.1, "inconclusive"),  # within 2 dSE
        (-10.0, 4.9, "leaning"),
        (-10.0, 2.6, "leaning"),
        (-10.0, 2.5, "decisive"),  # exactly 4 dSE
        (-4.0, 0.5, "decisive"),
    ],
)
def test_separation_bands(diff, dse, expected):
    assert separation(diff, dse) == expected


def test_thresholds_are_ordered():
    assert MIN_ELPD_DIFF > 0
    assert 0 < INCONCLUSIVE_DSE < DECISIVE_DSE


def test_decisive_winner_and_sentence():
    verdict = _decide(_standings((-40.0, 6.0), (-90.0, 9.0), (-120.0, 10.0)))
    assert verdict.label == "decisive"
    assert verdict.winner == ("2ck",)
    assert "2ck" in verdict.sentence and "wam" in verdict.sentence
    assert "40.0 ± 6.0" in verdict.sentence


def test_leaning_names_leader_and_runner_up():
    verdict = _decide(_standings((-9.0, 3.0), (-60.0, 9.0), (-80.0, 9.0)))
    assert verdict.label == "leaning"
    assert verdict.winner == ("2ck",)
    assert "lean" in verdict.sentence and "wam" in verdict.sentence


def test_inconclusive_names_every_tied_model():
    headline = _standings((-1.5, 2.0), (-6.0, 4.0), (-50.0, 8.0))
    verdict = _decide(headline)
    assert verdict.label == "inconclusive"
    assert verdict.winner == ("2ck", "wam", "kr2")
    assert contenders(headline) == ["2ck", "wam", "kr2"]
    assert "2ck, wam and kr2" in verdict.sentence


def test_divergences_in_a_contender_make_it_unreliable():
    sick = Health("wam", 3, 1.002, {"curve_cv": (0, 10), "loo": (0, 1000)}, 4, 1.002)
    verdict = _decide(
        _standings((-20.0, 3.0), (-90.0, 9.0), (-99.0, 9.0)), health=_healthy(wam=sick)
    )
    assert verdict.label == "unreliable"
    assert verdict.winner == ()
    assert verdict.leader == "2ck"
    assert any("3 divergent" in r for r in verdict.reasons)
    assert verdict.sentence.startswith("No verdict")


def test_a_chain_run_again_is_a_caveat_of_its_model_not_a_reason():
    note = "chain 3 was stranded (median log density 1128.9, best chain 1221.0) and was run again"
    leader = Health("2ck", 0, 1.004, {"curve_cv": (0, 10), "loo": (0, 1000)}, 4, 1.003, (note,))
    verdict = _decide(
        _standings((-20.0, 3.0), (-90.0, 9.0), (-99.0, 9.0)), health=_healthy(**{"2ck": leader})
    )
    assert verdict.label == "decisive" and verdict.reasons == ()
    assert f"2ck: {note}" in verdict.caveats


def test_a_runner_up_beaten_even_at_its_best_chain_is_only_a_caveat():
    stuck = Health("wam", 2, 1.73, {"curve_cv": (0, 12), "loo": (0, 1000)}, 4, 1.73)
    verdict = _decide(_standings((-2529.0, 133.0), (-2600.0, 140.0)), health=_healthy(wam=stuck))
    assert verdict.label == "decisive"
    assert verdict.winner == ("2ck",)
    assert len(verdict.caveats) == 2
    assert all(c.endswith(OUTPACED_NOTE) for c in verdict.caveats)


def test_the_best_chain_credit_can_keep_a_runner_up_in_play():
    # 40 ± 6 is decisive, but 12 curves · log 4 = 16.6 of credit leaves 23.4 ± 6 (< 4 dSE).
    stuck = Health("wam", 0, 1.2, {"curve_cv": (0, 12), "loo": (0, 1000)}, 4, 1.2)
    standing = Standing("wam", -40.0, 6.0)
    assert separation(standing.elpd_diff, standing.dse) == "decisive"
    assert not beaten_at_best_chain(standing, stuck, "curve_cv")
    verdict = _decide(_standings((-40.0, 6.0), (-90.0, 9.0)), health=_healthy(wam=stuck))
    assert verdict.label == "unreliable"
    assert beaten_at_best_chain(standing, replace(stuck, n_chains=1), "curve_cv")  # no credit


@settings(max_examples=200, deadline=None)
@given(
    log_lik=arrays(
        float,
        st.tuples(st.integers(1, 6), st.integers(1, 30), st.integers(1, 8)),
        elements=st.floats(-50, 5),
    )
)
def test_pooled_elpd_is_never_below_best_chain_minus_log_chains(log_lik):
    """The bound behind beaten_at_best_chain: pooled ≥ max over chains − n_units·log C."""
    pooled = log_mean_exp(xr.DataArray(log_lik, dims=("chain", "draw", "curve"))).sum()
    per_chain = [
        log_mean_exp(xr.DataArray(log_lik[c : c + 1], dims=("chain", "draw", "curve"))).sum()
        for c in range(log_lik.shape[0])
    ]
    credit = log_lik.shape[2] * np.log(log_lik.shape[0])
    assert float(pooled) >= max(float(e) for e in per_chain) - credit - 1e-9


def test_problems_of_a_trailing_model_are_only_caveats():
    sick = Health("kk", 12, 1.2, {"curve_cv": (4, 10), "loo": (0, 1000)}, 4, 1.2)
    verdict = _decide(
        _standings((-40.0, 6.0), (-90.0, 9.0), (-99.0, 9.0)), health=_healthy(kk=sick)
    )
    assert verdict.label == "decisive"
    assert len(verdict.caveats) == 3
    assert any("R-hat 1.200" in c for c in verdict.caveats)


def test_unrefit_high_k_curves_of_the_runner_up_are_a_caveat():
    flattered = Health("wam", 0, 1.0, {"curve_cv": (2, 10), "loo": (0, 1000)}, 4, 1.002)
    verdict = _decide(_standings((-40.0, 6.0), (-90.0, 9.0)), health=_healthy(wam=flattered))
    assert verdict.label == "decisive"
    assert verdict.caveats == (
        "wam: 2 of 10 curves have Pareto k̂ above the threshold and no "
        "exact refit (leave-one-curve-out cross-validation unreliable there)",
    )


def test_rhat_and_unrefit_high_k_curves_of_the_leader_are_reasons():
    sick = Health("2ck", 0, 1.03, {"curve_cv": (1, 10), "loo": (0, 1000)}, 4, RHAT_MAX + 0.02)
    verdict = _decide(_standings((-40.0, 6.0), (-90.0, 9.0)), health=_healthy(**{"2ck": sick}))
    assert verdict.label == "unreliable"
    assert len(verdict.reasons) == 2
    assert any("1 of 10 curves" in r for r in verdict.reasons)


def test_parameter_rhat_with_converged_predictions_is_a_caveat():
    slow = Health("2ck", 0, 1.07, {"curve_cv": (0, 10), "loo": (0, 1000)}, 4, 1.004)
    verdict = _decide(_standings((-40.0, 6.0), (-90.0, 9.0)), health=_healthy(**{"2ck": slow}))
    assert verdict.label == "decisive"
    assert len(verdict.caveats) == 1
    assert "parameter R-hat 1.070" in verdict.caveats[0] and "1.004" in verdict.caveats[0]
    diverging = replace(slow, n_divergent=1)
    verdict = _decide(_standings((-40.0, 6.0), (-90.0, 9.0)), health=_healthy(**{"2ck": diverging}))
    assert verdict.label == "unreliable"


def test_a_few_high_k_points_are_tolerated_but_not_many():
    few = Health("2ck", 0, 1.0, {"curve_cv": (0, 10), "loo": (5, 1000)}, 4, 1.002)
    many = Health("2ck", 0, 1.0, {"curve_cv": (0, 10), "loo": (50, 1000)}, 4, 1.002)
    headline = _standings((-40.0, 6.0), (-90.0, 9.0))
    for health, n_caveats in ((few, 0), (many, 1)):
        verdict = _decide(headline, health=_healthy(**{"2ck": health}))
        assert verdict.label == "decisive"
        assert len(verdict.caveats) == n_caveats


def test_criteria_separating_winners_in_opposite_order_is_unreliable():
    headline = _standings((-20.0, 3.0), (-60.0, 9.0))  # curve CV: 2ck over wam
    crosscheck = _standings((-30.0, 5.0), (-70.0, 9.0), models=("wam", "2ck", "kr2"))
    verdict = _decide(headline, crosscheck)
    assert verdict.label == "unreliable"
    assert "prefers 2ck over wam" in verdict.reasons[0]


def test_crosscheck_within_noise_does_not_overrule_the_headline():
    headline = _standings((-20.0, 3.0), (-60.0, 9.0))
    crosscheck = _standings((-2.0, 3.0), (-70.0, 9.0), models=("wam", "2ck", "kr2"))
    assert _decide(headline, crosscheck).label == "decisive"


def test_verdict_json_round_trip():
    verdict = _decide(_standings((-1.0, 2.0), (-50.0, 9.0)))
    assert Verdict.from_json(verdict.to_json()) == verdict


def test_rules_table_covers_every_label_with_current_thresholds():
    labels = [label for label, _ in VERDICT_RULES]
    assert labels == ["unreliable", "inconclusive", "leaning", "decisive"]
    text = dict(VERDICT_RULES)
    assert f"{DECISIVE_DSE:g}·dSE" in text["decisive"]
    assert f"{MIN_ELPD_DIFF:g}" in text["inconclusive"]
    assert str(RHAT_MAX) in text["unreliable"]
