"""Stranded chains: found by their log density, replaced by fresh runs, every restart recorded.

The cases that motivated it: one 2ck chain 92 nats below three that agree (seed 11), and
three 2ck chains that fresh starts kept returning to a mode 55 nats below (SBC data set 2).
"""

import numpy as np
import pymc as pm
import pytest
import xarray as xr

from bayes_zba.inference.diagnostics import Diagnostics
from bayes_zba.inference.restarts import (
    FRESH_RESTARTS,
    MAX_RESTARTS,
    STRANDED_LP_GAP,
    last_draw,
    restart_seed,
    restart_stranded,
    stranded_chains,
    with_chains_replaced,
)
from bayes_zba.inference.sampling import START_COORDINATES, nutpie_started_at, sample

DRAWS = 200


def chain_tree(lp_means: list[float], x_means: list[float], seed: int = 0) -> xr.DataTree:
    """Chains with lp ~ N(mean, 2.5) (a 13-parameter posterior) and one parameter x."""
    rng = np.random.default_rng(seed)
    n = len(lp_means)
    lp = np.asarray(lp_means)[:, None] + 2.5 * rng.standard_normal((n, DRAWS))
    x = np.asarray(x_means)[:, None] + 0.1 * rng.standard_normal((n, DRAWS))
    coords = {"chain": np.arange(n), "draw": np.arange(DRAWS)}
    return xr.DataTree.from_dict(
        {
            "posterior": xr.Dataset({"x": (("chain", "draw"), x)}, coords=coords),
            "sample_stats": xr.Dataset({"lp": (("chain", "draw"), lp)}, coords=coords),
        }
    )


def test_a_chain_far_below_the_others_is_stranded():
    tree = chain_tree([1221.0, 1220.7, 1221.0, 1128.9], [0, 0, 0, 5])
    assert stranded_chains(tree["sample_stats"]["lp"].values) == [3]


def test_chains_that_agree_or_differ_by_less_than_the_gap_are_not():
    agreeing = chain_tree([100.0, 100.2, 99.9, 100.1], [0, 0, 0, 0])
    assert stranded_chains(agreeing["sample_stats"]["lp"].values) == []
    near = chain_tree([100.0, 100.0, 100.0, 100.0 - 0.8 * STRANDED_LP_GAP], [0, 0, 0, 3])
    assert stranded_chains(near["sample_stats"]["lp"].values) == []


def test_replaced_chains_keep_their_place_and_the_others_are_untouched():
    tree = chain_tree([0.0, -100.0, 0.0, -100.0], [0, 5, 0, 5])
    fresh = chain_tree([0.0, 0.0], [10, 20], seed=1)
    merged = with_chains_replaced(tree, [1, 3], fresh)
    x = merged["posterior"]["x"]
    assert list(x["chain"].values) == [0, 1, 2, 3]
    np.testing.assert_array_equal(x.sel(chain=0), tree["posterior"]["x"].sel(chain=0))
    np.testing.assert_array_equal(x.sel(chain=1), fresh["posterior"]["x"].sel(chain=0))
    np.testing.assert_array_equal(x.sel(chain=3), fresh["posterior"]["x"].sel(chain=1))
    lp = merged["sample_stats"]["lp"]
    np.testing.assert_array_equal(lp.sel(chain=3), fresh["sample_stats"]["lp"].sel(chain=1))


def test_a_stranded_chain_is_run_again_from_a_seed_derived_from_the_fit_seed():
    tree = chain_tree([1221.0, 1220.7, 1221.0, 1128.9], [0, 0, 0, 5])
    calls = []

    def run_chains(n, seed, start):
        calls.append((n, seed, start))
        return chain_tree([1221.0] * n, [0.0] * n, seed=seed)

    fixed, restarts = restart_stranded(tree, 11, run_chains)
    assert calls == [(1, restart_seed(11, 1), None)]
    assert [(r.chain, r.attempt, r.seed) for r in restarts] == [(3, 1, restart_seed(11, 1))]
    assert restarts[0].stranded_median_lp == pytest.approx(1128.9, abs=1.0)
    assert "chain 3 was stranded" in restarts[0].describe()
    assert stranded_chains(fixed["sample_stats"]["lp"].values) == []
    assert float(fixed["posterior"]["x"].sel(chain=3).mean()) == pytest.approx(0.0, abs=0.05)


def test_nothing_is_rerun_when_no_chain_is_stranded():
    tree = chain_tree([10.0, 10.0, 10.0, 10.0], [0, 0, 0, 0])

    def run_chains(n, seed, start):
        raise AssertionError("no chain should be run again")

    same, restarts = restart_stranded(tree, 3, run_chains)
    assert restarts == [] and same is tree


def test_restarts_stop_after_the_limit_and_keep_the_last_run():
    tree = chain_tree([0.0, 0.0, 0.0, -100.0], [0, 0, 0, 5])
    seeds = []

    def always_stranded(n, seed, start):
        seeds.append(seed)
        return chain_tree([-100.0] * n, [5.0] * n, seed=seed)

    kept, restarts = restart_stranded(tree, 5, always_stranded)
    assert len(seeds) == MAX_RESTARTS and len(set(seeds)) == MAX_RESTARTS
    assert [r.attempt for r in restarts] == list(range(1, MAX_RESTARTS + 1))
    assert stranded_chains(kept["sample_stats"]["lp"].values) == [3]


