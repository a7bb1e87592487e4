"""Headless Chromium for report tests: find it, dump a page's DOM after load, take a screenshot.

Missing browser: the test is skipped, or fails when BAYES_ZBA_REQUIRE_BROWSER=1 (set by CI).
"""

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
REQUIRE_ENV = "BAYES_ZBA_REQUIRE_BROWSER"
#: Seconds one headless run may take on a busy shared machine.
BROWSER_TIMEOUT_S = 180
#: Virtual time the page gets to fire its load event before the DOM is dumped.
VIRTUAL_TIME_MS = 10_000
SCREENSHOT_WIDTH = 1280


def find_chromium() -> str | None:
    """Path of the first Chromium-like executable on PATH, or None."""
    return next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)


def require_chromium() -> str:
    """The browser path; skip the test without one (fail instead if CI requires it)."""
    path = find_chromium()
    if path is None:
        reason = f"no headless browser found (looked for {', '.join(CHROMIUM_NAMES)} on PATH)"
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{reason}, and {REQUIRE_ENV}=1 requires one")
        pytest.skip(reason)
    return path


def _run(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=BROWSER_TIMEOUT_S, check=True
    )


def dump_dom(browser: str, page: Path, profile: Path) -> str:
    """The page's DOM as serialised by Chromium after its load event."""
    result = _run(
        browser, profile, f"--virtual-time-budget={VIRTUAL_TIME_MS}", "--dump-dom", page.as_uri()
    )
    return result.stdout


def screenshot(browser: str, page: Path, png: Path, profile: Path, height: int = 6000) -> Path:
    """A PNG screenshot SCREENSHOT_WIDTH px wide and `height` px tall of the page."""
    _run(
        browser,
        profile,
        "--hide-scrollbars",
        f"--window-size={SCREENSHOT_WIDTH},{height}",
        f"--screenshot={png}",
        page.as_uri(),
    )
    return png


class Dom(HTMLParser):
    """What the tests read from a dumped DOM: title, body data-*, tables, images, id'd text."""

    def __init__(self) -> None:
        super().__init__()
        self.body: dict[str, str] = {}
        self.tables: dict[str, list[list[str]]] = {}  # table id -> rows of cell texts
        self.images = 0
        self.texts: dict[str, str] = {}  # element id -> its text ("title" for <title>)
        self._open: list[tuple[str, str]] = []  # (tag, key) of open elements collecting text
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "body":
            self.body = attributes
        elif tag == "img":
            self.images += 1
        elif tag == "table":
            self._table = attributes.get("id", "")
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []
        key = "title" if tag == "title" else attributes.get("id")
        if key and tag != "table":
            self._open.append((tag, key))
            self.texts[key] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None
        if self._open and self._open[-1][0] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        for _, key in self._open:
            self.texts[key] += data

    @property
    def page_title(self) -> str:
        return self.texts.get("title", "").strip()


def parse_dom(html: str) -> Dom:
    """Parse a dumped DOM."""
    dom = Dom()
    dom.feed(html)
    return dom
