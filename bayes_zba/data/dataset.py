"""The validated, tidy Dataset every later room trusts, with its content hash and selections.

Units are those of physics.md §0: V [mV], T [K], H [T], G and sigma [e²/h].
"""

import copy
import hashlib
import json
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bayes_zba.data import selection
from bayes_zba.data.errors import DataWarning
from bayes_zba.data.schema import CANONICAL_COLUMNS, TEXT_COLUMNS
from bayes_zba.data.validation import MIN_POINTS_PER_CURVE, table_warnings


@dataclass(frozen=True)
class SampleInfo:
    """What is known about one measured sample (point contact)."""

    name: str
    material: str = "unknown"
    notes: str = ""


#: Significant digits of a table's reproducible fingerprint: far above what a measurement
#: resolves, far below float64's 15-17, so the last-bit differences two runs of the same
#: simulation can show (a PyTensor graph compiled afresh or taken from its cache: 4.5e-13
#: on G = 2,900 e²/h) do not change it.
FINGERPRINT_DIGITS = 10


def table_hash(table: pd.DataFrame, significant_digits: int | None = None) -> str:
    """sha256 of the table content (column names, text and float64 values; -0.0 == 0.0).

    With `significant_digits`, floats enter rounded to that many digits (table_fingerprint).
    """
    digest = hashlib.sha256(json.dumps([list(table.columns), len(table)]).encode())
    for name in table.columns:
        if name in TEXT_COLUMNS:
            text = json.dumps(table[name].tolist(), ensure_ascii=False)
            digest.update(text.encode("utf-8", "surrogatepass"))
        else:
            values = table[name].to_numpy(dtype=np.float64) + 0.0
            if significant_digits is not None:
                values = round_significant(values, significant_digits)
            digest.update(np.ascontiguousarray(values, dtype="<f8").tobytes())
    return digest.hexdigest()


def round_significant(values: Any, digits: int = FINGERPRINT_DIGITS) -> np.ndarray:
    """`values` rounded (in decimal) to `digits` significant digits, as float64."""
    text = np.char.mod(f"%.{digits - 1}e", np.asarray(values, dtype=np.float64))
    return text.astype(np.float64)


def table_fingerprint(table: pd.DataFrame) -> str:
    """table_hash at FINGERPRINT_DIGITS: unchanged by last-bit differences between reruns of
    one simulation, unless a value sits on a rounding boundary (studies identify regenerated
    data by it; content_hash stays exact)."""
    return table_hash(table, FINGERPRINT_DIGITS)


def emit_warnings(messages: list[str]) -> None:
    """Issue each message as a DataWarning."""
    for message in messages:
        warnings.warn(message, DataWarning, stacklevel=4)  # the caller of the public API


