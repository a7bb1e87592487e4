"""Report figures (matplotlib, Agg, no pyplot state): each function returns one PNG as bytes.

Units on every axis, one colour per model (style.MODEL_COLOURS), temperature on a log scale.
"""

from collections.abc import Sequence
from typing import Literal

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

# The shared style comes first: bayes_zba.scaling draws with it and imports this module
# while bayes_zba.scaling initialises, before the views import below completes.
from bayes_zba.report.style import (
    DATA_COLOUR,
    G_LABEL,
    H_LABEL,
    T_LABEL,
    TEMPERATURE_CMAP,
    V_LABEL,
    band_alpha,
    exponent_text,
    model_colour,
    panel_grid,
    plain_log_axis,
    plain_numbers,
    png_figure,
    temperature_colorbar,
    temperature_norm,
)
from bayes_zba.report.views import Predictive, Sweeps, field_groups, match_curves
from bayes_zba.scaling.collapse import TWO_CHANNEL_KONDO_ALPHA, collapse_coordinates


def curve_title(T: float, H: float, show_field: bool) -> str:
    return f"T = {T:.3g} K" + (f", H = {H:.3g} T" if show_field else "")


def model_legend(figure: Figure, models: Sequence[str], *, data_label: str = "data") -> None:
    """One legend for the whole figure: data marker and a patch per model."""
    handles = [
        mpl.lines.Line2D([], [], ls="", marker="o", ms=4, color=DATA_COLOUR, label=data_label)
    ]
    handles += [
        mpl.patches.Patch(color=model_colour(m), alpha=0.6, label=f"{m}: mean and 89% band")
        for m in models
    ]
    figure.legend(handles=handles, loc="outside upper center", ncols=min(len(handles), 6))


@png_figure
def sweep_panels(data: Sweeps, predictions: Sequence[Predictive]) -> Figure:
    """G(V) of every curve (one panel each) with each model's posterior-predictive band."""
    order = np.lexsort((data.curve_T, data.curve_H))
    figure, axes = panel_grid(len(order))
    show_field = bool(np.ptp(data.curve_H) > 0)
    indices = data.indices()
    matches = [match_curves(data, p.sweeps) for p in predictions]
    model_indices = [p.sweeps.indices() for p in predictions]
    alpha = band_alpha(len(predictions))
    for ax, k in zip(axes, order, strict=True):
        for prediction, match, idx in zip(predictions, matches, model_indices, strict=True):
            if k in match:
                points = idx[match[k]]
                V = prediction.sweeps.V_mV[points]
                _band(ax, V, prediction.draws[:, points], prediction, alpha)
        idx = indices[k]
        ax.plot(data.V_mV[idx], data.G[idx], "o", ms=2.2, color=DATA_COLOUR, zorder=3)
        ax.set_title(curve_title(data.curve_T[k], data.curve_H[k], show_field))
        plain_numbers(ax)
    figure.supxlabel(V_LABEL)
    figure.supylabel(G_LABEL)
    model_legend(figure, [p.model for p in predictions])
    return figure


def _band(ax: Axes, x: np.ndarray, values: np.ndarray, model: Predictive, alpha: float) -> None:
    """Mean line and 89% band over draws (rows of `values`) in the model's colour."""
    low, high = model.band(values)
    colour = model_colour(model.model)
    ax.fill_between(x, low, high, color=colour, alpha=alpha, lw=0)
    ax.plot(x, values.mean(axis=0), color=colour, lw=1.3)


@png_figure
def zero_bias_panels(
    data: Sweeps, predictions: Sequence[Predictive], along: Literal["T", "H"]
) -> Figure:
    """G(0) vs T (one panel per field) or vs H (one panel per temperature), data and bands.

    Only groups with at least two distinct values along the axis get a panel; callers check
    zero_bias_groups() first.
    """
    groups = zero_bias_groups(data, along)
    figure, axes = panel_grid(len(groups))
    x_data = data.curve_T if along == "T" else data.curve_H
    G_zero = data.zero_bias()
    model_zero = [(p, p.zero_bias_draws(), match_curves(data, p.sweeps)) for p in predictions]
    alpha = band_alpha(len(predictions))
    for ax, group in zip(axes, groups, strict=True):
        group = group[np.argsort(x_data[group])]
        for prediction, draws, match in model_zero:
            curves = [k for k in group if k in match]
            _band(ax, x_data[curves], draws[:, [match[k] for k in curves]], prediction, alpha)
        ax.plot(x_data[group], G_zero[group], "o", ms=4, color=DATA_COLOUR, zorder=3)
        ax.set_xlabel(T_LABEL if along == "T" else H_LABEL)
        ax.set_ylabel("G(V = 0) (e²/h)")
        k = group[0]
        fixed = f"H = {data.curve_H[k]:.3g} T" if along == "T" else f"T = {data.curve_T[k]:.3g} K"
        ax.set_title(fixed)
        if along == "T":
            ax.set_xscale("log")
            plain_log_axis(ax.xaxis)
        plain_numbers(ax)
    model_legend(figure, [p.model for p in predictions])
    return figure


