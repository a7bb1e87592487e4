"""Simulation-based calibration of one model: prior draws, refits, rank uniformity per quantity.

θ ~ prior, y ~ p(y | θ), fit y: the rank of θ among posterior draws is uniform for every
quantity iff inference is calibrated (Talts et al. 2018); statistics in studies/ranks.py.
"""

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from arviz_stats import ess, rhat

from bayes_zba.files import write_json_atomically
from bayes_zba.models import load_config
from bayes_zba.report.publish import write_page
from bayes_zba.studies.derived import (
    DERIVED_NAMES,
    ReferenceCurve,
    reference_curve,
    zba_depth_and_width,
)
from bayes_zba.studies.design import (
    design_dataset,
    prior_predictive_replications,
    save_replications,
    write_fixed_prior_config,
)
from bayes_zba.studies.pages import sbc_page
from bayes_zba.studies.ranks import (
    BAND_PROB,
    PASS_P_VALUE,
    RANK_DRAWS_TARGET,
    fractional_ranks,
    outside_draws,
    rank_of_truth,
    thinning_indices,
    uniformity,
)
from bayes_zba.studies.tasks import SamplerSettings, StudyOptions, fit_from_spec

#: Refits are split at this largest R-hat to locate a failure (`convergence_strata`). Looser
#: than the per-fit warning RHAT_MAX = 1.01: at 4 × 500 draws a 1.01 split of the 2ck study
#: kept 15 of 100 refits, too few to test; 1.05 is the older Gelman–Rubin cut-off.
CONVERGED_RHAT = 1.05
#: A stratum with fewer refits than this is reported by its size only (no tests).
MIN_STRATUM = 10


def plan_sbc(
    model: str,
    n: int,
    design: str,
    out: Path,
    *,
    config: str | Path | None,
    seed: int,
    sampler: SamplerSettings,
) -> list[dict[str, Any]]:
    """Draw `n` prior-predictive datasets, save them and the frozen config, return task specs."""
    base_config = load_config(config or model)
    design_data = design_dataset(model, design, seed)
    config_path = write_fixed_prior_config(base_config, design_data, out / "config-fixed.toml")
    fixed_config = load_config(config_path)
    replications = prior_predictive_replications(design_data, model, fixed_config, n, seed)
    paths = save_replications(replications, out / "data", prefix="sbc")
    reference = reference_curve(replications[0].dataset.table).as_dict()
    seeds = np.random.SeedSequence(seed).generate_state(n)
    return [
        {
            "task_id": f"sbc-{index:04d}",
            "model": model,
            "data": str(path),
            "data_fingerprint": replication.dataset.fingerprint,
            "config": str(config_path),
            "config_text": fixed_config.text,
            "truth": replication.truth,
            "design": design,
            "reference": reference,
            "seed": int(task_seed),
            **sampler.as_dict(),
        }
        for index, (path, replication, task_seed) in enumerate(
            zip(paths, replications, seeds, strict=True)
        )
    ]


def _flat_draws(posterior: xr.Dataset, name: str) -> np.ndarray:
    return posterior[name].values.reshape(-1)


def sbc_replication(spec: dict[str, Any]) -> dict[str, Any]:
    """Worker task: fit one prior-predictive dataset, rank its truth among thinned draws."""
    result = fit_from_spec(spec)
    posterior = result.tree["posterior"].to_dataset()
    names = [name for name in spec["truth"] if name in posterior and posterior[name].ndim == 2]
    bulk = ess(posterior[names], method="bulk")
    tail = ess(posterior[names], method="tail")
    ess_min = float(min(min(bulk[n].item(), tail[n].item()) for n in names))
    flat = {name: _flat_draws(posterior, name) for name in names}
    keep = thinning_indices(len(flat[names[0]]), ess_min)
    draws = {name: values[keep] for name, values in flat.items()}
    reference = ReferenceCurve(**spec["reference"])
    draws.update(_derived_draws(spec["model"], draws, reference))
    truth = {**spec["truth"], **zba_depth_and_width(spec["model"], spec["truth"], reference)}
    rng = np.random.default_rng(spec["seed"])
    diagnostics = result.diagnostics
    split_rhat = rhat(posterior[names])
    return {
        "ranks": {name: rank_of_truth(draws[name], truth[name], rng) for name in draws},
        "n_draws": int(keep.size),
        "ess_min": ess_min,
        "n_divergent": int(diagnostics.n_divergent),
        "max_rhat": float(diagnostics.max_rhat),
        # Per parameter, to tell which one a non-converged refit failed on.
        "rhat": {name: float(split_rhat[name]) for name in names},
        # Stranded chains run again (inference.restarts): lets the ranks be split by them.
        "restarted_chains": len(diagnostics.restarts),
    }


