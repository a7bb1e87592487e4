"""Markdown twin: same content as the HTML, figures written as PNG files beside the .md.

Links must resolve to the written files; highlighted cells must stay visible as marks.
"""

import re

from report_fixtures import PNG, sample_page

from bayes_zba.report.document import Page, Section, Table
from bayes_zba.report.markdown import figure_path, render_markdown, write_markdown


def test_written_figures_sit_beside_the_markdown_and_links_resolve(tmp_path):
    markdown = tmp_path / "report.md"
    written = write_markdown(sample_page(), markdown)
    assert written == [markdown, tmp_path / "report-g-v.png"]
    assert written[1].read_bytes() == PNG
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown.read_text(encoding="utf-8"))
    assert links == ["report-g-v.png"]
    assert all((tmp_path / link).is_file() for link in links)


def test_title_summary_and_sections_are_headings_and_quote(tmp_path):
    text = render_markdown(sample_page(), tmp_path / "r.md")
    assert text.startswith("# Report <one>\n\n> ⚠ It works & reads well.\n")
    assert "\n## First\n" in text and "\n## Second\n" in text


def test_tables_align_text_left_and_numbers_right_and_mark_warnings(tmp_path):
    text = render_markdown(sample_page(), tmp_path / "r.md")
    assert (
        "| name | unit | value |\n|:---|:---|---:|\n| a<b | K | **⚠ 1.5** |\n| c | T | 2 |" in text
    )
    assert "*two rows*" in text


def test_pipes_in_cells_are_escaped(tmp_path):
    page = Page("t", "s", (Section("s", (Table("k", ("a",), (("x|y",),)),)),))
    assert "| x\\|y |" in render_markdown(page, tmp_path / "r.md")


def test_lists_and_multiline_provenance(tmp_path):
    text = render_markdown(sample_page(), tmp_path / "r.md")
    assert "- x\n- ✓ y" in text
    assert "- **seed**: 7" in text
    assert "- **config**:\n\n  ```\n  line 1\n  line 2\n  ```" in text


def test_figure_path_uses_the_markdown_stem(tmp_path):
    page = sample_page()
    assert figure_path(tmp_path / "fit-a-2ck.md", page.figures[0]).name == "fit-a-2ck-g-v.png"
