"""Run NUTS on a built model: nutpie (default, JAX backend) or PyMC's own sampler.

Both return a DataTree with posterior (free parameters + G_model) and sample_stats renamed
to PyMC's names, plus what was spent (compile/sampling seconds, gradient evaluations).
"""

import dataclasses
import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import nutpie
import pymc as pm
import pytensor
import pytensor.tensor as pt
import xarray as xr
from nutpie.compiled_pyfunc import from_pyfunc
from pymc.initial_point import make_initial_point_fn
from pytensor.graph.replace import clone_replace

from bayes_zba.inference.compiled import compiled_model, log_density_of, with_initial_points
from bayes_zba.inference.modes import (
    STARTS_PER_CHAIN,
    LogDensity,
    chosen_modes,
    climb_all,
    laplace_draw,
)
from bayes_zba.inference.restarts import (
    START_COORDINATES,
    STRANDED_LP_GAP,
    ChainRequest,
    Restart,
    Scout,
    Scouting,
    chain_ends,
    ending_draws,
    scouted_run,
)
from bayes_zba.models.config import DEFAULT_TARGET_ACCEPT
from bayes_zba.threads import chain_threads

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
#: What happens after the run, whatever the starts (reported in provenance).
RESTART_RULE = (
    "a chain whose region holds negligible estimated mass is run again from draws of the "
    "heaviest chain (inference.restarts)"
)
#: How chains start (reported in provenance).
INITIALISATION = (
    f"L-BFGS climbs from {STARTS_PER_CHAIN} starts per chain (alternately the prior support "
    "point, median/mode of every prior with offsets 0, plus U(-1, 1) jitter on the "
    "unconstrained scale, and independent draws from the prior) to the posterior modes; each "
    "chain starts at a draw from the Laplace approximation of its mode: the highest mode, "
    "then in turn the mode farthest from those chosen (in posterior sd), among the modes "
    f"within {STRANDED_LP_GAP:g} nats of the highest (inference.modes); " + RESTART_RULE
)
#: How the chains of a run given starts begin (a curve-CV refit from its full fit's chains).
GIVEN_STARTS = (
    "each chain starts at the last draw of a chain of the full fit (a curve-CV refit: nearly "
    "the same posterior), no scouting; " + RESTART_RULE
)

#: (finished draws, total draws, divergences)
ChainProgress = Callable[[int, int, int], None]


@dataclass
class SamplerRun:
    """A sampler's output and cost."""

    tree: xr.DataTree
    timings: dict[str, float] = field(default_factory=dict)
    gradient_evaluations: int = 0
    reused_compiled_model: bool = False
    scouting: Scouting | None = None
    restarts: list[Restart] = field(default_factory=list)
    #: chain_ends of the kept chains, where a later run can start (None: a single run
    #: inside scouting, before its chains are kept).
    chain_ends: xr.Dataset | None = None


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
    on_stage: Callable[[str], None] = lambda text: None,
    on_progress: ChainProgress | None = None,
    starts: xr.DataTree | None = None,
) -> SamplerRun:
    """Sample `model` with NUTS; `on_stage`/`on_progress` report to a progress display.

    Chains start at draws from the Laplace approximations of posterior modes that climbs from
    many starts reached (inference.modes) or, given `starts` (restarts.ending_draws of a fit
    of nearly the same posterior), there.

    With a `structure_key` (models.model_structure), nutpie reuses a model compiled earlier
    in this process for the same key, with this model's data swapped in.
    """
    if sampler not in SAMPLERS:
        raise ValueError(f"unknown sampler {sampler!r}; use one of {', '.join(SAMPLERS)}")
    if sampler == "pymc":
        scout = mode_scout(model, pymc_log_density(model), on_stage)
        return _scouted(
            lambda request: _sample_pymc(model, request, draws, tune, target_accept, progress),
            scout,
            seed,
            chains,
            starts,
        )
    on_stage("compiling")
    start = time.perf_counter()
    with compiled_model(model, structure_key, traced_names(model)) as (compiled, reused):
        compile_s = time.perf_counter() - start

        def run_nutpie(request: ChainRequest) -> SamplerRun:
            on_stage("sampling")
            started = time.perf_counter()
            background = nutpie.sample(
                nutpie_started_at(compiled, request.starts, request.seed, request.chains),
                draws=draws,
                tune=tune,
                chains=request.chains,
                cores=chain_threads(request.chains),
                seed=request.seed,
                save_warmup=True,
                adaptation=NUTPIE_ADAPTATION,
                target_accept=target_accept,
                progress_bar=progress and on_progress is None,
                progress_callback=_nutpie_callback(on_progress) if on_progress else None,
                store_unconstrained=True,
                blocking=False,
            )
            raw = finished_trace(background)
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

        scout = mode_scout(model, log_density_of(compiled), on_stage)
        run = _scouted(run_nutpie, scout, seed, chains, starts)
    run.timings["compile_s"] = compile_s
    return run


