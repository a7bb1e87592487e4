"""`rank(fits) -> Ranking`: several fits of one sample compared, weighed and judged.

Ranking.to_json() is the ranking.json contract (sample, verdict, criterion, ranking, provenance).
"""

import json
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any, Protocol

import arviz_stats as azs
import numpy as np
import pandas as pd
import xarray as xr

from bayes_zba import __version__
from bayes_zba.compare.curve_cv import DEFAULT_MAX_REFITS, curve_psis, refit_high_k
from bayes_zba.compare.elpd import ElpdEstimate
from bayes_zba.compare.loo import point_loo
from bayes_zba.compare.verdict import (
    Health,
    Standing,
    Verdict,
    contenders,
    decide,
    separation,
)
from bayes_zba.compare.waic import waic
from bayes_zba.compare.weights import compare_models
from bayes_zba.files import write_json_atomically

#: refit(model, held_out_curve_labels) -> log p(y_curve | θ) (chain, draw, curve) under the
#: posterior of `model` fitted without those curves.
ModelRefit = Callable[[str, Sequence[str]], xr.DataArray]

CRITERIA = ("curve_cv", "loo")
#: Sampler diagnostics copied from each Fit into ranking.json (inference's Diagnostics).
SAMPLING_FIELDS = (
    "max_rhat",
    "min_ess_bulk",
    "min_ess_tail",
    "n_divergent",
    "bfmi",
    "treedepth_hits",
    "ok",
    "warnings",
)


class FitLike(Protocol):
    """What rank() reads from a bayes_zba.inference.Fit."""

    tree: xr.DataTree

    @property
    def sample(self) -> str: ...

    @property
    def provenance(self) -> dict: ...

    @property
    def diagnostics(self) -> Any: ...


@dataclass(frozen=True)
class ModelScore:
    """One row of the ranking: headline elpd, difference to the best, weights, diagnostics.

    elpd/se/elpd_diff/dse/weights are on the ranking's criterion; elpd_loo, elpd_curve_cv and
    waic are each criterion's elpd (WAIC on the elpd scale, not deviance). `diagnostics` has
    "loo", "curve_cv", "waic" (ElpdEstimate.summary()) and "sampling" (the fit's diagnostics).
    """

    model: str
    elpd: float
    se: float
    elpd_diff: float
    dse: float
    weight_stacking: float
    weight_pseudo_bma: float
    elpd_loo: float
    elpd_curve_cv: float
    waic: float
    diagnostics: dict

    def to_json(self) -> dict:
        return _jsonable(asdict(self))

    @classmethod
    def from_json(cls, data: Mapping) -> "ModelScore":
        return cls(**{f.name: data[f.name] for f in fields(cls)})


@dataclass(frozen=True)
class Ranking:
    """Models of one sample, best first on `criterion`, with the verdict and provenance."""

    sample: str
    criterion: str
    verdict: Verdict
    scores: tuple[ModelScore, ...]
    provenance: dict

    @property
    def models(self) -> list[str]:
        return [score.model for score in self.scores]

    def to_json(self) -> dict:
        """ranking.json: keys sample, verdict, criterion, ranking (best first), provenance."""
        return _jsonable(
            {
                "sample": self.sample,
                "verdict": self.verdict.to_json(),
                "criterion": self.criterion,
                "ranking": [score.to_json() for score in self.scores],
                "provenance": self.provenance,
            }
        )

    @classmethod
    def from_json(cls, data: Mapping) -> "Ranking":
        return cls(
            sample=data["sample"],
            criterion=data["criterion"],
            verdict=Verdict.from_json(data["verdict"]),
            scores=tuple(ModelScore.from_json(row) for row in data["ranking"]),
            provenance=dict(data["provenance"]),
        )


def rank(
    fits: Mapping[str, FitLike],
    *,
    refit: ModelRefit | None = None,
    criterion: str = "curve_cv",
    max_refits: int = DEFAULT_MAX_REFITS,
) -> Ranking:
    """Compare fits of one sample (model name -> Fit) on `criterion` ("curve_cv" or "loo").

    Curve-CV refits (when `refit` is given) go where they can change the verdict: the
    leader's high-k̂ curves first, then, while the gap to the runner-up is not decisive,
    those of the runner-up and of models tied with the leader; at most `max_refits` per
    model, round after round until none is left. Other PSIS values stay as they are: at
    high k̂ they are typically optimistic, so they cannot lift a model past the leader.
    """
    if criterion not in CRITERIA:
        raise ValueError(f"criterion must be one of {CRITERIA}, got {criterion!r}")
    sample = _common_sample(fits)
    estimates = {
        "loo": {m: point_loo(fit.tree) for m, fit in fits.items()},
        "curve_cv": _curve_cv(fits, refit, max_refits),
    }
    waics = {m: waic(fit.tree) for m, fit in fits.items()}
    tables = {c: compare_models(estimates[c]) for c in CRITERIA}
    crosscheck = next(c for c in CRITERIA if c != criterion)
    verdict = decide(
        standings(tables[criterion]),
        standings(tables[crosscheck]),
        {m: _health(m, fit, estimates) for m, fit in fits.items()},
        criterion=criterion,
        crosscheck_criterion=crosscheck,
    )
    scores = tuple(
        _score(m, tables[criterion].loc[m], estimates, waics[m], fits[m])
        for m in tables[criterion].index
    )
    provenance = _provenance(fits, criterion, max_refits, refit is not None)
    return Ranking(sample, criterion, verdict, scores, provenance)


