"""The whole comparison of one data file: fit every model per sample, rank, write the reports.

Resumable: each fit (and each curve-CV refit) is saved under out_dir/fits/<sample>/ as soon as
it ends and reused while its data, config text, seed and sampler settings are unchanged.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xarray as xr
from rich.console import Console

from bayes_zba.compare import DEFAULT_MAX_REFITS, Ranking, rank, save_ranking
from bayes_zba.data import Dataset, load_dataset
from bayes_zba.files import safe_stem
from bayes_zba.inference import CURVE_LIKELIHOOD, Fit, fit, load_current_fit, save_fit
from bayes_zba.models import ModelConfig, load_config
from bayes_zba.report.ranking_report import write_ranking_report

DEFAULT_MODELS = ("2ck", "kr2", "kr1", "kk", "wam")
#: Keyword arguments of inference.fit used by every fit and refit unless told otherwise.
DEFAULT_FIT_OPTIONS: Mapping[str, Any] = {
    "chains": 4,
    "draws": 1000,
    "tune": 1000,
    "sampler": "nutpie",
}
#: What `bayes-zba demo` compares: the shipped Cu-like sample, every model, a fixed seed.
DEMO_DATA = Path(__file__).resolve().parent.parent / "data" / "cu-sample1-like.csv"
DEMO_SEED = 1


@dataclass(frozen=True)
class FitPlan:
    """How every fit of a comparison is made: seed, inference.fit options, visibility."""

    seed: int
    options: Mapping[str, Any] = field(default_factory=lambda: dict(DEFAULT_FIT_OPTIONS))
    progress: bool = True
    #: Models fitted again even when a current saved fit exists ("all": every model).
    refit: frozenset[str] = frozenset()

    def wants_refit(self, model: str) -> bool:
        """Whether `model`'s saved fits (and its curve-CV refits) are to be made again."""
        return model in self.refit or "all" in self.refit

    def announce(self, message: str) -> None:
        """One progress line on stderr (fit() draws its own transient bar below it)."""
        if self.progress:
            _STDERR.print(message, markup=False, highlight=False)


_STDERR = Console(stderr=True, soft_wrap=True)


def run_comparison(
    data_path: str | Path,
    *,
    models: Sequence[str] = DEFAULT_MODELS,
    config_dir: str | Path | None = None,
    out_dir: str | Path,
    sample: str | None = None,
    vmax: float | None = None,
    seed: int,
    progress: bool = True,
    fit_options: Mapping[str, Any] = DEFAULT_FIT_OPTIONS,
    max_refits: int = DEFAULT_MAX_REFITS,
    refit: Sequence[str] = (),
) -> list[Path]:
    """Fit `models` to each sample of `data_path`, rank them, write one report per sample.

    Returns, per sample, out_dir/<sample>/ranking.json and the HTML and Markdown reports.
    `config_dir` holds <model>.toml (default: the shipped models/); `vmax` overrides every
    config's bias window. Saved fits under out_dir/fits/<sample>/ are reused when current,
    except for the models in `refit` ("all": every model), which are fitted again.
    """
    dataset = load_dataset(data_path, sample=sample)
    configs = load_configs(models, config_dir, vmax)
    plan = FitPlan(seed=seed, options=dict(fit_options), progress=progress, refit=frozenset(refit))
    out_dir = Path(out_dir)
    written: list[Path] = []
    for name in dataset.sample_names():
        data = dataset.for_sample(name)
        fit_dir = out_dir / "fits" / safe_stem(name)
        ranking, fits = compare_sample(data, configs, fit_dir, plan, max_refits=max_refits)
        plan.announce(f"[{name}] {ranking.verdict.sentence}")
        written += write_sample_report(ranking, fits, data, out_dir / safe_stem(name))
    return written


def run_demo(out_dir: str | Path = "reports/demo", *, progress: bool = True) -> list[Path]:
    """The comparison of every model on data/cu-sample1-like.csv (simulated 2ck, paper I)."""
    return run_comparison(DEMO_DATA, out_dir=out_dir, seed=DEMO_SEED, progress=progress)


def load_configs(
    models: Sequence[str], config_dir: str | Path | None, vmax: float | None
) -> dict[str, ModelConfig]:
    """Config of each model from config_dir/<model>.toml (or the shipped one), vmax applied."""
    configs = {}
    for model in models:
        config = load_config(Path(config_dir) / f"{model}.toml" if config_dir else model)
        configs[model] = config if vmax is None else config.with_measurement(vmax_mV=vmax)
    return configs


def compare_sample(
    data: Dataset,
    configs: Mapping[str, ModelConfig],
    fit_dir: Path,
    plan: FitPlan,
    *,
    max_refits: int = DEFAULT_MAX_REFITS,
) -> tuple[Ranking, dict[str, Fit]]:
    """Fits (saved ones reused) and the ranking of one sample, curve-CV refits included."""
    fits = {
        model: current_fit(data, model, config, fit_dir / f"{model}.nc", plan)
        for model, config in configs.items()
    }
    refit = heldout_refit(data, configs, fit_dir / "heldout", plan, fits)
    return rank(fits, refit=refit, max_refits=max_refits), fits


def write_sample_report(
    ranking: Ranking, fits: Mapping[str, Fit], data: Dataset, report_dir: Path
) -> list[Path]:
    """ranking.json and the HTML + Markdown ranking report of one sample."""
    ranking_path = save_ranking(ranking, report_dir / "ranking.json")
    report = write_ranking_report(ranking, fits, data, report_dir)
    return [ranking_path, *report.values()]


def current_fit(
    data: Dataset,
    model: str,
    config: ModelConfig,
    path: Path,
    plan: FitPlan,
    heldout_curves: Sequence[str] = (),
    starts: xr.DataTree | None = None,
) -> Fit:
    """The saved fit at `path` if it is current for these inputs, else a new one (saved)
    whose chains begin at `starts` if given (fit's `starts`)."""
    label = f"[{data.sample_names()[0]}] {model} ({path.stem})"
    heldout = [str(curve) for curve in heldout_curves]
    if not plan.wants_refit(model):
        settings = {"seed": plan.seed, **plan.options}
        saved, reason = load_current_fit(path, data, config, settings, heldout)
        if saved is not None:
            plan.announce(f"{label}: {reason}")
            return saved
        if path.exists():
            plan.announce(f"{label}: not reusing it: {reason}")
    plan.announce(f"{label}: fitting")
    result = fit(
        data,
        model,
        config,
        seed=plan.seed,
        progress=plan.progress,
        heldout_curves=heldout,
        starts=starts,
        **plan.options,
    )
    save_fit(result, path)
    return result


def heldout_refit(
    data: Dataset,
    configs: Mapping[str, ModelConfig],
    heldout_dir: Path,
    plan: FitPlan,
    full_fits: Mapping[str, Fit],
) -> Callable[[str, Sequence[str]], xr.DataArray]:
    """rank()'s refit: fit `model` with the held-out curves' likelihood weighted to zero and
    return their curve log-likelihood under that posterior (saved, reused). The refit has
    the full fit's graph, so it reuses the compiled model, and its chains start where the
    full fit's ended (a posterior without one curve is nearly the same), unscouted."""

    def refit(model: str, labels: Sequence[str]) -> xr.DataArray:
        path = heldout_dir / model / f"{safe_stem(*labels)}.nc"
        starts = full_fits[model].chain_end_starts()
        without = current_fit(data, model, configs[model], path, plan, labels, starts)
        curves = without.tree["log_likelihood"][CURVE_LIKELIHOOD]
        return curves.sel(curve=[str(label) for label in labels])

    return refit