@dataclass(frozen=True, eq=False)
class Dataset:
    """Tidy table (sample, curve, V_mV, T_K, H_T, G_e2h[, sigma_e2h]) sorted by sample, curve, V.

    Build it with `dataset_from_frame` or `load_dataset` (they validate); `content_hash` is
    computed here. attrs["warnings"] lists the data warnings of this table,
    attrs["selections"] the selections that made it from the loaded data.
    """

    table: pd.DataFrame
    samples: dict[str, SampleInfo]
    source: str
    attrs: dict[str, Any] = field(default_factory=dict)
    content_hash: str = field(init=False)

    def __post_init__(self) -> None:
        expected = [c for c in CANONICAL_COLUMNS if c != "sigma_e2h" or c in self.table]
        if list(self.table.columns) != expected:
            raise ValueError(
                f"Dataset.table needs the columns {expected}, got {list(self.table.columns)}; "
                "build datasets with dataset_from_frame or load_dataset"
            )
        object.__setattr__(self, "content_hash", table_hash(self.table))

    @property
    def fingerprint(self) -> str:
        """table_fingerprint: content_hash blind to last-bit float differences."""
        return table_fingerprint(self.table)

    @property
    def has_sigma(self) -> bool:
        """True if the data carry a per-point uncertainty sigma_e2h."""
        return "sigma_e2h" in self.table.columns

    def sample_names(self) -> list[str]:
        """Sample names in table order."""
        return list(pd.unique(self.table["sample"]))

    def curves(self) -> pd.DataFrame:
        """One row per curve: sample, curve, T_K, H_T (means over the curve), n_points, V range."""
        groups = self.table.groupby(["sample", "curve"], sort=True)
        return groups.agg(
            T_K=("T_K", "mean"),
            H_T=("H_T", "mean"),
            n_points=("V_mV", "size"),
            V_min=("V_mV", "min"),
            V_max=("V_mV", "max"),
        ).reset_index()

    def summary(self) -> pd.DataFrame:
        """One row per sample: material, curves, points, V/T/H ranges, sigma present."""
        groups = self.table.groupby("sample", sort=True)
        ranges = groups.agg(
            curves=("curve", "nunique"),
            points=("V_mV", "size"),
            V_min=("V_mV", "min"),
            V_max=("V_mV", "max"),
            T_min=("T_K", "min"),
            T_max=("T_K", "max"),
            H_min=("H_T", "min"),
            H_max=("H_T", "max"),
        ).reset_index()
        ranges.insert(1, "material", [self.samples[s].material for s in ranges["sample"]])
        ranges["sigma"] = self.has_sigma
        return ranges

    def for_sample(self, name: str) -> "Dataset":
        """The points of one sample."""
        if name not in self.samples:
            raise ValueError(f"no sample {name!r}; samples: {', '.join(self.sample_names())}")
        keep = (self.table["sample"] == name).to_numpy()
        return self._derive(keep, {"op": "for_sample", "sample": name})

    def window(self, vmax_mV: float) -> "Dataset":
        """Keep |V| <= vmax_mV (physics.md §1 bias window)."""
        keep = selection.bias_window(self.table["V_mV"].to_numpy(), vmax_mV)
        return self._derive(keep, {"op": "window", "vmax_mV": float(vmax_mV)})

    def select(
        self,
        T_range: tuple[float, float] | None = None,
        H_range: tuple[float, float] | None = None,
    ) -> "Dataset":
        """Keep points with T and H inside the inclusive (lo, hi) ranges given."""
        keep = selection.in_range(self.table["T_K"].to_numpy(), T_range, "T_range (K)")
        keep &= selection.in_range(self.table["H_T"].to_numpy(), H_range, "H_range (T)")
        record = {"op": "select", "T_range": _listed(T_range), "H_range": _listed(H_range)}
        return self._derive(keep, record)

    def mask_bias(self, intervals: list[tuple[float, float]]) -> "Dataset":
        """Drop points with V in any closed interval [lo, hi] mV (spikes, transitions)."""
        keep = selection.outside_intervals(self.table["V_mV"].to_numpy(), intervals)
        return self._derive(keep, {"op": "mask_bias", "intervals_mV": _listed(intervals)})

    def subsample(self, max_points_per_curve: int) -> "Dataset":
        """At most n points per curve, evenly spaced along V, keeping the V = 0 point."""
        keep = selection.evenly_spaced(self.table, max_points_per_curve)
        record = {"op": "subsample", "max_points_per_curve": int(max_points_per_curve)}
        return self._derive(keep, record)

    def _derive(self, keep: np.ndarray, record: dict[str, Any]) -> "Dataset":
        """New Dataset of the kept rows; curves left with too few points are dropped."""
        table = self.table[keep]
        sizes = table.groupby(["sample", "curve"], sort=False)["V_mV"].transform("size")
        too_small = (sizes < MIN_POINTS_PER_CURVE).to_numpy()
        dropped = table.loc[too_small, ["sample", "curve"]].drop_duplicates()
        table = table[~too_small].reset_index(drop=True)
        if table.empty:
            raise ValueError(
                f"selection {record['op']} leaves no curve with {MIN_POINTS_PER_CURVE} points or "
                f"more: {record}"
            )
        record = {**record, "points_before": len(self.table), "points_after": len(table)}
        if len(dropped):
            record["dropped_curves"] = [f"{s}/{c}" for s, c in dropped.itertuples(index=False)]
            emit_warnings(
                [
                    f"selection {record['op']} left fewer than {MIN_POINTS_PER_CURVE} "
                    f"points in curves {record['dropped_curves']}; they were dropped"
                ]
            )
        attrs = copy.deepcopy(self.attrs)
        attrs["selections"] = [*attrs.get("selections", []), record]
        attrs["warnings"] = table_warnings(table)
        emit_warnings([w for w in attrs["warnings"] if w not in self.attrs.get("warnings", [])])
        remaining = set(table["sample"])
        samples = {name: info for name, info in self.samples.items() if name in remaining}
        return Dataset(table, samples, self.source, attrs)


def _listed(value: Any) -> Any:
    """Tuples (and tuples in lists) as JSON-able lists of floats; None stays None."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return [_listed(v) for v in value]
