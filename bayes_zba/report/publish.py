"""Writes one report Page as its HTML page and Markdown twin (PNG figures beside it).

The returned mapping names every file: "html", "markdown" and "figure:<name>" entries.
"""

from pathlib import Path

from bayes_zba.report.document import Page
from bayes_zba.report.html import write_html
from bayes_zba.report.markdown import figure_path, write_markdown


def write_page(page: Page, out_dir: Path, stem: str) -> dict[str, Path]:
    """Write <stem>.html, <stem>.md and <stem>-<figure>.png into out_dir (created if needed)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    markdown = out_dir / f"{stem}.md"
    write_markdown(page, markdown)
    files = {"html": write_html(page, out_dir / f"{stem}.html"), "markdown": markdown}
    files |= {f"figure:{f.name}": figure_path(markdown, f) for f in page.figures}
    return files
