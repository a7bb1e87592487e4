"""Chain starts and stranded chains: scouting (inference.modes) picks the starts, stranded
chains are found by their estimated mass (or height) and run again from the best chain's draws,
all recorded; nutpie and PyMC chains start where they are told.

The cases that motivated them: one 2ck chain 92 nats below three that agree (seed 11);
three 2ck chains that fresh starts kept returning to a mode 55 nats below (SBC data set 2).
"""

import numpy as np
import pymc as pm
import pytest
import xarray as xr

from bayes_zba.inference.compiled import compile_model, with_initial_points
from bayes_zba.inference.diagnostics import Diagnostics
from bayes_zba.inference.modes import STARTS_PER_CHAIN
from bayes_zba.inference.restarts import (
    DRAWS_PER_DIMENSION,
    START_COORDINATES,
    STRANDED_LOG_MASS_GAP,
    STRANDED_LP_GAP,
    ChainRequest,
    Scouting,
    chain_log_mass,
    derived_seed,
    restart_stranded,
    scouted_run,
    starting_draws,
    stranded_chains,
    with_chains_replaced,
)
from bayes_zba.inference.sampling import (
    _sample_pymc,
    nutpie_chain_seeds,
    nutpie_started_at,
    sample,
    scout_starts,
    unconstrained_draws,
)

DRAWS = 200
HEIGHT_ONLY_DIM = DRAWS // DRAWS_PER_DIMENSION + 1


def chain_tree(lp_means: list[float], x_means: list[float], seed: int = 0) -> xr.DataTree:
    """Chains with lp ~ N(mean, 2.5) and one parameter x, the first of HEIGHT_ONLY_DIM sampler
    coordinates (the others noise of x's spread): too many for the draws to estimate a
    covariance, so the chains are weighed by height, as scouts (30 draws, ~30 coordinates) are."""
    rng = np.random.default_rng(seed)
    n = len(lp_means)
    lp = np.asarray(lp_means)[:, None] + 2.5 * rng.standard_normal((n, DRAWS))
    x = np.asarray(x_means)[:, None] + 0.1 * rng.standard_normal((n, DRAWS))
    others = 0.1 * rng.standard_normal((n, DRAWS, HEIGHT_ONLY_DIM - 1))
    coordinates = np.concatenate([x[..., None], others], axis=-1)
    dims = ("chain", "draw")
    coords = {"chain": np.arange(n), "draw": np.arange(DRAWS)}
    return xr.DataTree.from_dict(
        {
            "posterior": xr.Dataset({"x": (dims, x)}, coords=coords),
            "sample_stats": xr.Dataset(
                {
                    "lp": (dims, lp),
                    START_COORDINATES: ((*dims, "unconstrained_parameter"), coordinates),
                },
                coords=coords,
            ),
        }
    )


def gaussian_chains(
    log_masses: list[float], widths: list[float], dim: int = 4, seed: int = 0
) -> xr.DataTree:
    """Chains each in a Gaussian basin of density Z N(x; 3c, width² I), ln Z given: lp and
    sampler coordinates as nutpie reports them."""
    rng = np.random.default_rng(seed)
    n = len(log_masses)
    centres = 3.0 * np.arange(n)[:, None, None]
    widths_ = np.asarray(widths)[:, None, None]
    x = centres + widths_ * rng.standard_normal((n, DRAWS, dim))
    z = (x - centres) / widths_
    normal = -0.5 * (z**2).sum(-1) - dim * np.log(np.sqrt(2 * np.pi) * widths_[..., 0])
    lp = np.asarray(log_masses)[:, None] + normal
    dims = ("chain", "draw")
    return xr.DataTree.from_dict(
        {
            "posterior": xr.Dataset({"x": (dims, x[..., 0])}),
            "sample_stats": xr.Dataset(
                {"lp": (dims, lp), START_COORDINATES: ((*dims, "unconstrained_parameter"), x)}
            ),
        }
    )


def test_a_chain_far_below_the_others_is_stranded():
    tree = chain_tree([1221.0, 1220.7, 1221.0, 1128.9], [0, 0, 0, 5])
    assert stranded_chains(tree) == ([3], None)


def test_chains_that_agree_or_differ_by_less_than_the_gap_are_not():
    agreeing = chain_tree([100.0, 100.2, 99.9, 100.1], [0, 0, 0, 0])
    assert stranded_chains(agreeing)[0] == []
    near = chain_tree([100.0, 100.0, 100.0, 100.0 - 0.8 * STRANDED_LP_GAP], [0, 0, 0, 3])
    assert stranded_chains(near)[0] == []


