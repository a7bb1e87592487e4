"""rank(): JSON contract, refits spent on contenders, criteria, and refusing unlike fits."""

import json
from dataclasses import replace

import pytest
from conftest import CurveData, conjugate_fit, exact_refit, simulate_curves

from bayes_zba.compare import Ranking, curve_psis, load_ranking, rank, save_ranking
from bayes_zba.compare.ranking import predictive_rhat

SHIFTS = {"true": 0.0, "near": 0.3, "far": 3.0, "farther": 5.0}
TOP_KEYS = ["sample", "verdict", "criterion", "ranking", "provenance"]
ROW_KEYS = [
    "model",
    "elpd",
    "se",
    "elpd_diff",
    "dse",
    "weight_stacking",
    "weight_pseudo_bma",
    "elpd_loo",
    "elpd_curve_cv",
    "waic",
    "diagnostics",
]


def _fits(data: CurveData, names=("true", "far")) -> dict:
    return {name: conjugate_fit(data, seed=1, model=name, shift=SHIFTS[name]) for name in names}


def _influential_curves() -> CurveData:
    data = simulate_curves(seed=11, n_curves=3)
    y = data.y.copy()
    y[1] += 2.0
    return CurveData(y=y, labels=data.labels)


def test_ranking_json_has_exactly_the_contract_keys(curve_data, tmp_path):
    ranking = rank(_fits(curve_data))
    document = ranking.to_json()
    assert list(document) == TOP_KEYS
    assert [list(row) for row in document["ranking"]] == [ROW_KEYS, ROW_KEYS]
    assert [row["model"] for row in document["ranking"]] == ["true", "far"]
    assert set(document["verdict"]) == {
        "label",
        "winner",
        "leader",
        "sentence",
        "reasons",
        "caveats",
    }
    assert set(document["ranking"][0]["diagnostics"]) == {"loo", "curve_cv", "waic", "sampling"}
    assert document["provenance"]["fits"]["far"] == {"model": "far", "seed": 1}

    path = save_ranking(ranking, tmp_path / "out" / "ranking.json")
    assert json.loads(path.read_text()) == document
    assert load_ranking(path).to_json() == document
    assert Ranking.from_json(document) == load_ranking(path)


def test_true_model_wins_decisively_on_curve_cv(curve_data):
    ranking = rank(_fits(curve_data))
    best, worst = ranking.scores
    assert ranking.verdict.label == "decisive"
    assert ranking.verdict.winner == ("true",)
    assert best.elpd == best.elpd_curve_cv == curve_psis(_fits(curve_data)["true"].tree).elpd
    assert worst.elpd_diff == pytest.approx(worst.elpd - best.elpd)
    assert best.weight_stacking > 0.99
    assert worst.elpd_loo < best.elpd_loo and worst.waic < best.waic


def test_loo_criterion_ranks_on_points(curve_data):
    ranking = rank(_fits(curve_data), criterion="loo")
    assert ranking.criterion == "loo"
    assert all(score.elpd == score.elpd_loo for score in ranking.scores)
    with pytest.raises(ValueError, match="criterion"):
        rank(_fits(curve_data), criterion="waic")


def test_refits_go_to_contenders_and_trailing_models_get_a_caveat():
    data = _influential_curves()
    fits = _fits(data, names=("true", "near", "far"))
    assert curve_psis(fits["far"].tree).unresolved_high_k()  # PSIS fails on "far" too
    calls = []

    def refit(model, labels):
        calls.append(model)
        return exact_refit(data, seed=7, shift=SHIFTS[model])(labels)

    ranking = rank(fits, refit=refit)

    assert set(calls) == {"true", "near"}
    for score in ranking.scores[:2]:
        assert score.diagnostics["curve_cv"]["refit"]
        assert score.diagnostics["curve_cv"]["unresolved_high_k"] == []
    assert ranking.scores[2].model == "far"
    assert any(c.startswith("far:") for c in ranking.verdict.caveats)
    assert ranking.verdict.label == "inconclusive"
    assert set(ranking.verdict.winner) == {"true", "near"}
    assert ranking.provenance["refit_available"] is True


def test_a_decisive_gap_spends_refits_on_the_leader_only():
    data = _influential_curves()
    fits = _fits(data, names=("true", "farther"))
    calls = []

    def refit(model, labels):
        calls.append(model)
        return exact_refit(data, seed=7, shift=SHIFTS[model])(labels)

    ranking = rank(fits, refit=refit)

    assert ranking.verdict.label == "decisive"
    assert set(calls) == {"true"}
    assert ranking.scores[1].diagnostics["curve_cv"]["unresolved_high_k"]
    assert ranking.verdict.caveats[0].startswith("farther:")


def test_without_refit_unresolved_high_k_contenders_make_it_unreliable():
    ranking = rank(_fits(_influential_curves(), names=("true", "near")))
    assert ranking.verdict.label == "unreliable"
    assert ranking.verdict.winner == ()
    assert any("no exact refit" in reason for reason in ranking.verdict.reasons)


def test_fits_of_different_samples_or_data_are_refused(curve_data):
    fits = _fits(curve_data)
    with pytest.raises(ValueError, match="different samples"):
        rank(fits | {"far": replace(fits["far"], sample="s2")})
    other = conjugate_fit(simulate_curves(seed=12), seed=1, model="other")
    with pytest.raises(ValueError, match="different data"):
        rank(fits | {"far": other})
    with pytest.raises(ValueError, match="at least two"):
        rank({"true": fits["true"]})


def test_predictive_rhat_sees_chains_that_predict_differently(curve_data):
    fit = conjugate_fit(curve_data, seed=1, model="true", shift=0.0)
    assert predictive_rhat(fit.tree) < 1.01  # exact posterior draws: chains agree
    curves = fit.tree["log_likelihood"]["G_curve"]
    shifted = curves + 5.0 * curves.std() * (curves["chain"] == curves["chain"][0])
    tree = fit.tree.copy()
    tree["log_likelihood"] = tree["log_likelihood"].to_dataset().assign(G_curve=shifted)
    assert predictive_rhat(tree) > 1.1
