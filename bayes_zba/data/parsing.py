"""Turn the user's raw columns into canonical float64 / text columns in physics.md §0 units.

Every missing column and every empty, non-numeric, non-finite or out-of-range value is a Problem.
"""

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bayes_zba.data.errors import (
    CONTROL_CHARACTERS,
    PROBLEMS_PER_RULE,
    Problem,
    cap_problems,
    quote_value,
)
from bayes_zba.data.schema import (
    CANONICAL_COLUMNS,
    PHYSICS_NAMES,
    REQUIRED_COLUMNS,
    TEXT_COLUMNS,
    ColumnSpec,
)

#: What each canonical column holds, for messages.
MEANING = {
    "sample": "a sample name",
    "curve": "a curve label",
    "V_mV": "bias",
    "T_K": "temperature",
    "H_T": "magnetic field",
    "G_e2h": "differential conductance",
    "sigma_e2h": "conductance uncertainty",
}
CONTROL = re.compile(CONTROL_CHARACTERS)
#: Numeric columns whose values must be > 0 (physics.md §0: T in K; sigma is a std. deviation).
POSITIVE_COLUMNS = ("T_K", "sigma_e2h")


@dataclass(frozen=True)
class RawTable:
    """A table as read from a file: user column names, any dtypes, and its row numbers."""

    frame: pd.DataFrame
    rows: np.ndarray  # user-visible 1-based row (file line) of each frame row
    file: str
    problems: tuple[Problem, ...] = ()  # found while reading, e.g. rows with too many fields

    def restrict(self, keep: np.ndarray) -> "RawTable":
        """The rows where `keep` is True."""
        return RawTable(
            self.frame[keep].reset_index(drop=True), self.rows[keep], self.file, self.problems
        )


@dataclass
class ParsedColumn:
    """One canonical column: values, which rows are valid, and the user's text for messages."""

    values: np.ndarray
    valid: np.ndarray
    text: np.ndarray  # the user's cell text (object array of str)
    user_name: str


@dataclass
class ParsedTable:
    """All canonical columns found (or filled in), with the problems and notes on the way."""

    columns: dict[str, ParsedColumn]
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def parse_table(raw: RawTable, spec: ColumnSpec, default_sample: str | None) -> ParsedTable:
    """Parse every canonical column of `raw`; absent optional ones are filled or left out."""
    parsed = ParsedTable({}, list(raw.problems))
    n_rows = len(raw.frame)
    physics_named = []
    for name in CANONICAL_COLUMNS:
        user = _column_in_file(raw, name, spec, parsed)
        if user != spec.user_column(name):
            physics_named.append(f"{user} as {name}")
        if user in raw.frame.columns:
            parsed.problems += _duplicate_header_problems(raw, user)
            parsed.columns[name] = _parse_column(raw, name, user, spec, parsed.problems)
        elif name == "sample" and default_sample is not None and not spec.is_mapped(name):
            parsed.columns[name] = _constant_column(np.full(n_rows, default_sample, object))
            parsed.notes.append(f"no sample column: all rows are sample '{default_sample}'")
        elif name == "H_T" and not spec.is_mapped(name):
            parsed.columns[name] = _constant_column(np.zeros(n_rows))
            parsed.notes.append("no H_T column: magnetic field taken as 0 T for every point")
        elif name in REQUIRED_COLUMNS or name == "sample" or spec.is_mapped(name):
            parsed.problems.append(_missing_column_problem(raw, name, user, spec))
    if physics_named:
        parsed.notes.append(f"physics.md §0 column names read: {', '.join(physics_named)}")
    return parsed


def _column_in_file(raw: RawTable, name: str, spec: ColumnSpec, parsed: ParsedTable) -> str:
    """The file's header for canonical column `name`: the mapped one, else `name` itself,
    else physics.md §0's name (V, T, H, G, sigma), whose values are in the units the spec
    gives (physics.md's by default). Both `name` and its physics.md name present is a
    Problem; the canonical one is used."""
    short = _physics_alias(name, spec)
    if short is None:
        return spec.user_column(name)
    headers = set(raw.frame.columns)
    if name in headers and short in headers:
        expected = f"one column for the {MEANING[name]}: map one with --columns {name}=..."
        message = f"both '{name}' and '{short}' are present"
        parsed.problems.append(Problem(raw.file, None, short, None, expected, message))
    elif short in headers:
        return short
    return name


def _physics_alias(name: str, spec: ColumnSpec) -> str | None:
    """physics.md §0's name for canonical column `name` when the file may use it: not when
    --columns maps `name`, nor when it maps that name to another column."""
    short = PHYSICS_NAMES.get(name)
    if spec.is_mapped(name) or short is None or short in spec.columns.values():
        return None
    return short