def test_chain_log_mass_recovers_the_mass_of_a_gaussian_basin():
    tree = gaussian_chains([0.0, -7.0, 4.0], [1.0, 0.1, 10.0])
    stats = tree["sample_stats"]
    mass = chain_log_mass(stats["lp"].values, stats[START_COORDINATES].values)
    np.testing.assert_allclose(mass, [0.0, -7.0, 4.0], atol=0.3)


def test_chains_are_weighed_by_mass_not_height():
    """Chain 1: 20 nats lower, as narrow (stranded, though within STRANDED_LP_GAP); chain 2:
    as heavy as chain 0 but 100x wider, so its log density sits 18 nats lower (kept)."""
    tree = gaussian_chains([0.0, -20.0, 0.0], [1.0, 1.0, 100.0])
    heights = np.median(tree["sample_stats"]["lp"].values, axis=1)
    assert heights[0] - heights[2] > 15.0 and heights[0] - heights[1] < STRANDED_LP_GAP
    stranded, gaps = stranded_chains(tree)
    assert stranded == [1]
    assert gaps[1] == pytest.approx(20.0, abs=0.5) and gaps[2] < STRANDED_LOG_MASS_GAP


def test_too_few_draws_for_the_covariance_fall_back_to_height():
    tree = gaussian_chains([0.0, -20.0], [1.0, 1.0], dim=60)
    assert stranded_chains(tree) == ([], None)


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


def test_starting_draws_picks_one_draw_per_start():
    tree = chain_tree([0.0, 1.0], [0, 5])
    starts = starting_draws(tree, [1, 1, 0], [DRAWS - 1, 10, 3])
    x = tree["posterior"]["x"].values
    np.testing.assert_array_equal(starts["posterior"]["x"].values, [x[1, -1], x[1, 10], x[0, 3]])
    assert starts["sample_stats"]["lp"].dims == ("start",)


def test_stranded_chains_run_again_once_from_draws_of_the_best_chain():
    tree = chain_tree([1221.0, 1220.7, 1221.0, 1128.9], [0, 0, 0, 5])
    requests = []

    def run_chains(request):
        requests.append(request)
        x0 = request.starts["posterior"]["x"].values
        return chain_tree([1221.0] * request.chains, list(x0), seed=request.seed)

    fixed, restarts = restart_stranded(tree, 11, run_chains)
    (request,) = requests
    assert (request.chains, request.seed) == (1, derived_seed(11, 1))
    best_x = tree["posterior"]["x"].sel(chain=[0, 2]).values
    assert float(request.starts["posterior"]["x"][0]) in best_x
    assert [(r.chain, r.seed, r.log_mass_gap) for r in restarts] == [(3, derived_seed(11, 1), None)]
    assert restarts[0].stranded_median_lp == pytest.approx(1128.9, abs=1.0)
    assert "chain 3 was stranded" in restarts[0].describe()
    assert stranded_chains(fixed)[0] == []
    assert abs(float(fixed["posterior"]["x"].sel(chain=3).mean())) < 0.5  # was at 5


def test_nothing_is_rerun_when_no_chain_is_stranded():
    tree = chain_tree([10.0, 10.0, 10.0, 10.0], [0, 0, 0, 0])

    def run_chains(request):
        raise AssertionError("no chain should be run again")

    same, restarts = restart_stranded(tree, 3, run_chains)
    assert restarts == [] and same is tree


def test_a_run_without_given_starts_is_scouted_then_stranded_chains_restarted():
    requests = []

    def scout(seed, chains):
        return bimodal_starts([0.0, 1.0, 2.0, 3.0][:chains]), Scouting(seed, [0.0], [0], 10)

    def run_chains(request):
        requests.append(request)
        x0 = np.resize(request.starts["posterior"]["x"].values, request.chains)
        lp = [1221.0 if x < 3 or len(requests) > 1 else 1128.9 for x in x0]
        return chain_tree(lp, list(x0), seed=request.seed)

    _, scouting, restarts = scouted_run(run_chains, seed=4, chains=4, scout=scout)
    assert scouting.seed == derived_seed(4, 0)
    assert [r.chains for r in requests] == [4, 1] and [r.chain for r in restarts] == [3]
    given = bimodal_starts([5.0])
    _, none, _ = scouted_run(run_chains, seed=4, chains=4, scout=scout, starts=given)
    assert none is None and requests[-1].starts is given


