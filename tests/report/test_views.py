"""Report views: sweeps from a Dataset table and from a Fit tree, curve bookkeeping, bands,
and the posterior-mean signal b2 V² + ΔG the fingerprints use."""

import json

import numpy as np
import pytest
from arviz_base import from_dict
from report_fixtures import TRUE_PARAMETERS, design

from bayes_zba.inference import Fit
from bayes_zba.physics import delta_g
from bayes_zba.report.views import (
    INTERVAL_PROB,
    Predictive,
    Sweeps,
    field_groups,
    match_curves,
    posterior_signal,
    predictive_from_fit,
    sweeps_from_fit,
    sweeps_from_table,
)


def constant_posterior_tree(table, params, *, b2=None, draws=4):
    """A Fit-shaped tree whose posterior is the same point in every draw."""
    labels = list(dict.fromkeys(table["curve"]))
    curve_index = np.array([labels.index(c) for c in table["curve"]])
    posterior = {name: np.full((1, draws), value) for name, value in params.items()}
    if b2 is not None:
        posterior["b2"] = np.full((1, draws), b2)
    n = len(table)
    tree = from_dict(
        {
            "posterior": posterior,
            "posterior_predictive": {
                "G_obs": np.arange(draws * n, dtype=float).reshape(1, draws, n)
            },
            "observed_data": {"G_obs": np.linspace(0.0, 1.0, n)},
            "constant_data": {
                "V_mV": table["V_mV"].to_numpy(),
                "T_K": table["T_K"].to_numpy(),
                "H_T": table["H_T"].to_numpy(),
                "curve_index": curve_index,
            },
        },
        dims={name: ["point"] for name in ("G_obs", "V_mV", "T_K", "H_T", "curve_index")},
    )
    tree["constant_data"] = tree["constant_data"].to_dataset().assign_coords(curve=labels)
    return tree


@pytest.fixture(scope="module")
def table():
    return design().assign(G_e2h=lambda t: 100.0 + t["V_mV"] ** 2)


def test_sweeps_from_table_number_curves_in_order_of_appearance(table):
    sweeps = sweeps_from_table(table)
    assert sweeps.curve_labels == tuple(f"c{i:02d}" for i in range(9))
    assert np.array_equal(sweeps.curve_index, np.repeat(np.arange(9), 41))
    np.testing.assert_allclose(sweeps.curve_T, [0.1, 0.2, 0.4, 0.8, 1.4, 2.5, 4.0, 0.4, 0.4])
    np.testing.assert_allclose(sweeps.curve_H, [0, 0, 0, 0, 0, 0, 0, 2.0, 5.0])
    np.testing.assert_allclose(sweeps.zero_bias(), 100.0)


def test_sweeps_from_fit_match_the_table_the_fit_saw(table):
    tree = constant_posterior_tree(table, TRUE_PARAMETERS["kr2"])
    from_fit, from_table = sweeps_from_fit(tree), sweeps_from_table(table)
    assert from_fit.curve_labels == from_table.curve_labels
    for name in ("V_mV", "T_K", "H_T", "curve_index"):
        assert np.array_equal(getattr(from_fit, name), getattr(from_table, name))
    np.testing.assert_allclose(from_fit.G, np.linspace(0.0, 1.0, len(table)))


def test_subset_renumbers_curves_and_lowest_field_picks_zero_field(table):
    sweeps = sweeps_from_table(table)
    assert list(sweeps.lowest_field_curves()) == list(range(7))
    high_field = sweeps.subset([8, 7])
    assert high_field.curve_labels == ("c08", "c07")
    np.testing.assert_allclose(high_field.curve_H, [5.0, 2.0])
    assert high_field.V_mV.size == 2 * 41


def test_field_groups_merge_equal_values_and_sort_groups():
    groups = field_groups(np.array([2.0, 0.0, 2.0 + 1e-9, 5.0, 0.0]))
    assert [list(g) for g in groups] == [[1, 4], [0, 2], [3]]


def test_match_curves_pairs_labels_across_sweeps(table):
    sweeps = sweeps_from_table(table)
    other = sweeps.subset([3, 0])
    assert match_curves(sweeps, other) == {0: 1, 3: 0}


def test_band_is_the_equal_tailed_interval_over_draws():
    draws = np.random.default_rng(5).normal(size=(4000, 3))
    empty = Sweeps(*(np.zeros(3),) * 4, np.zeros(3, dtype=int), ("a",))
    low, high = Predictive("m", empty, draws, np.zeros(3)).band()
    tail = (1 - INTERVAL_PROB) / 2
    np.testing.assert_allclose(low, np.quantile(draws, tail, axis=0))
    np.testing.assert_allclose(high, np.quantile(draws, 1 - tail, axis=0))


def test_posterior_signal_is_the_mechanism_at_the_posterior_plus_b2_v_squared(table):
    params = TRUE_PARAMETERS["kr2"]
    tree = constant_posterior_tree(table, params, b2=0.01)
    sweeps = sweeps_from_fit(tree)
    expected = delta_g("kr2", sweeps.V_mV, sweeps.T_K, sweeps.H_T, **params)
    np.testing.assert_allclose(
        posterior_signal(tree, "kr2", sweeps), expected + 0.01 * sweeps.V_mV**2, rtol=1e-12
    )


def test_posterior_signal_averages_over_draws(table):
    tree = constant_posterior_tree(table, TRUE_PARAMETERS["kr1"])
    tree["posterior"]["A_kr"] = tree["posterior"]["A_kr"] * np.array([[0.5, 1.0, 1.0, 1.5]])
    sweeps = sweeps_from_fit(tree)
    expected = delta_g("kr1", sweeps.V_mV, sweeps.T_K, sweeps.H_T, **TRUE_PARAMETERS["kr1"])
    np.testing.assert_allclose(posterior_signal(tree, "kr1", sweeps), expected, rtol=1e-12)


def test_predictive_flattens_chains_and_draws(table):
    tree = constant_posterior_tree(table, TRUE_PARAMETERS["kr2"], draws=3)
    tree.attrs["provenance"] = json.dumps({"model": "kr2", "sample": "s"})
    prediction = predictive_from_fit(Fit(tree), label="kr2 (variant)")
    assert prediction.model == "kr2 (variant)"
    assert prediction.draws.shape == (3, len(table))
    np.testing.assert_allclose(prediction.mean, np.arange(len(table)) + len(table))
