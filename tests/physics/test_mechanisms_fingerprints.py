"""Fingerprints that tell the mechanisms apart (physics.md §7), measured on noiseless ΔG.

T-exponent at V = 0, V/T collapse residual (paper I D(α), made relative) and field response.
"""

import numpy as np
import pytest

from bayes_zba.physics import delta_g
from bayes_zba.scaling import (
    collapse_coordinates,
    collapse_deviation,
    temperature_exponent,
    zero_bias_conductance,
)
from bayes_zba.simulate import TYPICAL_PARAMETERS
from bayes_zba.units import KELVIN_PER_MILLIVOLT

#: Typical parameters, adjusted where a fingerprint needs it to be clean: 2ck with negligible
#: splitting, kk with a single Δ, kr with H_c well below the fields used.
FINGERPRINT_PARAMS = {
    **TYPICAL_PARAMETERS,
    "2ck": {**TYPICAL_PARAMETERS["2ck"], "T_K": 10.0, "delta_med": 0.01, "delta_width": 0.0},
    "kr2": {**TYPICAL_PARAMETERS["kr2"], "H_c": 0.5},
    "kr1": {**TYPICAL_PARAMETERS["kr1"], "H_c": 0.5},
    "kk": {**TYPICAL_PARAMETERS["kk"], "delta_med": 1.5, "delta_width": 0.0},
}
#: Zero-bias temperatures of the exponent fits: well below T_K and E_b (paper I Fig. 7a).
EXPONENT_TEMPERATURES = np.geomspace(0.1, 1.0, 10)
#: Collapse temperatures (the 5 lowest enter D(α)) and the dense sweep each is sampled on.
COLLAPSE_TEMPERATURES = np.array([0.05, 0.1, 0.2, 0.4, 0.8])
COLLAPSE_SWEEP_MV = np.linspace(-0.5, 0.5, 2001)


def zero_bias_exponent(model: str) -> float:
    """p of ΔG(0, T) ∝ T^p over EXPONENT_TEMPERATURES (G0 = 0: ΔG has no background)."""
    dg = delta_g(model, 0.0, EXPONENT_TEMPERATURES, 0.0, **FINGERPRINT_PARAMS[model])
    return temperature_exponent(EXPONENT_TEMPERATURES, dg, G0=0.0).exponent


def relative_collapse_residual(model: str, alpha: float = 0.5) -> float:
    """√(D(α)/|v range|) over the rms of the rescaled curves [ΔG(V,T) - ΔG(0,T)]/T^α there."""
    T, V = np.meshgrid(COLLAPSE_TEMPERATURES, COLLAPSE_SWEEP_MV, indexing="ij")
    curve_index = np.repeat(np.arange(len(COLLAPSE_TEMPERATURES)), len(COLLAPSE_SWEEP_MV))
    V, T = V.ravel(), T.ravel()
    dg = delta_g(model, V, T, 0.0, **FINGERPRINT_PARAMS[model])
    deviation = collapse_deviation(V, T, dg, curve_index, alpha)
    g_zero = zero_bias_conductance(V, dg, curve_index)[curve_index]
    _, rescaled = collapse_coordinates(V, T, dg, g_zero, alpha)
    v = KELVIN_PER_MILLIVOLT * V / T
    low, high = deviation.v_range
    inside = (v >= low) & (v <= high)
    scale = np.sqrt(np.mean(rescaled[inside] ** 2))
    return float(np.sqrt(deviation.value / (high - low)) / scale)


@pytest.mark.parametrize(
    ("model", "exponent", "tolerance"),
    [("2ck", 0.5, 0.03), ("wam", 0.5, 1e-4), ("kr2", 2.0, 1e-3), ("kr1", 1.0, 1e-3)],
)
def test_zero_bias_temperature_exponent(model, exponent, tolerance):
    assert zero_bias_exponent(model) == pytest.approx(exponent, abs=tolerance)


def test_kk_zero_bias_is_activated_not_a_power_law():
    params = FINGERPRINT_PARAMS["kk"]
    T = EXPONENT_TEMPERATURES[EXPONENT_TEMPERATURES < 0.5]  # T << Δ
    dg = delta_g("kk", 0.0, T, 0.0, **params)
    activation = -np.polyfit(1.0 / T, np.log(dg), 1)[0]  # ln ΔG = ln δG - Δ/T
    assert activation == pytest.approx(params["delta_med"], rel=0.02)
    low_t = temperature_exponent(T[:3], dg[:3], G0=0.0).exponent
    high_t = temperature_exponent(T[-3:], dg[-3:], G0=0.0).exponent
    assert low_t > 1.5 * high_t > 1.5 * 2.0  # local exponent Δ/T keeps growing as T falls


@pytest.mark.parametrize(("model", "bound"), [("2ck", 0.02), ("wam", 1e-4)])
def test_v_over_t_scaling_collapses(model, bound):
    assert relative_collapse_residual(model) < bound


@pytest.mark.parametrize("model", ["kr2", "kr1", "kk"])
def test_no_v_over_t_scaling(model):
    assert relative_collapse_residual(model) > 0.1


def test_field_dependence():
    H = np.array([0.0, 1.0, 2.0, 4.0, 8.0])
    response = {
        model: delta_g(model, 0.0, 0.1, H, **FINGERPRINT_PARAMS[model])
        for model in FINGERPRINT_PARAMS
    }
    for model in ("2ck", "kk"):  # none (2ck with c_H = 0)
        np.testing.assert_array_equal(response[model], response[model][0])
    for model in ("kr2", "kr1"):  # amplitude down, towards ½ above H_c = 0.5 T
        ratio = response[model] / response[model][0]
        assert np.all(np.diff(ratio) < 0) and ratio[-1] == pytest.approx(0.5, abs=0.01)
    assert np.all(np.diff(response["wam"]) > 0)


def test_wam_magnetoconductance_exponent_is_one_half():
    H = np.geomspace(2.0, 8.0, 5)
    T = 0.001
    rise = delta_g("wam", 0.0, T, H, **FINGERPRINT_PARAMS["wam"]) - delta_g(
        "wam", 0.0, T, 0.0, **FINGERPRINT_PARAMS["wam"]
    )
    assert np.polyfit(np.log(H), np.log(rise), 1)[0] == pytest.approx(0.5, abs=0.02)
