"""Universality across samples (paper I §VI.B.3): one scaling curve for all, or one per sample?

"universal": one α and one Γ1 = F1/B_Σ (the window value of eq. I-27, as paper I compares
its samples in Table I) for all samples, each with its own B_s and shape; "per_sample": α_s
and Γ1_s of each sample's own. Both are fitted to the same points and ranked by
bayes_zba.compare (leave-one-curve-out first).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt

from bayes_zba.compare import Ranking, rank
from bayes_zba.data import Dataset, SampleInfo, dataset_from_frame
from bayes_zba.inference import Fit
from bayes_zba.models import (
    DataScales,
    ModelConfig,
    add_measurement,
    curve_labels_and_index,
    data_scales,
    load_config,
)
from bayes_zba.models.builder import DATA_NAMES
from bayes_zba.scaling.bayesian import (
    MEASUREMENT_REFERENCE,
    SCALING_PRIORS,
    ScalingModelSpec,
    reference_temperature,
    scaling_fit_data,
    window_weights,
)
from bayes_zba.scaling.fitting import (
    DEFAULT_SAMPLING,
    SamplerSettings,
    fit_built_model,
    posterior_interval,
    prior_record,
)
from bayes_zba.scaling.spline import ScalingSpline, spline_for_range
from bayes_zba.units import bias_energy_kelvin

UNIVERSAL = "universal"
PER_SAMPLE = "per_sample"
TITLES = {
    UNIVERSAL: "scaling with one α and one Γ1 for all samples (the 2CK claim, paper I §VI.B.3)",
    PER_SAMPLE: "scaling with α_s and Γ1_s of each sample's own",
}
#: Separator of sample and curve in the curve labels of the combined data.
CURVE_SEPARATOR = "/"
#: Prior of the shared Γ1: Normal(0, GAMMA1_PRIOR_SIGMA), wide around no preference (2CK
#: window values are -1.3 … -0.5, physics.md §3.1; other mechanisms give either sign).
GAMMA1_PRIOR_SIGMA = 2.0


@dataclass(frozen=True)
class CombinedData:
    """Several samples as one fit's data: sample "a+b+…", curves "<sample>/<curve>"."""

    data: Dataset
    members: tuple[str, ...]
    member_index: np.ndarray  # member of every point

    def member_scales(self) -> list[DataScales]:
        """The data scales of every member's points."""
        table = self.data.table
        return [data_scales(table[self.member_index == m]) for m in range(len(self.members))]

    def reference_temperatures(self) -> np.ndarray:
        """T_ref of every member: geometric mean of its temperatures."""
        T = self.data.table["T_K"].to_numpy(float)
        return np.array(
            [reference_temperature(T[self.member_index == m]) for m in range(len(self.members))]
        )


@dataclass(frozen=True)
class UniversalityResult:
    """Both fits, their ranking and the posteriors of α and Γ1 per sample."""

    members: tuple[str, ...]
    fits: Mapping[str, Fit]
    ranking: Ranking
    summaries: Mapping[str, Mapping[str, Any]]  # model -> quantity -> sample -> interval

    @property
    def preferred(self) -> str:
        return self.ranking.models[0]

    def to_json(self) -> dict[str, Any]:
        return {
            "samples": list(self.members),
            "preferred": self.preferred,
            "ranking": self.ranking.to_json(),
            "posteriors": dict(self.summaries),
        }


def combine_samples(
    dataset: Dataset, samples: Sequence[str], config: ModelConfig, spec: ScalingModelSpec
) -> CombinedData:
    """Each sample's scaling points (scaling_fit_data) relabelled into one dataset."""
    members = tuple(samples)
    tables = []
    for name in members:
        table = scaling_fit_data(dataset.for_sample(name), config, spec).table.copy()
        table["curve"] = name + CURVE_SEPARATOR + table["curve"].astype(str)
        tables.append(table)
    combined_name = "+".join(members)
    frame = pd.concat(tables, ignore_index=True).assign(sample=combined_name)
    data = dataset_from_frame(
        frame,
        source=dataset.source,
        samples={combined_name: SampleInfo(combined_name, "combined", "samples fitted together")},
        attrs={"combined_samples": list(members)},
    )
    position = {name: i for i, name in enumerate(members)}
    member_index = np.array([position[c.split(CURVE_SEPARATOR)[0]] for c in data.table["curve"]])
    return CombinedData(data, members, member_index)