def mode_scout(
    model: pm.Model, log_density: LogDensity, on_stage: Callable[[str], None] = lambda text: None
) -> Scout:
    """restarts.Scout of `model`: climbs from STARTS_PER_CHAIN starts per chain (scout_starts)
    to posterior modes, and each chain's start drawn from its chosen mode's Laplace
    approximation (inference.modes)."""
    values_of = coordinates_to_values(model)

    def scout(seed: int, chains: int) -> tuple[xr.DataTree, Scouting]:
        count = STARTS_PER_CHAIN * chains
        on_stage(f"scouting: climbing to the posterior modes from {count} starts")
        first = scout_starts(model, seed, count)["sample_stats"][START_COORDINATES].values
        modes = climb_all(log_density, first, workers=chain_threads(count))
        chosen = chosen_modes(modes, chains)
        rng = np.random.default_rng(seed)
        points = np.stack([laplace_draw(modes[i], rng) for i in chosen])
        scouting = Scouting(
            seed,
            [float(mode.log_density) for mode in modes],
            chosen,
            sum(mode.evaluations for mode in modes),
        )
        return starts_at(points, values_of), scouting

    return scout


def _scouted(
    run_chains: Callable[[ChainRequest], SamplerRun],
    scout: Scout,
    seed: int,
    chains: int,
    starts: xr.DataTree | None = None,
) -> SamplerRun:
    """A run of `chains` chains started by `scout` (or at `starts`), with stranded chains run
    again (inference.restarts); timings and gradient evaluations summed over every run and
    the scouting."""
    runs: list[SamplerRun] = []
    scouting_s = 0.0

    def run_tree(request: ChainRequest) -> xr.DataTree:
        runs.append(run_chains(request))
        return runs[-1].tree

    def timed_scout(scout_seed: int, count: int) -> tuple[xr.DataTree, Scouting]:
        nonlocal scouting_s
        started = time.perf_counter()
        found = scout(scout_seed, count)
        scouting_s = time.perf_counter() - started
        return found

    tree, scouting, restarts = scouted_run(run_tree, seed, chains, timed_scout, starts)
    main = runs[0]
    timings = {key: sum(r.timings[key] for r in runs) for key in main.timings}
    if scouting is not None:
        timings["scouting_s"] = scouting_s
    stats = tree["sample_stats"].to_dataset()
    return dataclasses.replace(
        main,
        tree=xr.DataTree.from_dict(
            {
                "posterior": tree["posterior"].to_dataset(),
                "sample_stats": stats.drop_vars(START_COORDINATES, errors="ignore"),
            }
        ),
        timings=timings,
        gradient_evaluations=sum(r.gradient_evaluations for r in runs)
        + (0 if scouting is None else scouting.evaluations),
        scouting=scouting,
        restarts=restarts,
        chain_ends=chain_ends(tree),
    )


def finished_trace(background: Any) -> xr.DataTree:
    """The trace of a nutpie run started with blocking=False, once every chain has finished.

    An interrupt (Ctrl-C) or any error cancels the run and propagates: nutpie's own blocking
    call would instead return the draws made so far as if they were a result.
    """
    try:
        return background.wait()
    except BaseException:
        background.cancel()
        raise


def nutpie_started_at(compiled: Any, starts: xr.DataTree, seed: int, chains: int) -> Any:
    """`compiled` whose chain i of a run with this nutpie `seed` starts at start i mod k of
    the sampler coordinates (START_COORDINATES) of the tree `starts` (dim "start"), without
    jitter.

    nutpie asks each chain's initial point from its worker threads in whatever order they
    run, passing a seed that depends on (seed, chain) only; the start is chosen by that
    seed (nutpie_chain_seeds), so which chain starts where, and hence the draws, do not
    depend on thread timing or the number of threads. A seed nutpie draws to retry a failed
    start belongs to no chain and gets start seed mod k.
    """
    points = np.atleast_2d(np.array(starts["sample_stats"][START_COORDINATES].values, float))
    chain_of_seed = {s: chain for chain, s in enumerate(nutpie_chain_seeds(seed, chains))}

    def initial_point(chain_seed: int) -> np.ndarray:
        index = chain_of_seed.get(int(chain_seed), int(chain_seed))
        return points[index % len(points)].copy()

    return with_initial_points(compiled, initial_point)


