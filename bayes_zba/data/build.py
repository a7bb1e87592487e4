"""The one path from user input to a Dataset: parse, check across rows, sort, note and warn.

Loaders and `dataset_from_frame` both end here, so every Dataset passed the same rules.
"""

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from bayes_zba.data.dataset import Dataset, SampleInfo, emit_warnings, table_hash
from bayes_zba.data.errors import DataError, Problem, quote_value
from bayes_zba.data.metadata import Metadata, jsonable
from bayes_zba.data.parsing import ParsedColumn, ParsedTable, RawTable, parse_table
from bayes_zba.data.schema import (
    CANONICAL_COLUMNS,
    COLUMN_QUANTITY,
    SORT_COLUMNS,
    TEXT_COLUMNS,
    ColumnSpec,
)
from bayes_zba.data.validation import (
    POINT_KEY,
    derive_curve_labels,
    duplicate_points,
    small_curves,
    table_warnings,
)

#: Columns that, with `curve`, identify one measured point.
KEY_COLUMNS = tuple(name for name in POINT_KEY if name != "curve")
#: Rows listed in a note before it says "...".
ROWS_IN_NOTE = 20


def dataset_from_frame(
    frame: pd.DataFrame,
    *,
    source: str = "<memory>",
    samples: Mapping[str, SampleInfo] | None = None,
    attrs: Mapping[str, Any] | None = None,
    spec: ColumnSpec | None = None,
) -> Dataset:
    """Validate a DataFrame into a Dataset (rows in messages are 1-based positions).

    Without a `sample` column, a single entry of `samples` names the sample.
    """
    samples = dict(samples or {})
    raw = RawTable(frame.reset_index(drop=True), np.arange(1, len(frame) + 1), source)
    metadata = Metadata(samples, dict(attrs or {}))
    default_sample = next(iter(samples)) if len(samples) == 1 else None
    return build_dataset(
        raw, spec=spec or ColumnSpec(), metadata=metadata, default_sample=default_sample
    )


def build_dataset(
    raw: RawTable,
    *,
    spec: ColumnSpec,
    metadata: Metadata,
    default_sample: str | None,
    material: str | None = None,
) -> Dataset:
    """Validate `raw` and assemble the Dataset; every problem found goes into one DataError."""
    attrs = jsonable(metadata.attrs, raw.file)
    parsed = parse_table(raw, spec, default_sample)
    if len(raw.frame) == 0:
        parsed.problems.append(Problem(raw.file, None, None, None, "at least one data row"))
    exact_repeats = _check_points(raw, parsed)
    if parsed.problems:
        raise DataError(parsed.problems)
    table = _tidy_table(parsed.columns, ~exact_repeats)
    warned_notes = _repeat_notes(raw.rows[exact_repeats])
    if metadata.content_hash not in (None, table_hash(table)):
        warned_notes.append(
            f"the metadata of {raw.file} was written for other table content: "
            "its attrs (e.g. simulation truth) may not describe these data"
        )
    known_notes = _known_notes(attrs, raw.file)
    notes = [*parsed.notes, *_spec_notes(spec, list(parsed.columns)), *warned_notes]
    attrs["notes"] = [*known_notes, *(n for n in notes if n not in known_notes)]
    attrs["warnings"] = table_warnings(table)
    emit_warnings([*(n for n in warned_notes if n not in known_notes), *attrs["warnings"]])
    samples = _sample_infos(table, metadata.samples, material)
    return Dataset(table, samples, raw.file, attrs)


def _check_points(raw: RawTable, parsed: ParsedTable) -> np.ndarray:
    """Derive curve labels and apply the cross-row rules; returns the exact-repeat mask."""
    columns = parsed.columns
    exact_repeats = np.zeros(len(raw.frame), dtype=bool)
    if not all(name in columns for name in KEY_COLUMNS):
        return exact_repeats
    if "curve" not in columns:
        columns["curve"] = _derived_curves(columns)
    if "G_e2h" in columns:
        exact_repeats = _exact_repeats(raw, parsed)
    parsed.problems += _small_curve_problems(raw, columns, ~exact_repeats)
    return exact_repeats


