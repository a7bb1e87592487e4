"""fit(): sample one mechanism on one sample's data and return a Fit (DataTree + provenance).

The Fit holds every ArviZ group later rooms need (compare, report) and is saved as NetCDF.
"""

import json
import platform
import time
import tomllib
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pymc as pm
import xarray as xr

from bayes_zba import __version__
from bayes_zba.data.dataset import Dataset
from bayes_zba.inference.compiled import structure_key
from bayes_zba.inference.diagnostics import Diagnostics, diagnose
from bayes_zba.inference.pointwise import Residuals, curve_log_likelihood, pointwise_log_likelihood
from bayes_zba.inference.progress import progress_display
from bayes_zba.inference.restarts import ending_draws
from bayes_zba.inference.sampling import (
    GIVEN_STARTS,
    INITIALISATION,
    NUTPIE_ADAPTATION,
    Sampler,
    SamplerRun,
    sample,
)
from bayes_zba.models import (
    MODEL_CONDUCTANCE,
    OBSERVED,
    ModelConfig,
    build_model,
    curve_labels_and_index,
    data_scales,
    fitted_mask,
    fitted_span_reference,
    load_config,
    model_structure,
    noise_scale,
    parse_config,
    select_fit_data,
    uses_drift,
)
from bayes_zba.physics.mechanisms import get_mechanism

#: Group of a Fit holding each chain's last draw on the sampler's scale (nutpie fits).
CHAIN_ENDS = "chain_ends"
#: Curve-marginal log-likelihood variable (chain, draw, curve) in log_likelihood.
CURVE_LIKELIHOOD = "G_curve"
#: Posterior-predictive draws kept (thinned evenly over chains and draws).
PREDICTIVE_DRAWS = 400
VERSIONED_PACKAGES = ("pymc", "pytensor", "nutpie", "arviz", "arviz-stats", "numpy", "xarray")


class FitWarning(UserWarning):
    """A fit whose diagnostics fail (divergences, R-hat, ESS, BFMI, tree depth)."""


class SamplingInterrupted(KeyboardInterrupt):
    """The sampler stopped before every chain had all its draws (an interrupt): no Fit."""


class IncompleteFitError(ValueError):
    """A saved fit file whose chains do not hold every draw its provenance asks for."""


def missing_draws(posterior: xr.Dataset, chains: int, draws: int) -> str | None:
    """Why `posterior` is not a complete run of `chains` × `draws` (None when it is): too few
    chains or draws, or non-finite values (nutpie fills unfinished draws with NaN)."""
    have = (posterior.sizes.get("chain", 0), posterior.sizes.get("draw", 0))
    if have != (chains, draws):
        return f"{have[0]} chains × {have[1]} draws instead of {chains} × {draws}"
    unfinished = sorted(
        name for name, values in posterior.data_vars.items() if not np.isfinite(values).all()
    )
    return f"non-finite draws of {', '.join(unfinished)}" if unfinished else None


