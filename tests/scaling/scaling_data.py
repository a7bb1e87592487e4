"""Data that obey the scaling Ansatz exactly, for the scaling tests, and their true numbers.

G = G0 + B_Σ T^α Γ_a(A eV/kT) + drift + noise (I-13 with Γ_a of physics.md §3.1).
"""

import numpy as np
import pandas as pd

from bayes_zba.data import Dataset, SampleInfo, dataset_from_frame
from bayes_zba.physics.tables import gamma_geometry
from bayes_zba.scaling.classical import WINDOW_SQRT_V, window_line
from bayes_zba.scaling.collapse import reduced_bias

#: Paper I Fig. 8(a) temperatures (the simulator's "fig8" design), K.
FIG8_TEMPERATURES = (0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0, 1.4, 2.0, 2.8, 4.0, 5.7)
#: Paper I Table I, sample 1: B_Σ and A = (F0/B_Σ)^2; a_geom of physics.md §3.1.
SAMPLE_ONE = {"B_sigma": 7.8, "A": (4.2 / 7.8) ** 2, "a_geom": 0.8}


def scaling_dataset(
    *,
    B_sigma: float = SAMPLE_ONE["B_sigma"],
    A: float = SAMPLE_ONE["A"],
    a_geom: float = SAMPLE_ONE["a_geom"],
    alpha: float = 0.5,
    temperatures: tuple[float, ...] = FIG8_TEMPERATURES,
    v_max_mV: float = 2.0,
    n_bias: int = 151,
    noise: float = 0.0,
    drift: float = 0.0,
    seed: int = 0,
    sample: str = "pure",
    G0: float = 2829.0,
) -> Dataset:
    """One sample whose ZBA is B_Σ T^α Γ_a(A v) exactly, with seeded drift and noise."""
    V = np.linspace(-v_max_mV, v_max_mV, n_bias)
    rng = np.random.default_rng(seed)
    frames = []
    for k, T in enumerate(temperatures):
        v = reduced_bias(V, T)
        G = G0 + B_sigma * T**alpha * gamma_geometry(A * np.abs(v), a_geom, np)
        G = G + rng.normal(0.0, drift) + rng.normal(0.0, noise, V.size)
        frames.append(
            pd.DataFrame(
                {
                    "sample": sample,
                    "curve": f"T{k:02d}",
                    "V_mV": V,
                    "T_K": T,
                    "H_T": 0.0,
                    "G_e2h": G,
                }
            )
        )
    return dataset_from_frame(
        pd.concat(frames, ignore_index=True), samples={sample: SampleInfo(sample)}
    )


def window_truth(A: float = SAMPLE_ONE["A"], a_geom: float = SAMPLE_ONE["a_geom"]) -> tuple:
    """(slope, Γ1): the (I-27) line of Γ_a(A v) - 1 vs v^{1/2} over the window, fine grid."""
    w = np.linspace(*WINDOW_SQRT_V, 2001)
    slope, intercept = window_line(w, gamma_geometry(A * w**2, a_geom, np) - 1.0, WINDOW_SQRT_V)
    return float(slope), float(intercept)
