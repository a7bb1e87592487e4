"""Study designs: a preset's (V, T, H) points and datasets drawn from a model's prior predictive.

Data-scaled priors (models/scales.py) are frozen at the design's scales for SBC, so the prior
that generates the data is the prior every refit uses (Talts et al. 2018, arXiv:1804.06788).
"""

import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pymc as pm

from bayes_zba.data import Dataset, dataset_from_frame, save_dataset
from bayes_zba.data.dataset import round_significant
from bayes_zba.models import DataScales, ModelConfig, build_model, data_scales, select_fit_data
from bayes_zba.models.builder import OBSERVED, is_sampler_coordinate
from bayes_zba.simulate import design_preset, simulate, typical_parameters


def design_dataset(model: str, design: str, seed: int) -> Dataset:
    """The points of preset `design`, with G simulated by `model` at typical parameters.

    Only the grid and the data scales (median G, ZBA depth, noise) of this dataset matter:
    they set the data-scaled priors that the prior predictive draws from.
    """
    return simulate(
        model, typical_parameters(model), design_preset(design), seed=seed, sample="design"
    )


def _toml_value(value: Any) -> str:
    """TOML literal of a config value: bool, number (inf allowed), string, or list of them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        number = float(value)
        return ("inf" if number > 0 else "-inf") if math.isinf(number) else repr(number)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return "[" + ", ".join(_toml_value(v) for v in value) + "]"


def _toml_tables(prefix: str, tables: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """[prefix.name] tables of scalar/list values."""
    lines = []
    for name, table in tables.items():
        lines += ["", f"[{prefix}{name}]", *(f"{k} = {_toml_value(v)}" for k, v in table.items())]
    return lines


def fixed_prior_config_text(config: ModelConfig, scales: DataScales) -> str:
    """TOML of `config` with every data scale applied: the same priors, no longer data-dependent.

    Rewrites the config's own TOML document (so keys this module does not know survive):
    scaled arguments become numbers, `scale` keys go, [measurement] is the effective one.
    """
    document = tomllib.loads(config.text)
    priors = {
        name: {
            **{k: v for k, v in table.items() if k != "scale"},
            **config.priors[name].resolved(scales),
        }
        for name, table in document["priors"].items()
    }
    others = {k: v for k, v in document.items() if k not in ("measurement", "priors")}
    header = [
        f"# {config.model} priors of {config.source} frozen at the data scales",
        f"# {json.dumps(scales.as_dict())}",
        *(f"{k} = {_toml_value(v)}" for k, v in others.items() if not isinstance(v, dict)),
    ]
    tables = {k: v for k, v in others.items() if isinstance(v, dict)}  # e.g. [sampler]
    tables["measurement"] = config.measurement.as_dict()
    lines = header + _toml_tables("", tables)
    return "\n".join(lines + _toml_tables("priors.", priors)) + "\n"


def write_fixed_prior_config(config: ModelConfig, design: Dataset, path: Path) -> Path:
    """Write `config` frozen at the scales of the points a fit of `design` sees."""
    scales = data_scales(select_fit_data(design, config).table)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(fixed_prior_config_text(config, scales), encoding="utf-8")
    return path


@dataclass(frozen=True)
class Replication:
    """One prior-predictive dataset and the scalar parameter values that made it."""

    dataset: Dataset
    truth: dict[str, float]


def _scalar_draw(prior: Mapping[str, Any], index: int) -> dict[str, float]:
    """Values of the scalar variables of prior draw `index` (chain 0), without the
    sampler-only coordinates (builder.is_sampler_coordinate: what they carry, e.g.
    delta_width = |delta_width_signed|, is calibrated instead), by name, each rounded to
    FINGERPRINT_DIGITS significant digits (round_significant): deterministic ones (e.g.
    B_sigma) can differ in the last bit between two runs of the same draw, and a study
    identifies tasks by them."""
    return {
        name: float(round_significant(values[0, index]))
        for name, values in sorted((n, np.asarray(v)) for n, v in prior.items())
        if values.ndim == 2 and not is_sampler_coordinate(name)
    }


def prior_predictive_replications(
    design: Dataset, model: str, config: ModelConfig, n: int, seed: int
) -> list[Replication]:
    """`n` datasets on the fitted points of `design`, each from its own prior draw.

    Drawn with pm.sample_prior_predictive from the model build_model makes, so the data
    come from the model's own likelihood (noise, curve drift) at the drawn parameters.
    """
    fit_points = select_fit_data(design, config)
    draws = pm.sample_prior_predictive(
        draws=n, model=build_model(design, model, config), random_seed=seed
    )
    prior = {name: draws["prior"][name].values for name in draws["prior"].data_vars}
    conductance = draws["prior_predictive"][OBSERVED].values[0]
    replications = []
    for index in range(n):
        truth = _scalar_draw(prior, index)
        frame = fit_points.table.assign(G_e2h=conductance[index])
        attrs = {"simulation": {"model": model, "params": truth, "seed": seed, "draw": index}}
        dataset = dataset_from_frame(
            frame, source=f"prior predictive {model} #{index}", attrs=attrs
        )
        replications.append(Replication(dataset, truth))
    return replications


def save_replications(replications: list[Replication], folder: Path, prefix: str) -> list[Path]:
    """Save each replication's dataset as <folder>/<prefix>-<index>.nc; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, replication in enumerate(replications):
        path = folder / f"{prefix}-{index:04d}.nc"
        save_dataset(replication.dataset, path, overwrite=True)
        paths.append(path)
    return paths
