"""Figures of the scaling analysis in the style of paper I: Fig. 8(b), Fig. 9 and Fig. 7(a).

Each function draws numbers computed elsewhere and returns PNG bytes (report style, Agg).
"""

from collections.abc import Mapping

import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.figure import Figure

from bayes_zba.report.figures import (
    DATA_COLOUR,
    TEMPERATURE_CMAP,
    exponent_text,
    model_colour,
    png_figure,
    temperature_norm,
)
from bayes_zba.scaling.bayesian import SCALING_MODEL
from bayes_zba.scaling.classical import ClassicalScaling
from bayes_zba.scaling.collapse import collapse_coordinates, curve_point_indices
from bayes_zba.scaling.sweeps import Sweeps

WINDOW_COLOUR = "#f1e3c3"
FIT_COLOUR = "#b2182b"
SIZE = (6.4, 4.2)


@png_figure
def collapse_figure(sweeps: Sweeps, classical: ClassicalScaling) -> Figure:
    """[G(V,T) - G(0,T)]/T^α vs sign(v)|v|^{1/2} per curve (paper I Fig. 8b), α = alpha_fit.

    The (I-27) window is shaded and the mean line F0 v^{1/2} + F1 drawn over it.
    """
    alpha = classical.alpha_fit
    G_zero = sweeps.zero_bias()[sweeps.curve_index]
    _, F = collapse_coordinates(sweeps.V_mV, sweeps.T_K, sweeps.G, G_zero, alpha)
    v = collapse_coordinates(sweeps.V_mV, sweeps.T_K, sweeps.G, G_zero, 1.0)[0]
    x = np.sign(v) * np.sqrt(np.abs(v))
    figure = Figure(figsize=SIZE, layout="constrained")
    ax = figure.subplots()
    low, high = classical.options.window_sqrt_v
    for side in (-1.0, 1.0):
        ax.axvspan(side * low, side * high, color=WINDOW_COLOUR, lw=0, zorder=0)
    norm = temperature_norm(sweeps.curve_T)
    for k, idx in enumerate(curve_point_indices(sweeps.V_mV, sweeps.curve_index)):
        colour = TEMPERATURE_CMAP(norm(sweeps.curve_T[k]))
        ax.plot(x[idx], F[idx], "-o", ms=1.8, lw=0.6, color=colour)
    line = np.linspace(0.0, high + 1.0, 50)
    for side in (-1.0, 1.0):
        ax.plot(side * line, classical.F0.value * line + classical.F1.value, "--", color=FIT_COLOUR)
    x_limit = 2.0 * high
    visible = F[np.abs(x) <= x_limit]
    margin = 0.05 * np.ptp(visible)
    ax.set_xlim(-x_limit, x_limit)
    ax.set_ylim(min(visible.min(), classical.F1.value) - margin, visible.max() + margin)
    power = exponent_text(alpha)
    ax.set_xlabel("sign(v) $|v|^{1/2}$,  v = eV/k$_B$T  (1)")
    ax.set_ylabel(f"[G(V,T) − G(0,T)] / $T^{{{power}}}$  (e²/h K$^{{-{power}}}$)")
    ax.set_title("Scaling collapse (paper I Fig. 8b); dashed: F0 $|v|^{1/2}$ + F1")
    figure.colorbar(ScalarMappable(norm=norm, cmap=TEMPERATURE_CMAP), ax=ax, label="T (K)")
    return figure


@png_figure
def deviation_figure(classical: ClassicalScaling) -> Figure:
    """D(α) of (I-24) on the α grid (paper I Fig. 9) with α* ± its error and the noise floor."""
    figure = Figure(figsize=SIZE, layout="constrained")
    ax = figure.subplots()
    alpha, error = classical.alpha_star, classical.alpha_err
    if np.isfinite(error):
        ax.axvspan(alpha - error, alpha + error, color=WINDOW_COLOUR, lw=0)
    ax.plot(classical.alpha_grid, classical.D_alpha, "-o", ms=2.5, color=DATA_COLOUR)
    ax.axvline(alpha, color=FIT_COLOUR, lw=1.2, label=f"α* = {alpha:.3f}")
    ax.axvline(0.5, color="#777777", lw=0.9, ls=":", label="2CK: α = ½")
    ax.plot([alpha], [classical.D_noise], "s", color=FIT_COLOUR, ms=5, label="noise floor at α*")
    ax.set_yscale("log")
    ax.set_xlabel("α (1)")
    ax.set_ylabel("D(α)  (e⁴/h² K$^{-2α}$)")
    T = classical.collapse_temperatures
    ax.set_title(
        f"Collapse quality (paper I Fig. 9): {len(T)} lowest T, |v| ≤ {classical.options.v_max:g}"
    )
    ax.legend()
    return figure


@png_figure
def zero_bias_figure(sweeps: Sweeps, classical: ClassicalScaling) -> Figure:
    """G(0, T) vs T^α with the line G00 + B_Σ T^α of (I-22) over the regime curves (Fig. 7a)."""
    alpha = classical.alpha_fit
    x = sweeps.curve_T**alpha
    figure = Figure(figsize=SIZE, layout="constrained")
    ax = figure.subplots()
    regime = np.isin(np.round(sweeps.curve_T, 9), np.round(classical.regime_temperatures, 9))
    ax.plot(x[~regime], sweeps.zero_bias()[~regime], "o", mfc="none", color=DATA_COLOUR)
    ax.plot(x[regime], sweeps.zero_bias()[regime], "o", color=DATA_COLOUR, label="regime curves")
    line = np.linspace(0.0, x.max(), 50)
    ax.plot(
        line,
        classical.G00 + classical.B_sigma.value * line,
        "--",
        color=FIT_COLOUR,
        label=f"B_Σ = {classical.B_sigma.value:.2f} ± {classical.B_sigma.spread:.2f}",
    )
    power = exponent_text(alpha)
    ax.set_xlabel(f"$T^{{{power}}}$  (K$^{{{power}}}$)")
    ax.set_ylabel("G(V = 0, T)  (e²/h)")
    ax.set_title("Zero-bias conductance (eq. I-22)")
    ax.legend()
    return figure


@png_figure
def posterior_figure(draws: Mapping[str, np.ndarray], classical: ClassicalScaling) -> Figure:
    """Posterior densities of α and Γ1 of the scaling model, the classical values marked."""
    figure = Figure(figsize=(SIZE[0] * 1.4, SIZE[1] * 0.8), layout="constrained")
    axes = figure.subplots(1, 2)
    marks = {"alpha": (classical.alpha_star, "α (1)"), "Gamma1": (classical.Gamma1.value, "Γ1 (1)")}
    for ax, (name, (classical_value, label)) in zip(axes, marks.items(), strict=True):
        ax.hist(
            np.ravel(draws[name]),
            bins=40,
            density=True,
            color=model_colour(SCALING_MODEL),
            alpha=0.7,
        )
        ax.axvline(classical_value, color=FIT_COLOUR, lw=1.2, label="classical")
        ax.set_xlabel(label)
        ax.set_ylabel("posterior density")
        ax.legend()
    axes[0].axvline(0.5, color="#777777", ls=":", lw=0.9)
    figure.suptitle("Bayesian scaling model: posteriors of α and Γ1")
    return figure
