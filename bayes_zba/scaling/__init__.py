"""Scaling analysis of paper I: V/T collapse, D(α), B_Σ, F0, F1, Γ1, the Bayesian scaling model
and the universality test across samples.
"""

from bayes_zba.scaling.analysis import analyse_file, analyse_sample
from bayes_zba.scaling.bayesian import (
    MECHANISM_POINTS,
    SCALING_MODEL,
    ScalingModelSpec,
    build_scaling_model,
)
from bayes_zba.scaling.classical import (
    ClassicalScaling,
    ScalingOptions,
    Spread,
    WindowLine,
    classical_scaling,
    window_line,
)
from bayes_zba.scaling.collapse import (
    CollapseDeviation,
    collapse_coordinates,
    collapse_deviation,
    reduced_bias,
    zero_bias_conductance,
)
from bayes_zba.scaling.fitting import SamplerSettings, fit_scaling, posterior_summary
from bayes_zba.scaling.results import ScalingResult, save_scaling_json
from bayes_zba.scaling.sweeps import Sweeps, sample_sweeps
from bayes_zba.scaling.temperature_exponent import TemperatureExponent, temperature_exponent
from bayes_zba.scaling.universality import (
    PER_SAMPLE,
    UNIVERSAL,
    UniversalityResult,
    universality_test,
)
from bayes_zba.scaling.verdict import SCALING_RULES, ScalingVerdict, decide, exponent_test

__all__ = [
    "MECHANISM_POINTS",
    "PER_SAMPLE",
    "SCALING_MODEL",
    "SCALING_RULES",
    "UNIVERSAL",
    "ClassicalScaling",
    "CollapseDeviation",
    "SamplerSettings",
    "ScalingModelSpec",
    "ScalingOptions",
    "ScalingResult",
    "ScalingVerdict",
    "Spread",
    "Sweeps",
    "TemperatureExponent",
    "UniversalityResult",
    "WindowLine",
    "analyse_file",
    "analyse_sample",
    "build_scaling_model",
    "classical_scaling",
    "collapse_coordinates",
    "collapse_deviation",
    "decide",
    "exponent_test",
    "fit_scaling",
    "posterior_summary",
    "reduced_bias",
    "sample_sweeps",
    "save_scaling_json",
    "temperature_exponent",
    "universality_test",
    "window_line",
    "zero_bias_conductance",
]
