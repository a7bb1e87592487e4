"""Scaling verdict: the rules on edited results, and the shipped examples of every mechanism.

Paper I: 2CK and WAM show V/T scaling (physics.md §7), the KR and KK mechanisms do not.
"""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from scaling_data import scaling_dataset

from bayes_zba.data import load_dataset
from bayes_zba.scaling.classical import ScalingOptions, classical_scaling
from bayes_zba.scaling.sweeps import sample_sweeps
from bayes_zba.scaling.verdict import (
    ALPHA_RESOLUTION,
    COLLAPSE_NOISE_RATIO,
    decide,
    exponent_test,
)

DATA = Path(__file__).resolve().parents[2] / "data"
OPTIONS = ScalingOptions(bootstrap=10, seed=1)


@pytest.fixture(scope="module")
def noisy():
    """Exact sample-1 scaling with noise and drift: a result every rule accepts."""
    sweeps = sample_sweeps(scaling_dataset(noise=0.07, drift=0.943, seed=5))
    result = classical_scaling(sweeps, OPTIONS)
    return result, exponent_test(sweeps.curve_T, sweeps.zero_bias(), result.alpha_star)


def test_exact_scaling_passes_every_rule(noisy):
    result, exponent = noisy
    verdict = decide(result, exponent)
    assert verdict.scaling is True
    assert all(check.passed for check in verdict.checks)
    assert "consistent with the 2CK value" in verdict.text


def test_a_minimum_on_the_grid_edge_means_no_scaling(noisy):
    result, exponent = noisy
    verdict = decide(replace(result, alpha_at_edge=True), exponent)
    assert verdict.scaling is False
    assert "smallest at α" in verdict.text


def test_a_collapse_far_above_the_noise_floor_means_no_scaling(noisy):
    result, exponent = noisy
    worse = replace(result, D_star=result.D_noise * COLLAPSE_NOISE_RATIO * 1.01)
    assert decide(worse, exponent).scaling is False


def test_an_unlocated_minimum_alone_leaves_the_question_open(noisy):
    result, exponent = noisy
    verdict = decide(replace(result, alpha_err=2 * ALPHA_RESOLUTION), exponent)
    assert verdict.scaling is None
    assert "cannot be judged" in verdict.text


def test_alpha_far_from_one_half_is_called_inconsistent_with_2ck(noisy):
    result, exponent = noisy
    verdict = decide(replace(result, alpha_star=0.5 + 3 * result.alpha_err), exponent)
    assert "not consistent with the 2CK value" in verdict.text


def test_exponent_test_accepts_the_true_power_and_rejects_a_wrong_one():
    T = np.geomspace(0.1, 5.7, 12)
    G = 2829.0 + 7.8 * np.sqrt(T) + np.random.default_rng(0).normal(0.0, 0.3, T.size)
    assert exponent_test(T, G, 0.5).consistent
    assert not exponent_test(T, G, 1.5).consistent


@pytest.mark.parametrize(
    ("example", "scales"),
    [
        ("cu-sample1-like", True),
        ("2ck", True),
        ("wam", True),
        ("kr2", False),
        ("kr1", False),
        ("kk", False),
    ],
)
def test_examples_scale_as_their_mechanism_predicts(example, scales):
    sweeps = sample_sweeps(load_dataset(DATA / f"{example}.csv"))
    result = classical_scaling(sweeps, OPTIONS)
    verdict = decide(result, exponent_test(sweeps.curve_T, sweeps.zero_bias(), result.alpha_star))
    assert verdict.scaling is scales, verdict.text
