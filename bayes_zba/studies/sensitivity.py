"""Prior sensitivity of one model: power-scaling diagnostics and refits under alternative priors.

psense (Kallioinen et al. 2024, arviz_stats) on every parameter and on the total log-likelihood
(the quantity behind the ELPD); refits under user-given priors show how posteriors and ranking move.
"""

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from arviz_stats import psense_summary

from bayes_zba.compare import rank
from bayes_zba.data import Dataset, dataset_from_frame, save_dataset
from bayes_zba.files import write_json_atomically
from bayes_zba.inference import Fit, load_fit
from bayes_zba.models.builder import OBSERVED, is_sampler_coordinate
from bayes_zba.physics.mechanisms import REGISTRY
from bayes_zba.report.publish import write_page
from bayes_zba.studies.pages import sensitivity_page
from bayes_zba.studies.tasks import SamplerSettings, StudyOptions, fit_spec, fit_task

#: Power-scaling sensitivity above this flags a prior (Kallioinen et al. 2024, §4).
PSENSE_THRESHOLD = 0.05
#: Name of the per-draw total log-likelihood added to the posterior for psense.
LOG_LIK_TOTAL = "log_lik"
#: Posterior quantiles reported per parameter and configuration.
QUANTILES = (0.05, 0.5, 0.95)


def scalar_parameters(tree: xr.DataTree) -> list[str]:
    """Posterior variables with one value per draw, in posterior order (without the
    sampler-only coordinates of builder.is_sampler_coordinate)."""
    posterior = tree["posterior"].to_dataset()
    posterior = posterior.drop_vars([n for n in posterior.data_vars if is_sampler_coordinate(n)])
    return [str(n) for n, v in posterior.data_vars.items() if set(v.dims) == {"chain", "draw"}]


def with_log_lik_total(tree: xr.DataTree) -> xr.DataTree:
    """A copy of `tree` whose posterior also holds Σ_points log p(y_i | θ) per draw."""
    total = tree["log_likelihood"][OBSERVED].sum("point")
    copy = tree.copy()
    copy["posterior"] = copy["posterior"].to_dataset().assign({LOG_LIK_TOTAL: total})
    return copy


def power_scaling(tree: xr.DataTree) -> dict[str, dict[str, Any]]:
    """psense prior/likelihood sensitivity and diagnosis for every scalar parameter and log_lik."""
    names = [*scalar_parameters(tree), LOG_LIK_TOTAL]
    table = psense_summary(
        with_log_lik_total(tree),
        var_names=names,
        threshold=PSENSE_THRESHOLD,
        likelihood_var_names=OBSERVED,
        round_to=6,
    )
    return {
        str(name): {
            "prior": float(row["prior"]),
            "likelihood": float(row["likelihood"]),
            "diagnosis": str(row["diagnosis"]),
            "flag": bool(row["prior"] >= PSENSE_THRESHOLD),
        }
        for name, row in table.iterrows()
    }


def posterior_quantiles(tree: xr.DataTree, names: Sequence[str]) -> dict[str, list[float]]:
    """QUANTILES of each scalar parameter over all chains and draws."""
    posterior = tree["posterior"]
    return {
        name: np.quantile(posterior[name].values.reshape(-1), QUANTILES).tolist() for name in names
    }


def dataset_of_fit(result: Fit) -> Dataset:
    """The points a fit saw, rebuilt from its observed_data and constant_data."""
    constant = result.tree["constant_data"].to_dataset()
    labels = np.asarray(constant["curve"].values).astype(str)
    columns = {
        "sample": result.sample,
        "curve": labels[constant["curve_index"].values.astype(int)],
        **{name: constant[name].values for name in ("V_mV", "T_K", "H_T")},
        "G_e2h": result.tree["observed_data"][OBSERVED].values,
    }
    if "sigma_e2h" in constant:
        columns["sigma_e2h"] = constant["sigma_e2h"].values
    source = f"points of the {result.model} fit {result.path or ''}".strip()
    return dataset_from_frame(pd.DataFrame(columns), source=source)


def _is_fit_file(path: Path) -> bool:
    """A saved Fit is a NetCDF DataTree with a posterior group; datasets have none."""
    if path.suffix.lower() != ".nc":
        return False
    with xr.open_datatree(path) as tree:
        return "posterior" in tree.children


