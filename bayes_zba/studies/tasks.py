"""Worker tasks shared by the studies: fit one dataset with one config, rank saved fits.

Each takes a JSON-able spec (see bayes_zba.parallel) and rebuilds everything from files.
"""

import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bayes_zba.compare import DEFAULT_MAX_REFITS, rank
from bayes_zba.compare.ranking import SAMPLING_FIELDS, save_ranking
from bayes_zba.data import load_dataset
from bayes_zba.inference import Fit, fit, load_fit, save_fit
from bayes_zba.models import ModelConfig, load_config
from bayes_zba.models.config import parse_config
from bayes_zba.parallel import function_name, run_tasks, spec_hash
from bayes_zba.workflow import FitPlan, heldout_refit


@dataclass(frozen=True)
class SamplerSettings:
    """Chains, draws and tuning steps of every fit in a study."""

    chains: int = 4
    draws: int = 500
    tune: int = 500

    def as_dict(self) -> dict[str, int]:
        return {"chains": self.chains, "draws": self.draws, "tune": self.tune}


@dataclass(frozen=True)
class StudyOptions:
    """How a study runs: its seed, the sampler of every fit, where and how visibly."""

    seed: int = 0
    sampler: SamplerSettings = field(default_factory=SamplerSettings)
    scheduler: str | None = None  # Dask scheduler address; None: local worker processes
    n_workers: int | None = None  # local workers (default: one per core)
    progress: bool = True

    def run(
        self, specs: Sequence[dict[str, Any]], func: Callable[[dict[str, Any]], Any], out: Path
    ) -> list[Any]:
        """bayes_zba.parallel.run_tasks with these options."""
        return run_tasks(
            specs,
            func,
            out,
            scheduler=self.scheduler,
            n_workers=self.n_workers,
            progress=self.progress,
        )

    def provenance(self) -> dict[str, Any]:
        return {"seed": self.seed, "sampler": self.sampler.as_dict()}


def fit_spec(
    task_id: str,
    data: Path,
    model: str,
    config: str | Path,
    fit_path: Path,
    *,
    seed: int,
    sampler: SamplerSettings,
) -> dict[str, Any]:
    """Spec of fit_task: `config` is a TOML path or a model name (its shipped config).

    The spec carries the data's fingerprint (Dataset.fingerprint) and the config text, so a
    changed input is a changed spec (bayes_zba.parallel refuses to reuse the old result),
    while data regenerated from a study's seed on another machine is not.
    """
    return {
        "task_id": task_id,
        "kind": "fit",
        "data": str(data),
        "data_fingerprint": load_dataset(data).fingerprint,
        "model": model,
        "config": str(config),
        "config_text": load_config(config).text,
        "fit_path": str(fit_path),
        "outputs": [str(fit_path)],  # a record without its fit file is refitted on resume
        "seed": int(seed),
        **sampler.as_dict(),
    }


def config_of_spec(spec: dict[str, Any]) -> ModelConfig:
    """The config a spec was planned with: its recorded TOML text, not the file as it is now."""
    text = spec["config_text"]
    return parse_config(tomllib.loads(text), text=text, source=spec["config"])


def fit_from_spec(spec: dict[str, Any]) -> Fit:
    """Fit spec["data"] with spec["model"] under spec["config"] and the spec's sampler settings."""
    return fit(
        load_dataset(spec["data"]),
        spec["model"],
        config_of_spec(spec),
        seed=spec["seed"],
        chains=spec["chains"],
        draws=spec["draws"],
        tune=spec["tune"],
        progress=False,
    )


def fit_task(spec: dict[str, Any]) -> dict[str, Any]:
    """Worker task: fit as the spec says and save the fit to spec["fit_path"]."""
    result = fit_from_spec(spec)
    save_fit(result, Path(spec["fit_path"]))
    diagnostics = result.diagnostics
    return {
        "fit_path": spec["fit_path"],
        "diagnostics": {name: getattr(diagnostics, name) for name in SAMPLING_FIELDS},
    }


def rank_spec(
    task_id: str,
    fit_specs: dict[str, dict[str, Any]],
    ranking_path: Path,
    max_refits: int = DEFAULT_MAX_REFITS,
) -> dict[str, Any]:
    """Spec of rank_task over the fits that `fit_specs` (model -> fit spec) produce.

    Curves whose PSIS k̂ is too high are refitted exactly as the fit specs say (at most
    `max_refits` per model), like `bayes-zba compare` does, into <ranking dir>/heldout.
    """
    return {
        "task_id": task_id,
        "kind": "rank",
        "fit_specs": fit_specs,
        "fit_hashes": {
            model: spec_hash(spec, function_name(fit_task)) for model, spec in fit_specs.items()
        },
        "ranking_path": str(ranking_path),
        "max_refits": max_refits,
    }


def rank_task(spec: dict[str, Any]) -> dict[str, Any]:
    """Rank the saved fits of spec["fit_specs"] (with exact curve refits); save ranking.json."""
    fit_specs = spec["fit_specs"]
    fits = {model: load_fit(Path(s["fit_path"])) for model, s in fit_specs.items()}
    ranking_path = Path(spec["ranking_path"])
    heldout_dir = ranking_path.parent / "heldout" / ranking_path.stem

    def refit(model: str, labels: Sequence[str]) -> Any:
        settings = fit_specs[model]
        plan = FitPlan(
            seed=settings["seed"],
            options={key: settings[key] for key in ("chains", "draws", "tune")},
            progress=False,
        )
        data = load_dataset(settings["data"])
        configs = {model: config_of_spec(settings)}
        return heldout_refit(data, configs, heldout_dir, plan, fits)(model, labels)

    ranking = rank(fits, refit=refit, max_refits=spec["max_refits"])
    save_ranking(ranking, spec["ranking_path"])
    return ranking.to_json()