def _constant_column(values: np.ndarray) -> ParsedColumn:
    return ParsedColumn(values, np.ones(len(values), bool), values.astype(str).astype(object), "")


def _missing_column_problem(raw: RawTable, name: str, user: str, spec: ColumnSpec) -> Problem:
    found = ", ".join(str(c) for c in raw.frame.columns) or "none"
    message = f"columns found: {quote_value(found)}"
    if len(raw.frame.columns) == 1 and any(sep in found for sep in ";\t|"):
        message += (
            " (a single column: is the file separated by something else than its suffix says?)"
        )
    short = _physics_alias(name, spec)
    names = f"'{user}' or '{short}'" if short else f"'{user}'"
    return Problem(raw.file, None, user, None, f"a column {names} ({MEANING[name]})", message)


def _duplicate_header_problems(raw: RawTable, user: str) -> list[Problem]:
    count = int((raw.frame.columns == user).sum())
    if count == 1:
        return []
    message = f"the column name appears {count} times; the first one is used"
    return [Problem(raw.file, 1, user, None, "each column name once", message)]


def _cell_text(series: pd.Series) -> np.ndarray:
    """The cells as stripped strings; missing cells become ''."""
    cells = series.to_numpy(dtype=object)
    missing = pd.isna(cells)
    return np.array(
        ["" if gone else str(cell).strip() for cell, gone in zip(cells, missing, strict=True)],
        dtype=object,
    )


def _parse_text(
    raw: RawTable, name: str, user: str, text: np.ndarray, problems: list[Problem]
) -> ParsedColumn:
    """A text column: non-empty names without control characters (tabs, line breaks)."""
    empty = text == ""
    control = np.array([CONTROL.search(t) is not None for t in text], dtype=bool)
    problems += _row_problems(raw, user, empty, text, MEANING[name])
    problems += _row_problems(
        raw, user, control, text, f"{MEANING[name]} without control characters"
    )
    return ParsedColumn(text, ~empty & ~control, text, user)


def _parse_column(
    raw: RawTable, name: str, user: str, spec: ColumnSpec, problems: list[Problem]
) -> ParsedColumn:
    series = raw.frame.iloc[:, list(raw.frame.columns).index(user)]
    text = _cell_text(series)
    if name in TEXT_COLUMNS:
        return _parse_text(raw, name, user, text, problems)
    unit = spec.unit(name)
    numbers, parsed_ok = _to_float(series, text)
    numbers = numbers * spec.factor(name)
    finite = parsed_ok & np.isfinite(numbers)
    described = f"({MEANING[name]} in {unit})"
    problems += _row_problems(raw, user, text == "", text, f"a number {described}")
    problems += _row_problems(raw, user, ~parsed_ok & (text != ""), text, f"a number {described}")
    problems += _row_problems(raw, user, parsed_ok & ~finite, text, f"a finite number {described}")
    valid = finite
    if name in POSITIVE_COLUMNS:
        positive = finite & (numbers > 0)
        problems += _row_problems(
            raw, user, finite & ~positive, text, f"a {MEANING[name]} > 0 {unit}"
        )
        valid = positive
    return ParsedColumn(numbers, valid, text, user)


def _to_float(series: pd.Series, text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Numbers (NaN where unreadable) and which cells were readable as numbers at all."""
    if pd.api.types.is_integer_dtype(series) or pd.api.types.is_float_dtype(series):
        numbers = series.to_numpy(dtype=np.float64, na_value=np.nan)
        return numbers, ~series.isna().to_numpy()
    try:
        return np.asarray(text.astype(str), dtype=np.float64), np.ones(len(text), bool)
    except (ValueError, OverflowError):
        numbers = np.array([_float_or_nan(t) for t in text], dtype=np.float64)
        readable = np.array([_is_float(t) for t in text], dtype=bool)
        return numbers, readable


def _is_float(text: str) -> bool:
    try:
        float(text)
    except (ValueError, OverflowError):
        return False
    return True


def _float_or_nan(text: str) -> float:
    return float(text) if _is_float(text) else np.nan


def _row_problems(
    raw: RawTable, user: str, bad: np.ndarray, text: np.ndarray, expected: str
) -> list[Problem]:
    """One Problem per bad row (capped), quoting the user's cell text."""
    positions = np.flatnonzero(bad)
    problems = [
        Problem(raw.file, int(raw.rows[i]), user, quote_value(text[i]), expected)
        for i in positions[:PROBLEMS_PER_RULE]
    ]
    return cap_problems(problems, total=len(positions))
