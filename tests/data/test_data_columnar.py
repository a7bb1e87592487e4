"""Parquet and NetCDF layouts: files written by other tools load, and ours are self-describing.

NetCDF: dimension `point` (or any single dimension), variables named as the table columns,
units attributes.
"""

import json

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from bayes_zba.data import DataError, load_dataset, save_dataset
from bayes_zba.data.columnar import METADATA_KEY


@pytest.fixture
def table(good_cells) -> pd.DataFrame:
    frame = pd.DataFrame(good_cells[1:], columns=good_cells[0])
    return frame.astype({c: float for c in frame.columns if c != "sample"})


def test_netcdf_layout_is_one_point_dimension_with_named_variables(table, tmp_path):
    path = save_dataset(load_dataset_from(table, tmp_path), tmp_path / "saved.nc")
    with xr.open_dataset(path) as stored:
        assert set(stored.dims) == {"point"}
        assert set(stored.data_vars) == {
            "sample",
            "curve",
            "V_mV",
            "T_K",
            "H_T",
            "G_e2h",
            "sigma_e2h",
        }
        assert stored["V_mV"].attrs["units"] == "mV"
        assert json.loads(stored.attrs[METADATA_KEY])["samples"]["A"]["name"] == "A"


def load_dataset_from(table: pd.DataFrame, folder):
    path = folder / "input.parquet"
    table.to_parquet(path)
    return load_dataset(path)


def test_plain_parquet_and_netcdf_from_other_tools_load(table, tmp_path):
    from_parquet = load_dataset_from(table, tmp_path)
    netcdf = tmp_path / "plain.nc"
    xr.Dataset({name: ("point", column.to_numpy()) for name, column in table.items()}).to_netcdf(
        netcdf
    )
    from_netcdf = load_dataset(netcdf)
    assert from_netcdf.content_hash == from_parquet.content_hash
    assert len(from_parquet.table) == len(table)
    from_pandas = tmp_path / "pandas.nc"
    table.to_xarray().to_netcdf(from_pandas)  # its one dimension is called `index`
    assert load_dataset(from_pandas).content_hash == from_parquet.content_hash


def test_typed_columns_are_validated_like_text(table, tmp_path):
    table["T_K"] = table["T_K"].astype(object)
    table.loc[4, "T_K"] = True
    table.loc[6, "G_e2h"] = np.nan
    path = tmp_path / "typed.parquet"
    table.astype({"T_K": str}).to_parquet(path)
    with pytest.raises(DataError) as caught:
        load_dataset(path)
    found = sorted((p.row, p.column, p.value) for p in caught.value.problems)
    assert found == [(5, "T_K", "True"), (7, "G_e2h", "")]


def test_netcdf_without_a_point_dimension_is_a_data_error(tmp_path):
    path = tmp_path / "grid.nc"
    xr.Dataset({"G": (("V", "T"), np.zeros((3, 2)))}).to_netcdf(path)
    with pytest.raises(DataError, match=r"dimension .point.*dimensions found: V, T"):
        load_dataset(path)