@dataclass
class Fit:
    """One mechanism fitted to one sample: the DataTree and where it was saved."""

    tree: xr.DataTree
    path: Path | None = None

    @property
    def provenance(self) -> dict[str, Any]:
        return json.loads(self.tree.attrs["provenance"])

    @property
    def model(self) -> str:
        return self.provenance["model"]

    @property
    def sample(self) -> str:
        return self.provenance["sample"]

    def incompleteness(self) -> str | None:
        """Why this fit is not a finished run (None when it is): it must say it is complete
        and hold the chains × draws of its provenance, all finite."""
        provenance = self.provenance
        if provenance.get("complete") is not True:
            return "it does not record that its sampling finished"
        posterior = self.tree["posterior"].to_dataset()
        return missing_draws(posterior, provenance["chains"], provenance["draws"])

    def made_from(
        self,
        data: Dataset,
        config: ModelConfig,
        settings: Mapping[str, Any],
        heldout_curves: Sequence[str] = (),
    ) -> bool:
        """Whether this fit was made from `data` (content hash), `config` (text and effective
        measurement options), the sampler `settings` (seed, chains, draws, ...) and the
        held-out curves: a saved fit that is, can stand in for a new one."""
        wanted: dict[str, Any] = {
            "data_hash": data.content_hash,
            "config_text": config.text,
            "measurement": config.measurement.as_dict(),
            "heldout_curves": [str(curve) for curve in heldout_curves],
            **settings,
        }
        provenance = self.provenance
        return all(provenance.get(key) == value for key, value in wanted.items())

    @property
    def diagnostics(self) -> Diagnostics:
        return Diagnostics.from_json(self.tree.attrs["diagnostics"])

    @property
    def config(self) -> ModelConfig:
        """The config the fit used (its TOML text plus the effective measurement options)."""
        provenance = self.provenance
        text = provenance["config_text"]
        parsed = parse_config(tomllib.loads(text), text=text, source=provenance["config_source"])
        options = provenance["measurement"]
        options["mask_mV"] = tuple(tuple(interval) for interval in options["mask_mV"])
        return parsed.with_measurement(**options)

    def chain_end_starts(self) -> xr.DataTree | None:
        """Starts at every chain's last draw for a run of nearly the same posterior (a
        curve-CV refit), or None for fits saved by older versions without them (all PyMC-sampler
        fits before commit 827c05c)."""
        if CHAIN_ENDS not in self.tree.children:
            return None
        ends = self.tree[CHAIN_ENDS].to_dataset()
        return ending_draws(self.tree["posterior"].to_dataset(), ends)


@dataclass(frozen=True)
class _Draws:
    """Posterior draws flattened to (sample, ...) NumPy arrays for likelihood arithmetic."""

    conductance: np.ndarray  # G0 + b2 V² + ΔG (sample, point)
    offsets: np.ndarray  # curve offsets (sample, curve); zeros without drift
    sigma: np.ndarray  # (sample,)
    tau: np.ndarray  # (sample,); zeros without drift
    nu: np.ndarray | None  # (sample,) for Student-t noise


def fit(
    dataset: Dataset,
    model_name: str,
    config: ModelConfig | None = None,
    *,
    seed: int,
    chains: int = 4,
    draws: int = 1000,
    tune: int = 1000,
    sampler: Sampler = "nutpie",
    progress: bool = True,
    heldout_curves: Sequence[str] = (),
    starts: xr.DataTree | None = None,
) -> Fit:
    """Fit mechanism `model_name` to `dataset` (one sample) with NUTS; seed is required.

    The data pass through the config's bias window and masks first. Failed diagnostics are
    stored in the Fit and emitted as FitWarning. `heldout_curves` are left out of the
    likelihood (an exact leave-curves-out refit, see build_model); the Fit still covers
    them, so its log_likelihood of those curves is their out-of-sample predictive.
    `starts` (Fit.chain_end_starts of the full fit, for such a refit) replaces scouting.
    """
    config = config or load_config(model_name)
    data = select_fit_data(dataset, config)
    with progress_display(progress) as display:
        display.stage(f"building {model_name} model")
        start = time.perf_counter()
        model = build_model(data, model_name, config, heldout_curves=heldout_curves)
        build_s = time.perf_counter() - start
        sampler_seed, predictive_seed = np.random.SeedSequence(seed).generate_state(2)
        run = sample(
            model,
            sampler=sampler,
            seed=int(sampler_seed),
            chains=chains,
            draws=draws,
            tune=tune,
            progress=progress,
            target_accept=config.target_accept,
            structure_key=structure_key(model_structure(data, config, heldout_curves)),
            on_stage=display.stage,
            on_progress=display.sampling if progress else None,
            starts=starts,
        )
        shortfall = missing_draws(run.tree["posterior"].to_dataset(), chains, draws)
        if shortfall is not None:
            raise SamplingInterrupted(f"sampling of {model_name} stopped early ({shortfall})")
        display.stage("log-likelihoods, log-prior, predictive draws")
        start = time.perf_counter()
        tree = assemble_tree(model, data, config, run, np.random.default_rng(predictive_seed))
        run.timings.update(build_s=build_s, postprocess_s=time.perf_counter() - start)
    diagnostics = diagnose(
        tree["posterior"].to_dataset(),
        tree["sample_stats"].to_dataset(),
        restarts=[restart.describe() for restart in run.restarts],
    )
    tree.attrs["diagnostics"] = diagnostics.to_json()
    tree.attrs["provenance"] = json.dumps(
        fit_provenance(
            dataset,
            data,
            config,
            run,
            seed=seed,
            sampler=sampler,
            chains=chains,
            draws=draws,
            tune=tune,
            heldout_curves=[str(label) for label in heldout_curves],
            span_reference=fitted_span_reference(data, heldout_curves),
            complete=True,
        )
    )
    for message in diagnostics.warnings:
        warnings.warn(
            f"{model_name} on {data.sample_names()[0]}: {message}", FitWarning, stacklevel=2
        )
    return Fit(tree)


