"""Fit report: parameter table (schema units, intervals that cover the truth, R-hat/ESS),
diagnostics with warnings, figures, files; works with and without the full dataset."""

from dataclasses import replace

import numpy as np
import pytest
from report_fixtures import SAMPLE, TRUE_PARAMETERS

from bayes_zba.inference import Fit
from bayes_zba.models.config import model_parameters
from bayes_zba.report.fit_report import (
    PARAMETER_COLUMNS,
    fit_report_page,
    fit_summary,
    parameter_table,
)
from bayes_zba.report.views import sweeps_from_fit


@pytest.fixture(scope="module")
def page(fits):
    """The kr2 fit's report page without the dataset (the written report has it)."""
    return fit_report_page(fits["kr2"])


def test_parameter_table_lists_mechanism_then_measurement_parameters(fits):
    table = parameter_table(fits["kr2"])
    assert table.columns == PARAMETER_COLUMNS
    assert table.columns[:4] == ("parameter", "unit", "meaning", "mean")
    assert "89% ETI low" in table.columns and "R-hat" in table.columns
    names = [row[0] for row in table.rows]
    assert names == ["A_kr", "E_star", "E_b", "H_c", "G0", "tau_curve", "sigma"]
    schema = model_parameters("kr2")
    assert [row[2] for row in table.rows] == [schema[n].meaning for n in names]


def test_parameter_intervals_cover_the_values_the_draws_scatter_around(fits):
    rows = {row[0]: row for row in parameter_table(fits["kr2"]).rows}
    for name, truth in TRUE_PARAMETERS["kr2"].items():
        low, high = float(rows[name][4]), float(rows[name][5])
        assert low < truth < high
        assert float(rows[name][3]) == pytest.approx(truth, rel=0.02)


def test_poorly_mixed_parameter_is_highlighted(fits):
    tree = fits["kr2"].tree.copy()
    shifted = tree["posterior"]["E_b"].copy()
    shifted[0] = shifted[0] + 3.0  # chain 0 sits elsewhere: R-hat far above 1.01
    tree["posterior"]["E_b"] = shifted
    rows = {row[0]: row for row in parameter_table(Fit(tree)).rows}
    assert rows["E_b"][6].tone == "warning"
    assert rows["A_kr"][6].tone == "plain"


def test_page_has_summary_sections_and_figures(page):
    assert page.title.endswith(f"(kr2) — sample {SAMPLE}")
    assert page.summary.startswith(f"The kr2 model fitted to sample {SAMPLE} (9 curves")
    assert page.summary_tone == "plain"
    assert [s.title for s in page.sections] == [
        "Parameters",
        "Sampling diagnostics",
        "Data and posterior predictive",
        "Residuals",
        "Fingerprints: T-exponent and scaling collapse (paper I, eq. I-14)",
    ]
    assert [f.name for f in page.figures] == [
        "sweeps",
        "zero-bias-T",
        "zero-bias-H",
        "residuals",
        "collapse",
    ]
    assert page.provenance["model"] == "kr2"
    assert page.provenance["seed"] == "20"


def test_sampler_problems_turn_the_summary_into_a_warning(fits):
    fit = fits["kr2"]
    troubled = replace(fit.diagnostics, n_divergent=4, warnings=["4 divergences"])
    summary = fit_summary("kr2", SAMPLE, sweeps_from_fit(fit.tree), troubled)
    assert summary.endswith("the sampler reports 1 problem(s): read them first.")


def test_summary_counts_the_fitted_points(page, fits):
    fitted = fits["kr2"].tree["constant_data"]["V_mV"].values
    assert f"9 curves, {fitted.size} points, T = 0.1–4 K)" in page.summary
    assert np.abs(fitted).max() <= 2.5


def test_written_files(fit_report_files, tmp_path):
    assert set(fit_report_files) == {
        "html",
        "markdown",
        "figure:sweeps",
        "figure:zero-bias-T",
        "figure:zero-bias-H",
        "figure:residuals",
        "figure:collapse",
    }
    assert fit_report_files["html"].name == f"fit-{SAMPLE}-kr2.html"
    assert all(path.is_file() for path in fit_report_files.values())
    markdown = fit_report_files["markdown"].read_text(encoding="utf-8")
    assert "| A_kr | e²/h K⁻² |" in markdown
