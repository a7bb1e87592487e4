"""Fit-shaped DataTrees made from simulated data, for report tests that must not fit.

Data come from bayes_zba.physics.delta_g; the "posterior" scatters around the truth, and the
groups and attrs follow the Fit contract (posterior, log_likelihood, posterior_predictive, ...).
"""

import json

import numpy as np
import pandas as pd
import xarray as xr
from arviz_base import from_dict
from scipy.stats import norm

from bayes_zba.inference import Fit
from bayes_zba.inference.diagnostics import diagnose
from bayes_zba.physics import delta_g
from bayes_zba.report.document import (
    BulletList,
    Cell,
    Figure,
    Page,
    Paragraph,
    Section,
    Table,
)

SAMPLE = "sim-1"
G0_TRUE = 2500.0
NOISE_SIGMA = 0.004
DRIFT_TAU = 0.003
#: Seven temperatures at zero field plus two field curves at 0.4 K.
CURVES = ((0.1, 0.0), (0.2, 0.0), (0.4, 0.0), (0.8, 0.0), (1.4, 0.0), (2.5, 0.0), (4.0, 0.0))
FIELD_CURVES = ((0.4, 2.0), (0.4, 5.0))
BIAS_MV = np.linspace(-3.0, 3.0, 41)
POSTERIOR_SPREAD = 0.03  # relative scatter of the fake posterior around the truth

TRUE_PARAMETERS = {
    "kr2": {"A_kr": 0.02, "E_star": 2.0, "E_b": 12.0, "H_c": 3.0},
    "kr1": {"A_kr": 0.02, "E_star": 2.0, "E_b": 12.0, "H_c": 3.0},
    "kk": {"dG": 0.06, "delta_med": 0.5, "delta_width": 0.5, "q": 0.5, "rho": 0.1},
}


def fixture_fit(table: pd.DataFrame, model: str, *, seed: int) -> Fit:
    """An inference Fit of `model` on `table` over a fake_fit_tree (no sampler)."""
    return Fit(fake_fit_tree(table, model, seed=seed))


def design(with_field: bool = True) -> pd.DataFrame:
    """Sample, curve, V_mV, T_K, H_T of every point, sorted like a Dataset table."""
    curves = CURVES + (FIELD_CURVES if with_field else ())
    rows = [
        {"sample": SAMPLE, "curve": f"c{i:02d}", "V_mV": V, "T_K": T, "H_T": H}
        for i, (T, H) in enumerate(curves)
        for V in BIAS_MV
    ]
    return pd.DataFrame(rows)


def simulated_table(model: str, *, seed: int, with_field: bool = True) -> pd.DataFrame:
    """A Dataset-like table: G = G0 + curve offset + ΔG(model, truth) + noise."""
    rng = np.random.default_rng(seed)
    table = design(with_field)
    curve_index = pd.factorize(table["curve"])[0]
    offsets = rng.normal(0.0, DRIFT_TAU, curve_index.max() + 1)
    dG = delta_g(model, table["V_mV"], table["T_K"], table["H_T"], **TRUE_PARAMETERS[model])
    noise = rng.normal(0.0, NOISE_SIGMA, len(table))
    return table.assign(G_e2h=G0_TRUE + offsets[curve_index] + dG + noise)