def _ranking_summary(ranking: Mapping[str, Any], model: str) -> dict[str, Any]:
    order = [row["model"] for row in ranking["ranking"]]
    row = ranking["ranking"][order.index(model)]
    return {
        "order": order,
        "leader": ranking["verdict"]["leader"],
        "label": ranking["verdict"]["label"],
        "position": order.index(model) + 1,
        "elpd": row["elpd"],
        "elpd_diff": row["elpd_diff"],
        "weight_stacking": row["weight_stacking"],
    }


def _outcome(
    label: str, config: str, result: Fit, model: str, rivals: Mapping[str, Fit]
) -> dict[str, Any]:
    """Posterior quantiles and (with rivals) the ranking of one configuration of `model`."""
    outcome: dict[str, Any] = {
        "label": label,
        "config": config,
        "posterior": posterior_quantiles(result.tree, scalar_parameters(result.tree)),
        "diagnostics_ok": bool(result.diagnostics.ok),
    }
    if rivals:
        outcome["ranking"] = _ranking_summary(rank({model: result, **rivals}).to_json(), model)
    return outcome


def plan_sensitivity(
    source: Path,
    model: str,
    out: Path,
    *,
    config: str | Path | None,
    alt_configs: Sequence[Path],
    rivals: Sequence[str | Path] | None,
    seed: int,
    sampler: SamplerSettings,
) -> tuple[dict[str, str], list[dict[str, Any]], dict[str, str]]:
    """(base and alternative fit paths by label, fit specs to run, rival fit paths by model).

    `source` is a saved fit of `model` (its points are refitted) or a data file (the base
    fit is part of the study). Each rival is a saved fit of another model or a model name
    fitted with its shipped config; by default every other model for data, none for a fit.
    """
    specs: list[dict[str, Any]] = []

    def planned(task_id: str, fitted: str, fit_config: str | Path) -> str:
        path = out / "fits" / f"{task_id}.nc"
        specs.append(
            fit_spec(task_id, data_path, fitted, fit_config, path, seed=seed, sampler=sampler)
        )
        return str(path)

    if _is_fit_file(source):
        if _fit_model(source) != model:
            raise ValueError(f"{source} is a fit of {_fit_model(source)!r}, not of {model!r}")
        data_path = save_dataset(dataset_of_fit(load_fit(source)), out / "data.nc", overwrite=True)
        paths = {"base": str(source)}
        rivals = rivals or ()
    else:
        data_path = source
        paths = {"base": planned(f"{model}-base", model, config or model)}
        rivals = sorted(set(REGISTRY) - {model}) if rivals is None else rivals
    for alt in map(Path, alt_configs):
        paths[alt.stem] = planned(f"{model}-{alt.stem}", model, alt)
    rival_paths: dict[str, str] = {}
    for rival in map(str, rivals):
        if rival in REGISTRY:
            rival_paths[rival] = planned(f"rival-{rival}", rival, rival)
        else:
            rival_paths[_fit_model(rival)] = rival
    return paths, specs, rival_paths


def _fit_model(path: str | Path) -> str:
    """The model of a saved fit, read from its file."""
    return load_fit(Path(path)).model


def run_sensitivity(
    source: Path,
    model: str,
    out: Path,
    *,
    config: str | Path | None = None,
    alt_configs: Sequence[Path] = (),
    rivals: Sequence[str | Path] | None = None,
    options: StudyOptions | None = None,
) -> dict[str, Any]:
    """Power-scaling sensitivity of `model` and refits under `alt_configs`; sensitivity.json."""
    out = Path(out)
    options = options or StudyOptions()
    paths, specs, rival_paths = plan_sensitivity(
        Path(source),
        model,
        out,
        config=config,
        alt_configs=alt_configs,
        rivals=rivals,
        seed=options.seed,
        sampler=options.sampler,
    )
    if specs:
        options.run(specs, fit_task, out)
    fits = {label: load_fit(Path(path)) for label, path in paths.items()}
    rival_fits = {m: load_fit(Path(p)) for m, p in rival_paths.items()}
    base = fits["base"]
    configs = {"base": str(config or base.provenance["config_source"])}
    configs.update({Path(a).stem: str(a) for a in alt_configs})
    summary = {
        "model": model,
        "source": str(source),
        "threshold": PSENSE_THRESHOLD,
        "psense": power_scaling(base.tree),
        "configurations": [
            _outcome(label, configs[label], result, model, rival_fits)
            for label, result in fits.items()
        ],
        "rivals": sorted(rival_fits),
        **options.provenance(),
    }
    write_json_atomically(out / "sensitivity.json", summary, sort_keys=True)
    write_page(sensitivity_page(summary), out, "sensitivity")
    return summary
