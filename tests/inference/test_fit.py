"""fit() on simulated kr1 data: the Fit contract, likelihood consistency, save/load, recovery.

One module-scoped fit (nutpie, 4 chains) serves every test here.
"""

import json
import warnings

import numpy as np
import pymc as pm
import pytest
import xarray as xr

from bayes_zba.data import DataWarning, dataset_from_frame
from bayes_zba.inference import (
    Fit,
    FitWarning,
    IncompleteFitError,
    heldout_curve_log_likelihood,
    load_fit,
    save_fit,
)
from bayes_zba.inference import fit as run_fit
from bayes_zba.inference.diagnostics import diagnose
from bayes_zba.inference.fit import CHAIN_ENDS, PREDICTIVE_DRAWS
from bayes_zba.inference.restarts import START_COORDINATES
from bayes_zba.models import build_model
from bayes_zba.simulate import DESIGN_PRESETS, simulate, typical_parameters

SEED = 20240501
CHAINS, DRAWS = 4, 1000  # the defaults of fit: R-hat <= 1.01 is judged on what users get


@pytest.fixture(scope="module")
def dataset():
    return simulate("kr1", typical_parameters("kr1"), DESIGN_PRESETS["small"], seed=SEED)


@pytest.fixture(scope="module")
def fitted(dataset):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FitWarning)
        result = run_fit(
            dataset, "kr1", seed=7, chains=CHAINS, draws=DRAWS, tune=1000, progress=False
        )
    return result, [str(w.message) for w in caught if w.category is FitWarning]


def test_tree_has_every_contract_group(fitted, dataset):
    tree = fitted[0].tree
    n_points, n_curves = len(dataset.table), dataset.table["curve"].nunique()
    posterior = tree["posterior"]
    free = {"A_kr_span", "E_star", "E_b", "H_c", "G_zero_bias_cold", "tau_curve", "sigma"}
    free |= {"curve_offset"}
    assert set(posterior.data_vars) == free | {"A_kr", "G0"}
    assert posterior.sizes["chain"] == CHAINS and posterior.sizes["draw"] == DRAWS
    loglik = tree["log_likelihood"]
    assert loglik["G_obs"].dims == ("chain", "draw", "point") and loglik.sizes["point"] == n_points
    assert (
        loglik["G_curve"].dims == ("chain", "draw", "curve") and loglik.sizes["curve"] == n_curves
    )
    assert set(tree["log_prior"].data_vars) == free
    predictive = tree["posterior_predictive"]["G_obs"]
    assert predictive.sizes["chain"] * predictive.sizes["draw"] <= PREDICTIVE_DRAWS
    np.testing.assert_array_equal(tree["observed_data"]["G_obs"], dataset.table["G_e2h"])
    constant = tree["constant_data"]
    for name in ("V_mV", "T_K", "H_T"):
        np.testing.assert_array_equal(constant[name], dataset.table[name])
    labels = constant["curve"].values[constant["curve_index"].values]
    np.testing.assert_array_equal(labels, dataset.table["curve"])
    assert {"diverging", "tree_depth", "energy", "reached_max_treedepth"} <= set(
        tree["sample_stats"].data_vars
    )


def test_provenance_records_how_the_fit_was_made(fitted, dataset):
    result = fitted[0]
    provenance = result.provenance
    assert (result.model, result.sample) == ("kr1", dataset.sample_names()[0])
    assert provenance["data_hash"] == dataset.content_hash
    assert provenance["data_source"] == dataset.source
    assert provenance["config_text"] == result.config.text
    assert (provenance["seed"], provenance["sampler"]) == (7, "nutpie")
    assert (provenance["chains"], provenance["draws"], provenance["tune"]) == (CHAINS, DRAWS, 1000)
    assert {"compile_s", "sampling_s"} <= set(provenance["timings"])
    assert {"pymc", "nutpie", "arviz"} <= set(provenance["versions"])
    assert provenance["data_attrs"]["simulation"]["model"] == "kr1"


