"""The scaling analysis of a data file, per sample: classical numbers, optional Bayesian fit,
verdict, and scaling.json + scaling.html + scaling.md in <out>/<sample>/.
"""

from pathlib import Path
from typing import Any

from bayes_zba import __version__
from bayes_zba.data import Dataset, load_dataset
from bayes_zba.files import safe_stem
from bayes_zba.inference import save_fit
from bayes_zba.scaling.bayesian import ScalingModelSpec
from bayes_zba.scaling.classical import ClassicalScaling, ScalingOptions, classical_scaling
from bayes_zba.scaling.fitting import (
    DEFAULT_SAMPLING,
    SamplerSettings,
    fit_scaling,
    posterior_summary,
    scaling_posterior,
)
from bayes_zba.scaling.page import write_scaling_report
from bayes_zba.scaling.results import ScalingResult, save_scaling_json
from bayes_zba.scaling.sweeps import Sweeps, sample_sweeps
from bayes_zba.scaling.verdict import decide, exponent_test

RESULT_NAME = "scaling.json"
FIT_NAME = "scaling.nc"


def analyse_sample(
    dataset: Dataset,
    out_dir: str | Path,
    *,
    options: ScalingOptions | None = None,
    bayes: SamplerSettings | None = DEFAULT_SAMPLING,
) -> dict[str, Path]:
    """Scaling analysis of a one-sample dataset at its lowest field; files written to out_dir.

    The Bayesian fit sees the classical analysis's regime (its coldest to warmest regime
    curve) and is saved as scaling.nc beside scaling.json.
    """
    out_dir = Path(out_dir)
    options = options or ScalingOptions()
    sweeps = sample_sweeps(dataset)
    classical = classical_scaling(sweeps, options)
    exponent = exponent_test(sweeps.curve_T, sweeps.zero_bias(), classical.alpha_star)
    summary, draws, fit_files = (None, None, {})
    if bayes is not None:
        summary, draws, fit_files = _bayesian(dataset, sweeps, classical, bayes, out_dir)
    result = ScalingResult(
        sample=sweeps.sample,
        field_T=sweeps.field_T,
        classical=classical,
        exponent=exponent,
        verdict=decide(classical, exponent),
        bayes=summary,
        provenance=_provenance(dataset, bayes),
    )
    files = {"json": save_scaling_json(result, out_dir / RESULT_NAME), **fit_files}
    return files | write_scaling_report(result, sweeps, out_dir, draws)


def analyse_file(
    path: str | Path,
    out_dir: str | Path,
    *,
    sample: str | None = None,
    options: ScalingOptions | None = None,
    bayes: SamplerSettings | None = DEFAULT_SAMPLING,
) -> dict[str, dict[str, Path]]:
    """analyse_sample for every sample of a data file (or the one named): sample -> files."""
    dataset = load_dataset(path, sample=sample)
    return {
        name: analyse_sample(
            dataset.for_sample(name),
            Path(out_dir) / safe_stem(name),
            options=options,
            bayes=bayes,
        )
        for name in dataset.sample_names()
    }


def _bayesian(
    dataset: Dataset,
    sweeps: Sweeps,
    classical: ClassicalScaling,
    settings: SamplerSettings,
    out_dir: Path,
) -> tuple[dict[str, Any], dict, dict[str, Path]]:
    regime = classical.regime_temperatures
    data = dataset.select(T_range=(min(regime), max(regime)), H_range=(sweeps.field_T,) * 2)
    fit = fit_scaling(data, spec=ScalingModelSpec(), settings=settings)
    path = save_fit(fit, out_dir / FIT_NAME)
    provenance = fit.provenance
    summary = posterior_summary(fit) | {
        "fit": {
            "file": FIT_NAME,
            "n_points": provenance["n_points"],
            "n_curves": provenance["n_curves"],
            "temperatures_K": list(regime),
            "diagnostics": {**fit.diagnostics.__dict__, "ok": fit.diagnostics.ok},
            "spec": provenance["scaling_spec"],
            "seed": settings.seed,
        }
    }
    return summary, scaling_posterior(fit), {"fit": path}


def _provenance(dataset: Dataset, bayes: SamplerSettings | None) -> dict[str, Any]:
    return {
        "package": "bayes-zba",
        "version": __version__,
        "data_source": dataset.source,
        "data_hash": dataset.content_hash,
        "bayes": None if bayes is None else bayes.__dict__,
    }
