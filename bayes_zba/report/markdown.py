"""Markdown twin of a report Page: GitHub-flavoured tables, figures as PNG files beside it.

Same content as the HTML page; highlighted cells are marked ⚠ (warning) or ✓ (good).
"""

from pathlib import Path

from bayes_zba.report.document import (
    Block,
    BulletList,
    Cell,
    Figure,
    Page,
    Paragraph,
    Table,
    Tone,
    cell_text,
    cell_tone,
)

TONE_MARK: dict[Tone, str] = {"plain": "", "good": "✓ ", "warning": "⚠ "}


def figure_path(markdown_path: Path, figure: Figure) -> Path:
    """Where the PNG of `figure` goes: beside the Markdown file, prefixed with its stem."""
    return markdown_path.with_name(f"{markdown_path.stem}-{figure.name}.png")


def render_markdown(page: Page, markdown_path: Path) -> str:
    """The page as Markdown whose image links point at figure_path() files."""
    parts = [f"# {page.title}", _quote(_marked(page.summary, page.summary_tone))]
    for section in page.sections:
        parts.append(f"## {section.title}")
        parts.extend(_block(b, markdown_path) for b in section.blocks)
    parts.append(_provenance(page))
    return "\n\n".join(parts) + "\n"


def write_markdown(page: Page, markdown_path: Path) -> list[Path]:
    """Write the Markdown file and its PNG figures; returns [markdown, *figures]."""
    written = [markdown_path]
    for figure in page.figures:
        png = figure_path(markdown_path, figure)
        png.write_bytes(figure.png)
        written.append(png)
    markdown_path.write_text(render_markdown(page, markdown_path), encoding="utf-8")
    return written


def _block(block: Block, markdown_path: Path) -> str:
    match block:
        case Paragraph(text=text, tone=tone):
            return _marked(text, tone)
        case BulletList(items=items):
            return "\n".join(f"- {_marked(cell_text(i), cell_tone(i))}" for i in items)
        case Table():
            return _table(block)
        case Figure():
            link = figure_path(markdown_path, block).name
            return f"![{block.alt}]({link})\n\n*{block.caption}*"
    raise TypeError(f"cannot render {type(block).__name__}")


def _table(table: Table) -> str:
    n = len(table.columns)
    lines = [
        _row(table.columns),
        "|" + "|".join(":---" if i < table.text_columns else "---:" for i in range(n)) + "|",
    ]
    lines += [_row(tuple(_cell(c) for c in row)) for row in table.rows]
    text = "\n".join(lines)
    return f"{text}\n\n*{table.caption}*" if table.caption else text


def _row(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def _cell(cell: str | Cell) -> str:
    marked = _marked(cell_text(cell), cell_tone(cell))
    return f"**{marked}**" if cell_tone(cell) == "warning" else marked


def _marked(text: str, tone: Tone) -> str:
    return TONE_MARK[tone] + text


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" for line in text.splitlines())


def _provenance(page: Page) -> str:
    lines = ["## Provenance", ""]
    for key, value in page.provenance.items():
        if "\n" in value:
            lines += [
                f"- **{key}**:",
                "",
                "  ```",
                *(f"  {v}" for v in value.splitlines()),
                "  ```",
            ]
        else:
            lines.append(f"- **{key}**: {value}")
    return "\n".join(lines)
