"""The headless-browser helper: skip without a browser, fail instead when CI requires one;
and the DOM reader the browser tests rely on."""

import pytest
import report_browser
from report_browser import REQUIRE_ENV, parse_dom, require_chromium


@pytest.fixture
def no_browser(monkeypatch):
    monkeypatch.setattr(report_browser.shutil, "which", lambda name: None)


def test_missing_browser_skips_with_the_reason(no_browser, monkeypatch):
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="no headless browser found"):
        require_chromium()


def test_missing_browser_fails_when_ci_requires_one(no_browser, monkeypatch):
    monkeypatch.setenv(REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match=f"{REQUIRE_ENV}=1 requires one"):
        require_chromium()


def test_first_browser_on_path_is_used(monkeypatch):
    found = {"chromium-browser": "/opt/cb"}
    monkeypatch.setattr(report_browser.shutil, "which", found.get)
    assert require_chromium() == "/opt/cb"


def test_dom_reader_collects_title_body_tables_images_and_ids():
    dom = parse_dom(
        '<html><head><title> T </title></head><body data-images-ok="2">'
        '<p id="summary">Say <b>this</b>.</p><table id="t"><tr><th>a</th></tr>'
        "<tr><td> 1 </td></tr></table><img src='x'><img src='y'></body></html>"
    )
    assert dom.page_title == "T"
    assert dom.body == {"data-images-ok": "2"}
    assert dom.texts["summary"] == "Say this."
    assert dom.tables == {"t": [["a"], ["1"]]}
    assert dom.images == 2