def test_after_the_fresh_restarts_a_chain_starts_at_the_best_chains_last_draw():
    tree = chain_tree([-5.0, 0.0, -4.0, -100.0], [1, 2, 3, 5])
    starts = []

    def fresh_runs_fail(n, seed, start):
        starts.append(start)
        if start is None:
            return chain_tree([-100.0] * n, [5.0] * n, seed=seed)
        x0 = float(start["posterior"]["x"])
        return chain_tree([0.0] * n, [x0] * n, seed=seed)

    fixed, restarts = restart_stranded(tree, 5, fresh_runs_fail)
    assert starts[:FRESH_RESTARTS] == [None] * FRESH_RESTARTS
    best_last = float(tree["posterior"]["x"].sel(chain=1).isel(draw=-1))
    assert float(starts[-1]["posterior"]["x"]) == best_last
    assert [r.start_chain for r in restarts] == [None] * FRESH_RESTARTS + [1]
    assert "at the last draw of chain 1" in restarts[-1].describe()
    assert stranded_chains(fixed["sample_stats"]["lp"].values) == []


def test_last_draw_holds_one_draw_of_one_chain():
    tree = chain_tree([0.0, 1.0], [0, 5])
    point = last_draw(tree, 1)
    assert float(point["posterior"]["x"]) == float(tree["posterior"]["x"].values[1, -1])
    assert float(point["sample_stats"]["lp"]) == float(tree["sample_stats"]["lp"].values[1, -1])


def bimodal_model() -> pm.Model:
    """Modes at x = ±10 separated by a barrier of ~500 nats; every usual start is near -10."""
    with pm.Model() as model:
        x = pm.Normal("x", 0.0, 20.0, initval=-10.0)
        mixture = pm.NormalMixture.dist(w=[0.5, 0.5], mu=[-10.0, 10.0], sigma=[0.3, 0.3])
        pm.Potential("modes", pm.logp(mixture, x))
    return model


def test_a_nutpie_run_started_at_a_draw_stays_in_that_draws_mode():
    import nutpie

    compiled = nutpie.compile_pymc_model(bimodal_model())
    usual = nutpie.sample(compiled, draws=50, tune=50, chains=3, seed=1, progress_bar=False)
    assert (usual["posterior"]["x"].values < 0).all()
    start = xr.DataTree.from_dict(
        {"sample_stats": xr.Dataset({START_COORDINATES: ("unconstrained_parameter", [10.0])})}
    )
    anchored = nutpie.sample(
        nutpie_started_at(compiled, start), draws=50, tune=50, chains=3, seed=1, progress_bar=False
    )
    assert (anchored["posterior"]["x"].values > 0).all()


def test_pymc_chains_started_at_a_draw_stay_in_that_draws_mode():
    from bayes_zba.inference.sampling import _sample_pymc

    start = xr.DataTree.from_dict({"posterior": xr.Dataset({"x": 10.0})})
    run = _sample_pymc(bimodal_model(), 3, 2, 50, 50, False, 0.8, start)
    assert (run.tree["posterior"]["x"].values > 0).all()


def test_nutpie_runs_replace_chains_of_a_real_model(monkeypatch):
    """Every chain but the best counts as stranded (gap 0): the real merge path runs."""
    monkeypatch.setattr("bayes_zba.inference.restarts.STRANDED_LP_GAP", 0.0)
    with pm.Model() as model:
        pm.Normal("x", 0.0, 1.0)
    run = sample(model, sampler="nutpie", seed=2, chains=3, draws=60, tune=60, progress=False)
    assert [r.attempt for r in run.restarts][:2] == [1, 1]
    assert len(run.restarts) == 2 * MAX_RESTARTS
    assert run.restarts[-1].start_chain is not None
    posterior = run.tree["posterior"]
    assert posterior.sizes["chain"] == 3 and list(posterior["chain"].values) == [0, 1, 2]
    assert np.isfinite(run.tree["sample_stats"]["lp"].values).all()
    assert START_COORDINATES not in run.tree["sample_stats"]
    assert run.gradient_evaluations > int(run.tree["sample_stats"]["n_steps"].sum())


def test_restart_seeds_are_reproducible_and_distinct():
    assert restart_seed(11, 1) == restart_seed(11, 1)
    assert len({restart_seed(s, a) for s in (0, 1, 11) for a in (1, 2)}) == 6


def test_fits_saved_before_restarts_existed_still_load_their_diagnostics():
    old = '{"max_rhat": 1.0, "min_ess_bulk": 900, "min_ess_tail": 800, "n_divergent": 0, '
    old += '"bfmi": [1.0], "treedepth_hits": 0, "warnings": [], "ok": true}'
    assert Diagnostics.from_json(old).restarts == []
