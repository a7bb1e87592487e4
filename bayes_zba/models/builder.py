"""PyMC model of physics.md §1: G_obs = G0 + b2 V² + c_curve + ΔG_mech(V, T, H; θ) + ε.

Priors come from a ModelConfig scaled to the data (scales.py); ΔG from the physics registry.
"""

from collections.abc import Sequence
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt

from bayes_zba.data.dataset import Dataset
from bayes_zba.models.config import ConfigError, ModelConfig, load_config
from bayes_zba.models.mechanism_op import mechanism_delta_g
from bayes_zba.models.priors import DISTRIBUTIONS
from bayes_zba.models.scales import data_scales
from bayes_zba.physics.mechanisms import Parameter, get_mechanism

#: Name of the observed variable (log_likelihood, observed_data, posterior_predictive).
OBSERVED = "G_obs"
#: Deterministic G0 + b2 V² + ΔG per point (no curve offset, no noise): traced while sampling
#: for the likelihoods and predictive draws, then left out of the Fit's posterior.
MODEL_CONDUCTANCE = "G_model"
#: Names of the pm.Data inputs (the Fit's constant_data uses the contract names instead,
#: since "T_K" is also a parameter of the 2ck model).
DATA_NAMES = {"V_mV": "bias_mV", "T_K": "temperature_K", "H_T": "field_T"}
POINT_SIGMA = "sigma_point"
#: pm.Data of the distinct (|V|, T, H) where ΔG is evaluated, and each point's row among them.
CONDITION_PREFIX = "distinct_"
CONDITION_INDEX = "condition_index"
#: Decimals (of mV) |V| is rounded to before ±V of a sweep are merged.
BIAS_DECIMALS = 12
#: pm.Data of the observations, and prefix of data-scaled prior arguments held as pm.Data.
OBSERVED_DATA = "G_data"
PRIOR_DATA_PREFIX = "prior_"
#: Suffix of the free variable that carries a span prior (e.g. "A_kr_span", e²/h), and
#: prefix of the pm.Data of the two points that define the span (span_reference).
SPAN_SUFFIX = "_span"
SPAN_REFERENCE_PREFIX = "span_reference_"
CURVE_INDEX = "curve_index"
#: Sampled in place of delta_med when its prior is LogUniform (a log-location family):
#: ln E[Δ] = ln Δ_med + s_Δ²/2 (ln K), which the data fix nearly independently of s_Δ, while
#: (ln Δ_med, s_Δ) form a curved ridge (2ck example: correlation -0.8, bulk ESS 12 of 1600).
SPLITTING_MEAN = "delta_mean_log"
#: Sampled in place of delta_width when its prior is Uniform(0, upper): s_Δ with a sign
#: (the model is even in it); a coordinate of the sampler only, left out of diagnostics and
#: studies, which use delta_width = |SIGNED_WIDTH|.
SIGNED_WIDTH = "delta_width_signed"
#: Suffix of the sampled variable of a parameter with a mirror symmetry (kk's q), which is
#: reported folded (Parameter.mirror).
UNFOLDED_SUFFIX = "_unfolded"
#: Sampled in place of G0 when its prior is a location family: G0 + ΔG at the span's low
#: reference point (V = 0, T_min, H = 0), the zero-bias conductance of the coldest curve,
#: which the data fix directly. G0 itself trades off against every shape parameter through
#: ΔG(0, T_min), a curved ridge a linear mass matrix cannot undo (models/README.md).
ZERO_BIAS_ANCHOR = "G_zero_bias_cold"
#: pm.Data of each point's likelihood weight (1 fitted, 0 held out; weighted_likelihood).
LIKELIHOOD_WEIGHT = "likelihood_weight"


def select_fit_data(dataset: Dataset, config: ModelConfig) -> Dataset:
    """The points a fit sees: one sample, the bias window and masks of config.measurement."""
    samples = dataset.sample_names()
    if len(samples) != 1:
        raise ValueError(f"a fit takes one sample; the data hold {samples}: choose one")
    options = config.measurement
    if np.isfinite(options.vmax_mV):
        dataset = dataset.window(options.vmax_mV)
    if options.mask_mV:
        dataset = dataset.mask_bias(list(options.mask_mV))
    return dataset


def uses_drift(config: ModelConfig, n_curves: int) -> bool:
    """Curve offsets need the drift option and at least two curves (they sum to zero)."""
    return config.measurement.drift and n_curves > 1