def bimodal_model() -> pm.Model:
    """Modes at x = ±10 separated by a barrier of ~500 nats; every usual start is near -10."""
    with pm.Model() as model:
        x = pm.Normal("x", 0.0, 20.0, initval=-10.0)
        mixture = pm.NormalMixture.dist(w=[0.5, 0.5], mu=[-10.0, 10.0], sigma=[0.3, 0.3])
        pm.Potential("modes", pm.logp(mixture, x))
    return model


def bimodal_starts(values: list[float]) -> xr.DataTree:
    """Starts (dim "start") at the given x, as sampler coordinates and as posterior values."""
    return xr.DataTree.from_dict(
        {
            "posterior": xr.Dataset({"x": ("start", values)}),
            "sample_stats": xr.Dataset(
                {START_COORDINATES: (("start", "unconstrained_parameter"), [[v] for v in values])}
            ),
        }
    )


def test_nutpie_chains_start_at_the_given_draws_and_stay_in_their_modes():
    import nutpie

    compiled = compile_model(bimodal_model(), ["x"])
    usual = nutpie.sample(compiled, draws=50, tune=50, chains=3, seed=1, progress_bar=False)
    assert (usual["posterior"]["x"].values < 0).all()
    started = nutpie_started_at(compiled, bimodal_starts([10.0, -10.0]), seed=1, chains=4)
    anchored = nutpie.sample(started, draws=50, tune=50, chains=4, seed=1, progress_bar=False)
    sides = np.sign(anchored["posterior"]["x"].values)
    assert (sides == sides[:, :1]).all()  # no chain crosses the barrier
    assert list(sides[:, 0]) == [1, -1, 1, -1]  # chain i at start i mod 2


def test_started_nutpie_chains_draw_the_same_whatever_the_threads():
    """nutpie asks the initial points from its threads in racy order; the draws of a started
    run must not depend on it, nor on how many threads run the chains."""
    import nutpie

    compiled = compile_model(bimodal_model(), ["x"])
    starts = bimodal_starts([10.0, -10.0, 9.0, -9.0])
    runs = [
        nutpie.sample(
            nutpie_started_at(compiled, starts, seed=5, chains=4),
            draws=30,
            tune=30,
            chains=4,
            cores=cores,
            seed=5,
            progress_bar=False,
        )["posterior"]["x"].values
        for cores in (1, *[4] * 20, *[2] * 5)  # the old call-order rule differed in 1 of 9
    ]
    for run in runs[1:]:
        np.testing.assert_array_equal(run, runs[0])
    np.testing.assert_array_equal(np.sign(runs[0][:, 0]), [1, -1, 1, -1])


def test_nutpie_chain_seeds_are_the_seeds_nutpie_gives_each_chain():
    import nutpie

    asked = []

    def record(chain_seed):
        asked.append(int(chain_seed))
        return np.array([10.0])

    compiled = compile_model(bimodal_model(), ["x"])
    with_record = with_initial_points(compiled, record)
    nutpie.sample(with_record, draws=5, tune=10, chains=3, cores=3, seed=11, progress_bar=False)
    assert sorted(asked) == sorted(nutpie_chain_seeds(11, 3))
    assert len(set(nutpie_chain_seeds(11, 3))) == 3
    assert nutpie_chain_seeds(11, 3) != nutpie_chain_seeds(12, 3)


def test_every_other_scout_starts_at_a_prior_draw():
    """Even scouts within the U(-1, 1) jitter of the support point on the sampler's scale, odd
    ones at prior draws; a start's sampler coordinates match its values; a seed fixes them."""
    with pm.Model() as model:
        pm.LogNormal("scale", mu=np.log(3.0), sigma=2.0)
        pm.Normal("offset", 100.0, 50.0, shape=2)
    starts = scout_starts(model, seed=7, count=40)
    coordinates = starts["sample_stats"][START_COORDINATES].values
    support = np.concatenate([np.ravel(v) for v in model.initial_point().values()])
    near, far = coordinates[0::2], coordinates[1::2]
    assert (np.abs(near - support) <= 1.0).all()
    assert (np.abs(far - support) > 1.0).any(axis=1).all()
    np.testing.assert_allclose(far[:, 1:].std(), 50.0, rtol=0.3)
    np.testing.assert_allclose(np.exp(coordinates[:, 0]), starts["posterior"]["scale"].values)
    np.testing.assert_allclose(coordinates[:, 1:], starts["posterior"]["offset"].values)
    again = scout_starts(model, seed=7, count=40)["sample_stats"][START_COORDINATES].values
    np.testing.assert_array_equal(again, coordinates)
    other = scout_starts(model, seed=8, count=40)["sample_stats"][START_COORDINATES].values
    assert not np.isclose(other, coordinates).any()


