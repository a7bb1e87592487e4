"""Parquet and NetCDF layouts of a Dataset, metadata JSON embedded in the file.

NetCDF: one dimension `point` (read: or the file's only dimension), one variable per table
column (strings for sample and curve), the metadata JSON in the global attribute `bayes_zba`.
Parquet: the metadata JSON under the schema metadata key `bayes_zba`. Row numbers in messages
are 1-based record numbers.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import xarray as xr

from bayes_zba.data.dataset import Dataset
from bayes_zba.data.errors import file_problem, quote_value
from bayes_zba.data.metadata import METADATA_KEY, Metadata, metadata_json, parse_metadata
from bayes_zba.data.parsing import MEANING, RawTable
from bayes_zba.data.schema import TEXT_COLUMNS

#: NetCDF dimension along which every column lies.
POINT_DIM = "point"
#: Units written as NetCDF variable attributes (physics.md §0).
COLUMN_UNITS = {"V_mV": "mV", "T_K": "K", "H_T": "T", "G_e2h": "e^2/h", "sigma_e2h": "e^2/h"}


def _records(frame: pd.DataFrame, file: str) -> RawTable:
    return RawTable(frame, np.arange(1, len(frame) + 1), file)


def read_parquet(path: Path) -> tuple[RawTable, Metadata]:
    """Table and embedded metadata of a Parquet file; unreadable -> DataError."""
    file = str(path)
    try:
        arrow_table = pq.read_table(path)
        frame = arrow_table.to_pandas()
    except Exception as error:  # pyarrow raises many types on corrupt input
        message = f"pyarrow could not read it: {quote_value(error)}"
        raise file_problem(file, "a readable Parquet file", message) from None
    schema_metadata = arrow_table.schema.metadata or {}
    return _records(frame, file), parse_metadata(schema_metadata.get(METADATA_KEY.encode()), file)


def write_parquet(dataset: Dataset, path: Path) -> None:
    """Write the table with its metadata JSON in the Parquet schema metadata."""
    arrow_table = pa.Table.from_pandas(dataset.table, preserve_index=False)
    schema_metadata = {**(arrow_table.schema.metadata or {}), METADATA_KEY: metadata_json(dataset)}
    pq.write_table(arrow_table.replace_schema_metadata(schema_metadata), path)


def read_netcdf(path: Path) -> tuple[RawTable, Metadata]:
    """Table (variables along `point`) and metadata of a NetCDF file; unreadable -> DataError."""
    file = str(path)
    try:
        with xr.open_dataset(path, decode_times=False, decode_timedelta=False) as stored:
            stored.load()
    except Exception as error:  # netCDF back ends raise many types on corrupt input
        message = f"xarray could not read it: {quote_value(error)}"
        raise file_problem(file, "a readable NetCDF file", message) from None
    dimension = _point_dimension(stored)
    columns = {
        str(name): _decoded(variable.values)
        for name, variable in stored.variables.items()
        if variable.dims == (dimension,)
    }
    if not columns:
        dims = ", ".join(str(d) for d in stored.dims) or "none"
        expected = (
            f"variables along a dimension '{POINT_DIM}', or along the file's only dimension "
            "(one entry per data point)"
        )
        raise file_problem(file, expected, f"dimensions found: {quote_value(dims)}")
    metadata = parse_metadata(stored.attrs.get(METADATA_KEY), file)
    return _records(pd.DataFrame(columns), file), metadata


def _point_dimension(stored: xr.Dataset) -> str:
    """`point`, or the only dimension of a file that has one (pandas' to_xarray: `index`)."""
    dims = [str(d) for d in stored.dims]
    return dims[0] if len(dims) == 1 else POINT_DIM


def _decoded(values: np.ndarray) -> np.ndarray:
    """Byte strings (NetCDF3 char arrays) as text; everything else unchanged."""
    if values.dtype.kind == "S" or (
        values.dtype == object and values.size and isinstance(values.flat[0], bytes)
    ):
        return np.array(
            [v.decode("utf-8", "replace") if isinstance(v, bytes) else v for v in values],
            dtype=object,
        )
    return values


def write_netcdf(dataset: Dataset, path: Path) -> None:
    """Write the table as NetCDF4 (h5netcdf): dim `point`, one variable per column."""
    variables = {
        name: xr.Variable(
            POINT_DIM,
            column.to_numpy(dtype=object if name in TEXT_COLUMNS else np.float64),
            attrs={"long_name": MEANING[name], **_units(name)},
        )
        for name, column in dataset.table.items()
    }
    stored = xr.Dataset(variables, attrs={METADATA_KEY: metadata_json(dataset)})
    stored.to_netcdf(path, engine="h5netcdf")


def _units(name: str) -> dict[str, str]:
    return {"units": COLUMN_UNITS[name]} if name in COLUMN_UNITS else {}
