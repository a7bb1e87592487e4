"""Saving and loading fits: one NetCDF file per fit (DataTree groups, h5netcdf engine).

Writes are atomic (files.write_atomically); only finished runs are written or read as fits.
"""

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import xarray as xr

from bayes_zba.data.dataset import Dataset
from bayes_zba.files import write_atomically
from bayes_zba.inference.fit import Fit, IncompleteFitError
from bayes_zba.models import ModelConfig

ENGINE = "h5netcdf"
REQUIRED_ATTRS = ("provenance", "diagnostics")


def save_fit(fit: Fit, path: str | Path) -> Path:
    """Write `fit` to `path` (parents created) atomically; sets and returns fit.path.

    Only a finished run is written: an incomplete one is an IncompleteFitError.
    """
    path = Path(path)
    reason = fit.incompleteness()
    if reason is not None:
        raise IncompleteFitError(f"not saving {path}: the fit is incomplete ({reason})")
    write_atomically(path, lambda temporary: fit.tree.to_netcdf(temporary, engine=ENGINE))
    fit.path = path
    return path


def load_fit(path: str | Path) -> Fit:
    """Read a fit written by save_fit (fully into memory; the file is closed).

    A file that is not a finished run (an interrupted fit saved by an older version) is an
    IncompleteFitError that says so; it is never returned as a fit.
    """
    path = Path(path)
    try:
        tree = xr.load_datatree(path, engine=ENGINE)
    except (OSError, ValueError) as error:
        raise ValueError(f"{path}: not a readable fit file ({error})") from None
    missing = [name for name in REQUIRED_ATTRS if name not in tree.attrs]
    if missing:
        raise ValueError(f"{path}: not a bayes-zba fit (missing attributes {missing})")
    fit = Fit(tree, path)
    reason = fit.incompleteness()
    if reason is not None:
        raise IncompleteFitError(f"{path}: an incomplete fit ({reason}); fit again to replace it")
    return fit


def load_current_fit(
    path: str | Path,
    data: Dataset,
    config: ModelConfig,
    settings: Mapping[str, Any],
    heldout_curves: Sequence[str] = (),
) -> tuple[Fit | None, str]:
    """The saved fit at `path` if it is a finished fit made from these inputs (Fit.made_from),
    else None; and, either way, a short reason (for a progress line).

    Parameters
    ----------
    path : str or Path
        Where the fit was (or would be) saved.
    data, config, settings, heldout_curves
        What the new fit would be made from (see Fit.made_from).

    Returns
    -------
    (Fit or None, str)
        The reusable fit, or None and why it cannot be reused.

    Examples
    --------
    >>> load_current_fit("no/such/fit.nc", None, None, {})
    (None, 'no saved fit')
    """
    path = Path(path)
    if not path.exists():
        return None, "no saved fit"
    try:
        saved = load_fit(path)
    except ValueError as error:  # unreadable, or an interrupted fit of an older version
        return None, str(error)
    if not saved.made_from(data, config, settings, heldout_curves):
        return None, f"{path} was made from other data, config or sampler settings"
    return saved, f"reusing {path}"
