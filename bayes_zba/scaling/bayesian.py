"""Bayesian scaling model "scaling": G = G0 + c_curve + B_Σ T^α F(eV/kT) + ε, α and F free.

The scaling Ansatz (I-13, I-14) with the measurement model of physics.md §1. Sampled as
(T/T_ref)^α Φ(|v|^{1/2}) with Φ the spline of spline.py (linear in its coefficients);
F = Φ/Φ(0) and B_Σ = Φ(0) T_ref^{-α}, so F(0) = 1 and G(0, T) - G0 = B_Σ T^α (I-22).
"""

from dataclasses import dataclass
from typing import Any, Self

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from bayes_zba.data import Dataset, dataset_from_frame
from bayes_zba.models import (
    ModelConfig,
    PriorSpec,
    add_measurement,
    curve_labels_and_index,
    data_scales,
    load_config,
    select_fit_data,
)
from bayes_zba.models.builder import DATA_NAMES
from bayes_zba.models.priors import DISTRIBUTIONS
from bayes_zba.models.scales import DataScales
from bayes_zba.scaling.classical import WINDOW_SQRT_V, window_line
from bayes_zba.scaling.collapse import reduced_bias
from bayes_zba.scaling.spline import KNOT_SPACING, ScalingSpline, spline_for_range
from bayes_zba.units import bias_energy_kelvin

#: Name of the Bayesian scaling model in fits, rankings and reports.
SCALING_MODEL = "scaling"
#: Mechanism config whose measurement options and priors (G0, b2, tau_curve, sigma, nu) the
#: scaling model shares, so that its fits compare fairly with the 2CK mechanism's.
MEASUREMENT_REFERENCE = "2ck"
#: Default largest |v| = |eV/kT| fitted: w = |v|^{1/2} <= 4 covers the window [2, 3] of (I-27).
V_FIT_MAX = 16.0
#: Points of the w grid on which the (I-27) window line of F is taken.
WINDOW_GRID_POINTS = 101

#: Priors of the scaling parameters (data scales as in models/*.toml; never tuned to a truth).
SCALING_PRIORS = {
    p.name: p
    for p in (
        PriorSpec(
            "alpha",
            "Uniform",
            {"lower": 0.1, "upper": 1.0},
            unit="1",
            why="scaling exponent of (I-14); 2CK predicts ½, other mechanisms 1/3 … 2/3",
        ),
        PriorSpec(
            "b_ref",
            "LogNormal",
            {"median": 0.3, "sigma": 1.5},
            scale={"median": "zba_depth"},
            unit="e²/h",
            why="G(0, T_ref) - G0; the ZBA over the fitted points spans about 3 b_ref",
        ),
        PriorSpec(
            "Phi_rise",
            "Normal",
            {"mu": 0.0, "sigma": 1.0},
            scale={"sigma": "zba_depth"},
            unit="e²/h",
            why="rise of the scaling curve above b_ref at each knot: up to about the ZBA depth",
        ),
    )
}


@dataclass(frozen=True)
class ScalingModelSpec:
    """Which points the scaling model sees and how finely F is resolved."""

    t_max_K: float | None = None  # curves with T <= t_max_K (None: every curve)
    v_fit_max: float | None = V_FIT_MAX  # points with |eV/kT| <= v_fit_max (None: all)
    knot_spacing: float = KNOT_SPACING  # in w = |v|^{1/2}

    def to_json(self) -> dict:
        return {
            "t_max_K": self.t_max_K,
            "v_fit_max": self.v_fit_max,
            "knot_spacing": self.knot_spacing,
        }


#: The points of a mechanism fit with the same config (its bias window and masks only): a
#: scaling fit with this spec can be ranked beside mechanism fits by compare.rank.
MECHANISM_POINTS = ScalingModelSpec(t_max_K=None, v_fit_max=None)


def scaling_fit_data(dataset: Dataset, config: ModelConfig, spec: ScalingModelSpec) -> Dataset:
    """The points of the scaling fit: config's window and masks, then T and |v| limits."""
    data = select_fit_data(dataset, config)
    if spec.t_max_K is not None:
        data = data.select(T_range=(0.0, spec.t_max_K))
    if spec.v_fit_max is None:
        return data
    table = data.table
    keep = np.abs(reduced_bias(table["V_mV"].to_numpy(), table["T_K"].to_numpy()))
    keep = keep <= spec.v_fit_max
    record = {"op": "reduced_bias_window", "v_fit_max": float(spec.v_fit_max)}
    attrs = {**data.attrs, "selections": [*data.attrs.get("selections", []), record]}
    return dataset_from_frame(
        table[keep].reset_index(drop=True), source=data.source, samples=data.samples, attrs=attrs
    )


def reference_temperature(T_K: np.ndarray) -> float:
    """T_ref: the geometric mean of the distinct temperatures (K), the pivot of (T/T_ref)^α."""
    return float(np.exp(np.mean(np.log(np.unique(T_K)))))


