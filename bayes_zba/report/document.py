"""The content of a report as plain data: sections of paragraphs, lists, tables and figures.

Reports build one `Page`; html.py and markdown.py render the same page, so the twins agree.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Tone = Literal["plain", "good", "warning"]


@dataclass(frozen=True)
class Cell:
    """A table cell whose tone is shown (warnings highlighted, good values marked)."""

    text: str
    tone: Tone = "plain"


@dataclass(frozen=True)
class Paragraph:
    text: str
    tone: Tone = "plain"


@dataclass(frozen=True)
class BulletList:
    items: tuple[str | Cell, ...]


@dataclass(frozen=True)
class Table:
    """A table with a stable `key` (HTML id, e.g. "parameters") and a caption under it.

    The first `text_columns` columns hold words (left-aligned); the rest hold numbers.
    """

    key: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str | Cell, ...], ...]
    caption: str = ""
    text_columns: int = 1

    def __post_init__(self) -> None:
        widths = {len(row) for row in self.rows}
        if widths - {len(self.columns)}:
            raise ValueError(f"table {self.key!r}: every row needs {len(self.columns)} cells")


@dataclass(frozen=True)
class Figure:
    """A rendered PNG with a file-name-safe `name`, a caption and alt text."""

    name: str
    png: bytes
    caption: str
    alt: str


Block = Paragraph | BulletList | Table | Figure


@dataclass(frozen=True)
class Section:
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Page:
    """A whole report: title, one-sentence summary, sections and a provenance footer."""

    title: str
    summary: str
    sections: tuple[Section, ...]
    provenance: Mapping[str, str] = field(default_factory=dict)
    summary_tone: Tone = "plain"

    @property
    def figures(self) -> tuple[Figure, ...]:
        return tuple(b for s in self.sections for b in s.blocks if isinstance(b, Figure))


def cell_text(cell: str | Cell) -> str:
    """The text of a cell given as a plain string or a Cell."""
    return cell.text if isinstance(cell, Cell) else cell


def cell_tone(cell: str | Cell) -> Tone:
    """The tone of a cell ("plain" for plain strings)."""
    return cell.tone if isinstance(cell, Cell) else "plain"
