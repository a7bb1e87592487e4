"""Self-contained HTML rendering of a report Page: inline CSS, base64 PNG figures, no network.

A tiny inline script records on load how many images decoded (body data-images-ok/-broken).
"""

import base64
from html import escape
from pathlib import Path

from bayes_zba.report.document import (
    Block,
    BulletList,
    Cell,
    Figure,
    Page,
    Paragraph,
    Section,
    Table,
    cell_text,
    cell_tone,
)

STYLE = """
:root { --ink: #1d2430; --muted: #5b6575; --rule: #d9dee6; --accent: #2b5d8a;
        --warn-bg: #fff4d6; --warn-ink: #8a4b00; --good-ink: #1f6e3a; }
body { font-family: "Source Serif Pro", Georgia, "DejaVu Serif", serif; color: var(--ink);
       max-width: 1080px; margin: 2.5rem auto; padding: 0 1.5rem; line-height: 1.5;
       background: #fcfcfb; }
h1 { font-size: 1.7rem; margin: 0 0 0.4rem; }
h2 { font-size: 1.25rem; margin: 2.2rem 0 0.6rem; border-bottom: 1px solid var(--rule);
     padding-bottom: 0.2rem; color: var(--accent); }
.summary { font-size: 1.15rem; margin: 0.6rem 0 1.5rem; padding: 0.8rem 1rem;
           border-left: 4px solid var(--accent); background: #eef3f8; }
.summary.tone-warning { border-left-color: var(--warn-ink); background: var(--warn-bg); }
p.tone-warning, li.tone-warning { background: var(--warn-bg); color: var(--warn-ink);
           padding: 0.3rem 0.6rem; border-radius: 3px; }
p.tone-good { color: var(--good-ink); }
table { border-collapse: collapse; margin: 0.8rem 0 0.3rem; font-size: 0.93rem;
        font-family: "Source Sans Pro", "Helvetica Neue", "DejaVu Sans", sans-serif; }
th, td { padding: 0.3rem 0.75rem; border-bottom: 1px solid var(--rule); text-align: right;
         font-variant-numeric: tabular-nums; }
th { border-bottom: 2px solid var(--ink); font-weight: 600; }
th.text, td.text { text-align: left; }
tbody tr:nth-child(even) { background: #f3f5f8; }
td.tone-warning { background: var(--warn-bg); color: var(--warn-ink); font-weight: 600; }
td.tone-good { color: var(--good-ink); }
#parameters td:nth-child(2) { white-space: nowrap; }
.caption, figcaption { color: var(--muted); font-size: 0.9rem; margin: 0.2rem 0 1.2rem; }
figure { margin: 1rem 0 1.6rem; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--rule); background: #fff; }
footer { margin-top: 3rem; color: var(--muted); font-size: 0.82rem; }
footer dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 1rem; }
footer dt { font-weight: 600; }
footer dd { margin: 0; word-break: break-all; white-space: pre-wrap; }
"""

#: Counts images that decoded, so a headless browser can check every figure loaded.
IMAGE_CHECK_SCRIPT = """
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  var ok = images.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;
  document.body.dataset.imagesOk = String(ok);
  document.body.dataset.imagesBroken = String(images.length - ok);
});
"""


def render_html(page: Page) -> str:
    """The whole page as one HTML document string."""
    body = "\n".join(_section(s) for s in page.sections)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(page.title)}</title>
<style>{STYLE}</style>
<script>{IMAGE_CHECK_SCRIPT}</script>
</head>
<body>
<header>
<h1>{escape(page.title)}</h1>
<p id="summary" class="summary tone-{page.summary_tone}">{escape(page.summary)}</p>
</header>
<main>
{body}
</main>
{_footer(page)}
</body>
</html>
"""


def write_html(page: Page, path: Path) -> Path:
    """Write the page to `path` (UTF-8) and return the path."""
    path.write_text(render_html(page), encoding="utf-8")
    return path


def _section(section: Section) -> str:
    blocks = "\n".join(_block(b) for b in section.blocks)
    return f"<section>\n<h2>{escape(section.title)}</h2>\n{blocks}\n</section>"


def _block(block: Block) -> str:
    match block:
        case Paragraph(text=text, tone=tone):
            return f'<p class="tone-{tone}">{escape(text)}</p>'
        case BulletList(items=items):
            lis = "".join(
                f'<li class="tone-{cell_tone(i)}">{escape(cell_text(i))}</li>' for i in items
            )
            return f"<ul>{lis}</ul>"
        case Table():
            return _table(block)
        case Figure():
            return _figure(block)
    raise TypeError(f"cannot render {type(block).__name__}")


def _list_item(item: str | Cell) -> str:
    return f'<li class="tone-{cell_tone(item)}">{escape(cell_text(item))}</li>'


def _table(table: Table) -> str:
    kinds = _column_kinds(table)
    head = "".join(
        f'<th scope="col" class="{kind}">{escape(c)}</th>'
        for c, kind in zip(table.columns, kinds, strict=True)
    )
    rows = "\n".join(
        "<tr>" + "".join(_cell(c, kind) for c, kind in zip(row, kinds, strict=True)) + "</tr>"
        for row in table.rows
    )
    caption = f'<p class="caption">{escape(table.caption)}</p>' if table.caption else ""
    return (
        f'<table id="{escape(table.key)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>\n{rows}\n</tbody></table>{caption}"
    )


def _column_kinds(table: Table) -> list[str]:
    """CSS class per column: "text" (left-aligned words) or "number"."""
    return ["text" if i < table.text_columns else "number" for i in range(len(table.columns))]


def _cell(cell: str | Cell, kind: str) -> str:
    return f'<td class="{kind} tone-{cell_tone(cell)}">{escape(cell_text(cell))}</td>'


def _figure(figure: Figure) -> str:
    data = base64.b64encode(figure.png).decode("ascii")
    return (
        f'<figure id="figure-{escape(figure.name)}">'
        f'<img src="data:image/png;base64,{data}" alt="{escape(figure.alt)}">'
        f"<figcaption>{escape(figure.caption)}</figcaption></figure>"
    )


def _footer(page: Page) -> str:
    items = "".join(
        f"<dt>{escape(key)}</dt><dd>{escape(value)}</dd>" for key, value in page.provenance.items()
    )
    return f'<footer id="provenance"><h2>Provenance</h2><dl>{items}</dl></footer>'