def _exact_repeats(raw: RawTable, parsed: ParsedTable) -> np.ndarray:
    """Report repeated points with a different G or sigma; returns the exact-repeat mask."""
    columns = parsed.columns
    exact_repeats = np.zeros(len(raw.frame), dtype=bool)
    measured = [name for name in ("G_e2h", "sigma_e2h") if name in columns]
    point_ok = np.logical_and.reduce(
        [columns[name].valid for name in ("curve", *KEY_COLUMNS, *measured)]
    )
    points = pd.DataFrame(
        {name: columns[name].values[point_ok] for name in ["curve", *KEY_COLUMNS, *measured]}
    )
    g = columns["G_e2h"]
    problems, repeats = duplicate_points(
        points, raw.rows[point_ok], g.text[point_ok], raw.file, g.user_name
    )
    parsed.problems += problems
    exact_repeats[np.flatnonzero(point_ok)[repeats]] = True
    return exact_repeats


def _derived_curves(columns: dict[str, ParsedColumn]) -> ParsedColumn:
    """Curve labels from (sample, T, H) where those are valid ('' elsewhere)."""
    known = np.logical_and.reduce([columns[name].valid for name in ("sample", "T_K", "H_T")])
    labels = np.full(len(known), "", dtype=object)
    labels[known] = derive_curve_labels(
        *(columns[name].values[known] for name in ("sample", "T_K", "H_T"))
    )
    return ParsedColumn(labels, known, labels, "")


def _small_curve_problems(
    raw: RawTable, columns: dict[str, ParsedColumn], distinct: np.ndarray
) -> list[Problem]:
    """Curve-size rule, counting distinct points (`distinct` masks out exact repeats), for
    the samples whose every row has a known curve.

    A row with an unknown sample or curve could belong to any curve, so a sample with such
    rows (or any row with an unknown sample) is left to the value problems already reported.
    """
    sample, curve = columns["sample"], columns["curve"]
    if not sample.valid.all():
        return []
    unsure_samples = set(sample.values[~curve.valid])
    checked = distinct & curve.valid & ~np.isin(sample.values, list(unsure_samples))
    curve_column = curve.user_name or None
    return small_curves(
        sample.values[checked], curve.values[checked], raw.rows[checked], raw.file, curve_column
    )


def _tidy_table(columns: dict[str, ParsedColumn], keep: np.ndarray) -> pd.DataFrame:
    """Canonical columns in canonical order, sorted by SORT_COLUMNS, RangeIndex."""
    data = {
        name: pd.Series(
            columns[name].values[keep], dtype="str" if name in TEXT_COLUMNS else "float64"
        )
        for name in CANONICAL_COLUMNS
        if name in columns
    }
    table = pd.DataFrame(data)
    order = [c for c in SORT_COLUMNS if c in table.columns]
    return table.sort_values(order, kind="mergesort", ignore_index=True)


def _known_notes(attrs: dict[str, Any], file: str) -> list[str]:
    """attrs["notes"] of earlier loads; must be a list of strings."""
    notes = attrs.get("notes", [])
    if isinstance(notes, list) and all(isinstance(note, str) for note in notes):
        return notes
    expected = "attrs['notes'] as a list of strings"
    raise DataError([Problem(file, None, "attrs", quote_value(notes), expected)])


def _spec_notes(spec: ColumnSpec, present: list[str]) -> list[str]:
    """Notes recording a non-default column mapping or unit conversion of present columns."""
    notes = []
    if spec.columns:
        mapped = ", ".join(f"{user} -> {name}" for name, user in spec.columns.items())
        notes.append(f"columns mapped: {mapped}")
    converted = [
        f"{name} from {spec.unit(name)}"
        for name in COLUMN_QUANTITY
        if name in present and spec.factor(name) != 1.0
    ]
    if converted:
        notes.append(f"units converted: {', '.join(converted)}")
    return notes


def _repeat_notes(rows: np.ndarray) -> list[str]:
    if len(rows) == 0:
        return []
    listed = ", ".join(str(r) for r in rows[:ROWS_IN_NOTE]) + (
        ", ..." if len(rows) > ROWS_IN_NOTE else ""
    )
    return [
        f"dropped {len(rows)} exact repeats of a point "
        f"(same sample, curve, V, T, H, G): rows {listed}"
    ]


def _sample_infos(
    table: pd.DataFrame, known: Mapping[str, SampleInfo], material: str | None
) -> dict[str, SampleInfo]:
    """SampleInfo for every sample in the table: known info, the material override applied."""
    infos = {}
    for name in pd.unique(table["sample"]):
        info = replace(known.get(name, SampleInfo(name)), name=name)
        infos[name] = info if material is None else replace(info, material=material)
    return infos
