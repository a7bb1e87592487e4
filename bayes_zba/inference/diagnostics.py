"""Sampling diagnostics of a fit: R-hat, bulk/tail ESS, divergences, BFMI, tree-depth hits.

Computed with arviz_stats; problems become warnings that are stored with the fit, never hidden.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import arviz_stats as azs
import numpy as np
import xarray as xr

from bayes_zba.models.builder import is_sampler_coordinate
from bayes_zba.models.priors import DISTRIBUTIONS
from bayes_zba.physics.mechanisms import get_mechanism
from bayes_zba.rhat import RHAT_MAX, rhat_text

#: Smallest acceptable bulk and tail ESS per chain (Vehtari et al. 2021: 100 per chain).
ESS_PER_CHAIN_MIN = 100
#: E-BFMI below this means the momentum resampling explores the energy poorly.
BFMI_MIN = 0.3


@dataclass(frozen=True)
class Diagnostics:
    """Convergence summary over every posterior variable of a fit."""

    max_rhat: float
    min_ess_bulk: float
    min_ess_tail: float
    n_divergent: int
    bfmi: list[float]
    treedepth_hits: int
    warnings: list[str] = field(default_factory=list)
    #: Stranded chains that were run again (inference.restarts); not a failure in itself.
    restarts: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.warnings

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "ok": self.ok})

    @classmethod
    def from_json(cls, text: str) -> "Diagnostics":
        values = json.loads(text)
        values.pop("ok", None)
        return cls(**values)


def diagnose(
    posterior: xr.Dataset, sample_stats: xr.Dataset, restarts: Sequence[str] = ()
) -> Diagnostics:
    """Diagnostics of `posterior` (chain, draw, ...) given the sampler's `sample_stats`.

    `restarts` describes chains that were run again because they were stranded.

    Sampler coordinates of symmetric parameters (builder.is_sampler_coordinate) are left
    out: chains may sit in their two mirror halves while the reported parameter agrees.
    """
    posterior = posterior.drop_vars([n for n in posterior.data_vars if is_sampler_coordinate(n)])
    chains = posterior.sizes["chain"]
    max_rhat = _extreme(azs.rhat(posterior), np.max)
    min_bulk = _extreme(azs.ess(posterior, method="bulk"), np.min)
    min_tail = _extreme(azs.ess(posterior, method="tail"), np.min)
    n_divergent = int(sample_stats["diverging"].sum())
    bfmi = [float(b) for b in np.atleast_1d(azs.bfmi(sample_stats["energy"].values))]
    hits = int(sample_stats["reached_max_treedepth"].sum())
    return Diagnostics(
        max_rhat=max_rhat,
        min_ess_bulk=min_bulk,
        min_ess_tail=min_tail,
        n_divergent=n_divergent,
        bfmi=bfmi,
        treedepth_hits=hits,
        warnings=_warnings(max_rhat, min_bulk, min_tail, n_divergent, bfmi, hits, chains),
        restarts=list(restarts),
    )


def _extreme(values: xr.Dataset, reduce) -> float:
    """max or min over every variable and element (NaN counts as the worst value)."""
    flat = np.concatenate([np.ravel(v.values) for v in values.data_vars.values()])
    if np.isnan(flat).any():
        return float("nan")
    return float(reduce(flat))


def _warnings(
    max_rhat: float,
    min_bulk: float,
    min_tail: float,
    n_divergent: int,
    bfmi: list[float],
    hits: int,
    chains: int,
) -> list[str]:
    ess_min = ESS_PER_CHAIN_MIN * chains
    checks = [
        (
            not max_rhat <= RHAT_MAX,
            f"max R-hat {rhat_text(max_rhat)} > {RHAT_MAX}: chains disagree",
        ),
        (not min_bulk >= ess_min, f"min bulk ESS {min_bulk:.0f} < {ess_min}"),
        (not min_tail >= ess_min, f"min tail ESS {min_tail:.0f} < {ess_min}"),
        (
            n_divergent > 0,
            f"{n_divergent} divergent transitions: posterior estimates may be biased",
        ),
        (min(bfmi, default=1.0) < BFMI_MIN, f"E-BFMI {min(bfmi, default=1.0):.2f} < {BFMI_MIN}"),
        (hits > 0, f"{hits} draws hit the maximum tree depth"),
    ]
    return [message for failed, message in checks if failed]


#: Probability mass of the credible intervals that truth-recovery checks use.
CREDIBLE_MASS = 0.9


def truth_coverage(
    fit: Any, truth: Mapping[str, float], mass: float = CREDIBLE_MASS
) -> dict[str, bool]:
    """Per parameter of a Fit: is the true value inside its credible interval of `mass`?

    The central interval, except for a truth on a bound of its prior's support (e.g. a
    simulation at a_geom = 1 under the Uniform(0, 1) prior): a central interval never
    reaches the bound, so the one-sided interval that ends there is used. A parameter
    reported folded (Parameter.mirror, kk's q) is compared with its folded truth.
    """
    posterior, priors = fit.tree["posterior"], fit.provenance["priors"]
    model = fit.provenance.get("model")
    mechanism = get_mechanism(model) if model else None
    tail = 1.0 - mass
    coverage = {}
    for name, value in truth.items():
        draws = posterior[name].values.ravel()
        lower, upper = _prior_support(priors.get(name))
        if mechanism is not None and name in mechanism.parameter_names:
            parameter = mechanism.parameter(name)  # a folded parameter: compare folded truth
            value = float(parameter.fold(value, np))
            upper = min(upper, parameter.reported_upper)
        if value == upper:
            low, high = np.quantile(draws, tail), upper
        elif value == lower:
            low, high = lower, np.quantile(draws, mass)
        else:
            low, high = np.quantile(draws, [tail / 2, 1.0 - tail / 2])
        coverage[name] = bool(low <= value <= high)
    return coverage


def _prior_support(prior: Mapping[str, Any] | None) -> tuple[float, float]:
    """Support of a provenance prior entry {"dist": ..., **arguments}; the real line if none."""
    if prior is None:
        return -np.inf, np.inf
    arguments = {k: v for k, v in prior.items() if k != "dist"}
    return DISTRIBUTIONS[prior["dist"]].support(arguments)