def fake_fit_tree(
    table: pd.DataFrame,
    model: str,
    *,
    seed: int,
    chains: int = 2,
    draws: int = 400,
) -> xr.DataTree:
    """A DataTree shaped like Fit.tree for `model` on `table` (no sampling involved)."""
    rng = np.random.default_rng(seed)
    labels, curve_index = _curves(table)
    shape = (chains, draws)
    physical = {
        name: value * np.exp(rng.normal(0.0, POSTERIOR_SPREAD, shape))
        for name, value in TRUE_PARAMETERS[model].items()
    }
    measurement = {
        "G0": G0_TRUE + rng.normal(0.0, 1e-3, shape),
        "tau_curve": DRIFT_TAU * np.exp(rng.normal(0.0, 0.2, shape)),
        "sigma": NOISE_SIGMA * np.exp(rng.normal(0.0, 0.05, shape)),
        "curve_offset": rng.normal(0.0, DRIFT_TAU, (*shape, len(labels))),
    }
    mean = _mean_conductance(table, model, physical, measurement, curve_index)
    sigma = measurement["sigma"][..., None]
    observed = table["G_e2h"].to_numpy()
    log_lik = norm.logpdf(observed, mean, sigma)
    tree = from_dict(
        {
            "posterior": physical | measurement,
            "posterior_predictive": {"G_obs": mean + rng.normal(0.0, 1.0, mean.shape) * sigma},
            "log_likelihood": {
                "G_obs": log_lik,
                "G_curve": _per_curve_sum(log_lik, curve_index, len(labels)),
            },
            "log_prior": {name: -0.5 * np.log(value) ** 2 for name, value in physical.items()},
            "observed_data": {"G_obs": observed},
            "constant_data": {
                "V_mV": table["V_mV"].to_numpy(),
                "T_K": table["T_K"].to_numpy(),
                "H_T": table["H_T"].to_numpy(),
                "curve_index": curve_index,
            },
            "sample_stats": _sample_stats(rng, shape),
        },
        dims={
            "curve_offset": ["curve"],
            "G_obs": ["point"],
            "G_curve": ["curve"],
            **{name: ["point"] for name in ("V_mV", "T_K", "H_T", "curve_index")},
        },
        coords={"curve": labels, "point": np.arange(len(table))},
    )
    tree["constant_data"] = tree["constant_data"].to_dataset().assign_coords(curve=labels)
    tree.attrs["provenance"] = json.dumps(_provenance(model, seed, chains, draws))
    diagnostics = diagnose(tree["posterior"].to_dataset(), tree["sample_stats"].to_dataset())
    tree.attrs["diagnostics"] = diagnostics.to_json()
    return tree


def _curves(table: pd.DataFrame) -> tuple[list[str], np.ndarray]:
    codes, labels = pd.factorize(table["curve"])
    return [str(label) for label in labels], codes


def _mean_conductance(table, model, physical, measurement, curve_index) -> np.ndarray:
    """G0 + offset + ΔG for every draw, shape (chain, draw, point)."""
    chains, draws = measurement["G0"].shape
    mean = np.empty((chains, draws, len(table)))
    V, T, H = (table[c].to_numpy() for c in ("V_mV", "T_K", "H_T"))
    for c in range(chains):
        for d in range(draws):
            params = {name: float(value[c, d]) for name, value in physical.items()}
            offsets = measurement["curve_offset"][c, d][curve_index]
            mean[c, d] = measurement["G0"][c, d] + offsets + delta_g(model, V, T, H, **params)
    return mean


def _per_curve_sum(log_lik: np.ndarray, curve_index: np.ndarray, n_curves: int) -> np.ndarray:
    """Σ over each curve's points (the fixture's stand-in for the offset-integrated value)."""
    return np.stack([log_lik[..., curve_index == k].sum(axis=-1) for k in range(n_curves)], -1)


def _sample_stats(rng: np.random.Generator, shape: tuple[int, int]) -> dict:
    return {
        "diverging": np.zeros(shape, dtype=bool),
        "reached_max_treedepth": np.zeros(shape, dtype=bool),
        "tree_depth": rng.integers(2, 5, shape),
        "energy": rng.normal(0.0, 1.0, shape),
    }


def _provenance(model: str, seed: int, chains: int, draws: int) -> dict:
    return {
        "package": "bayes-zba test fixture",
        "data_hash": "sha256:fixture",
        "data_source": "simulated (report_fixtures)",
        "model": model,
        "sample": SAMPLE,
        "config": f'model = "{model}"\n[measurement]\nvmax_mV = 5.0\n',
        "seed": seed,
        "sampler": "none (fixture)",
        "chains": chains,
        "draws": draws,
        "tune": 0,
        "complete": True,
    }


#: Not a real PNG: renderers must carry figure bytes through unchanged.
PNG = b"\x89PNG\r\n\x1a\n fake but carried byte for byte"


def sample_page() -> Page:
    """A small page with every block type, escaping traps and tones."""
    table = Table(
        "numbers",
        ("name", "unit", "value"),
        (("a<b", "K", Cell("1.5", "warning")), ("c", "T", "2")),
        caption="two rows",
        text_columns=2,
    )
    figure = Figure("g-v", PNG, "caption & more", 'alt "text"')
    return Page(
        title="Report <one>",
        summary="It works & reads well.",
        sections=(
            Section("First", (Paragraph("plain"), Paragraph("careful", "warning"), table)),
            Section("Second", (BulletList(("x", Cell("y", "good"))), figure)),
        ),
        provenance={"seed": "7", "config": "line 1\nline 2"},
        summary_tone="warning",
    )