def assemble_tree(
    model: pm.Model, data: Dataset, config: ModelConfig, run: SamplerRun, rng: np.random.Generator
) -> xr.DataTree:
    """DataTree with every group of the Fit contract from the sampler's raw output."""
    raw_posterior = run.tree["posterior"].to_dataset()
    labels, curve_index = curve_labels_and_index(data)
    # a reused compiled model reports the curve labels it was compiled with: relabel
    posterior = raw_posterior.drop_vars([MODEL_CONDUCTANCE, "point"])
    if "curve" in posterior.dims:
        posterior = posterior.assign_coords(curve=labels)
    draws = _flatten_draws(raw_posterior, data, config, len(labels))
    observed = data.table["G_e2h"].to_numpy(float)
    point_sigma = data.table["sigma_e2h"].to_numpy(float) if data.has_sigma else 0.0
    scale = noise_scale(draws.sigma[:, None], point_sigma, np)
    residuals = observed - draws.conductance
    pointwise = pointwise_log_likelihood(residuals - draws.offsets[:, curve_index], scale, draws.nu)
    marginal = curve_log_likelihood(
        Residuals(residuals, scale, curve_index, len(labels), draws.tau, draws.nu)
    )
    shape = (posterior.sizes["chain"], posterior.sizes["draw"])
    point_coords = {"point": np.arange(len(observed))}
    log_likelihood = xr.Dataset(
        {
            OBSERVED: (("chain", "draw", "point"), pointwise.reshape(*shape, -1)),
            CURVE_LIKELIHOOD: (("chain", "draw", "curve"), marginal.reshape(*shape, -1)),
        },
        coords={**_sample_coords(posterior), **point_coords, "curve": labels},
    )
    return xr.DataTree.from_dict(
        {
            "posterior": posterior,
            "log_likelihood": log_likelihood,
            "log_prior": _log_prior(model, posterior),
            "posterior_predictive": _predictive(draws, scale, curve_index, shape, posterior, rng),
            "observed_data": xr.Dataset({OBSERVED: ("point", observed)}, coords=point_coords),
            "constant_data": _constant_data(data, labels, curve_index),
            "sample_stats": run.tree["sample_stats"].to_dataset(),
            CHAIN_ENDS: run.chain_ends,
        }
    )


def _sample_coords(posterior: xr.Dataset) -> dict[str, np.ndarray]:
    return {"chain": posterior["chain"].values, "draw": posterior["draw"].values}


def _flatten_draws(
    posterior: xr.Dataset, data: Dataset, config: ModelConfig, n_curves: int
) -> _Draws:
    def flat(name: str) -> np.ndarray:
        values = posterior[name].values
        return values.reshape(values.shape[0] * values.shape[1], *values.shape[2:])

    conductance = flat(MODEL_CONDUCTANCE)
    n_samples = conductance.shape[0]
    drift = uses_drift(config, n_curves)
    return _Draws(
        conductance=conductance,
        offsets=flat("curve_offset") if drift else np.zeros((n_samples, n_curves)),
        sigma=flat("sigma"),
        tau=flat("tau_curve") if drift else np.zeros(n_samples),
        nu=flat("nu") if config.measurement.noise == "studentt" else None,
    )


