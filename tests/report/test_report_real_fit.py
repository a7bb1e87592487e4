"""Reports on real quick fits (nutpie): a fit report and a two-model ranking report, read
back from saved files and opened in the browser. Slow: two NUTS fits."""

import warnings

import pytest
from report_browser import dump_dom, parse_dom, require_chromium

from bayes_zba.compare import load_ranking, rank, save_ranking
from bayes_zba.inference import fit, load_fit, save_fit
from bayes_zba.models import load_config
from bayes_zba.report.fit_report import write_fit_report
from bayes_zba.report.ranking_report import write_ranking_report
from bayes_zba.simulate import DESIGN_PRESETS, simulate, typical_parameters

pytestmark = pytest.mark.slow
QUICK = {"chains": 2, "draws": 300, "tune": 300, "progress": False}


@pytest.fixture(scope="module")
def quick_comparison(tmp_path_factory):
    """kr2 data; kr2 fitted with Normal and with Student-t noise; fits and ranking on disk."""
    folder = tmp_path_factory.mktemp("real")
    data = simulate("kr2", typical_parameters("kr2"), DESIGN_PRESETS["small"], seed=7)
    configs = {"kr2": None, "kr2-t": load_config("kr2").with_measurement(noise="studentt")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # FitWarnings of deliberately short chains
        fits = {
            name: load_fit(save_fit(fit(data, "kr2", config, seed=11, **QUICK), folder / name))
            for name, config in configs.items()
        }
        ranking = load_ranking(save_ranking(rank(fits), folder / "ranking.json"))
    return data, fits, ranking, folder


@pytest.fixture(scope="module")
def real_reports(quick_comparison, tmp_path_factory):
    """Both reports written from the reloaded fits and ranking."""
    data, fits, ranking, _ = quick_comparison
    out = tmp_path_factory.mktemp("real-reports")
    return {
        "fit": write_fit_report(fits["kr2"], out, dataset=data),
        "ranking": write_ranking_report(ranking, fits, data, out),
    }


def test_fit_report_of_a_real_fit(real_reports):
    files = real_reports["fit"]
    assert {"html", "markdown", "figure:sweeps", "figure:collapse"} <= set(files)
    markdown = files["markdown"].read_text(encoding="utf-8")
    for name in ("A_kr", "E_star", "E_b", "H_c", "G0", "sigma", "tau_curve"):
        assert f"| {name} |" in markdown


def test_ranking_report_of_real_fits(real_reports, quick_comparison):
    ranking = quick_comparison[2]
    markdown = real_reports["ranking"]["markdown"].read_text(encoding="utf-8")
    assert ranking.verdict.sentence in markdown
    assert sorted(ranking.models) == ["kr2", "kr2-t"]


@pytest.mark.browser
@pytest.mark.parametrize("report", ["fit", "ranking"])
def test_real_reports_load_every_image_in_the_browser(real_reports, report, tmp_path):
    browser = require_chromium()
    dom = parse_dom(dump_dom(browser, real_reports[report]["html"], tmp_path / "profile"))
    assert dom.images > 0
    assert dom.body.get("data-images-broken") == "0"
    assert dom.body.get("data-images-ok") == str(dom.images)