def test_diagnostics_are_stored_and_every_warning_emitted(fitted):
    result, emitted = fitted
    recomputed = diagnose(
        result.tree["posterior"].to_dataset(), result.tree["sample_stats"].to_dataset()
    )
    assert result.diagnostics == recomputed
    assert [message.split(": ", 1)[1] for message in emitted] == recomputed.warnings


def test_pointwise_log_likelihood_matches_pymc(fitted, dataset):
    result = fitted[0]
    model = build_model(dataset, "kr1")
    posterior = result.tree["posterior"].to_dataset().isel(draw=slice(0, 20))
    reference = pm.stats.compute_log_likelihood(
        xr.DataTree.from_dict({"posterior": posterior}),
        model=model,
        extend_inferencedata=False,
        progressbar=False,
    )["G_obs"]
    ours = result.tree["log_likelihood"]["G_obs"].isel(draw=slice(0, 20))
    # G ≈ 2800 e²/h and σ ≈ 0.1: residuals carry ~1e-12 absolute rounding, so an absolute floor
    np.testing.assert_allclose(ours.values, reference.values, rtol=1e-9, atol=1e-9)


def test_heldout_likelihood_of_the_fitted_curves_equals_g_curve(fitted, dataset):
    result = fitted[0]
    heldout = heldout_curve_log_likelihood(result, dataset)
    expected = result.tree["log_likelihood"]["G_curve"]
    assert heldout.dims == expected.dims
    np.testing.assert_array_equal(heldout["curve"].values, expected["curve"].values)
    np.testing.assert_allclose(heldout.values, expected.values, rtol=1e-9)


def test_heldout_likelihood_of_one_curve_keeps_the_fits_span_reference(fitted, dataset):
    """A curve alone has another (V_max, T_min, T_max): the amplitude must not be rescaled."""
    result = fitted[0]
    label = sorted(dataset.table["curve"].unique())[-1]
    rows = (dataset.table["curve"] == label).to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)  # one temperature
        alone = dataset_from_frame(dataset.table[rows], source="t", samples=dataset.samples)
    heldout = heldout_curve_log_likelihood(result, alone)
    expected = result.tree["log_likelihood"]["G_curve"].sel(curve=[label])
    np.testing.assert_allclose(heldout.values, expected.values, rtol=1e-9)


def test_heldout_likelihood_of_a_fit_in_older_coordinates_is_a_clear_error(fitted, dataset):
    """A fit saved when G0 itself was sampled has no G_zero_bias_cold to rebuild G0 from."""
    tree = fitted[0].tree.copy()
    posterior = tree["posterior"].to_dataset().drop_vars("G_zero_bias_cold")
    tree["posterior"] = xr.DataTree(posterior)
    with pytest.raises(ValueError, match=r"no G_zero_bias_cold .*fit it again"):
        heldout_curve_log_likelihood(Fit(tree), dataset)


def test_save_and_load_round_trip(fitted, tmp_path):
    result = fitted[0]
    path = save_fit(result, tmp_path / "s" / "kr1.nc")
    assert result.path == path and sorted(p.name for p in path.parent.iterdir()) == ["kr1.nc"]
    loaded = load_fit(path)
    assert loaded.path == path
    assert loaded.provenance == result.provenance and loaded.diagnostics == result.diagnostics
    for group in result.tree.children:
        xr.testing.assert_equal(loaded.tree[group].to_dataset(), result.tree[group].to_dataset())
    save_fit(loaded, path)  # overwriting an existing fit is atomic too
    assert sorted(p.name for p in path.parent.iterdir()) == ["kr1.nc"]


def test_chain_ends_are_each_chains_last_draw_and_starts_for_a_refit(fitted):
    result = fitted[0]
    ends = result.tree[CHAIN_ENDS].to_dataset()
    assert ends.sizes["chain"] == CHAINS and result.provenance["scouting"] is not None
    starts = result.chain_end_starts()
    last = result.tree["posterior"]["E_star"].values[:, -1]
    np.testing.assert_array_equal(starts["posterior"]["E_star"].values, last)
    coordinates = starts["sample_stats"][START_COORDINATES]
    assert coordinates.dims == ("start", "unconstrained_parameter")
    assert coordinates.shape[0] == CHAINS and np.isfinite(coordinates.values).all()


