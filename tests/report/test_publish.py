"""Writing a page: file names from sample and model, HTML + Markdown + PNGs in one folder.

The returned mapping names every file written.
"""

from report_fixtures import PNG, sample_page

from bayes_zba.report.publish import write_page


def test_write_page_creates_the_folder_and_returns_every_file(tmp_path):
    out = tmp_path / "new" / "dir"
    files = write_page(sample_page(), out, "r")
    assert files == {
        "html": out / "r.html",
        "markdown": out / "r.md",
        "figure:g-v": out / "r-g-v.png",
    }
    assert all(path.is_file() for path in files.values())
    assert files["figure:g-v"].read_bytes() == PNG
