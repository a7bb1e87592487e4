"""HTML rendering: escaping, table classes and ids, embedded PNGs, image-check script, footer.

Checks the string the browser will get; test_report_browser.py checks what it makes of it.
"""

import base64
import re

import pytest
from report_fixtures import PNG, sample_page

from bayes_zba.report.document import Page
from bayes_zba.report.html import render_html, write_html


@pytest.fixture(scope="module")
def html():
    return render_html(sample_page())


def test_title_and_summary_are_escaped_and_marked(html):
    assert "<title>Report &lt;one&gt;</title>" in html
    assert '<p id="summary" class="summary tone-warning">It works &amp; reads well.</p>' in html


def test_table_has_its_id_column_kinds_and_highlighted_cells(html):
    table = html[html.index('<table id="numbers">') : html.index("</table>")]
    assert re.findall(r'<th scope="col" class="(\w+)">', table) == ["text", "text", "number"]
    assert '<td class="text tone-plain">a&lt;b</td>' in table
    assert '<td class="number tone-warning">1.5</td>' in table
    assert '<p class="caption">two rows</p>' in html


def test_figures_are_embedded_as_base64_png_with_alt_and_caption(html):
    encoded = re.search(
        r'<img src="data:image/png;base64,([^"]+)" alt="alt &quot;text&quot;">', html
    )
    assert base64.b64decode(encoded[1]) == PNG
    assert '<figure id="figure-g-v">' in html
    assert "<figcaption>caption &amp; more</figcaption>" in html


def test_image_check_script_sets_body_data_attributes_on_load(html):
    assert 'addEventListener("load"' in html
    assert "dataset.imagesOk" in html
    assert "dataset.imagesBroken" in html
    assert "i.complete && i.naturalWidth > 0" in html


def test_paragraph_and_list_tones_become_classes(html):
    assert '<p class="tone-warning">careful</p>' in html
    assert '<li class="tone-plain">x</li><li class="tone-good">y</li>' in html


def test_footer_lists_provenance(html):
    footer = html[html.index('<footer id="provenance">') :]
    assert "<dt>seed</dt><dd>7</dd>" in footer
    assert "<dd>line 1\nline 2</dd>" in footer


def test_page_is_self_contained(html):
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "<link" not in html


def test_write_html_writes_utf8(tmp_path):
    page = Page("Δelpd ≥ 4", "k̂", ())
    path = write_html(page, tmp_path / "p.html")
    assert "Δelpd ≥ 4" in path.read_text(encoding="utf-8")
