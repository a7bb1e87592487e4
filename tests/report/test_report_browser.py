"""Both reports opened in headless Chromium: title, tables, verdict, and every image decoded.

Also takes one screenshot of each report (kept in the test's tmp dir for a human look).
"""

import pytest
from PIL import Image
from report_browser import (
    SCREENSHOT_WIDTH,
    dump_dom,
    parse_dom,
    require_chromium,
    screenshot,
)

from bayes_zba.compare import VERDICT_RULES
from bayes_zba.physics import get_mechanism

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    return require_chromium()


def open_page(browser, html, tmp_path):
    return parse_dom(dump_dom(browser, html, tmp_path / "profile"))


def assert_every_image_loaded(dom):
    assert dom.images > 0
    assert dom.body.get("data-images-broken") == "0"
    assert dom.body.get("data-images-ok") == str(dom.images)


def test_fit_report_reads_well_in_a_browser(browser, fit_report_files, tmp_path):
    dom = open_page(browser, fit_report_files["html"], tmp_path)
    assert dom.page_title.startswith(get_mechanism("kr2").title)
    assert "sim-1" in dom.page_title
    header, *rows = dom.tables["parameters"]
    assert header[:2] == ["parameter", "unit"]
    by_name = {row[0]: row for row in rows}
    assert by_name["A_kr"][1] == "e²/h K⁻²"
    assert by_name["E_b"][1] == "K"
    assert by_name["G0"][1] == "e²/h"
    assert list(by_name)[:4] == list(get_mechanism("kr2").parameter_names)
    assert "the sampler diagnostics are clean" in dom.texts["summary"]
    assert_every_image_loaded(dom)


def test_ranking_report_reads_well_in_a_browser(
    browser, ranking_report_files, decisive_ranking, tmp_path
):
    dom = open_page(browser, ranking_report_files["html"], tmp_path)
    assert "sim-1" in dom.page_title
    assert dom.texts["summary"].strip() == decisive_ranking.verdict.sentence
    header, *rows = dom.tables["elpd"]
    assert header == ["model", "elpd", "SE", "Δelpd", "dSE", "stacking weight", "pseudo-BMA weight"]
    assert [row[0] for row in rows] == decisive_ranking.models
    assert [row[0] for row in dom.tables["verdict-rules"][1:]] == [r[0] for r in VERDICT_RULES]
    assert_every_image_loaded(dom)


def test_a_missing_image_is_counted_as_broken(browser, fit_report_files, tmp_path):
    page = fit_report_files["html"].read_text(encoding="utf-8")
    start = page.index('src="data:image/png;base64,') + len('src="')
    broken = tmp_path / "broken.html"
    broken.write_text(page[:start] + "missing.png" + page[page.index('"', start) :], "utf-8")
    dom = open_page(browser, broken, tmp_path)
    assert dom.body.get("data-images-broken") == "1"
    assert dom.body.get("data-images-ok") == str(dom.images - 1)


@pytest.mark.parametrize("report", ["fit", "ranking"])
def test_screenshot_of_each_report(browser, report, request, tmp_path):
    html = request.getfixturevalue(f"{report}_report_files")["html"]
    png = screenshot(browser, html, tmp_path / f"{report}.png", tmp_path / "profile")
    with Image.open(png) as image:
        assert image.format == "PNG"
        assert image.width == SCREENSHOT_WIDTH
