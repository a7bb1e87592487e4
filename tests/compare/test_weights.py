"""Comparison table: ArviZ's differences, and stacking vs pseudo-BMA on a redundant model."""

import numpy as np
import pytest
import xarray as xr
from arviz_stats import compare
from conftest import conjugate_fit

from bayes_zba.compare import curve_psis
from bayes_zba.compare.elpd import ElpdEstimate
from bayes_zba.compare.weights import COLUMNS, compare_models


def _estimate(density_per_point: np.ndarray) -> ElpdEstimate:
    log_density = xr.DataArray(np.log(density_per_point), dims=["point"])
    return ElpdEstimate("loo", elpd_i=log_density, lppd_i=log_density, n_samples=4000)


def test_table_is_best_first_with_arviz_differences(curve_data):
    estimates = {
        name: curve_psis(conjugate_fit(curve_data, seed=1, shift=shift).tree)
        for name, shift in [("off", 1.5), ("true", 0.0), ("far", 3.0)]
    }
    table = compare_models(estimates)
    reference = compare({name: e.to_elpd_data() for name, e in estimates.items()}, round_to="none")
    assert list(table.columns) == list(COLUMNS)
    assert list(table.index) == ["true", "off", "far"]
    assert table["elpd_diff"].to_numpy() == pytest.approx(reference["elpd_diff"].to_numpy())
    assert table["dse"].to_numpy() == pytest.approx(reference["dse"].to_numpy())
    assert table.loc["off", "elpd_diff"] == pytest.approx(
        estimates["off"].elpd - estimates["true"].elpd
    )
    assert table.loc["far", "se"] == pytest.approx(estimates["far"].se)
    for column in ("weight_stacking", "weight_pseudo_bma"):
        assert table[column].sum() == pytest.approx(1.0)


def test_stacking_drops_a_redundant_model_that_pseudo_bma_favours():
    """A predicts the first half well, B the second; C is mediocre everywhere.

    C has the best elpd on its own (pseudo-BMA picks it), but the 50/50 mixture of A and B
    predicts every point better than C, so stacking gives C (almost) nothing.
    """
    half = np.ones(50)
    estimates = {
        "A": _estimate(np.concatenate([0.9 * half, 0.1 * half])),
        "B": _estimate(np.concatenate([0.1 * half, 0.9 * half])),
        "C": _estimate(np.full(100, 0.45)),
    }
    table = compare_models(estimates)
    assert table.index[0] == "C"
    assert table.loc["C", "weight_pseudo_bma"] > 0.99
    assert table.loc["C", "weight_stacking"] < 0.01
    assert table.loc["A", "weight_stacking"] == pytest.approx(0.5, abs=0.01)


def test_one_model_is_not_a_comparison(curve_data):
    with pytest.raises(ValueError, match="at least two"):
        compare_models({"true": curve_psis(conjugate_fit(curve_data, seed=1).tree)})
