"""Shared report blocks: prediction figures present where the data allow, fingerprint values.

Fingerprints are checked on sweeps with a known exponent and on the kr mechanisms (§7).
"""

import numpy as np
import pytest

from bayes_zba.report.blocks import (
    fingerprint_blocks,
    fingerprint_row,
    sweeps_figure,
    zero_bias_figures,
)
from bayes_zba.report.document import Figure, Paragraph, Table
from bayes_zba.report.views import Sweeps
from bayes_zba.scaling.collapse import reduced_bias

TEMPERATURES = np.array([0.1, 0.2, 0.4, 0.8, 1.4, 2.5])


def scaling_sweeps(temperatures=TEMPERATURES, alpha=0.5) -> Sweeps:
    """G = 1000 + 0.3 T^α Γ(eV/kT) with Γ(v) = (1 + v²)^¼: exact V/T scaling with α."""
    V_one = np.linspace(-4.0, 4.0, 801)
    V = np.tile(V_one, temperatures.size)
    curve = np.repeat(np.arange(temperatures.size), V_one.size)
    T = temperatures[curve]
    G = 1000.0 + 0.3 * T**alpha * (1.0 + reduced_bias(V, T) ** 2) ** 0.25
    labels = tuple(f"c{k}" for k in range(temperatures.size))
    return Sweeps(V, T, np.zeros_like(V), G, curve, labels)


def test_fingerprints_of_exactly_scaling_sweeps():
    source, fitted, known, deviation = fingerprint_row("data", scaling_sweeps(), None)
    assert source == "data"
    assert float(fitted) == pytest.approx(0.5, abs=0.01)
    assert known == "–"
    _, _, _, wrong_alpha = fingerprint_row("data", scaling_sweeps(alpha=0.7), None)
    assert float(deviation) < 1e-3 * float(wrong_alpha)


def test_known_background_gives_the_exponent_of_the_anomaly_itself():
    _, fitted, known, _ = fingerprint_row("model", scaling_sweeps(), 1000.0)
    assert (fitted, known) == ("0.50", "0.50")


def test_fingerprint_row_explains_what_it_cannot_compute():
    sweeps = scaling_sweeps(TEMPERATURES[:3])
    _, fitted, known, deviation = fingerprint_row("model", sweeps, 1000.0)
    assert fitted == "– (profiled G0: needs 4 distinct temperatures, got 3)"
    assert known == "0.50"
    assert deviation != "–"


def test_an_unfixed_exponent_is_labelled():
    steep = scaling_sweeps(alpha=6.0)
    _, fitted, _, _ = fingerprint_row("data", steep, None)
    assert fitted.endswith("(at the search bound: not fixed by the data)")


def test_fingerprint_table_has_data_then_every_model(data, predictions):
    table, figure = fingerprint_blocks(data, predictions)
    assert isinstance(table, Table) and isinstance(figure, Figure)
    rows = {row[0]: row for row in table.rows}
    assert list(rows) == ["data", "kr2", "kr1", "kk"]
    assert 1.8 < float(rows["kr2"][2]) < 2.05  # T² below the band edge (physics.md §4)
    assert 0.9 < float(rows["kr1"][2]) < 1.05  # T¹
    # the data are kr2 plus noise: G0 fitted, their exponent is near kr2's, far from kr1's
    data_p, kr2_p, kr1_p = (float(rows[m][1]) for m in ("data", "kr2", "kr1"))
    assert abs(data_p - kr2_p) < 0.3 < abs(data_p - kr1_p)


def test_no_fingerprints_from_a_single_curve(data, predictions):
    (note,) = fingerprint_blocks(data.subset([0]), predictions)
    assert isinstance(note, Paragraph)


def test_prediction_figures_follow_the_design(data, predictions):
    assert sweeps_figure(data, predictions).name == "sweeps"
    assert [f.name for f in zero_bias_figures(data, predictions)] == ["zero-bias-T", "zero-bias-H"]
    assert zero_bias_figures(data.subset([0, 7]), predictions) == []