@functools.lru_cache(maxsize=256)
def nutpie_chain_seeds(seed: int, chains: int) -> tuple[int, ...]:
    """The seeds nutpie passes to the initial-point function of chains 0 … chains − 1 of a
    run with `seed`: recorded from a one-thread run (chains in order) of a one-dimensional
    standard normal, which takes milliseconds."""
    recorded: list[int] = []

    def record(chain_seed: int) -> np.ndarray:
        recorded.append(int(chain_seed))
        return np.ones(1)  # nutpie rejects a start whose gradient is exactly zero

    probe = from_pyfunc(
        1,
        lambda: _standard_normal_logp,
        lambda *_: _expand_to_x,
        [np.dtype("float64")],
        [(1,)],
        ["x"],
        make_initial_point_fn=record,
    )
    nutpie.sample(
        probe,
        draws=1,
        tune=10,
        chains=chains,
        cores=1,
        seed=seed,
        progress_bar=False,
        return_raw_trace=True,
    )
    if len(recorded) != chains:
        raise RuntimeError(f"nutpie asked {len(recorded)} initial points for {chains} chains")
    return tuple(recorded)


def _standard_normal_logp(x: np.ndarray) -> tuple[float, np.ndarray]:
    return -0.5 * float(x @ x), -x


def _expand_to_x(x: np.ndarray) -> dict[str, np.ndarray]:
    return {"x": np.array(x)}


def scout_starts(model: pm.Model, seed: int, count: int) -> xr.DataTree:
    """Starts (dim "start") of `count` scouts of `model`: even ones at the support point plus
    U(-1, 1) jitter on the sampler's scale, odd ones at independent draws from the prior.

    Starts near the support point alone can all fall into one basin that is not the one
    holding the mass: on 2ck SBC data sets 2 and 68, all 12 such scouts settled with large
    curve offsets at a_geom 0.08 and 1.0, 60 and 527 nats of log density below the truth's
    basin (a_geom 0.94 and 0.004, found by optimizing from the truth with offsets 0). With all
    12 scouts at prior draws, 5 reached the truth's basin on each; with every other one, the
    refits left 0 and 1 of 15 quantities' truths outside every kept draw (10 and 14 before).
    """
    near = make_initial_point_fn(
        model=model, jitter_rvs=set(model.free_RVs), return_transformed=False
    )
    far = make_initial_point_fn(
        model=model, jitter_rvs=set(), default_strategy="prior", return_transformed=False
    )
    seeds = np.random.SeedSequence(seed).generate_state(count)
    points = [(far if i % 2 else near)(int(s)) for i, s in enumerate(seeds)]
    posterior = xr.Dataset(
        {
            rv.name: (
                ("chain", "draw", *(f"{rv.name}_dim_{k}" for k in range(rv.ndim))),
                np.stack([point[rv.name] for point in points])[:, None],
            )
            for rv in model.free_RVs
        }
    )
    coordinates = unconstrained_draws(model, posterior).isel(draw=0, drop=True)
    return ending_draws(posterior, xr.Dataset({START_COORDINATES: coordinates}))


def _nutpie_callback(on_progress: ChainProgress) -> Callable[[list[Any]], None]:
    def report(chains: list[Any]) -> None:
        finished = sum(c.finished_draws for c in chains)
        total = sum(c.total_draws for c in chains)
        on_progress(finished, total, sum(c.divergences for c in chains))

    return report


def _sample_pymc(
    model: pm.Model,
    request: ChainRequest,
    draws: int,
    tune: int,
    target_accept: float,
    progress: bool,
) -> SamplerRun:
    """PyMC's NUTS; chain i begins at start i mod k of the request (no jitter)."""
    started = time.perf_counter()
    posterior = request.starts["posterior"]
    k = posterior.sizes["start"]
    initvals = [
        {rv.name: posterior[rv.name].values[i % k] for rv in model.free_RVs}
        for i in range(request.chains)
    ]
    with model:
        raw = pm.sample(
            draws=draws,
            tune=tune,
            chains=request.chains,
            cores=chain_threads(request.chains),
            random_seed=request.seed,
            nuts_sampler="pymc",
            target_accept=target_accept,
            progressbar=progress,
            var_names=traced_names(model),
            compute_convergence_checks=False,
            discard_tuned_samples=False,
            initvals=initvals,
            init="adapt_diag",
            mp_ctx="spawn",  # JAX runs threads: a forked child could deadlock
        )
    elapsed = time.perf_counter() - started
    stats = raw["sample_stats"].to_dataset()
    # PyMC compiles inside pm.sample; its sampling_time attribute excludes compilation.
    sampling_s = float(stats.attrs.get("sampling_time", elapsed))
    posterior = raw["posterior"].to_dataset()
    coordinates = {START_COORDINATES: unconstrained_draws(model, posterior)}
    tree = xr.DataTree.from_dict(
        {"posterior": posterior, "sample_stats": _renamed_stats(stats, {}).assign(coordinates)}
    )
    timings = {"compile_s": max(elapsed - sampling_s, 0.0), "sampling_s": sampling_s}
    return SamplerRun(tree, timings, _total_steps(raw))


