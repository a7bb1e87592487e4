"""Figures of the calibration studies: SBC ECDF bands, recovery matrices, prior sensitivity.

Each function takes a study's JSON summary (never refits) and returns PNG bytes, drawn with
the report room's style and helpers (bayes_zba.report.figures).
"""

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from bayes_zba.report.figures import model_colour, panel_grid, png_figure
from bayes_zba.studies.ranks import BAND_PROB, ecdf_difference_band

PASS_COLOUR, FAIL_COLOUR, BAND_COLOUR = "#0072B2", "#D55E00", "#d9dee6"


@png_figure
def sbc_ecdf_figure(summary: Mapping[str, Any]) -> Figure:
    """ECDF − uniform CDF of each quantity's fractional ranks inside its simultaneous band."""
    names = list(summary["fractional_ranks"])
    figure, axes = panel_grid(len(names), shared=True)
    for axis, name in zip(axes, names, strict=True):
        band = ecdf_difference_band(np.array(summary["fractional_ranks"][name]), summary["seed"])
        result = summary["parameters"][name]
        axis.fill_between(band.x, band.lower, band.upper, step="post", color=BAND_COLOUR)
        colour = PASS_COLOUR if result["pass"] else FAIL_COLOUR
        axis.step(band.x, band.difference, where="post", color=colour)
        axis.axhline(0.0, color="#5b6575", linewidth=0.6)
        axis.set_title(f"{name} (p = {result['p_value']:.3g})")
        axis.set_xlabel("fractional rank")
    axes[0].set_ylabel("ECDF − uniform")
    figure.suptitle(
        f"SBC of {summary['model']}, n = {summary['n']}: "
        f"{BAND_PROB:.0%} simultaneous band in grey, failing quantities in orange"
    )
    return figure


def _heatmap(axis: Axes, matrix: np.ndarray, labels: Sequence[str], fmt: str) -> None:
    top = max(float(np.nanmax(matrix)), 1e-12)
    axis.imshow(matrix, cmap="Blues", vmin=0.0, vmax=top)
    for (row, column), value in np.ndenumerate(matrix):
        ink = "white" if value > top / 2 else "black"
        axis.text(column, row, format(value, fmt), ha="center", va="center", color=ink)
    axis.set_xticks(range(len(labels)), labels)
    axis.set_yticks(range(len(labels)), labels)
    axis.set_ylabel("true model")
    axis.grid(False)


@png_figure
def recovery_figure(summary: Mapping[str, Any]) -> Figure:
    """Confusion matrix of ranking leaders and mean stacking weights, true model by row."""
    models = summary["models"]
    counts = np.array([[summary["confusion"][t][m] for m in models] for t in models], float)
    weights = np.array(
        [[summary["mean_weights"][t][m] or 0.0 for m in models] for t in models], float
    )
    figure, (left, right) = panel_grid(2)
    _heatmap(left, counts, models, ".0f")
    left.set_xlabel("leader of the ranking")
    _heatmap(right, weights, models, ".2f")
    right.set_xlabel("mean stacking weight")
    figure.suptitle(f"Model recovery: datasets per true model = {summary['n_per_model']}")
    return figure


@png_figure
def sensitivity_figure(summary: Mapping[str, Any]) -> Figure:
    """5-95% interval and median of each parameter under every prior configuration."""
    configurations = summary["configurations"]
    names = list(configurations[0]["posterior"])
    figure, axes = panel_grid(len(names))
    labels = [c["label"] for c in configurations]
    colour = model_colour(summary["model"])
    for axis, name in zip(axes, names, strict=True):
        for row, outcome in enumerate(configurations):
            low, median, high = outcome["posterior"][name]
            axis.plot([low, high], [row, row], color=colour, linewidth=2)
            axis.plot([median], [row], "o", color=colour, markersize=4)
        axis.set_yticks(range(len(labels)), labels)
        axis.set_ylim(-0.5, len(labels) - 0.5)
        axis.ticklabel_format(axis="x", useOffset=False)
        axis.set_title(name)
    figure.suptitle(f"Posteriors of {summary['model']} under each prior (5%, 50%, 95%)")
    return figure