@dataclass(frozen=True)
class ScalingGeometry:
    """Fixed numbers of a scaling model's graph: the spline of F and the pivot T_ref."""

    spline: ScalingSpline
    T_ref: float  # K: geometric mean of the fitted temperatures

    @classmethod
    def of_points(cls, V_mV: np.ndarray, T_K: np.ndarray, knot_spacing: float) -> Self:
        """Knots covering the largest w = |eV/kT|^{1/2} of the points; T_ref from their T."""
        w = np.sqrt(np.abs(reduced_bias(V_mV, T_K)))
        return cls(spline_for_range(float(w.max()), knot_spacing), reference_temperature(T_K))


def scaling_signal(
    inputs: dict[str, Any], geometry: ScalingGeometry, priors: dict
) -> pt.TensorVariable:
    """ΔG = (T/T_ref)^α Φ(w), w = |eV/kT|^{1/2} (I-14); Φ(0) = b_ref, Φ_j = b_ref + rise_j."""
    alpha = _scaling_prior("alpha", priors)
    b_ref = _scaling_prior("b_ref", priors)
    rise = pm.Normal("Phi_rise", **priors["Phi_rise"], dims="knot")
    spline = geometry.spline
    w = pt.sqrt(pt.abs(bias_energy_kelvin(inputs["V_mV"]) / inputs["T_K"]))
    Phi = spline.evaluate(w, spline.coefficients(b_ref, b_ref + rise, pt), pt)
    return (inputs["T_K"] / geometry.T_ref) ** alpha * Phi


def window_weights() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(w grid, slope weights, intercept weights) of the (I-27) line over WINDOW_SQRT_V.

    The line is linear in F, so its weights are window_line applied to unit vectors.
    """
    w = np.linspace(*WINDOW_SQRT_V, WINDOW_GRID_POINTS)
    slope, intercept = window_line(w, np.eye(w.size), WINDOW_SQRT_V)
    return w, slope, intercept


def derived_quantities(
    geometry: ScalingGeometry, alpha: Any, b_ref: Any, rise: Any
) -> dict[str, np.ndarray]:
    """Paper I's Table I numbers per draw (NumPy; draws on leading axes, knots last for rise).

    B_Σ = b_ref T_ref^{-α} (I-22); F = Φ/b_ref; F0, F1: the window line of
    B_Σ [F(w) - 1] over WINDOW_SQRT_V (I-27); Γ1 = F1/B_Σ.
    """
    spline = geometry.spline
    w, slope_weights, intercept_weights = window_weights()
    b_ref = np.asarray(b_ref)
    coefficients = spline.coefficients(b_ref, b_ref[..., None] + rise, np)
    F = spline.evaluate(w, coefficients, np) / b_ref[..., None]
    B_sigma = b_ref * geometry.T_ref ** (-np.asarray(alpha))
    gamma1 = F @ intercept_weights - 1.0
    return {
        "alpha": np.asarray(alpha),
        "B_sigma": B_sigma,
        "F0": B_sigma * (F @ slope_weights),
        "F1": B_sigma * gamma1,
        "Gamma1": gamma1,
    }


def build_scaling_model(
    dataset: Dataset,
    config: ModelConfig | None = None,
    spec: ScalingModelSpec | None = None,
) -> pm.Model:
    """PyMC model "scaling" of one sample (dims "point", "curve", "knot").

    Points: scaling_fit_data. Measurement model and its priors from `config` (default: the
    shipped models/<MEASUREMENT_REFERENCE>.toml); scaling priors SCALING_PRIORS.
    """
    config = config or load_config(MEASUREMENT_REFERENCE)
    spec = spec or ScalingModelSpec()
    data = scaling_fit_data(dataset, config, spec)
    table = data.table
    scales = data_scales(table)
    labels, index = curve_labels_and_index(data)
    geometry = ScalingGeometry.of_points(
        table["V_mV"].to_numpy(float), table["T_K"].to_numpy(float), spec.knot_spacing
    )
    coords = {
        "point": np.arange(len(table)),
        "curve": labels,
        "knot": np.arange(geometry.spline.n_free),
    }
    priors = {**config.resolved_priors(scales), **_scaling_resolved(scales)}
    with pm.Model(coords=coords) as model:
        inputs = {
            name: pm.Data(DATA_NAMES[name], table[name].to_numpy(float), dims="point")
            for name in DATA_NAMES
        }
        signal = scaling_signal(inputs, geometry, priors)
        add_measurement(data, config, priors, index, inputs, signal)
    return model


def _scaling_resolved(scales: DataScales) -> dict[str, dict[str, float]]:
    return {name: spec.resolved(scales) for name, spec in SCALING_PRIORS.items()}


def _scaling_prior(name: str, resolved: dict) -> Any:
    return DISTRIBUTIONS[SCALING_PRIORS[name].dist].make(name, resolved[name])
