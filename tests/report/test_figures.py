"""Report figures: every function yields a decodable PNG, leaves no pyplot/rc state behind,
and keeps one colour per model."""

import io

import matplotlib as mpl
import pandas as pd
import pytest
from matplotlib import pyplot
from PIL import Image

from bayes_zba.report import figures


def image_of(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def compare_table() -> pd.DataFrame:
    return pd.DataFrame(
        {"elpd": [-10.0, -30.0], "se": [3.0, 4.0], "elpd_diff": [0.0, -20.0], "dse": [0.0, 5.0]},
        index=["2ck", "kr2"],
    )


@pytest.mark.parametrize(
    "draw",
    [
        lambda d, p: figures.sweep_panels(d, p),
        lambda d, p: figures.zero_bias_panels(d, p, "T"),
        lambda d, p: figures.zero_bias_panels(d, p, "H"),
        lambda d, p: figures.residual_panels(p[0]),
        lambda d, p: figures.collapse_panels(d, p),
        lambda d, p: figures.collapse_panels(d, []),
        lambda d, p: figures.compare_plot(compare_table()),
    ],
    ids=[
        "sweeps",
        "zero-bias-T",
        "zero-bias-H",
        "residuals",
        "collapse",
        "collapse-data",
        "compare",
    ],
)
def test_figure_is_a_png_and_leaves_no_global_state(draw, data, predictions):
    rc_before = dict(mpl.rcParams)
    image = image_of(draw(data, predictions))
    assert image.format == "PNG"
    assert image.width > 300 and image.height > 150
    assert pyplot.get_fignums() == []
    assert dict(mpl.rcParams) == rc_before


def test_small_multiples_grow_with_the_number_of_curves(data, predictions):
    all_curves = image_of(figures.sweep_panels(data, predictions[:1]))
    two_curves = image_of(figures.sweep_panels(data.subset([0, 1]), predictions[:1]))
    assert all_curves.height > 2 * two_curves.height * 0.9


def test_zero_bias_groups_need_two_distinct_values(data):
    along_T = figures.zero_bias_groups(data, "T")
    along_H = figures.zero_bias_groups(data, "H")
    assert [list(data.curve_H[g]) for g in along_T] == [[0.0] * 7]
    assert [sorted(data.curve_H[g]) for g in along_H] == [[0.0, 2.0, 5.0]]