def standings(table: pd.DataFrame) -> list[Standing]:
    """The rows of a compare_models table as verdict Standings, best first."""
    return [Standing(str(m), float(r.elpd_diff), float(r.dse)) for m, r in table.iterrows()]


def save_ranking(ranking: Ranking, path: str | os.PathLike) -> Path:
    """Write ranking.json atomically (files.write_atomically); returns the path."""
    return write_json_atomically(path, ranking.to_json(), allow_nan=False, ensure_ascii=False)


def load_ranking(path: str | os.PathLike) -> Ranking:
    """Read a ranking.json written by save_ranking."""
    return Ranking.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


def _curve_cv(
    fits: Mapping[str, FitLike], refit: ModelRefit | None, max_refits: int
) -> dict[str, ElpdEstimate]:
    """Curve-CV estimates of every model, high-k̂ curves refit where it matters (see rank)."""
    estimates = {m: curve_psis(fit.tree) for m, fit in fits.items()}
    if refit is None:
        return estimates
    budget = dict.fromkeys(fits, max_refits)
    while pending := _refit_targets(estimates, budget):
        for m in pending:
            before = len(estimates[m].refit)
            estimates[m] = refit_high_k(estimates[m], partial(refit, m), budget[m])
            budget[m] -= len(estimates[m].refit) - before
    return estimates


def _refit_targets(estimates: Mapping[str, ElpdEstimate], budget: Mapping[str, int]) -> list[str]:
    """Models to refit next: the leader; the other contenders too unless the gap is decisive."""
    ranked = standings(compare_models(estimates))
    runner_up = ranked[1]
    decided = separation(runner_up.elpd_diff, runner_up.dse) == "decisive"
    candidates = [ranked[0].model] if decided else contenders(ranked)
    return [m for m in candidates if budget[m] > 0 and estimates[m].unresolved_high_k()]


def _common_sample(fits: Mapping[str, FitLike]) -> str:
    """The one sample all fits share; errors when the fits saw different data."""
    if len(fits) < 2:
        raise ValueError(f"rank needs at least two fits, got {sorted(fits)}")
    samples = {fit.sample for fit in fits.values()}
    if len(samples) != 1:
        raise ValueError(f"fits of different samples cannot be ranked: {sorted(samples)}")
    reference_name, reference = next(iter(fits.items()))
    for name, fit in fits.items():
        if not _same_data(reference.tree, fit.tree):
            raise ValueError(
                f"fits {reference_name!r} and {name!r} were made on different data "
                f"(observed points or curves differ); refit them on the same dataset"
            )
    return samples.pop()


def _same_data(a: xr.DataTree, b: xr.DataTree) -> bool:
    observed_a, observed_b = a["observed_data"]["G_obs"], b["observed_data"]["G_obs"]
    curves_a = a["log_likelihood"]["G_curve"]["curve"].values
    curves_b = b["log_likelihood"]["G_curve"]["curve"].values
    return np.array_equal(observed_a.values, observed_b.values) and np.array_equal(
        curves_a, curves_b
    )


def _health(model: str, fit: FitLike, estimates: Mapping[str, Mapping[str, ElpdEstimate]]):
    return Health(
        model=model,
        n_divergent=int(fit.diagnostics.n_divergent),
        max_rhat=float(fit.diagnostics.max_rhat),
        unresolved_high_k={
            c: (len(by_model[model].unresolved_high_k()), by_model[model].n_units)
            for c, by_model in estimates.items()
        },
        n_chains=int(fit.tree["posterior"].sizes["chain"]),
        max_rhat_predictive=predictive_rhat(fit.tree),
        restarts=tuple(fit.diagnostics.restarts),
    )


def predictive_rhat(tree: xr.DataTree) -> float:
    """Largest rank-normalised R-hat of the curve log-likelihoods (G_curve) of a fit."""
    curves = tree["log_likelihood"]["G_curve"]
    return float(azs.rhat(curves, sample_dims=["chain", "draw"]).max())


def _score(
    model: str,
    row: pd.Series,
    estimates: Mapping[str, Mapping[str, ElpdEstimate]],
    waic_estimate: ElpdEstimate,
    fit: FitLike,
) -> ModelScore:
    return ModelScore(
        model=model,
        elpd=float(row.elpd),
        se=float(row.se),
        elpd_diff=float(row.elpd_diff),
        dse=float(row.dse),
        weight_stacking=float(row.weight_stacking),
        weight_pseudo_bma=float(row.weight_pseudo_bma),
        elpd_loo=estimates["loo"][model].elpd,
        elpd_curve_cv=estimates["curve_cv"][model].elpd,
        waic=waic_estimate.elpd,
        diagnostics={
            "loo": estimates["loo"][model].summary(),
            "curve_cv": estimates["curve_cv"][model].summary(),
            "waic": waic_estimate.summary(),
            "sampling": {name: getattr(fit.diagnostics, name) for name in SAMPLING_FIELDS},
        },
    )


def _provenance(
    fits: Mapping[str, FitLike], criterion: str, max_refits: int, refit_given: bool
) -> dict:
    return {
        "bayes_zba": __version__,
        "arviz_stats": version("arviz-stats"),
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "criterion": criterion,
        "max_refits": max_refits,
        "refit_available": refit_given,
        "fits": {m: fit.provenance for m, fit in fits.items()},
    }


def _jsonable(value: Any) -> Any:
    """Plain JSON types: NumPy scalars/arrays unwrapped, non-finite floats as None."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
