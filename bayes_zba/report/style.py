"""The look shared by every report figure: colours per model, rc style, panel grid, PNG output.

No pyplot: figures are matplotlib Figure objects rendered with Agg under STYLE (rc_context).
"""

import io
import zlib
from collections.abc import Callable
from functools import wraps
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap, LogNorm
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter, ScalarFormatter

#: Okabe-Ito colours (colour-blind safe), fixed per model so every report agrees.
MODEL_COLOURS = {
    "2ck": "#0072B2",
    "wam": "#CC79A7",
    "kr2": "#D55E00",
    "kr1": "#E69F00",
    "kk": "#009E73",
}
#: For models registered later: picked by a stable hash of the name.
EXTRA_COLOURS = ("#56B4E9", "#8C564B", "#7F7F7F", "#BCBD22", "#17BECF")
DATA_COLOUR = "#222222"
#: viridis without its palest yellow, so the hottest curve stays visible on white.
TEMPERATURE_CMAP = ListedColormap(mpl.colormaps["viridis"](np.linspace(0.0, 0.85, 256)))
DPI = 110
PANEL_SIZE = (3.3, 2.5)  # inches per small-multiple panel
LARGE_PANEL_SIZE = (4.6, 3.4)  # inches per panel when there are only one or two
MAX_COLUMNS = 4
STYLE = {
    "font.size": 9.5,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e4e7ec",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
}
G_LABEL = "G (e²/h)"
V_LABEL = "V (mV)"
T_LABEL = "T (K)"
H_LABEL = "H (T)"


def model_colour(model: str) -> str:
    """The colour of `model` in every figure."""
    return MODEL_COLOURS.get(model, EXTRA_COLOURS[zlib.crc32(model.encode()) % len(EXTRA_COLOURS)])


def png_figure(draw: Callable[..., Figure]) -> Callable[..., bytes]:
    """Run a drawing function under the report style and return its figure as PNG bytes."""

    @wraps(draw)
    def render(*args, **kwargs) -> bytes:
        with mpl.rc_context(STYLE):
            figure = draw(*args, **kwargs)
            return figure_png(figure)

    return render


def figure_png(figure: Figure) -> bytes:
    """PNG bytes of a figure (rendered with Agg, tight bounding box)."""
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    return buffer.getvalue()


def band_alpha(n_models: int) -> float:
    """Opacity of predictive bands: lighter when several models overlap."""
    return 0.25 if n_models <= 1 else 0.15


def panel_grid(
    n_panels: int, *, shared: bool = False, max_columns: int = MAX_COLUMNS
) -> tuple[Figure, list[Axes]]:
    """A figure with n_panels small-multiple axes (row-major), unused cells hidden.

    shared=True gives all panels the same x and y ranges (for comparing shapes).
    """
    ncols = min(n_panels, max_columns)
    nrows = -(-n_panels // ncols)
    width, height = LARGE_PANEL_SIZE if n_panels <= 2 else PANEL_SIZE
    figure = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
    axes = figure.subplots(nrows, ncols, squeeze=False, sharex=shared, sharey=shared).ravel()
    for ax in axes[n_panels:]:
        ax.set_visible(False)
    return figure, list(axes[:n_panels])


def plain_numbers(ax: Axes) -> None:
    """Show conductances as plain numbers (no '+2.5e3' offset text)."""
    ax.yaxis.set_major_formatter(ScalarFormatter(useOffset=False))


def plain_log_axis(axis: Axis) -> None:
    """Log-scale ticks at 1, 2, 5 × 10^n labelled as plain numbers (0.2, 0.5, 1, 2)."""
    axis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_minor_formatter(NullFormatter())


def temperature_colorbar(figure: Figure, mappable: Any, axes: Any) -> None:
    """A temperature colour bar (log scale, plain tick labels) beside `axes`."""
    colorbar = figure.colorbar(mappable, ax=axes, label=T_LABEL)
    plain_log_axis(colorbar.ax.yaxis)


def temperature_norm(T_K: np.ndarray) -> LogNorm:
    """Log colour scale spanning the temperatures (widened when only one is present)."""
    low, high = float(np.min(T_K)), float(np.max(T_K))
    return LogNorm(low, high if high > low else low * 1.01)


def exponent_text(alpha: float) -> str:
    """An exponent for axis labels: ½ as "1/2", other values as decimals."""
    return "1/2" if alpha == 0.5 else f"{alpha:g}"
