"""Read and write delimited text tables (CSV, TSV) keeping each record's file line number.

Blank lines and '#' comment lines before the header are skipped; header = first other line.
"""

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from bayes_zba.data.errors import (
    PROBLEMS_PER_RULE,
    Problem,
    cap_problems,
    file_problem,
    quote_value,
)
from bayes_zba.data.parsing import RawTable


def read_text_table(path: Path, delimiter: str) -> RawTable:
    """The table in a UTF-8 delimited text file; bad encoding or layout -> DataError."""
    file = str(path)
    text = _decoded_text(path.read_bytes(), file)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    records: list[list[str]] = []
    rows: list[int] = []
    ragged: list[tuple[int, int]] = []
    problems: list[Problem] = []
    last_line = 0
    try:
        for fields in reader:
            line, last_line = last_line + 1, reader.line_num
            if not any(f.strip() for f in fields):
                continue
            if header is None:
                if not fields[0].lstrip().startswith("#"):
                    header = [f.strip() for f in fields]
            elif len(fields) != len(header):
                ragged.append((line, len(fields)))
            else:
                records.append(fields)
                rows.append(line)
    except csv.Error as error:
        expected = "a well-formed delimited text line"
        problems.append(Problem(file, last_line + 1, None, None, expected, quote_value(error)))
    if header is None:
        raise file_problem(file, "a header line naming the columns", "the file has no table")
    problems += _ragged_problems(file, ragged, len(header), delimiter)
    frame = pd.DataFrame(records, columns=header, dtype=object)
    return RawTable(frame, np.asarray(rows, dtype=np.int64), file, tuple(problems))


def _decoded_text(data: bytes, file: str) -> str:
    """The bytes as UTF-8 text (a BOM is allowed); binary or other encodings -> DataError."""
    if not data.strip():
        raise file_problem(file, "a table with a header line and data rows", "the file is empty")
    if b"\x00" in data:
        raise file_problem(file, "a text table", "the file holds NUL bytes (a binary file?)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        message = f"byte {error.start} is not UTF-8; save the file as UTF-8 text"
        raise file_problem(file, "UTF-8 text", message, row=line) from None


def _ragged_problems(
    file: str, ragged: list[tuple[int, int]], n_columns: int, delimiter: str
) -> list[Problem]:
    """A Problem for every record whose field count differs from the header's."""
    name = {",": "comma", "\t": "tab"}.get(delimiter, repr(delimiter))
    problems = [
        Problem(
            file,
            line,
            None,
            None,
            f"{n_columns} {name}-separated fields, one per header column",
            f"found {count}",
        )
        for line, count in ragged[:PROBLEMS_PER_RULE]
    ]
    return cap_problems(problems, total=len(ragged))


def write_text_table(table: pd.DataFrame, path: Path, delimiter: str) -> None:
    """Write the table as UTF-8 delimited text, floats in shortest round-trip form."""
    table.to_csv(path, sep=delimiter, index=False, lineterminator="\n", encoding="utf-8")