def test_prior_draw_scouts_find_a_basin_no_support_point_start_reaches():
    """Modes at x = -10 (the prior's support point, e^-32 of the mass) and +10 behind a barrier
    of ~550 nats: the jittered support-point scouts all stay left, some prior-draw scouts start
    right of the barrier, and every chain ends in the heavy mode."""
    with pm.Model() as model:
        x = pm.Normal("x", -10.0, 20.0)
        modes = pm.NormalMixture.dist(w=[1e-14, 1 - 1e-14], mu=[-10.0, 10.0], sigma=[0.3, 0.3])
        pm.Potential("modes", pm.logp(modes, x))
    count = STARTS_PER_CHAIN * 4
    first = scout_starts(model, derived_seed(3, 0), count)["posterior"]["x"].values
    assert (first[0::2] < -8).all() and (first[1::2] > 0).any()
    run = sample(model, sampler="nutpie", seed=3, chains=4, draws=100, tune=100, progress=False)
    assert (run.tree["posterior"]["x"].values > 9).all()


def test_pymc_chains_start_at_the_given_draws_and_stay_in_their_modes():
    request = ChainRequest(2, 3, bimodal_starts([10.0, -10.0]))
    run = _sample_pymc(bimodal_model(), request, 50, 50, 0.8, False)
    x = run.tree["posterior"]["x"].values
    assert (x[0] > 0).all() and (x[1] < 0).all()


@pytest.mark.parametrize("sampler", ["nutpie", "pymc"])
def test_a_real_fit_is_scouted_and_its_chains_replaced(monkeypatch, sampler):
    """Every chain but the heaviest counts as stranded: the real scouting and merge paths run,
    with chains weighed by estimated mass (sampler coordinates) for either sampler."""
    monkeypatch.setattr("bayes_zba.inference.restarts.STRANDED_LOG_MASS_GAP", 1e-9)
    with pm.Model() as model:
        pm.Normal("x", 0.0, 1.0)
    run = sample(model, sampler=sampler, seed=2, chains=3, draws=60, tune=60, progress=False)
    assert len(run.scouting.log_density) == STARTS_PER_CHAIN * 3
    assert len(run.restarts) == 2 and all(r.log_mass_gap > 0 for r in run.restarts)
    posterior = run.tree["posterior"]
    assert posterior.sizes["chain"] == 3 and list(posterior["chain"].values) == [0, 1, 2]
    assert np.isfinite(run.tree["sample_stats"]["lp"].values).all()
    assert START_COORDINATES not in run.tree["sample_stats"]
    steps = int(run.tree["sample_stats"]["n_steps"].sum())
    assert run.gradient_evaluations > steps + run.scouting.evaluations > steps
    assert run.timings["scouting_s"] > 0
    assert run.chain_ends[START_COORDINATES].shape == (3, 1)


def test_pymc_draws_get_the_sampler_coordinates_nutpie_stores():
    """Log, interval (with a bound that is itself a parameter) and untransformed variables:
    the coordinates scouting and the mass rule use agree between the two samplers."""
    import nutpie

    with pm.Model() as model:
        scale = pm.HalfNormal("scale", 1.0)
        pm.Uniform("share", 0.0, scale + 1.0, shape=2)
        offsets = pm.Normal("offsets", 0.0, scale, shape=3)
        pm.Normal("y", offsets.sum(), 1.0, observed=[0.1])
    compiled = compile_model(model, ["scale", "share", "offsets"])
    raw = nutpie.sample(
        compiled, draws=5, tune=50, chains=2, seed=4, store_unconstrained=True, progress_bar=False
    )
    ours = unconstrained_draws(model, raw["posterior"].to_dataset())
    np.testing.assert_allclose(ours.values, raw["sample_stats"][START_COORDINATES].values)
    scale, share = raw["posterior"]["scale"].values, raw["posterior"]["share"].values
    np.testing.assert_allclose(ours.values[..., 0], np.log(scale))
    np.testing.assert_allclose(
        ours.values[..., 1], np.log(share[..., 0] / (scale + 1 - share[..., 0]))
    )


def test_derived_seeds_are_reproducible_and_distinct():
    assert derived_seed(11, 1) == derived_seed(11, 1)
    assert len({derived_seed(s, a) for s in (0, 1, 11) for a in (0, 1)}) == 6


def test_fits_saved_before_restarts_existed_still_load_their_diagnostics():
    old = '{"max_rhat": 1.0, "min_ess_bulk": 900, "min_ess_tail": 800, "n_divergent": 0, '
    old += '"bfmi": [1.0], "treedepth_hits": 0, "warnings": [], "ok": true}'
    assert Diagnostics.from_json(old).restarts == []