def test_loading_a_file_that_is_not_a_fit_fails(tmp_path):
    bogus = tmp_path / "bogus.nc"
    xr.Dataset({"x": ("a", [1.0])}).to_netcdf(bogus, engine="h5netcdf")
    with pytest.raises(ValueError, match="not a bayes-zba fit"):
        load_fit(bogus)
    (tmp_path / "text.nc").write_text("hello")
    with pytest.raises(ValueError, match="not a readable fit"):
        load_fit(tmp_path / "text.nc")


def _with_posterior(result, posterior, **provenance):
    tree = result.tree.copy()
    tree["posterior"] = xr.DataTree(posterior)
    tree.attrs = {**tree.attrs, "provenance": json.dumps({**result.provenance, **provenance})}
    return Fit(tree)


def test_an_interrupted_fit_is_never_saved_nor_loaded_as_a_fit(fitted, tmp_path):
    result = fitted[0]
    posterior = result.tree["posterior"].to_dataset()
    unfinished = posterior.copy(deep=True)
    unfinished["E_star"][2:] = np.nan  # nutpie's partial trace: the last chains never ran
    for broken, reason in [
        (_with_posterior(result, unfinished), "non-finite draws of E_star"),
        (_with_posterior(result, posterior.isel(draw=slice(0, 10))), "4 chains × 10 draws"),
        (_with_posterior(result, posterior, complete=None), "does not record"),
    ]:
        assert reason in broken.incompleteness()
        with pytest.raises(IncompleteFitError, match="incomplete"):
            save_fit(broken, tmp_path / "kr1.nc")
        assert not list(tmp_path.iterdir())
    # a file an older version wrote from an interrupted run is refused on loading
    old_file = tmp_path / "old.nc"
    _with_posterior(result, unfinished).tree.to_netcdf(old_file, engine="h5netcdf")
    with pytest.raises(IncompleteFitError, match="non-finite draws"):
        load_fit(old_file)
    assert result.incompleteness() is None


def test_recovery_of_the_simulated_truth(fitted, dataset, recovery_check):
    recovery_check(fitted[0], dataset)


def test_a_second_fit_of_the_same_structure_reuses_the_compiled_model(
    fitted, dataset, recovery_check
):
    """New data (other truth, other curve labels) swapped into the model compiled above."""
    params = {**typical_parameters("kr1"), "A_kr": 2.5, "E_star": 1.4}
    other = simulate("kr1", params, DESIGN_PRESETS["small"], seed=SEED + 1)
    relabelled = dataset_from_frame(
        other.table.assign(curve="x" + other.table["curve"]),
        source="relabelled",
        samples=other.samples,
        attrs=other.attrs,
    )
    result = run_fit(
        relabelled, "kr1", seed=8, chains=CHAINS, draws=DRAWS, tune=1000, progress=False
    )
    assert result.provenance["compiled_model_reused"]
    assert not fitted[0].provenance["compiled_model_reused"]
    labels = sorted(relabelled.table["curve"].unique())
    assert list(result.tree["posterior"]["curve"].values) == labels
    recovery_check(result, relabelled)


@pytest.mark.slow
def test_pymc_sampler_gives_the_same_groups(fitted, dataset):
    result = run_fit(
        dataset, "kr1", seed=9, chains=2, draws=200, tune=300, sampler="pymc", progress=False
    )
    assert result.provenance["sampler"] == "pymc"
    assert set(result.tree.children) == set(fitted[0].tree.children)
    assert result.chain_end_starts() is not None
    for group in ("posterior", "log_likelihood", "sample_stats"):
        assert set(result.tree[group].data_vars) == set(fitted[0].tree[group].data_vars), group
    assert result.provenance["gradient_evaluations"] > 0


def test_heldout_likelihood_refuses_a_fit_without_its_span_reference(fitted, dataset):
    result = fitted[0]
    provenance = {k: v for k, v in result.provenance.items() if k != "span_reference"}
    old = Fit(result.tree.copy())
    old.tree.attrs["provenance"] = json.dumps(provenance)
    with pytest.raises(ValueError, match="fit it again"):
        heldout_curve_log_likelihood(old, dataset)
