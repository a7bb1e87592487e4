"""Simulated conductance data G(V, T, H) from any mechanism, on preset or user-given designs.

G = G0 + ΔG_mech + c_curve + ε (physics.md §1): drift c ~ N(0, τ) per curve, Gaussian noise ε,
optional heavy-tailed spikes. The truth goes into attrs["simulation"].
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bayes_zba import __version__
from bayes_zba.data import Dataset, SampleInfo, dataset_from_frame, load_dataset, save_dataset
from bayes_zba.data.validation import derive_curve_labels
from bayes_zba.physics import delta_g, get_mechanism

#: Sharvin conductance of paper I sample 1 (Fig. 7 caption), e²/h.
DEFAULT_G0 = 2829.0
#: Point noise, e²/h: a lock-in measurement of a ZBA of a few to tens of e²/h on thousands.
DEFAULT_NOISE_SIGMA = 0.1
#: Drift between sweeps as a fraction of G0: "1 part in 3000" (paper I Fig. 7 caption).
DRIFT_FRACTION = 1.0 / 3000.0
#: Spikes: Student-t with OUTLIER_DOF degrees of freedom, scale OUTLIER_SCALE × noise_sigma.
OUTLIER_DOF = 2.0
OUTLIER_SCALE = 10.0

#: Physics-typical parameters (physics.md §3-§6, paper I Table I): ZBAs of ~15-25 e²/h over
#: |V| <= 2 mV and 0.1-5.7 K, like paper I sample 1; the CLI's defaults.
TYPICAL_PARAMETERS: dict[str, dict[str, float]] = {
    "2ck": {
        "B_sigma": 7.8,
        "A": 0.29,
        "a_geom": 0.8,
        "T_K": 8.0,
        "delta_med": 0.1,
        "delta_width": 0.5,
        "c_H": 0.0,
    },
    "kr2": {"A_kr": 0.8, "E_star": 2.0, "E_b": 15.0, "H_c": 2.0},
    "kr1": {"A_kr": 4.0, "E_star": 2.0, "E_b": 15.0, "H_c": 2.0},
    "kk": {"dG": 30.0, "delta_med": 1.0, "delta_width": 0.3, "q": 0.5, "rho": 0.1},
    "wam": {"A_w": 4.0, "w_Z": 0.4},
}


@dataclass(frozen=True)
class Design:
    """Where G is measured: every (T, H) pair is one bias sweep over the same V grid."""

    name: str
    temperatures_K: tuple[float, ...]
    fields_T: tuple[float, ...]
    bias_mV: tuple[float, ...]
    description: str

    @property
    def n_points(self) -> int:
        return len(self.temperatures_K) * len(self.fields_T) * len(self.bias_mV)

    def points(self) -> pd.DataFrame:
        """V_mV, T_K, H_T of every point, sweep after sweep (T outer, H inner)."""
        T, H, V = np.meshgrid(self.temperatures_K, self.fields_T, self.bias_mV, indexing="ij")
        return pd.DataFrame({"V_mV": V.ravel(), "T_K": T.ravel(), "H_T": H.ravel()})

    def record(self) -> dict[str, Any]:
        """JSON-able description for attrs["simulation"]["design"]."""
        return {
            "name": self.name,
            "description": self.description,
            "temperatures_K": list(self.temperatures_K),
            "fields_T": list(self.fields_T),
            "bias_mV": {"min": min(self.bias_mV), "max": max(self.bias_mV), "n": len(self.bias_mV)},
        }


def bias_sweep(v_max_mV: float, n: int) -> tuple[float, ...]:
    """n evenly spaced biases on [-v_max, v_max]; odd n includes V = 0."""
    return tuple(float(v) for v in np.linspace(-v_max_mV, v_max_mV, n))


DESIGN_PRESETS: dict[str, Design] = {
    "small": Design(
        "small",
        (0.2, 0.8, 3.2),
        (0.0, 4.0),
        bias_sweep(2.0, 51),
        "fast CI design: 3 temperatures × 2 fields × 51 biases on |V| <= 2 mV (306 points)",
    ),
    "default": Design(
        "default",
        (0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 5.7),
        (0.0, 2.0, 6.0),
        bias_sweep(2.0, 71),
        "T and H both varied: 7 temperatures 0.1-5.7 K × fields 0, 2, 6 T × 71 biases on "
        "|V| <= 2 mV (1,491 points)",
    ),
    "fig8": Design(
        "fig8",
        (0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0, 1.4, 2.0, 2.8, 4.0, 5.7),
        (0.0,),
        bias_sweep(2.0, 151),
        "paper I Fig. 8(a): 12 temperatures 0.1-5.7 K at H = 0 × 151 biases on |V| <= 2 mV "
        "(1,812 points)",
    ),
    "field": Design(
        "field",
        (0.1, 0.5, 2.0),
        (0.0, 1.0, 2.0, 4.0, 6.0),
        bias_sweep(2.0, 101),
        "field series H = 0, 1, 2, 4, 6 T at 0.1, 0.5, 2 K × 101 biases on |V| <= 2 mV "
        "(1,515 points)",
    ),
}


def design_preset(name: str) -> Design:
    """The preset design `name`; ValueError listing the presets otherwise."""
    try:
        return DESIGN_PRESETS[name]
    except KeyError:
        raise ValueError(
            f"unknown design preset {name!r}; presets: {', '.join(DESIGN_PRESETS)}"
        ) from None


def typical_parameters(model: str) -> dict[str, float]:
    """A copy of the physics-typical parameters of `model` (TYPICAL_PARAMETERS)."""
    get_mechanism(model)  # unknown model -> KeyError listing the known ones
    return dict(TYPICAL_PARAMETERS[model])


def checked_parameters(model: str, params: Mapping[str, float]) -> dict[str, float]:
    """params as floats; ValueError naming those outside their support (physics.md §3-§6).

    Missing or unknown names are left to `bayes_zba.physics.delta_g` (TypeError).
    """
    mechanism = get_mechanism(model)
    values = {name: float(value) for name, value in params.items()}
    outside = [
        f"{p.name}={values[p.name]:g} (support {p.lower:g} … {p.upper:g} {p.unit})"
        for p in mechanism.parameters
        if p.name in values and not p.contains(values[p.name])
    ]
    if outside:
        raise ValueError(f"model {model!r}: parameters outside their support: {'; '.join(outside)}")
    return values


def design_points(design: Design | Dataset | pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """(curve, V_mV, T_K, H_T) of every point of `design` and its record for attrs.

    A Dataset or table is reused point by point (its curve labels when it has them, else one
    curve per (T, H)); a Dataset must hold a single sample.
    """
    if isinstance(design, Design):
        points, record = design.points(), design.record()
    elif isinstance(design, Dataset):
        if len(design.samples) != 1:
            raise ValueError(
                f"a design dataset must hold one sample, not {', '.join(design.sample_names())}"
            )
        points = design.table
        record = {"name": "dataset", "source": design.source, "content_hash": design.content_hash}
    else:
        points, record = design, {"name": "table", "n_points": len(design)}
    missing = [c for c in ("V_mV", "T_K", "H_T") if c not in points.columns]
    if missing:
        raise ValueError(f"a design needs the columns V_mV, T_K, H_T; missing {missing}")
    points = points.reset_index(drop=True)
    curve = (
        points["curve"].astype(str).to_numpy()
        if "curve" in points.columns
        else derive_curve_labels(
            np.zeros(len(points)), points["T_K"].to_numpy(), points["H_T"].to_numpy()
        )
    )
    frame = pd.DataFrame(
        {"curve": curve, **{c: points[c].astype(float) for c in ("V_mV", "T_K", "H_T")}}
    )
    return frame, record


def _check_measurement(G0: float, noise_sigma: float, drift_tau: float, outliers: float) -> None:
    if not np.isfinite(G0):
        raise ValueError(f"G0 must be finite, got {G0}")
    if not (noise_sigma >= 0 and drift_tau >= 0):
        raise ValueError(f"noise_sigma and drift_tau must be >= 0, got {noise_sigma}, {drift_tau}")
    if not 0.0 <= outliers < 1.0:
        raise ValueError(f"outlier_fraction must lie in [0, 1), got {outliers}")


def simulate(
    model: str,
    params: Mapping[str, float],
    design: Design | Dataset | pd.DataFrame,
    *,
    G0: float = DEFAULT_G0,
    noise_sigma: float = DEFAULT_NOISE_SIGMA,
    drift_tau: float | None = None,
    outlier_fraction: float = 0.0,
    seed: int,
    sample: str = "sim",
    notes: str = "",
) -> Dataset:
    """Simulated G = G0 + ΔG + c_curve + ε on `design` (physics.md §1), as a validated Dataset.

    drift_tau defaults to G0/3000. Random draws, in this order from default_rng(seed): curve
    offsets c ~ N(0, drift_tau) (no sum-to-zero), noise ε ~ N(0, noise_sigma), which points
    are outliers (probability outlier_fraction), spikes noise_sigma × OUTLIER_SCALE × t_ν
    added to them; the same seed gives the same noise whatever outlier_fraction is.
    """
    values = checked_parameters(model, params)
    drift_tau = abs(G0) * DRIFT_FRACTION if drift_tau is None else drift_tau
    _check_measurement(G0, noise_sigma, drift_tau, outlier_fraction)
    points, design_record = design_points(design)
    anomaly = delta_g(model, points["V_mV"], points["T_K"], points["H_T"], **values)
    if not np.all(np.isfinite(anomaly)):
        raise ValueError(f"model {model!r} gives non-finite ΔG on this design with {values}")
    curve_codes, curve_labels = pd.factorize(points["curve"])
    rng = np.random.default_rng(seed)
    offsets = rng.normal(0.0, drift_tau, size=len(curve_labels))
    noise = rng.normal(0.0, noise_sigma, size=len(points))
    is_outlier = rng.random(len(points)) < outlier_fraction
    spikes = OUTLIER_SCALE * noise_sigma * rng.standard_t(OUTLIER_DOF, size=len(points))
    G = G0 + anomaly + offsets[curve_codes] + noise + np.where(is_outlier, spikes, 0.0)
    simulation = {
        "model": model,
        "params": values,
        "G0": float(G0),
        "noise_sigma": float(noise_sigma),
        "drift_tau": float(drift_tau),
        "outlier_fraction": float(outlier_fraction),
        "n_outliers": int(is_outlier.sum()),
        "seed": int(seed),
        "design": design_record,
        "version": __version__,
        "curve_offsets": dict(zip(map(str, curve_labels), offsets.tolist(), strict=True)),
    }
    label = f"SIMULATED data (bayes_zba.simulate, model {model!r}, seed {seed}), not measured"
    frame = points.assign(sample=sample, G_e2h=G)
    return dataset_from_frame(
        frame,
        source=f"simulated:{model}",
        samples={sample: SampleInfo(sample, material="simulated", notes=notes or label)},
        attrs={"simulation": simulation, "notes": [label, *([notes] if notes else [])]},
    )


def parse_parameter_text(text: str) -> dict[str, float]:
    """'k=v,k=v' -> {k: float(v)}; ValueError naming the item that is not name=number."""
    params: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, value = (piece.strip() for piece in item.partition("="))
        try:
            params[name] = float(value) if name else float("nan")
        except ValueError:
            params[name] = float("nan")
        if not np.isfinite(params[name]):
            raise ValueError(f"parameter {item!r} is not name=number (e.g. A_kr=0.5)")
    return params


def simulate_to_file(
    out: str | os.PathLike[str],
    model: str,
    *,
    seed: int,
    params: Mapping[str, float] | None = None,
    design: str | os.PathLike[str] = "default",  # preset name (str) or data file (Path)
    G0: float | None = None,
    noise_sigma: float | None = None,
    drift_tau: float | None = None,
    outlier_fraction: float = 0.0,
    sample: str = "sim",
    notes: str = "",
) -> Dataset:
    """Simulate and save to `out` (never overwritten); the CLI's `simulate` command.

    params override the model's typical parameters; design is a DESIGN_PRESETS name (str) or a
    data file (os.PathLike) whose points are reused; G0 and noise_sigma default to DEFAULT_G0
    and DEFAULT_NOISE_SIGMA.
    """
    out = Path(out)
    if out.exists():
        raise FileExistsError(f"{out} exists; choose another --out (simulate never overwrites)")
    points = load_dataset(design) if isinstance(design, os.PathLike) else design_preset(design)
    dataset = simulate(
        model,
        {**typical_parameters(model), **(params or {})},
        points,
        G0=DEFAULT_G0 if G0 is None else G0,
        noise_sigma=DEFAULT_NOISE_SIGMA if noise_sigma is None else noise_sigma,
        drift_tau=drift_tau,
        outlier_fraction=outlier_fraction,
        seed=seed,
        sample=sample,
        notes=notes,
    )
    save_dataset(dataset, out)
    return dataset


def defaults_text() -> str:
    """The typical parameters per model, the measurement defaults and the design presets."""
    models = [
        f"{model}: " + ", ".join(f"{k}={v:g}" for k, v in values.items())
        for model, values in TYPICAL_PARAMETERS.items()
    ]
    measurement = (
        f"G0 = {DEFAULT_G0:g} e²/h, noise σ = {DEFAULT_NOISE_SIGMA:g} e²/h, "
        f"drift τ = G0/{1 / DRIFT_FRACTION:g} (paper I Fig. 7)"
    )
    presets = [f"{name}: {design.description}" for name, design in DESIGN_PRESETS.items()]
    return "\n".join(
        [
            "Typical parameters (defaults):",
            *models,
            f"Measurement defaults: {measurement}.",
            "Design presets:",
            *presets,
        ]
    )