def _log_prior(model: pm.Model, posterior: xr.Dataset) -> xr.Dataset:
    tree = xr.DataTree.from_dict({"posterior": posterior})
    return pm.stats.compute_log_prior(
        tree, model=model, extend_inferencedata=False, progressbar=False
    )


def _predictive(
    draws: _Draws,
    scale: np.ndarray,
    curve_index: np.ndarray,
    shape: tuple[int, int],
    posterior: xr.Dataset,
    rng: np.random.Generator,
) -> xr.Dataset:
    """Replicated G_obs for evenly thinned draws (PREDICTIVE_DRAWS in total)."""
    chains, n_draws = shape
    kept = np.unique(np.linspace(0, n_draws - 1, max(1, PREDICTIVE_DRAWS // chains)).astype(int))
    rows = (np.arange(chains)[:, None] * n_draws + kept[None, :]).ravel()
    scale = np.broadcast_to(scale, draws.conductance.shape)[rows]
    noise = (
        rng.standard_normal(scale.shape)
        if draws.nu is None
        else rng.standard_t(draws.nu[rows, None], scale.shape)
    )
    replicated = draws.conductance[rows] + draws.offsets[rows][:, curve_index] + scale * noise
    return xr.Dataset(
        {OBSERVED: (("chain", "draw", "point"), replicated.reshape(chains, kept.size, -1))},
        coords={
            "chain": posterior["chain"].values,
            "draw": posterior["draw"].values[kept],
            "point": np.arange(replicated.shape[-1]),
        },
    )


def _constant_data(data: Dataset, labels: np.ndarray, curve_index: np.ndarray) -> xr.Dataset:
    table = data.table
    variables = {name: ("point", table[name].to_numpy(float)) for name in ("V_mV", "T_K", "H_T")}
    variables["curve_index"] = ("point", curve_index)
    if data.has_sigma:
        variables["sigma_e2h"] = ("point", table["sigma_e2h"].to_numpy(float))
    return xr.Dataset(variables, coords={"point": np.arange(len(table)), "curve": labels})


def fit_provenance(
    dataset: Dataset, data: Dataset, config: ModelConfig, run: SamplerRun, **settings: Any
) -> dict[str, Any]:
    """Everything needed to reproduce a fit; `settings` (seed, sampler, ...) are recorded
    as given, and a "heldout_curves" setting excludes those curves from the data scales."""
    scales = data_scales(data.table[fitted_mask(data, settings.get("heldout_curves", ()))])
    n_curves = int(data.table["curve"].nunique())
    return {
        "package": "bayes-zba",
        "version": __version__,
        "created_at": datetime.now(UTC).isoformat(),
        "model": config.model,
        "model_title": get_mechanism(config.model).title,
        "sample": data.sample_names()[0],
        "data_source": dataset.source,
        "data_hash": dataset.content_hash,
        "fitted_data_hash": data.content_hash,
        "data_attrs": dataset.attrs,
        "selections": data.attrs.get("selections", []),
        "n_points": len(data.table),
        "n_curves": n_curves,
        "config_source": config.source,
        "config_text": config.text,
        "measurement": config.measurement.as_dict(),
        "config_overrides": dict(config.overrides),
        "data_scales": scales.as_dict(),
        "priors": {
            name: {"dist": config.priors[name].dist, **args}
            for name, args in config.resolved_priors(scales).items()
        },
        "drift_used": uses_drift(config, n_curves),
        **settings,
        "initialisation": INITIALISATION if run.scouting is not None else GIVEN_STARTS,
        "target_accept": config.target_accept,
        "adaptation": NUTPIE_ADAPTATION if settings["sampler"] == "nutpie" else "diag",
        "timings": run.timings,
        "gradient_evaluations": run.gradient_evaluations,
        "compiled_model_reused": run.reused_compiled_model,
        "scouting": None if run.scouting is None else asdict(run.scouting),
        "restarted_chains": [asdict(restart) for restart in run.restarts],
        "versions": {
            "python": platform.python_version(),
            **{name: version(name) for name in VERSIONED_PACKAGES},
        },
    }
