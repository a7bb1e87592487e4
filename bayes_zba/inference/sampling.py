"""Run NUTS on a built model: nutpie (default, numba backend) or PyMC's own sampler.

Both return a DataTree with posterior (free parameters + G_model) and sample_stats renamed
to PyMC's names, plus what was spent (compile/sampling seconds, gradient evaluations).
"""

import dataclasses
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import nutpie
import pymc as pm
import xarray as xr

from bayes_zba.inference.compiled import compiled_model
from bayes_zba.inference.restarts import Restart, restart_stranded
from bayes_zba.models.config import DEFAULT_TARGET_ACCEPT

Sampler = Literal["nutpie", "pymc"]
SAMPLERS = ("nutpie", "pymc")
#: nutpie sample_stats names -> PyMC's (the names the Fit contract uses).
NUTPIE_STAT_NAMES = {
    "depth": "tree_depth",
    "maxdepth_reached": "reached_max_treedepth",
    "logp": "lp",
    "mean_tree_accept": "acceptance_rate",
}
#: sample_stats kept in a Fit (others are sampler internals).
KEPT_STATS = (
    "diverging",
    "tree_depth",
    "reached_max_treedepth",
    "energy",
    "energy_error",
    "n_steps",
    "step_size",
    "lp",
    "acceptance_rate",
)
#: nutpie's mass-matrix adaptation: a diagonal plus low-rank update that follows the strong
#: amplitude-shape-offset correlations of these posteriors (diagonal-only adaptation needed
#: 4x the leapfrog steps per draw and gave 25-50x lower ESS/s on the shipped examples).
NUTPIE_ADAPTATION = "low_rank"
#: How chains start (reported in provenance).
INITIALISATION = (
    "each chain starts at the prior support point (median/mode of every prior, offsets 0) "
    "plus U(-1, 1) jitter on the unconstrained scale; a chain stranded far below the others "
    "in log density is run again from a new seed (at most twice), then once from the last "
    "draw of the best chain (inference.restarts)"
)
#: nutpie's per-draw vector of sampler (unconstrained) coordinates: kept while chains may be
#: restarted from a draw, dropped from the returned run.
START_COORDINATES = "unconstrained_draw"

ChainProgress = Callable[[int, int, int], None]  # (finished draws, total draws, divergences)


@dataclass
class SamplerRun:
    """A sampler's output and cost."""

    tree: xr.DataTree
    timings: dict[str, float] = field(default_factory=dict)
    gradient_evaluations: int = 0
    reused_compiled_model: bool = False
    restarts: list[Restart] = field(default_factory=list)


def traced_names(model: pm.Model) -> list[str]:
    """Variables stored per draw: free parameters and deterministics (amplitudes, G_model)."""
    return [rv.name for rv in model.free_RVs] + [d.name for d in model.deterministics]


def sample(
    model: pm.Model,
    *,
    sampler: Sampler,
    seed: int,
    chains: int,
    draws: int,
    tune: int,
    progress: bool,
    target_accept: float = DEFAULT_TARGET_ACCEPT,
    structure_key: str | None = None,
    on_compiled: Callable[[], None] = lambda: None,
    on_progress: ChainProgress | None = None,
) -> SamplerRun:
    """Sample `model` with NUTS; `on_compiled`/`on_progress` report to a progress display.

    With a `structure_key` (models.model_structure), nutpie reuses a model compiled earlier
    in this process for the same key, with this model's data swapped in.
    """
    if sampler not in SAMPLERS:
        raise ValueError(f"unknown sampler {sampler!r}; use one of {', '.join(SAMPLERS)}")
    if sampler == "pymc":
        on_compiled()
        return _with_stranded_restarted(
            lambda n, s, start: _sample_pymc(
                model, s, n, draws, tune, progress, target_accept, start
            ),
            seed,
            chains,
        )
    start = time.perf_counter()
    with compiled_model(model, structure_key, traced_names(model)) as (compiled, reused):
        compile_s = time.perf_counter() - start
        on_compiled()

        def run_nutpie(n_chains: int, chain_seed: int, start: xr.DataTree | None) -> SamplerRun:
            started = time.perf_counter()
            raw = nutpie.sample(
                compiled if start is None else nutpie_started_at(compiled, start),
                draws=draws,
                tune=tune,
                chains=n_chains,
                seed=chain_seed,
                save_warmup=True,
                adaptation=NUTPIE_ADAPTATION,
                target_accept=target_accept,
                progress_bar=progress and on_progress is None,
                progress_callback=_nutpie_callback(on_progress) if on_progress else None,
                store_unconstrained=True,
            )
            stats = raw["sample_stats"].to_dataset()
            tree = xr.DataTree.from_dict(
                {
                    "posterior": raw["posterior"].to_dataset(),
                    "sample_stats": _renamed_stats(stats, NUTPIE_STAT_NAMES).assign(
                        {START_COORDINATES: stats[START_COORDINATES]}
                    ),
                }
            )
            timings = {"compile_s": 0.0, "sampling_s": time.perf_counter() - started}
            return SamplerRun(tree, timings, _total_steps(raw), reused_compiled_model=reused)

        run = _with_stranded_restarted(run_nutpie, seed, chains)
    run.timings["compile_s"] = compile_s
    return run


