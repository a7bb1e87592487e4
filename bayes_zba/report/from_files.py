"""Reports from saved files (fit NetCDF, ranking.json, data file), for the CLI and re-plotting.

Nothing is refitted: fits and rankings are read back exactly as they were written.
"""

from collections.abc import Iterable, Sequence
from pathlib import Path

from bayes_zba.compare import load_ranking
from bayes_zba.data import load_dataset
from bayes_zba.inference import Fit, load_fit
from bayes_zba.report.fit_report import write_fit_report
from bayes_zba.report.ranking_report import write_ranking_report


def fit_report_from_files(
    fit_path: str | Path, out_dir: str | Path, *, data_path: str | Path | None = None
) -> dict[str, Path]:
    """The fit report of a saved fit; `data_path` adds the points outside the fit window."""
    fit = load_fit(fit_path)
    dataset = None if data_path is None else load_dataset(data_path)
    return write_fit_report(fit, out_dir, dataset=dataset)


def ranking_report_from_files(
    ranking_path: str | Path,
    fit_paths: Sequence[str | Path],
    data_path: str | Path,
    out_dir: str | Path,
) -> dict[str, Path]:
    """The ranking report of a saved ranking.json with the saved fits of its models."""
    ranking = load_ranking(ranking_path)
    fits = fits_by_model(load_fit(path) for path in fit_paths)
    missing = [m for m in ranking.models if m not in fits]
    if missing:
        raise ValueError(f"no fit given for ranked model(s) {', '.join(missing)}")
    return write_ranking_report(ranking, fits, load_dataset(data_path), out_dir)


def fits_by_model(fits: Iterable[Fit]) -> dict[str, Fit]:
    """Fits keyed by their model name; two fits of one model are an error."""
    keyed: dict[str, Fit] = {}
    for fit in fits:
        if fit.model in keyed:
            first = keyed[fit.model].path
            raise ValueError(f"two fits of model {fit.model!r}: {first} and {fit.path}")
        keyed[fit.model] = fit
    return keyed
