"""Shared figure style: one fixed colour per model, stable colours for new ones, labels.

Every report and the scaling page draw with these.
"""

import matplotlib as mpl
import numpy as np

from bayes_zba.report import style


def test_each_known_model_has_its_own_colour_and_new_models_a_stable_one():
    known = [style.model_colour(m) for m in ("2ck", "wam", "kr2", "kr1", "kk")]
    assert len(set(known)) == 5
    assert style.model_colour("m5") == style.model_colour("m5")
    assert style.model_colour("m5") in style.EXTRA_COLOURS


def test_exponent_text_writes_one_half_as_a_fraction():
    assert style.exponent_text(0.5) == "1/2"
    assert style.exponent_text(0.45) == "0.45"


def test_png_figure_renders_under_the_style_and_restores_rc():
    before = dict(mpl.rcParams)

    @style.png_figure
    def draw():
        figure, (ax,) = style.panel_grid(1)
        ax.plot([0, 1], [0, 1])
        assert mpl.rcParams["axes.spines.top"] is False
        return figure

    assert draw()[:8] == b"\x89PNG\r\n\x1a\n"
    assert dict(mpl.rcParams) == before


def test_panel_grid_hides_unused_cells():
    figure, axes = style.panel_grid(5)
    assert len(axes) == 5
    assert sum(ax.get_visible() for ax in figure.axes) == 5
    assert len(figure.axes) == 8


def test_temperature_norm_spans_the_temperatures_even_for_one():
    norm = style.temperature_norm(np.array([0.1, 4.0]))
    assert (norm.vmin, norm.vmax) == (0.1, 4.0)
    single = style.temperature_norm(np.array([0.5]))
    assert single.vmin == 0.5 and single.vmax > 0.5