def _derived_draws(
    model: str, draws: Mapping[str, np.ndarray], reference: ReferenceCurve
) -> dict[str, np.ndarray]:
    """Depth and width of every kept draw."""
    per_draw = [
        zba_depth_and_width(model, {n: v[i] for n, v in draws.items()}, reference)
        for i in range(len(next(iter(draws.values()))))
    ]
    return {name: np.array([d[name] for d in per_draw]) for name in DERIVED_NAMES}


def convergence_strata(
    u: Mapping[str, np.ndarray], max_rhat: np.ndarray, seed: int, limit: float = CONVERGED_RHAT
) -> dict[str, Any]:
    """Uniformity of each quantity within refits with R-hat <= `limit` and within the rest.

    A diagnostic, not a pass rule: it says whether a failure sits in refits whose chains
    disagree (a sampler problem) or also in the converged ones (the model, the simulator or
    a bias the chains agree on). Selecting on R-hat, a statistic of the draws, can itself bend
    the ranks a little, so the study's pass flags stay those of all refits.
    """
    converged = np.asarray(max_rhat) <= limit
    return {
        "rhat_limit": limit,
        "converged": _stratum(u, converged, seed),
        "not_converged": _stratum(u, ~converged, seed),
    }


def _stratum(u: Mapping[str, np.ndarray], members: np.ndarray, seed: int) -> dict[str, Any]:
    """Size of one stratum and, if it has MIN_STRATUM refits, each quantity's uniformity."""
    size = int(members.sum())
    if size < MIN_STRATUM:
        return {"n": size, "parameters": None}
    return {
        "n": size,
        "parameters": {
            name: uniformity(values[members], seed).as_dict() for name, values in u.items()
        },
    }


def summarize_sbc(
    model: str, specs: Sequence[Mapping[str, Any]], results: Sequence[Mapping[str, Any]], seed: int
) -> dict[str, Any]:
    """sbc.json content: per-quantity uniformity, pass flags, ranks and refit health."""
    rng = np.random.default_rng(seed)
    n_draws = np.array([r["n_draws"] for r in results])
    max_rhat = np.array([r["max_rhat"] for r in results], dtype=float)
    names = list(results[0]["ranks"])
    ranks = {name: [int(r["ranks"][name]) for r in results] for name in names}
    u = {name: fractional_ranks(np.array(ranks[name]), n_draws, rng) for name in names}
    parameters = {
        name: {
            **uniformity(u[name], seed).as_dict(),
            "outside": outside_draws(np.array(ranks[name]), n_draws).as_dict(),
        }
        for name in names
    }
    passed = [p["pass"] for p in parameters.values()]
    return {
        "model": model,
        "n": len(results),
        "seed": seed,
        "design": specs[0]["design"],
        "reference": specs[0]["reference"],
        "config": specs[0]["config"],
        "sampler": {k: specs[0][k] for k in ("chains", "draws", "tune")},
        "method": {
            "statistic": "chi-square of binned fractional ranks (rank + U)/(L + 1)",
            "pass_rule": f"p_value >= {PASS_P_VALUE} and ECDF inside the band",
            "band": f"{BAND_PROB:.0%} simultaneous ECDF band, arviz_stats ecdf_pit simulation",
            "thinning": f"min({RANK_DRAWS_TARGET}, ESS) evenly spaced posterior draws",
            "outside": "truths below (rank 0) or above (rank L) every kept draw; expected "
            "Σ 1/(L + 1) at each end; p: Poisson-binomial tail of their sum (not a pass rule)",
        },
        "parameters": parameters,
        "pass_rate": float(np.mean(passed)),
        "all_pass": bool(all(passed)),
        "by_convergence": convergence_strata(u, max_rhat, seed),
        "refits": {
            "n_with_divergences": int(sum(r["n_divergent"] > 0 for r in results)),
            "max_rhat": float(max_rhat.max()),
            "n_draws_min": int(n_draws.min()),
            "n_draws_median": float(np.median(n_draws)),
        },
        "ranks": ranks,
        "n_draws": n_draws.tolist(),
        "fractional_ranks": {name: values.tolist() for name, values in u.items()},
    }


def run_sbc(
    model: str,
    n: int,
    design: str,
    out: Path,
    *,
    config: str | Path | None = None,
    options: StudyOptions | None = None,
) -> dict[str, Any]:
    """SBC of `model` with `n` replications on `design`; writes sbc.json and its report."""
    out = Path(out)
    options = options or StudyOptions()
    specs = plan_sbc(
        model, n, design, out, config=config, seed=options.seed, sampler=options.sampler
    )
    results = options.run(specs, sbc_replication, out)
    summary = summarize_sbc(model, specs, results, options.seed)
    write_json_atomically(out / "sbc.json", summary, sort_keys=True)
    write_page(sbc_page(summary), out, "sbc")
    return summary