def build_universality_model(
    combined: CombinedData, config: ModelConfig, model_name: str, knot_spacing: float
) -> pm.Model:
    """The UNIVERSAL or PER_SAMPLE scaling model of the combined samples (dim "member")."""
    table = combined.data.table
    labels, index = curve_labels_and_index(combined.data)
    shared = model_name == UNIVERSAL
    spline = _member_spline(combined, knot_spacing)
    coords = {
        "point": np.arange(len(table)),
        "curve": labels,
        "member": list(combined.members),
        "knot": np.arange(spline.n_free),
        "knot_free": np.arange(spline.n_free - 1),
    }
    scales = combined.member_scales()
    priors = config.resolved_priors(data_scales(table))
    with pm.Model(coords=coords) as model:
        inputs = {
            name: pm.Data(DATA_NAMES[name], table[name].to_numpy(float), dims="point")
            for name in DATA_NAMES
        }
        signal = _member_signal(inputs, combined, spline, scales, shared)
        baseline = _member_baseline(config, scales)[combined.member_index]
        add_measurement(combined.data, config, priors, index, inputs, signal, baseline=baseline)
    return model


def _member_spline(combined: CombinedData, knot_spacing: float) -> ScalingSpline:
    """Knots over every point's w = |v|^{1/2}."""
    table = combined.data.table
    w = np.sqrt(np.abs(bias_energy_kelvin(table["V_mV"].to_numpy()) / table["T_K"].to_numpy()))
    return spline_for_range(float(w.max()), knot_spacing)


def intercept_functional(spline: ScalingSpline) -> np.ndarray:
    """γ with Γ1 = γ·rise / Φ(0) for Φ = spline(Φ(0), Φ(0) + rise): the (I-27) intercept of
    F - 1 = (Φ - Φ(0))/Φ(0), linear in the rises (window_weights on unit rises)."""
    w, _, intercept_weights = window_weights()
    unit = spline.coefficients(np.zeros(spline.n_free), np.eye(spline.n_free), np)
    return spline.evaluate(w, unit, np) @ intercept_weights


def _member_signal(
    inputs: dict[str, Any],
    combined: CombinedData,
    spline: ScalingSpline,
    scales: list[DataScales],
    shared: bool,
) -> Any:
    """(T/T_ref,s)^α_s Φ_s(w) at every point, Φ_s(0) = b_s, as in scaling_signal per sample.

    UNIVERSAL: α_s = α and Γ1_s = Γ1 shared; the rise at the knot that weighs most in the
    window intercept is then fixed by γ·rise_s = Γ1 b_s (intercept_functional), so every
    parameter still enters linearly or bilinearly. Priors: SCALING_PRIORS per sample's data
    scales; Γ1 ~ Normal(0, GAMMA1_PRIOR_SIGMA).
    """
    member = combined.member_index
    bounds = SCALING_PRIORS["alpha"].args
    alpha = pm.Uniform("alpha", bounds["lower"], bounds["upper"], dims=None if shared else "member")
    b_ref = pm.LogNormal(
        "b_ref",
        mu=np.log([SCALING_PRIORS["b_ref"].resolved(s)["median"] for s in scales]),
        sigma=SCALING_PRIORS["b_ref"].args["sigma"],
        dims="member",
    )
    sigma = np.array([SCALING_PRIORS["Phi_rise"].resolved(s)["sigma"] for s in scales])[:, None]
    if shared:
        gamma = intercept_functional(spline)
        pinned = int(np.argmax(np.abs(gamma)))
        embed = np.delete(np.eye(spline.n_free), pinned, axis=0)  # free rises -> all rises
        free = pm.Normal("Phi_rise", 0.0, sigma, dims=("member", "knot_free"))
        gamma1 = pm.Normal("Gamma1", 0.0, GAMMA1_PRIOR_SIGMA)
        pinned_rise = (gamma1 * b_ref - free @ np.delete(gamma, pinned)) / gamma[pinned]
        rise = free @ embed + pinned_rise[:, None] * np.eye(spline.n_free)[pinned]
        exponent = alpha
    else:
        rise = pm.Normal("Phi_rise", 0.0, sigma, dims=("member", "knot"))
        exponent = alpha[member]
    w = pt.sqrt(pt.abs(bias_energy_kelvin(inputs["V_mV"]) / inputs["T_K"]))
    Phi = spline.evaluate(w, spline.coefficients(b_ref, b_ref[:, None] + rise, pt), pt)
    T_ref = combined.reference_temperatures()
    return (inputs["T_K"] / T_ref[member]) ** exponent * Phi[member, pt.arange(member.size)]


