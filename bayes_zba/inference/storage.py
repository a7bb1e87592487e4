"""Saving and loading fits: one NetCDF file per fit (DataTree groups, h5netcdf engine).

Writes are atomic (temporary file in the same directory + os.replace).
"""

import os
import tempfile
from pathlib import Path

import xarray as xr

from bayes_zba.inference.fit import Fit

ENGINE = "h5netcdf"
REQUIRED_ATTRS = ("provenance", "diagnostics")


def save_fit(fit: Fit, path: str | Path) -> Path:
    """Write `fit` to `path` (parents created) atomically; sets and returns fit.path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        fit.tree.to_netcdf(temporary, engine=ENGINE)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    fit.path = path
    return path


def load_fit(path: str | Path) -> Fit:
    """Read a fit written by save_fit (fully into memory; the file is closed)."""
    path = Path(path)
    try:
        tree = xr.load_datatree(path, engine=ENGINE)
    except (OSError, ValueError) as error:
        raise ValueError(f"{path}: not a readable fit file ({error})") from None
    missing = [name for name in REQUIRED_ATTRS if name not in tree.attrs]
    if missing:
        raise ValueError(f"{path}: not a bayes-zba fit (missing attributes {missing})")
    return Fit(tree, path)
