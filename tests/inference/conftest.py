"""Shared check of the inference tests: a fit recovers the truth of its simulated data."""

import numpy as np
import pytest


def assert_recovers(result, dataset) -> None:
    """0 divergences, R-hat <= 1.01 and 90 % intervals covering every true mechanism parameter.

    The truth is attrs["simulation"]["params"]. The measurement settings (G0, noise σ) are not
    parameters of the mechanism: their posterior tracks the realised noise and offsets of the
    one dataset (e.g. σ̂ = 0.108 for nominal 0.1 with seed 20240501's noise), not the setting.
    """
    diagnostics = result.diagnostics
    assert diagnostics.n_divergent == 0, diagnostics
    assert diagnostics.max_rhat <= 1.01, diagnostics
    posterior = result.tree["posterior"]
    for name, value in dataset.attrs["simulation"]["params"].items():
        low, high = np.quantile(posterior[name].values, [0.05, 0.95])
        assert low <= value <= high, (
            f"{name}: truth {value:g} outside 90 % interval [{low:g}, {high:g}]"
        )


@pytest.fixture
def recovery_check():
    return assert_recovers