def fitted_mask(data: Dataset, heldout_curves: Sequence[str] = ()) -> np.ndarray:
    """Per point: True unless its curve is held out. Errors on unknown or all curves."""
    curves = data.table["curve"].astype(str)
    heldout = [str(label) for label in heldout_curves]
    unknown = sorted(set(heldout) - set(curves))
    if unknown:
        raise ValueError(f"no curve {unknown} in sample {data.sample_names()}")
    fitted = ~curves.isin(heldout).to_numpy()
    if not fitted.any():
        raise ValueError(f"holding out {heldout} leaves no curve to fit")
    return fitted


def curve_labels_and_index(dataset: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Curve labels in table order and each point's index into them."""
    labels, index = np.unique(dataset.table["curve"].to_numpy(str), return_inverse=True)
    return labels, index


def noise_scale(sigma: Any, point_sigma: Any, xp: ModuleType) -> Any:
    """σ_i = sqrt(sigma_i² + σ²): a per-point sigma in the data is a floor (physics.md §1)."""
    return xp.sqrt(point_sigma**2 + sigma**2)


def build_model(
    dataset: Dataset,
    model_name: str,
    config: ModelConfig | None = None,
    *,
    heldout_curves: Sequence[str] = (),
) -> pm.Model:
    """PyMC model of one sample's data under mechanism `model_name` (dims "point", "curve").

    `config` defaults to the shipped models/<model_name>.toml. The data are first reduced
    with select_fit_data; priors are scaled to the fitted points (DataScales).
    `heldout_curves` stay in the model with likelihood weight 0: the posterior is that of
    the other curves, the held-out curves' offsets follow their prior, and the graph is
    the same as the full model's, so one compiled model serves the fit and its refits.
    """
    config = config or load_config(model_name)
    if config.model != model_name:
        raise ConfigError(config.source, "model", f"is {config.model!r}, not {model_name!r}")
    data = select_fit_data(dataset, config)
    fitted = fitted_mask(data, heldout_curves)
    labels, index = curve_labels_and_index(data)
    coords = {"point": np.arange(len(data.table)), "curve": labels}
    with pm.Model(coords=coords) as model:
        _add_likelihood(data, config, fitted, index)
    return model


def _add_likelihood(
    data: Dataset, config: ModelConfig, fitted: np.ndarray, curve_index: np.ndarray
) -> None:
    """Data, priors, ΔG of the mechanism and the measurement model, inside the model context."""
    priors = config.resolved_priors(data_scales(data.table[fitted]))
    inputs = {
        name: pm.Data(DATA_NAMES[name], data.table[name].to_numpy(float), dims="point")
        for name in DATA_NAMES
    }
    mechanism = get_mechanism(config.model)
    reference = span_reference(data.table[fitted])
    reference_points = [pm.Data(f"{SPAN_REFERENCE_PREFIX}{n}", reference[n]) for n in DATA_NAMES]
    params = _mechanism_parameters(config, priors, reference_points)
    conditions, condition_index = distinct_conditions(data.table, mechanism.field_separable)
    distinct = [
        pm.Data(f"{CONDITION_PREFIX}{DATA_NAMES[name]}", conditions[:, column])
        for column, name in enumerate(DATA_NAMES)
    ]
    index = pm.Data(CONDITION_INDEX, condition_index)
    delta_g = mechanism_delta_g(config.model, distinct, index, inputs["H_T"], params)
    anchor_delta_g = reference_delta_g(config.model, reference_points, params)[0]
    baseline = _anchored_background(config, priors, anchor_delta_g)
    add_measurement(data, config, priors, curve_index, inputs, delta_g, baseline, fitted)


def _anchored_background(
    config: ModelConfig, priors: dict[str, dict[str, float]], anchor_delta_g: Any
) -> Any:
    """G0 as a deterministic of ZERO_BIAS_ANCHOR = G0 + anchor_delta_g (ΔG at the span's low
    reference point), or None (G0 then sampled as configured) when G0's prior is not a
    location family.

    (G0, θ) -> (G0 + ΔG_ref(θ), θ) has unit Jacobian and the anchor's prior given θ is G0's
    shifted by ΔG_ref(θ), so the joint density, and the model, are unchanged.
    """
    shifted = DISTRIBUTIONS[config.priors["G0"].dist].make_shifted
    if shifted is None:
        return None
    anchor = shifted(ZERO_BIAS_ANCHOR, prior_arguments(config, "G0", priors), anchor_delta_g)
    return pm.Deterministic("G0", anchor - anchor_delta_g)


def reference_delta_g(model: str, points: list[Any], params: dict[str, Any]) -> Any:
    """ΔG of `model` at the span's reference points (V, T, H each of length 2), in full."""
    return mechanism_delta_g(model, points, np.arange(2), points[2], params)


def distinct_conditions(table: Any, zero_field: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (|V|, T, H) rows of the points and each point's row among them.

    ΔG is even in V for every mechanism (tests/physics/test_mechanisms.py checks it), so a
    symmetric sweep needs ΔG at half its biases: the model evaluates the mechanism there and
    gathers per point. |V| is rounded to 1e-12 mV first, so that ±V of a linspace sweep that
    differ in the last bits count as one bias. `zero_field` puts H = 0 in every row, for a
    field-separable mechanism (Mechanism.apply_field): a field series then costs no more
    evaluations than one field.
    """
    field = table["H_T"].to_numpy(float)
    columns = [
        np.round(np.abs(table["V_mV"].to_numpy(float)), BIAS_DECIMALS),
        table["T_K"].to_numpy(float),
        np.zeros_like(field) if zero_field else field,
    ]
    conditions, index = np.unique(np.column_stack(columns), axis=0, return_inverse=True)
    return conditions, index.reshape(-1)


def add_measurement(
    data: Dataset,
    config: ModelConfig,
    priors: dict[str, dict[str, float]],
    curve_index: np.ndarray,
    inputs: dict[str, Any],
    signal: Any,
    baseline: Any = None,
    weight: np.ndarray | None = None,
) -> None:
    """physics.md §1 around `signal` (ΔG): G0 [+ b2 V²] as G_model, curve offsets, noise, G_obs.

    `priors` are config.resolved_priors(...); `inputs` the pm.Data of V_mV, T_K, H_T;
    `baseline` replaces the single G0 (e.g. one G0 per sample of a combined fit);
    `weight` (per point, default 1) multiplies each point's log-likelihood in the joint.
    """
    mean = (config_prior(config, "G0", priors) if baseline is None else baseline) + signal
    if config.measurement.background_b2:
        mean = mean + config_prior(config, "b2", priors) * inputs["V_mV"] ** 2
    mean = pm.Deterministic(MODEL_CONDUCTANCE, mean, dims="point")
    if uses_drift(config, len(np.unique(curve_index))):
        tau = config_prior(config, "tau_curve", priors)
        offsets = pm.ZeroSumNormal("curve_offset", sigma=tau, dims="curve")
        mean = mean + offsets[pm.Data(CURVE_INDEX, curve_index, dims="point")]
    sigma = config_prior(config, "sigma", priors)
    if data.has_sigma:
        point_sigma = pm.Data(POINT_SIGMA, data.table["sigma_e2h"].to_numpy(float), dims="point")
        sigma = noise_scale(sigma, point_sigma, pt)
    observed = pm.Data(OBSERVED_DATA, data.table["G_e2h"].to_numpy(float), dims="point")
    weights = np.ones(len(data.table)) if weight is None else np.asarray(weight, dtype=float)
    noise = [mean, sigma]
    if config.measurement.noise == "studentt":
        noise.append(config_prior(config, "nu", priors))
    weighted_likelihood(noise, pm.Data(LIKELIHOOD_WEIGHT, weights, dims="point"), observed)


def _noise(mu: Any, sigma: Any, nu: Any = None, size: Any = None) -> Any:
    """The noise distribution of physics.md §1: Normal(mu, σ), or Student-t(ν) given nu."""
    if nu is None:
        return pm.Normal.dist(mu=mu, sigma=sigma, size=size)
    return pm.StudentT.dist(nu=nu, mu=mu, sigma=sigma, size=size)


def _weighted_noise_log_density(value: Any, weight: Any, *noise: Any) -> Any:
    """w_i log p(y_i | noise parameters), the observed variable's log density."""
    return weight * pm.logp(_noise(*noise), value)


def _noise_draws(weight: Any, *noise_and_size: Any) -> Any:
    """Draws of the observations (the weights only weigh the density)."""
    return _noise(*noise_and_size[:-1], size=noise_and_size[-1])


def weighted_likelihood(noise: list[Any], weight: Any, observed: Any) -> Any:
    """G_obs ~ _noise(*noise) with joint log density Σ w_i log p(y_i) (w = 1 fitted, 0 held out).

    The weight is inside the observed variable's own density, so the graph of a refit
    equals the full fit's and ΔG is computed once per gradient. A separate potential
    Σ (w_i - 1) log p(y_i) would do the same sum, but PyMC rewrites the observed term's
    graph and not a potential's, so ΔG was built twice (2.3× the kk gradient's cost).
    """
    return pm.CustomDist(
        OBSERVED,
        weight,
        *noise,
        dist=_noise_draws,
        logp=_weighted_noise_log_density,
        observed=observed,
        dims="point",
    )


def span_reference(table: pd.DataFrame) -> dict[str, np.ndarray]:
    """The two points whose ΔG difference is the ZBA span: (0, T_min, 0) and (V_max, T_max, 0)."""
    return {
        "V_mV": np.array([0.0, table["V_mV"].abs().max()]),
        "T_K": np.array([table["T_K"].min(), table["T_K"].max()]),
        "H_T": np.zeros(2),
    }


def fitted_span_reference(data: Dataset, heldout_curves: Sequence[str] = ()) -> dict[str, list]:
    """span_reference of the fitted points, as JSON lists (recorded in a fit's provenance)."""
    reference = span_reference(data.table[fitted_mask(data, heldout_curves)])
    return {name: values.tolist() for name, values in reference.items()}


def use_span_reference(model: pm.Model, reference: dict[str, list]) -> None:
    """Give `model` another fit's span reference, so its amplitudes follow from that fit's
    span draws (a model built on other points would otherwise rescale them)."""
    for name, values in reference.items():
        key = f"{SPAN_REFERENCE_PREFIX}{name}"
        if key in model.named_vars:
            model[key].set_value(np.asarray(values, dtype=float))


def _mechanism_parameters(
    config: ModelConfig, resolved: dict[str, dict[str, float]], reference_points: list[Any]
) -> dict[str, Any]:
    """Mechanism parameters in §6a order; a span-prior amplitude is span / (span at amplitude 1)
    (ΔG ∝ Mechanism.amplitude, the one parameter a config may put on the span).

    Sampling the span S = ΔG(V_max, T_max) - ΔG(0, T_min) instead of the amplitude removes
    most of the amplitude-shape correlation NUTS would otherwise have to follow.
    """
    mechanism = get_mechanism(config.model)
    amplitude = config.span_parameter
    params = _splitting_parameters(config, resolved, mechanism.parameter_names)
    params |= {
        p.name: _reported_prior(config, p, resolved)
        for p in mechanism.parameters
        if p.name != amplitude and p.name not in params
    }
    if amplitude is not None:
        unit = {**params, amplitude: 1.0}
        unit_delta_g = reference_delta_g(config.model, reference_points, unit)
        span = config_prior(config, amplitude, resolved, name=f"{amplitude}{SPAN_SUFFIX}")
        params[amplitude] = pm.Deterministic(amplitude, span / (unit_delta_g[1] - unit_delta_g[0]))
    return {name: params[name] for name in mechanism.parameter_names}


def _reported_prior(
    config: ModelConfig, parameter: Parameter, resolved: dict[str, dict[str, float]]
) -> Any:
    """The parameter's free variable; for one with a mirror symmetry (Parameter.mirror) it
    is sampled as {name}UNFOLDED_SUFFIX with the configured prior and reported folded, so
    chains that sit on the two mirror sides (the same predictions) agree on what is
    reported. The physics takes the unfolded value (ΔG is smooth in it)."""
    if parameter.mirror is None:
        return config_prior(config, parameter.name, resolved)
    unfolded = config_prior(config, parameter.name, resolved, f"{parameter.name}{UNFOLDED_SUFFIX}")
    pm.Deterministic(parameter.name, parameter.fold(unfolded, pt))
    return unfolded


def is_sampler_coordinate(name: str) -> bool:
    """Whether a posterior variable only carries a reported one through a symmetry of the
    model (SIGNED_WIDTH, a *UNFOLDED_SUFFIX): left out of diagnostics and studies."""
    return name == SIGNED_WIDTH or name.endswith(UNFOLDED_SUFFIX)


def _splitting_parameters(
    config: ModelConfig, resolved: dict[str, dict[str, float]], names: Sequence[str]
) -> dict[str, Any]:
    """delta_width and delta_med (a deterministic of SPLITTING_MEAN) when the mechanism has
    them and delta_med's prior allows it; else {} (both sampled as configured).

    (ln Δ_med, s_Δ) -> (ln Δ_med + s_Δ²/2, s_Δ) has unit Jacobian, so the prior stays the
    configured one: given s_Δ, SPLITTING_MEAN has delta_med's prior in ln, shifted by s_Δ²/2.
    """
    if not {"delta_med", "delta_width"} <= set(names):
        return {}
    shifted_log = DISTRIBUTIONS[config.priors["delta_med"].dist].make_shifted_log
    if shifted_log is None:
        return {}
    width = _splitting_width(config, resolved)
    shift = width**2 / 2.0
    mean_log = shifted_log(SPLITTING_MEAN, prior_arguments(config, "delta_med", resolved), shift)
    median = pm.Deterministic("delta_med", pt.exp(mean_log - shift))
    return {"delta_med": median, "delta_width": width}  # physics even in the width's sign


def _splitting_width(config: ModelConfig, resolved: dict[str, dict[str, float]]) -> Any:
    """s_Δ for the physics: SIGNED_WIDTH (reported as delta_width = |SIGNED_WIDTH|) when its
    prior is Uniform(0, upper), else delta_width sampled as configured.

    E_Δ is even in s_Δ (symmetric Gauss-Hermite nodes) and so is the s_Δ²/2 shift, so the
    model depends on s_Δ² only, and Uniform(-upper, upper) on the signed value is
    Uniform(0, upper) on |s_Δ|. Small s_Δ is then the middle of the signed range instead
    of the long tail it is on the log-odds scale of (0, upper) (2ck example at target
    accept 0.9: min ESS 1946 signed, 1245 unsigned; models/README.md).
    """
    prior = config.priors["delta_width"]
    bounds = resolved["delta_width"]
    if prior.dist != "Uniform" or bounds["lower"] != 0.0:
        return config_prior(config, "delta_width", resolved)
    upper = np.float64(bounds["upper"])
    signed = pm.Uniform(SIGNED_WIDTH, lower=-upper, upper=upper)
    pm.Deterministic("delta_width", pt.abs(signed))
    return signed


def config_prior(
    config: ModelConfig, parameter: str, resolved: dict[str, dict[str, float]], name: str = ""
) -> Any:
    """The free variable (named `name`, default the parameter) with its configured prior."""
    distribution = DISTRIBUTIONS[config.priors[parameter].dist]
    return distribution.make(name or parameter, prior_arguments(config, parameter, resolved))


def prior_arguments(
    config: ModelConfig, parameter: str, resolved: dict[str, dict[str, float]]
) -> dict[str, Any]:
    """A prior's resolved arguments; data-scaled ones as pm.Data, so a compiled model
    serves other data as well. Numbers are float64 (PyTensor would cast a Python 1.5 to
    float32 and compute that prior's log density in single precision)."""
    return {
        argument: pm.Data(f"{PRIOR_DATA_PREFIX}{parameter}_{argument}", value)
        if is_shared_argument(config, parameter, argument)
        else np.float64(value)
        for argument, value in resolved[parameter].items()
    }


def is_shared_argument(config: ModelConfig, parameter: str, argument: str) -> bool:
    """Whether a prior argument is a pm.Data (data-scaled and allowed to be symbolic)."""
    prior = config.priors[parameter]
    return argument in prior.scale and DISTRIBUTIONS[prior.dist].symbolic


def model_structure(
    data: Dataset, config: ModelConfig, heldout_curves: Sequence[str] = ()
) -> dict[str, Any]:
    """What fixes the graph of build_model(data, config.model, config, ...) besides its pm.Data.

    Two fits with equal structures can share one compiled model (values of the points, the
    observations, the weights and the data-scaled prior arguments are swapped in). `data`
    is selected; held-out curves count as points of the graph.
    """
    resolved = config.resolved_priors(data_scales(data.table[fitted_mask(data, heldout_curves)]))
    field_separable = get_mechanism(config.model).field_separable
    constants = {
        name: {a: v for a, v in args.items() if not is_shared_argument(config, name, a)}
        for name, args in resolved.items()
    }
    return {
        "model": config.model,
        "config": config.text,
        "measurement": config.measurement.as_dict(),
        "prior_constants": constants,
        "has_sigma": data.has_sigma,
        "n_points": len(data.table),
        "n_conditions": len(distinct_conditions(data.table, field_separable)[0]),
        "n_curves": int(data.table["curve"].nunique()),
    }
