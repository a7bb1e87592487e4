"""Tests of prior sensitivity: psense on exact conjugate posteriors (fast) and refits (slow).

A normal mean with a tight prior must be flagged, the same data with a vague prior not.
"""

import json

import numpy as np
import pytest
import xarray as xr
from scipy import stats

from bayes_zba.data import save_dataset
from bayes_zba.inference import Fit
from bayes_zba.models import load_config
from bayes_zba.studies.design import design_dataset
from bayes_zba.studies.sensitivity import (
    LOG_LIK_TOTAL,
    dataset_of_fit,
    posterior_quantiles,
    power_scaling,
    run_sensitivity,
    scalar_parameters,
)
from bayes_zba.studies.tasks import SamplerSettings, StudyOptions


def conjugate_tree(prior_sd: float, seed: int = 0, n_points: int = 5) -> xr.DataTree:
    """Exact posterior draws of μ for y_i ~ N(μ, 1), μ ~ N(0, prior_sd), with log densities."""
    rng = np.random.default_rng(seed)
    y = rng.normal(1.0, 1.0, n_points)
    precision = prior_sd**-2 + n_points
    mu = rng.normal(y.sum() / precision, precision**-0.5, size=(4, 1000))
    return xr.DataTree.from_dict(
        {
            "posterior": xr.Dataset(
                {"mu": (("chain", "draw"), mu), "offsets": (("chain", "draw", "k"), mu[..., None])}
            ),
            "log_likelihood": xr.Dataset(
                {"G_obs": (("chain", "draw", "point"), stats.norm.logpdf(y, mu[..., None], 1.0))}
            ),
            "log_prior": xr.Dataset(
                {"mu": (("chain", "draw"), stats.norm.logpdf(mu, 0, prior_sd))}
            ),
        }
    )


def test_tight_prior_is_flagged_and_vague_prior_is_not():
    tight = power_scaling(conjugate_tree(prior_sd=0.1))
    vague = power_scaling(conjugate_tree(prior_sd=100.0))
    assert set(tight) == {"mu", LOG_LIK_TOTAL}
    assert tight["mu"]["flag"] and tight[LOG_LIK_TOTAL]["flag"]
    assert not vague["mu"]["flag"] and not vague[LOG_LIK_TOTAL]["flag"]
    assert vague["mu"]["likelihood"] > vague["mu"]["prior"]


def test_only_scalar_parameters_are_summarised():
    tree = conjugate_tree(prior_sd=1.0)
    assert scalar_parameters(tree) == ["mu"]
    low, median, high = posterior_quantiles(tree, ["mu"])["mu"]
    assert low < median < high


def fit_of_points(tree: xr.DataTree) -> Fit:
    """A Fit of `tree` plus the observed/constant data groups of a 2-curve, 10-point fit."""
    V = np.tile(np.linspace(-1.0, 1.0, 5), 2)
    tree["observed_data"] = xr.Dataset({"G_obs": ("point", 100.0 + V**2)})
    tree["constant_data"] = xr.Dataset(
        {
            "V_mV": ("point", V),
            "T_K": ("point", np.repeat([0.5, 2.0], 5)),
            "H_T": ("point", np.zeros(10)),
            "curve_index": ("point", np.repeat([0, 1], 5)),
        },
        coords={"curve": ["cold", "warm"]},
    )
    tree.attrs["provenance"] = json.dumps({"model": "kr2", "sample": "s1"})
    return Fit(tree)


def test_points_of_a_fit_become_a_dataset_again(tmp_path):
    result = fit_of_points(conjugate_tree(prior_sd=1.0))
    dataset = dataset_of_fit(result)
    assert dataset.sample_names() == ["s1"]
    table = dataset.table
    assert sorted(set(table["curve"])) == ["cold", "warm"]
    assert np.allclose(table["G_e2h"], 100.0 + table["V_mV"] ** 2)
    assert set(table.loc[table["curve"] == "warm", "T_K"]) == {2.0}


@pytest.mark.slow
def test_refits_under_alternative_priors_move_the_posterior(tmp_path):
    data = save_dataset(design_dataset("kr2", "small", seed=4), tmp_path / "data.nc")
    narrow = tmp_path / "narrow.toml"
    text = load_config("kr2").text
    assert "median = 1.7\nsigma = 0.6" in text
    narrow.write_text(text.replace("median = 1.7\nsigma = 0.6", "median = 4.0\nsigma = 0.05"))
    summary = run_sensitivity(
        data,
        "kr2",
        tmp_path / "study",
        alt_configs=[narrow],
        rivals=["kr1"],
        options=StudyOptions(sampler=SamplerSettings(chains=2, draws=150, tune=150)),
    )
    base, shifted = summary["configurations"]
    assert (base["label"], shifted["label"]) == ("base", "narrow")
    assert shifted["posterior"]["E_star"][1] == pytest.approx(4.0, rel=0.1)
    assert {"A_kr", "E_star", LOG_LIK_TOTAL} <= set(summary["psense"])
    assert base["ranking"]["order"] and set(base["ranking"]["order"]) == {"kr1", "kr2"}
    assert summary["rivals"] == ["kr1"]
    on_disk = json.loads((tmp_path / "study" / "sensitivity.json").read_text())
    assert on_disk["psense"] == summary["psense"]
