"""Data-derived prior scales: expression parsing, and estimates on synthetic curves."""

import numpy as np
import pandas as pd
import pytest

from bayes_zba.models.scales import (
    DataScales,
    ScaleExpressionError,
    data_scales,
    scale_factors,
)
from bayes_zba.units import bias_energy_kelvin


def synthetic_table(noise: float, depth: float, seed: int) -> pd.DataFrame:
    """Curves G = 100 + depth·sqrt(E/E_max) + noise, E = max(|eV|, T): a ZBA of known depth."""
    rng = np.random.default_rng(seed)
    frames = []
    for T in (0.1, 0.5, 2.0, 6.0):
        V = np.linspace(-5.0, 5.0, 201)
        energy = np.maximum(np.abs(bias_energy_kelvin(V)), T)
        G = 100.0 + depth * np.sqrt(energy / bias_energy_kelvin(5.0)) + rng.normal(0, noise, V.size)
        frames.append(
            pd.DataFrame(
                {"sample": "s", "curve": f"T{T}", "V_mV": V, "T_K": T, "H_T": 0.0, "G_e2h": G}
            )
        )
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize(
    ("expression", "factors"),
    [
        ("zba_depth", [("zba_depth", 1.0)]),
        ("zba_depth / energy_max^0.5", [("zba_depth", 1.0), ("energy_max", -0.5)]),
        (
            " g_median*noise ^ 2/bias_max^-1 ",
            [("g_median", 1.0), ("noise", 2.0), ("bias_max", 1.0)],
        ),
    ],
)
def test_scale_expressions_parse(expression, factors):
    assert scale_factors(expression) == factors


@pytest.mark.parametrize("expression", ["", "zba_depth /", "2 * zba_depth", "zba_depth^x", "depth"])
def test_bad_scale_expressions_are_errors(expression):
    with pytest.raises(ScaleExpressionError):
        scale_factors(expression)


def test_evaluate_multiplies_powers():
    scales = DataScales(g_median=2.0, zba_depth=3.0, noise=0.5, bias_max=4.0, energy_max=9.0)
    assert scales.evaluate("zba_depth / energy_max^0.5 * noise") == pytest.approx(0.5)


def test_scales_recover_noise_depth_and_ranges():
    table = synthetic_table(noise=0.02, depth=5.0, seed=1)
    scales = data_scales(table)
    assert scales.noise == pytest.approx(0.02, rel=0.15)
    true_span = 5.0 * (1.0 - np.sqrt(0.1 / bias_energy_kelvin(5.0)))
    assert 0.7 * true_span < scales.zba_depth <= true_span  # 5 % ends blur the extremes
    assert scales.g_median == pytest.approx(np.median(table["G_e2h"]))
    assert scales.bias_max == 5.0
    assert scales.energy_max == pytest.approx(bias_energy_kelvin(5.0))


def test_depth_never_falls_below_noise():
    scales = data_scales(synthetic_table(noise=0.05, depth=0.0, seed=2))
    assert scales.zba_depth >= scales.noise > 0
