"""Shared check of the inference tests: a fit recovers the truth of its simulated data."""

import pytest

from bayes_zba.inference.diagnostics import truth_coverage


def assert_recovers(result, dataset) -> None:
    """0 divergences, R-hat <= 1.01 and 90 % intervals (diagnostics.truth_coverage) covering every true mechanism parameter.

    The truth is attrs["simulation"]["params"]. The measurement settings (G0, noise σ) are not
    parameters of the mechanism: their posterior tracks the realised noise and offsets of the
    one dataset (e.g. σ̂ = 0.108 for nominal 0.1 with seed 20240501's noise), not the setting.
    """
    diagnostics = result.diagnostics
    assert diagnostics.n_divergent == 0, diagnostics
    assert diagnostics.max_rhat <= 1.01, diagnostics
    truth = dataset.attrs["simulation"]["params"]
    missed = [name for name, covered in truth_coverage(result, truth).items() if not covered]
    assert not missed, f"truth outside the 90 % interval: {[(n, truth[n]) for n in missed]}"


@pytest.fixture
def recovery_check():
    return assert_recovers