def _member_baseline(config: ModelConfig, scales: list[DataScales]) -> Any:
    """G0 of every member: the config's G0 prior resolved on each member's data scales."""
    spec = config.priors["G0"]
    if spec.dist != "Normal":
        raise ValueError(f"per-sample G0 needs a Normal G0 prior, the config has {spec.dist}")
    args = [spec.resolved(s) for s in scales]
    return pm.Normal(
        "G0", mu=[a["mu"] for a in args], sigma=[a["sigma"] for a in args], dims="member"
    )


def universality_test(
    dataset: Dataset,
    samples: Sequence[str] | None = None,
    config: ModelConfig | None = None,
    spec: ScalingModelSpec | None = None,
    settings: SamplerSettings = DEFAULT_SAMPLING,
) -> UniversalityResult:
    """Fit UNIVERSAL and PER_SAMPLE to the samples' scaling points and rank them.

    `samples` defaults to every sample of the dataset; each one's points pass
    scaling_fit_data (apply the T regime with `spec.t_max_K` or select beforehand).
    """
    config = config or load_config(MEASUREMENT_REFERENCE)
    spec = spec or ScalingModelSpec()
    combined = combine_samples(dataset, samples or dataset.sample_names(), config, spec)
    details = {
        "scaling_spec": spec.to_json(),
        "scaling_priors": prior_record(SCALING_PRIORS),
        "combined_samples": list(combined.members),
    }
    fits = {
        name: fit_built_model(
            build_universality_model(combined, config, name, spec.knot_spacing),
            dataset,
            combined.data,
            config,
            settings,
            name=name,
            title=TITLES[name],
            details=details,
        )
        for name in (UNIVERSAL, PER_SAMPLE)
    }
    summaries = {name: member_summary(fit, combined) for name, fit in fits.items()}
    return UniversalityResult(combined.members, fits, rank(fits), summaries)


def member_summary(fit: Fit, combined: CombinedData) -> dict[str, dict[str, Any]]:
    """Per sample: mean and 5 %/95 % of α and of the window Γ1 (I-27) of its F_s."""
    draws = member_draws(fit, combined)
    return {
        quantity: {
            name: posterior_interval(values[:, m]) for m, name in enumerate(combined.members)
        }
        for quantity, values in draws.items()
    }


def member_draws(fit: Fit, combined: CombinedData) -> dict[str, np.ndarray]:
    """α and Γ1 (window of I-27 on F_s(w) - 1) per draw and member: arrays (draw, member)."""
    spline = _member_spline(combined, fit.provenance["scaling_spec"]["knot_spacing"])
    posterior = fit.tree["posterior"].to_dataset().stack(sample=("chain", "draw"))
    n_members = len(combined.members)
    alpha = posterior["alpha"].transpose("sample", ...).values
    if fit.model == UNIVERSAL:
        gamma1 = np.repeat(posterior["Gamma1"].values[:, None], n_members, axis=1)
        return {"alpha": np.repeat(alpha[:, None], n_members, axis=1), "Gamma1": gamma1}
    b_ref = posterior["b_ref"].transpose("sample", "member").values
    rise = posterior["Phi_rise"].transpose("sample", "member", "knot").values
    return {"alpha": alpha, "Gamma1": rise @ intercept_functional(spline) / b_ref}