def nutpie_started_at(compiled: Any, start: xr.DataTree) -> Any:
    """`compiled` whose every chain starts at the sampler coordinates of the one-draw tree
    `start` (its START_COORDINATES), without jitter."""
    point = np.array(start["sample_stats"][START_COORDINATES].values, dtype=float)
    return dataclasses.replace(compiled, initial_point_func=lambda _seed: point.copy())


def _with_stranded_restarted(
    run_chains: Callable[[int, int, xr.DataTree | None], SamplerRun], seed: int, chains: int
) -> SamplerRun:
    """`run_chains(chains, seed, None)`, with stranded chains run again (inference.restarts)."""
    first = run_chains(chains, seed, None)
    extra: list[SamplerRun] = []

    def rerun(n_chains: int, chain_seed: int, start: xr.DataTree | None) -> xr.DataTree:
        extra.append(run_chains(n_chains, chain_seed, start))
        return extra[-1].tree

    tree, first.restarts = restart_stranded(first.tree, seed, rerun)
    stats = tree["sample_stats"].to_dataset().drop_vars(START_COORDINATES, errors="ignore")
    first.tree = xr.DataTree.from_dict(
        {"posterior": tree["posterior"].to_dataset(), "sample_stats": stats}
    )
    for run in extra:
        first.gradient_evaluations += run.gradient_evaluations
        for key, seconds in run.timings.items():
            first.timings[key] += seconds
    return first


def _nutpie_callback(on_progress: ChainProgress) -> Callable[[list[Any]], None]:
    def report(chains: list[Any]) -> None:
        finished = sum(c.finished_draws for c in chains)
        total = sum(c.total_draws for c in chains)
        on_progress(finished, total, sum(c.divergences for c in chains))

    return report


def _sample_pymc(
    model: pm.Model,
    seed: int,
    chains: int,
    draws: int,
    tune: int,
    progress: bool,
    target_accept: float,
    start: xr.DataTree | None = None,
) -> SamplerRun:
    """PyMC's NUTS; a one-draw `start` tree sets every chain's initial values (no jitter)."""
    started = time.perf_counter()
    initvals = None
    if start is not None:
        initvals = {rv.name: start["posterior"][rv.name].values for rv in model.free_RVs}
    with model:
        raw = pm.sample(
            draws=draws,
            tune=tune,
            chains=chains,
            cores=min(chains, os.cpu_count() or 1),
            random_seed=seed,
            nuts_sampler="pymc",
            target_accept=target_accept,
            progressbar=progress,
            var_names=traced_names(model),
            compute_convergence_checks=False,
            discard_tuned_samples=False,
            initvals=initvals,
            init="auto" if start is None else "adapt_diag",
        )
    elapsed = time.perf_counter() - started
    stats = raw["sample_stats"].to_dataset()
    # PyMC compiles inside pm.sample; its sampling_time attribute excludes compilation.
    sampling_s = float(stats.attrs.get("sampling_time", elapsed))
    tree = xr.DataTree.from_dict(
        {"posterior": raw["posterior"].to_dataset(), "sample_stats": _renamed_stats(stats, {})}
    )
    timings = {"compile_s": max(elapsed - sampling_s, 0.0), "sampling_s": sampling_s}
    return SamplerRun(tree, timings, _total_steps(raw))


def _renamed_stats(stats: xr.Dataset, names: dict[str, str]) -> xr.Dataset:
    renamed = stats.rename({k: v for k, v in names.items() if k in stats})
    kept = renamed[[name for name in KEPT_STATS if name in renamed]]
    return kept.assign_attrs(
        {k: v for k, v in stats.attrs.items() if isinstance(v, str | int | float)}
    )


def _total_steps(raw: xr.DataTree) -> int:
    """Leapfrog steps (gradient evaluations) of warm-up and sampling together."""
    groups = [raw[g] for g in ("sample_stats", "warmup_sample_stats") if g in raw.children]
    return sum(int(np.asarray(g["n_steps"]).sum()) for g in groups if "n_steps" in g)