def pymc_log_density(model: pm.Model) -> LogDensity:
    """The log density of `model` on the sampler's coordinates (START_COORDINATES order) and
    its gradient, compiled by PyTensor (what scouting climbs with PyMC's sampler)."""
    function = model.logp_dlogp_function(ravel_inputs=True)
    function.set_extra_values({})
    return lambda point: function(point)


def coordinates_to_values(model: pm.Model) -> Callable[[np.ndarray], dict[str, np.ndarray]]:
    """A function from sampler coordinates (one flat vector, START_COORDINATES order) to the
    value of every free variable (back through its transform)."""
    initial = model.initial_point()
    names = [value.name for value in model.value_vars]
    shapes = [np.shape(initial[name]) for name in names]
    wanted = [rv.name for rv in model.free_RVs]
    values = model.compile_fn(
        [model[name] for name in wanted],
        inputs=model.value_vars,
        on_unused_input="ignore",
        point_fn=False,
    )

    def of(point: np.ndarray) -> dict[str, np.ndarray]:
        pieces, position = [], 0
        for shape in shapes:
            size = int(np.prod(shape))
            pieces.append(np.reshape(point[position : position + size], shape))
            position += size
        return dict(zip(wanted, values(*pieces), strict=True))

    return of


def starts_at(
    points: np.ndarray, values_of: Callable[[np.ndarray], dict[str, np.ndarray]]
) -> xr.DataTree:
    """Starts (dim "start") at `points` (rows of sampler coordinates): the coordinates (nutpie's
    starts) and each free variable's value there (PyMC's)."""
    values = [values_of(point) for point in points]
    posterior = xr.Dataset(
        {
            name: (
                ("start", *(f"{name}_dim_{k}" for k in range(np.ndim(value)))),
                np.stack([v[name] for v in values]),
            )
            for name, value in values[0].items()
        }
    )
    coordinates = xr.DataArray(
        np.asarray(points, dtype=float), dims=("start", "unconstrained_parameter")
    )
    return xr.DataTree.from_dict(
        {"posterior": posterior, "sample_stats": xr.Dataset({START_COORDINATES: coordinates})}
    )


def unconstrained_draws(model: pm.Model, posterior: xr.Dataset) -> xr.DataArray:
    """Every draw of `posterior` in the sampler's coordinates: each free variable through its
    transform (log, interval, ...), flattened in model order, as nutpie stores them
    (START_COORDINATES). PyMC's trace does not keep them; scouting and the mass rule need them.
    """
    values = [rv.type() for rv in model.free_RVs]
    forward = [
        _on_sampler_scale(model, rv, value)
        for rv, value in zip(model.free_RVs, values, strict=True)
    ]
    flat = pt.concatenate([pt.flatten(f) for f in forward])
    to_sampler = pytensor.function(
        values,
        clone_replace(flat, replace=dict(zip(model.free_RVs, values, strict=True))),
        on_unused_input="ignore",
    )
    chains, draws = posterior.sizes["chain"], posterior.sizes["draw"]
    per_draw = [
        to_sampler(*(posterior[rv.name].values[c, d] for rv in model.free_RVs))
        for c in range(chains)
        for d in range(draws)
    ]
    return xr.DataArray(
        np.reshape(per_draw, (chains, draws, -1)),
        dims=("chain", "draw", "unconstrained_parameter"),
    )


def _on_sampler_scale(model: pm.Model, rv: pt.TensorVariable, value: pt.TensorVariable) -> Any:
    """`value` of the free variable `rv` through its transform (itself if it has none)."""
    transform = model.rvs_to_transforms.get(rv)
    return value if transform is None else transform.forward(value, *rv.owner.inputs)


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