def zero_bias_groups(data: Sweeps, along: Literal["T", "H"]) -> list[np.ndarray]:
    """Curve groups at fixed H (along T) or fixed T (along H) with ≥ 2 distinct values."""
    fixed, varying = (data.curve_H, data.curve_T) if along == "T" else (data.curve_T, data.curve_H)
    return [g for g in field_groups(fixed) if len(field_groups(varying[g])) >= 2]


@png_figure
def residual_panels(prediction: Predictive) -> Figure:
    """Residuals G - E[G_pred] vs V (coloured by T) and their standardised histogram."""
    s = prediction.sweeps
    residual = s.G - prediction.mean
    z = residual / prediction.draws.std(axis=0)
    figure = Figure(figsize=(10, 3.4), layout="constrained")
    ax_v, ax_z = figure.subplots(1, 2, width_ratios=(2.2, 1))
    norm = temperature_norm(s.T_K)
    points = ax_v.scatter(s.V_mV, residual, c=s.T_K, norm=norm, cmap=TEMPERATURE_CMAP, s=5)
    ax_v.axhline(0.0, color=DATA_COLOUR, lw=0.8)
    ax_v.set_xlabel(V_LABEL)
    ax_v.set_ylabel("G − mean prediction (e²/h)")
    ax_v.set_title("Residuals")
    temperature_colorbar(figure, points, ax_v)
    grid = np.linspace(-4.5, 4.5, 200)
    ax_z.hist(
        z,
        bins=np.linspace(-4.5, 4.5, 37),
        density=True,
        color=model_colour(prediction.model),
        alpha=0.6,
    )
    ax_z.plot(
        grid,
        np.exp(-0.5 * grid**2) / np.sqrt(2 * np.pi),
        color=DATA_COLOUR,
        lw=1.2,
        label="N(0, 1)",
    )
    ax_z.set_xlabel("residual / predictive sd (1)")
    ax_z.set_ylabel("density (1)")
    ax_z.set_title("Standardised residuals")
    ax_z.legend()
    return figure


@png_figure
def collapse_panels(
    data: Sweeps, predictions: Sequence[Predictive], alpha: float = TWO_CHANNEL_KONDO_ALPHA
) -> Figure:
    """Scaling collapse (I-14, paper I Fig. 8b) of the data and of each model's mean.

    Uses the curves at the field closest to zero. Panel 1: data coloured by T; then one
    panel per model, its posterior-mean signal (b2 V² + ΔG) as lines over the data in grey.
    """
    data = data.subset(data.lowest_field_curves())
    figure, axes = panel_grid(1 + len(predictions), shared=True, max_columns=3)
    norm = temperature_norm(data.curve_T)
    colours = TEMPERATURE_CMAP(norm(data.curve_T))
    data_x, data_y = _collapse_xy(data, alpha)
    for k, idx in enumerate(data.indices()):
        axes[0].plot(data_x[idx], data_y[idx], "o", ms=2, color=colours[k])
    axes[0].set_title("data")
    for ax, prediction in zip(axes[1:], predictions, strict=True):
        ax.plot(data_x, data_y, "o", ms=1.5, color="#c8ccd2")
        _collapse_lines(ax, data, prediction, alpha, colours)
        ax.set_title(f"{prediction.model}: posterior mean", color=model_colour(prediction.model))
    power = exponent_text(alpha)
    for ax in axes:
        ax.set_xlabel(f"sign(v) $|v|^{{{power}}}$,  v = eV/k$_B$T  (1)")
    axes[0].set_ylabel(f"[G(V,T) − G(0,T)] / $T^{{{power}}}$  (e²/h K$^{{-{power}}}$)")
    temperature_colorbar(figure, mpl.cm.ScalarMappable(norm=norm, cmap=TEMPERATURE_CMAP), axes)
    return figure


def _collapse_xy(sweeps: Sweeps, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    G_zero = sweeps.zero_bias()[sweeps.curve_index]
    return collapse_coordinates(sweeps.V_mV, sweeps.T_K, sweeps.G, G_zero, alpha)


def _collapse_lines(
    ax: Axes, data: Sweeps, prediction: Predictive, alpha: float, colours: np.ndarray
) -> None:
    signal = prediction.sweeps_of_signal()
    x, y = _collapse_xy(signal, alpha)
    indices = signal.indices()
    for k, j in match_curves(data, signal).items():
        ax.plot(x[indices[j]], y[indices[j]], color=colours[k], lw=1.2)


@png_figure
def compare_plot(table: pd.DataFrame) -> Figure:
    """ArviZ's model-comparison plot (arviz_plots.plot_compare) of elpd_diff ± dSE."""
    from arviz_plots import plot_compare
    from matplotlib import pyplot

    collection = plot_compare(table, backend="matplotlib")
    figure = collection.viz["figure"].item()
    pyplot.close(figure)  # arviz_plots creates it through pyplot; keep no global state
    figure.set_size_inches(7.5, 1.4 + 0.4 * len(table))
    collection.viz["plot"].item().set_xlabel(
        "Δelpd to the best model (log density; higher is better)"
    )
    return figure
