"""Universality test: three samples with a common Γ, a fourth with another geometry.

Samples follow B_s T^½ Γ_a(A v) exactly: the common ones with paper I Table I's B_s and
sample 1's A and a = 0.8 (window Γ1 = -0.69), the odd one with a = 0, A = 1 (Γ1 = -1.27).
"""

import pandas as pd
import pytest
from scaling_data import scaling_dataset, window_truth

from bayes_zba.data import SampleInfo, dataset_from_frame
from bayes_zba.models import load_config
from bayes_zba.scaling.bayesian import MEASUREMENT_REFERENCE, ScalingModelSpec
from bayes_zba.scaling.fitting import SamplerSettings
from bayes_zba.scaling.universality import (
    PER_SAMPLE,
    UNIVERSAL,
    build_universality_model,
    combine_samples,
    universality_test,
)

CONFIG = load_config(MEASUREMENT_REFERENCE)
TEMPERATURES = (0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0)
#: name -> (B_Σ, A, a_geom): Table I's B_Σ of samples 1-3 with one Γ_a, and an odd geometry.
SAMPLES = {
    "s1": (7.8, (4.2 / 7.8) ** 2, 0.8),
    "s2": (25.2, (4.2 / 7.8) ** 2, 0.8),
    "s3": (10.3, (4.2 / 7.8) ** 2, 0.8),
    "odd": (12.0, 1.0, 0.0),
}
SETTINGS = SamplerSettings(seed=5, chains=4, draws=400, tune=600)


@pytest.fixture(scope="module")
def dataset():
    frames = [
        scaling_dataset(
            B_sigma=B,
            A=A,
            a_geom=a,
            temperatures=TEMPERATURES,
            n_bias=71,
            noise=0.07,
            drift=0.3,
            seed=seed,
            sample=name,
        ).table
        for seed, (name, (B, A, a)) in enumerate(SAMPLES.items())
    ]
    return dataset_from_frame(
        pd.concat(frames, ignore_index=True), samples={n: SampleInfo(n) for n in SAMPLES}
    )


def test_the_odd_sample_has_a_different_window_gamma1():
    """The premise: Γ1 of (I-27) of the odd geometry is far from the common one."""
    _, common = window_truth(*SAMPLES["s1"][1:])
    _, odd = window_truth(*SAMPLES["odd"][1:])
    assert odd - common < -0.5


def test_combined_data_label_curves_by_sample_and_share_one_model(dataset):
    spec = ScalingModelSpec()
    combined = combine_samples(dataset, ["s1", "odd"], CONFIG, spec)
    assert combined.data.sample_names() == ["s1+odd"]
    assert set(combined.data.table["curve"].str.split("/").str[0]) == {"s1", "odd"}
    for name in (UNIVERSAL, PER_SAMPLE):
        model = build_universality_model(combined, CONFIG, name, spec.knot_spacing)
        assert model.named_vars_to_dims["G0"] == ("member",)
    shared = build_universality_model(combined, CONFIG, UNIVERSAL, spec.knot_spacing)
    assert shared["alpha"].ndim == 0 and shared["Gamma1"].ndim == 0
    assert shared.named_vars_to_dims["Phi_rise"] == ("member", "knot_free")
    separate = build_universality_model(combined, CONFIG, PER_SAMPLE, spec.knot_spacing)
    assert separate.named_vars_to_dims["alpha"] == ("member",)


@pytest.mark.slow
def test_common_samples_are_universal_and_the_odd_one_breaks_universality(dataset):
    common = universality_test(dataset, ["s1", "s2", "s3"], CONFIG, settings=SETTINGS)
    scores = {s.model: s for s in common.ranking.scores}
    assert scores[UNIVERSAL].elpd_diff >= -2 * max(scores[UNIVERSAL].dse, 1.0)
    alpha, gamma1 = (common.summaries[UNIVERSAL][q]["s1"] for q in ("alpha", "Gamma1"))
    assert alpha["q05"] <= 0.5 <= alpha["q95"]
    assert gamma1["q05"] <= window_truth()[1] <= gamma1["q95"]

    mixed = universality_test(dataset, list(SAMPLES), CONFIG, settings=SETTINGS)
    assert mixed.preferred == PER_SAMPLE
    worse = next(s for s in mixed.ranking.scores if s.model == UNIVERSAL)
    assert worse.elpd_diff < -4 * worse.dse  # elpd_diff: below the best (<= 0)
