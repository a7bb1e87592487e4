"""Dataset metadata (sample info and free attrs) as one JSON document in every file format.

CSV/TSV: sidecar `<file>.meta.json`; Parquet: schema metadata key; NetCDF: a global attribute.
"""

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bayes_zba.data.dataset import Dataset, SampleInfo
from bayes_zba.data.errors import DataError, Problem, quote_value

#: Key of the metadata JSON in Parquet schema metadata and in NetCDF global attributes.
METADATA_KEY = "bayes_zba"
METADATA_FORMAT = "bayes-zba dataset metadata"
METADATA_VERSION = 1


@dataclass(frozen=True)
class Metadata:
    """Sample info and attrs read with a table; content_hash is that of the table they describe."""

    samples: dict[str, SampleInfo] = field(default_factory=dict)
    attrs: dict[str, Any] = field(default_factory=dict)
    content_hash: str | None = None


def sidecar_path(path: Path) -> Path:
    """Where the metadata of a CSV/TSV file lives: `data.csv` -> `data.csv.meta.json`."""
    return path.with_name(path.name + ".meta.json")


def jsonable(value: Any, source: str) -> Any:
    """A JSON round-tripped copy (NumPy scalars/arrays become numbers/lists, tuples lists)."""
    try:
        return json.loads(json.dumps(value, default=_numpy_to_python))
    except (TypeError, ValueError) as error:
        expected = "JSON-able metadata (numbers, strings, lists, dicts with string keys)"
        raise DataError([Problem(source, None, "attrs", None, expected, str(error))]) from None


def _numpy_to_python(value: Any) -> Any:
    if isinstance(value, np.generic | np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON-able")


def metadata_json(dataset: Dataset) -> str:
    """The metadata document of a dataset."""
    document = {
        "format": METADATA_FORMAT,
        "version": METADATA_VERSION,
        "content_hash": dataset.content_hash,
        "samples": {name: asdict(info) for name, info in dataset.samples.items()},
        "attrs": dataset.attrs,
    }
    return json.dumps(document, ensure_ascii=False, indent=1)


def parse_metadata(text: str | bytes | None, source: str) -> Metadata:
    """Metadata from its JSON document (None: no metadata); malformed -> DataError.

    Every key is optional, so a hand-written sidecar may give just samples or attrs.
    """
    if text is None:
        return Metadata()
    try:
        document = _json_object(json.loads(text), "metadata")
        content_hash = document.get("content_hash")
        return Metadata(
            samples=_sample_infos(document.get("samples", {})),
            attrs=_json_object(document.get("attrs", {}), "attrs"),
            content_hash=None if content_hash is None else str(content_hash),
        )
    except (ValueError, TypeError, AttributeError, RecursionError) as error:
        expected = f"a {METADATA_FORMAT} JSON object (samples, attrs, content_hash)"
        message = f"could not read it: {quote_value(error)}"
        raise DataError([Problem(source, None, None, None, expected, message)]) from None


def _sample_infos(samples: dict[str, dict[str, str]]) -> dict[str, SampleInfo]:
    """SampleInfo per name; the name is the key, other fields are read as text."""
    return {
        str(name): SampleInfo(str(name), **{k: str(v) for k, v in info.items() if k != "name"})
        for name, info in _json_object(samples, "samples").items()
    }


def _json_object(value: Any, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"'{key}' must be a JSON object, not {type(value).__name__}")
    return value


def read_sidecar(path: Path) -> Metadata:
    """The sidecar metadata of a CSV/TSV file, or empty Metadata if there is none."""
    sidecar = sidecar_path(path)
    if not sidecar.is_file():
        return Metadata()
    try:
        text = sidecar.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        message = f"could not read it: {quote_value(error)}"
        raise DataError([Problem(str(sidecar), None, None, None, "UTF-8 JSON", message)]) from None
    return parse_metadata(text, str(sidecar))
