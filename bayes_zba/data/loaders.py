"""Load and save Datasets by file suffix: .csv/.tsv (+ sidecar .meta.json), .parquet, .nc.

Loading never changes the user's files; saving is atomic (temp file + os.replace).
"""

import os
from collections.abc import Callable
from pathlib import Path

from bayes_zba.data.build import build_dataset
from bayes_zba.data.columnar import read_netcdf, read_parquet, write_netcdf, write_parquet
from bayes_zba.data.dataset import Dataset
from bayes_zba.data.errors import DataError, Problem, file_problem, quote_value
from bayes_zba.data.metadata import Metadata, metadata_json, read_sidecar, sidecar_path
from bayes_zba.data.parsing import RawTable
from bayes_zba.data.schema import ColumnSpec
from bayes_zba.data.textfiles import read_text_table, write_text_table
from bayes_zba.files import write_atomically

DELIMITERS = {".csv": ",", ".tsv": "\t"}
COLUMNAR_READERS: dict[str, Callable[[Path], tuple[RawTable, Metadata]]] = {
    ".parquet": read_parquet,
    ".nc": read_netcdf,
}
COLUMNAR_WRITERS: dict[str, Callable[[Dataset, Path], None]] = {
    ".parquet": write_parquet,
    ".nc": write_netcdf,
}
SUFFIXES = (*DELIMITERS, *COLUMNAR_READERS)


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise file_problem(str(path), f"a file name ending in {', '.join(SUFFIXES)}")
    return suffix


def load_dataset(
    path: str | os.PathLike[str],
    *,
    spec: ColumnSpec | None = None,
    sample: str | None = None,
    material: str | None = None,
) -> Dataset:
    """Read and validate a data file; any bad input raises DataError listing every problem.

    `sample`: without a sample column, the sample's name (default: the file stem); with
    one, load only that sample. `material` overrides the samples' material.
    """
    path = Path(path)
    suffix = _suffix(path)
    spec = spec or ColumnSpec()
    raw, metadata = _read(path, suffix)
    if sample is not None and spec.user_column("sample") in raw.frame.columns:
        raw = _only_sample(raw, spec.user_column("sample"), sample)
    default_sample = sample if sample is not None else path.stem
    return build_dataset(
        raw, spec=spec, metadata=metadata, default_sample=default_sample, material=material
    )


def _read(path: Path, suffix: str) -> tuple[RawTable, Metadata]:
    if not path.is_file():
        found = "a folder" if path.is_dir() else "nothing"
        raise file_problem(str(path), "an existing data file", f"found {found} at this path")
    try:
        if suffix in DELIMITERS:
            return read_text_table(path, DELIMITERS[suffix]), read_sidecar(path)
        return COLUMNAR_READERS[suffix](path)
    except OSError as error:
        raise file_problem(str(path), "a readable file", quote_value(error)) from None


def _only_sample(raw: RawTable, column: str, sample: str) -> RawTable:
    """The rows of one sample; DataError naming the samples present if it has none."""
    names = raw.frame[column].astype(str).str.strip().to_numpy()
    keep = names == sample
    if not keep.any():
        present = ", ".join(sorted(set(names))[:20])
        expected = f"rows of sample '{sample}'"
        raise DataError([Problem(raw.file, None, column, None, expected, f"samples: {present}")])
    return raw.restrict(keep)


def save_dataset(
    dataset: Dataset, path: str | os.PathLike[str], *, overwrite: bool = False
) -> Path:
    """Write by suffix (.csv/.tsv + sidecar metadata, .parquet, .nc); returns the path.

    Refuses to replace existing files unless overwrite=True; each file is written atomically.
    """
    path = Path(path)
    suffix = _suffix(path)
    targets = [path, sidecar_path(path)] if suffix in DELIMITERS else [path]
    existing = [str(p) for p in targets if p.exists()]
    if existing and not overwrite:
        raise FileExistsError(f"{', '.join(existing)} exists; pass overwrite=True to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix in DELIMITERS:
        write_atomically(path, lambda tmp: write_text_table(dataset.table, tmp, DELIMITERS[suffix]))
        write_atomically(
            sidecar_path(path), lambda tmp: tmp.write_text(metadata_json(dataset), encoding="utf-8")
        )
    else:
        write_atomically(path, lambda tmp: COLUMNAR_WRITERS[suffix](dataset, tmp))
    return path
