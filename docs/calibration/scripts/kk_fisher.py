"""Fisher information of the kk model at a truth on a design preset: the ρ–q(1-q) ridge.

Prints the asymptotic posterior sd and correlations of (ln δG, ln Δ_med, s_Δ, m, ln ρ) with
m = 4q(1-q) <= 1 (physics.md §5), with a common G0 or a free offset per curve (drift).
Run: .venv/bin/python docs/calibration/scripts/kk_fisher.py [design] [noise σ, e²/h]
"""

import sys

import numpy as np
import pandas as pd

from bayes_zba.physics import delta_g
from bayes_zba.simulate import design_points, design_preset, typical_parameters

NAMES = ("ln_dG", "ln_delta_med", "delta_width", "m", "ln_rho")
STEP = 1e-4


def kk_mean(points: pd.DataFrame, theta: np.ndarray) -> np.ndarray:
    """ΔG_kk at sampler-like coordinates theta = (ln δG, ln Δ_med, s_Δ, m, ln ρ)."""
    ln_dg, ln_delta, width, m, ln_rho = theta
    q = (1.0 - np.sqrt(max(1.0 - m, 0.0))) / 2.0  # the root q <= ½ of 4q(1-q) = m
    return delta_g(
        "kk",
        points["V_mV"].to_numpy(),
        points["T_K"].to_numpy(),
        points["H_T"].to_numpy(),
        dG=np.exp(ln_dg),
        delta_med=np.exp(ln_delta),
        delta_width=width,
        q=q,
        rho=np.exp(ln_rho),
    )


def jacobian(points: pd.DataFrame, theta: np.ndarray) -> np.ndarray:
    """d ΔG / d theta: central differences, one-sided (from below) in m, which is <= 1."""
    columns = []
    for k in range(len(theta)):
        step = np.zeros_like(theta)
        step[k] = STEP
        if NAMES[k] == "m":
            f0, f1, f2 = (kk_mean(points, theta - j * step) for j in (0, 1, 2))
            columns.append((3 * f0 - 4 * f1 + f2) / (2 * STEP))
        else:
            columns.append(
                (kk_mean(points, theta + step) - kk_mean(points, theta - step)) / (2 * STEP)
            )
    return np.column_stack(columns)


def asymptotic_covariance(design_matrix: np.ndarray, sigma: float) -> np.ndarray:
    """Inverse Fisher information of a linear-Gaussian model with noise sigma."""
    return np.linalg.inv(design_matrix.T @ design_matrix / sigma**2)


def report(label: str, covariance: np.ndarray) -> None:
    block = covariance[: len(NAMES), : len(NAMES)]
    sd = np.sqrt(np.diag(block))
    print(f"\n{label}\nsd: " + ", ".join(f"{n} {s:.4f}" for n, s in zip(NAMES, sd, strict=True)))
    print(pd.DataFrame(block / np.outer(sd, sd), index=NAMES, columns=NAMES).round(3))
    i, j = NAMES.index("ln_rho"), NAMES.index("m")
    slope = block[i, j] / block[j, j]
    print(f"d ln ρ / d m along the ridge: {slope:.2f}")


def main(design: str = "default", sigma: float = 0.1) -> None:
    points, _ = design_points(design_preset(design))
    truth = typical_parameters("kk")
    m = 4 * truth["q"] * (1 - truth["q"])
    theta = np.array(
        [
            np.log(truth["dG"]),
            np.log(truth["delta_med"]),
            truth["delta_width"],
            m,
            np.log(truth["rho"]),
        ]
    )
    print(f"kk truth {truth} (m = {m:.3f}) on design {design!r}, noise σ = {sigma} e²/h")
    J = jacobian(points, theta)
    common = np.column_stack([J, np.ones(len(points))])
    report("common G0", asymptotic_covariance(common, sigma))
    offsets = pd.get_dummies(points["curve"]).to_numpy(dtype=float)
    report(
        "free offset per curve (drift)", asymptotic_covariance(np.column_stack([J, offsets]), sigma)
    )


if __name__ == "__main__":
    main(*(f(a) for f, a in zip((str, float), sys.argv[1:], strict=False)))
