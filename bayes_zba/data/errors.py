"""Problems found in user data, the one exception loaders raise, and the data warning class.

Every message names the file, the 1-based row (file line, header = line 1) and the column.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

#: Control characters (C0/C1): escaped when quoted, not allowed in sample and curve names.
CONTROL_CHARACTERS = r"[\x00-\x1f\x7f-\x9f]"
#: Longest input value quoted back in a message; longer values are cut with an ellipsis.
MAX_QUOTED_CHARS = 60
#: Problems reported per rule before the rest are summarised as "... and N more".
PROBLEMS_PER_RULE = 20


def quote_value(value: object) -> str:
    """The input value as a short one-line string (control characters escaped, cut)."""
    text = re.sub(CONTROL_CHARACTERS, lambda m: repr(m.group())[1:-1], str(value))
    if len(text) > MAX_QUOTED_CHARS:
        return text[: MAX_QUOTED_CHARS - 1] + "…"
    return text


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as the format allows."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str
    message: str = ""

    def location(self) -> str:
        """'file, row 17, column T_K' with the parts that are known."""
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        if self.value is not None:
            finding = f"found '{self.value}', expected {self.expected}"
        else:
            finding = f"expected {self.expected}" if self.expected else ""
        return f"{self.location()}: " + "; ".join(t for t in (finding, self.message) if t)


class DataError(ValueError):
    """Bad input data: carries every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        if not self.problems:
            raise ValueError("DataError needs at least one Problem")
        super().__init__(self._text())

    def _text(self) -> str:
        count = len(self.problems)
        header = f"{count} problem{'s' if count != 1 else ''} in the input data:"
        return "\n".join([header, *(f"  {p}" for p in self.problems)])


class DataWarning(UserWarning):
    """Data that load fine but limit what a fit can tell (e.g. a single temperature)."""


def file_problem(file: str, expected: str, message: str = "", row: int | None = None) -> DataError:
    """A DataError about the file as a whole or one of its lines (unreadable, empty, encoding)."""
    return DataError([Problem(file, row, None, None, expected, message)])


def cap_problems(
    problems: list[Problem], total: int | None = None, limit: int = PROBLEMS_PER_RULE
) -> list[Problem]:
    """The first `limit` problems of one rule plus a line saying how many more (of `total`)."""
    total = len(problems) if total is None else total
    if total <= limit:
        return problems
    first = problems[0]
    more = Problem(
        first.file,
        None,
        first.column,
        None,
        "",
        f"... and {total - limit} more rows with the same problem (expected {first.expected})",
    )
    return [*problems[:limit], more]
