"""Fits of the Bayesian scaling model: the same Fit contract as the mechanisms', and summaries.

Sampling, the DataTree groups, diagnostics and provenance come from bayes_zba.inference.
"""

import json
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pymc as pm

from bayes_zba.data import Dataset
from bayes_zba.inference import Fit, FitWarning
from bayes_zba.inference.diagnostics import diagnose
from bayes_zba.inference.fit import assemble_tree, fit_provenance
from bayes_zba.inference.sampling import Sampler, sample
from bayes_zba.models import ModelConfig, PriorSpec, load_config
from bayes_zba.scaling.bayesian import (
    MEASUREMENT_REFERENCE,
    SCALING_MODEL,
    SCALING_PRIORS,
    ScalingGeometry,
    ScalingModelSpec,
    build_scaling_model,
    derived_quantities,
    scaling_fit_data,
)

SCALING_TITLE = "V/T scaling Ansatz with a free scaling function (paper I eq. I-14)"
#: Posterior quantities summarised in scaling.json (name -> unit).
SUMMARISED = {
    "alpha": "1",
    "Gamma1": "1",
    "B_sigma": "e²/h K^-α",
    "F0": "e²/h K^-α",
    "F1": "e²/h K^-α",
}


@dataclass(frozen=True)
class SamplerSettings:
    """How a scaling-room model is sampled (inference.fit's arguments)."""

    seed: int = 0
    chains: int = 4
    draws: int = 1000
    tune: int = 1000
    sampler: Sampler = "nutpie"
    progress: bool = False


DEFAULT_SAMPLING = SamplerSettings()


def fit_built_model(
    model: pm.Model,
    dataset: Dataset,
    data: Dataset,
    config: ModelConfig,
    settings: SamplerSettings,
    *,
    name: str,
    title: str,
    details: dict[str, Any],
) -> Fit:
    """Sample a model built on `data` (selected from `dataset`) into a Fit named `name`.

    Its groups, diagnostics and provenance are inference.fit's; `details` joins provenance.
    """
    sampler_seed, predictive_seed = np.random.SeedSequence(settings.seed).generate_state(2)
    run = sample(
        model,
        sampler=settings.sampler,
        seed=int(sampler_seed),
        chains=settings.chains,
        draws=settings.draws,
        tune=settings.tune,
        progress=settings.progress,
    )
    tree = assemble_tree(model, data, config, run, np.random.default_rng(predictive_seed))
    diagnostics = diagnose(tree["posterior"].to_dataset(), tree["sample_stats"].to_dataset())
    tree.attrs["diagnostics"] = diagnostics.to_json()
    provenance = fit_provenance(
        dataset,
        data,
        config,
        run,
        seed=settings.seed,
        chains=settings.chains,
        draws=settings.draws,
        tune=settings.tune,
        sampler=settings.sampler,
    )
    measurement = config.measurement.used_parameters()
    provenance |= {
        "model": name,
        "model_title": title,
        "priors": {k: v for k, v in provenance["priors"].items() if k in measurement},
        **details,
    }
    tree.attrs["provenance"] = json.dumps(provenance)
    for message in diagnostics.warnings:
        warnings.warn(f"{name} on {data.sample_names()[0]}: {message}", FitWarning, stacklevel=3)
    return Fit(tree)


def fit_scaling(
    dataset: Dataset,
    config: ModelConfig | None = None,
    spec: ScalingModelSpec | None = None,
    settings: SamplerSettings | None = None,
) -> Fit:
    """Fit the scaling model to one sample; a Fit like inference.fit's (model "scaling").

    log_likelihood holds "G_obs" and "G_curve", so compare.rank takes it beside mechanism
    fits made on the same points. Provenance adds the scaling spec and priors.
    """
    config = config or load_config(MEASUREMENT_REFERENCE)
    spec = spec or ScalingModelSpec()
    data = scaling_fit_data(dataset, config, spec)
    details = {"scaling_spec": spec.to_json(), "scaling_priors": prior_record(SCALING_PRIORS)}
    return fit_built_model(
        build_scaling_model(data, config, spec),
        dataset,
        data,
        config,
        settings or DEFAULT_SAMPLING,
        name=SCALING_MODEL,
        title=SCALING_TITLE,
        details=details,
    )


def prior_record(priors: Mapping[str, PriorSpec]) -> dict[str, dict]:
    """Priors as written (distribution, arguments, data scales), for provenance."""
    return {
        name: {"dist": prior.dist, **prior.args, "scale": dict(prior.scale)}
        for name, prior in priors.items()
    }


def scaling_posterior(fit: Fit) -> dict[str, np.ndarray]:
    """Draws (chain × draw flattened) of α, B_Σ, F0, F1 and Γ1 of a scaling fit."""
    constant = fit.tree["constant_data"]
    geometry = ScalingGeometry.of_points(
        constant["V_mV"].values,
        constant["T_K"].values,
        fit.provenance["scaling_spec"]["knot_spacing"],
    )
    posterior = fit.tree["posterior"].to_dataset().stack(sample=("chain", "draw"))
    return derived_quantities(
        geometry,
        posterior["alpha"].values,
        posterior["b_ref"].values,
        posterior["Phi_rise"].transpose("sample", "knot").values,
    )


def posterior_summary(fit: Fit) -> dict[str, Any]:
    """Mean and 5 %/95 % quantiles of every SUMMARISED quantity, with units."""
    draws = scaling_posterior(fit)
    return {
        name: {**posterior_interval(draws[name]), "unit": unit} for name, unit in SUMMARISED.items()
    }


def posterior_interval(values: np.ndarray) -> dict[str, float]:
    """Mean and the 5 % and 95 % quantiles (a 90 % equal-tailed interval) of draws."""
    low, high = np.quantile(np.ravel(values), [0.05, 0.95])
    return {"mean": float(np.mean(values)), "q05": float(low), "q95": float(high)}
