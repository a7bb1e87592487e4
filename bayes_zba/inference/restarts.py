"""Which chains run again: a chain left in a region of negligible posterior mass is run again
from where the mass is, after the run that began where scouting (inference.modes) put it.

With several basins, a chain can settle in one that holds negligible mass even from good
starts; the mass rule finds it by the chains' estimated masses and moves it to the heaviest
chain's region.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import xarray as xr

#: A chain (or a mode, inference.modes) whose log density is this far below the best one's
#: is stranded. Regions whose typical log densities differ by 30 nats hold comparable mass
#: only if the lower one is e^(30/d) times wider in each of its d directions; the few shape
#: parameters that differ between basins cannot make that up.
STRANDED_LP_GAP = 30.0
#: A chain whose region holds less than e^-10 of the best chain's mass (chain_log_mass) is
#: stranded. The volume term is estimated, so the gap can be smaller than STRANDED_LP_GAP;
#: chains in one basin differ by 1-2 nats (2ck SBC data set 33, 4 × 500 draws in 30 dims).
STRANDED_LOG_MASS_GAP = 10.0
#: Draws per sampler dimension a chain needs before its covariance (and mass) is estimated;
#: with fewer, stranded chains are found by STRANDED_LP_GAP alone.
DRAWS_PER_DIMENSION = 5
#: nutpie's per-draw vector of sampler (unconstrained) coordinates: where a run can start.
START_COORDINATES = "unconstrained_draw"


@dataclass(frozen=True)
class ChainRequest:
    """A sampler run: `chains` chains from `seed`; chain i starts at start i mod k of the
    tree `starts` (dim "start")."""

    chains: int
    seed: int
    starts: xr.DataTree


#: Runs a ChainRequest and returns its posterior and sample_stats (with "lp" and, per draw,
#: START_COORDINATES).
RunChains = Callable[[ChainRequest], xr.DataTree]


@dataclass(frozen=True)
class Scouting:
    """How the chains' starts were found (inference.modes): the climbs' seed, the log density
    where each ended, the climbs the chains started from (chain i at chosen[i]) and the
    log-density evaluations spent."""

    seed: int
    log_density: list[float]
    chosen: list[int]
    evaluations: int


#: (seed, chains) -> starts (dim "start") for the chains and how they were found.
Scout = Callable[[int, int], tuple[xr.DataTree, Scouting]]


@dataclass(frozen=True)
class Restart:
    """One stranded chain replaced by a run from draws of the best chain."""

    chain: int
    seed: int
    stranded_median_lp: float
    best_median_lp: float
    #: The chain whose draws the run started from.
    start_chain: int
    #: How far the chain's estimated log mass lay below the best chain's (None: found by
    #: its median log density, without a mass estimate).
    log_mass_gap: float | None = None

    def describe(self) -> str:
        mass = "" if self.log_mass_gap is None else f", {self.log_mass_gap:.1f} nats less mass"
        return (
            f"chain {self.chain} was stranded (median log density "
            f"{self.stranded_median_lp:.1f}, best chain {self.best_median_lp:.1f}{mass}) and "
            f"was run again from seed {self.seed} at draws of chain {self.start_chain}"
        )


def derived_seed(seed: int, purpose: int) -> int:
    """A seed for scouting (purpose 0) or restarts (1), reproducible from the fit's."""
    return int(np.random.SeedSequence([seed, purpose]).generate_state(1)[0])


def chain_log_mass(lp: np.ndarray, coordinates: np.ndarray) -> np.ndarray:
    """Log posterior mass of the region each chain explores (Gaussian estimate).

    `lp` (chain, draw) is the log density on the sampler's scale and `coordinates`
    (chain, draw, dim) the draws there. A region where the density is Z N(x; μ, Σ) has
    E[lp] = ln Z - ½ ln det(2πe Σ), so ln Z = mean lp + ½ ln det(2πe Σ̂), with Σ̂ the chain's
    sample covariance: a Laplace estimate that lets chains in a narrow high basin and a
    wide low one be weighed by mass rather than height.
    """
    dim = coordinates.shape[-1]
    masses = []
    for chain_lp, draws in zip(lp, coordinates, strict=True):
        covariance = np.atleast_2d(np.cov(draws, rowvar=False))
        sign, log_det = np.linalg.slogdet(covariance)
        volume = 0.5 * (log_det + dim * np.log(2 * np.pi * np.e)) if sign > 0 else -np.inf
        masses.append(float(np.mean(chain_lp)) + volume)
    return np.array(masses)


def stranded_chains(tree: xr.DataTree) -> tuple[list[int], np.ndarray | None]:
    """Stranded chains and, when it could be estimated, each chain's log-mass gap to the best.

    With enough draws per sampler coordinate (DRAWS_PER_DIMENSION), chains are weighed by
    chain_log_mass (gap STRANDED_LOG_MASS_GAP); otherwise by median log density (gap
    STRANDED_LP_GAP).
    """
    lp = _lp(tree)
    coordinates = tree["sample_stats"][START_COORDINATES].values
    if lp.shape[1] >= DRAWS_PER_DIMENSION * coordinates.shape[-1]:
        mass = chain_log_mass(lp, coordinates)
        gaps = mass.max() - mass
        return [int(c) for c in np.flatnonzero(gaps > STRANDED_LOG_MASS_GAP)], gaps
    return stranded_by_height(lp), None


def _lp(tree: xr.DataTree) -> np.ndarray:
    return tree["sample_stats"]["lp"].values


def stranded_by_height(lp: np.ndarray) -> list[int]:
    """Rows of `lp` (chain, draw) whose median lies more than STRANDED_LP_GAP below the best."""
    medians = np.median(lp, axis=1)
    return [int(c) for c in np.flatnonzero(medians < medians.max() - STRANDED_LP_GAP)]


def with_chains_replaced(tree: xr.DataTree, chains: list[int], fresh: xr.DataTree) -> xr.DataTree:
    """`tree` whose groups have `chains` replaced, in order, by the chains of `fresh`."""
    groups = {}
    for name in ("posterior", "sample_stats"):
        old, new = tree[name].to_dataset(), fresh[name].to_dataset()
        new = new.assign_coords(chain=old["chain"].values[chains])
        kept = old.drop_sel(chain=old["chain"].values[chains])
        groups[name] = xr.concat([kept, new], dim="chain").sortby("chain")
        groups[name].attrs = old.attrs
    return xr.DataTree.from_dict(groups)


def starting_draws(tree: xr.DataTree, chains: Sequence[int], draws: Sequence[int]) -> xr.DataTree:
    """The draws (chains[i], draws[i]) of `tree` as starts: posterior and sample_stats with a
    dim "start" in place of chain and draw."""
    pick = {
        "chain": xr.DataArray(list(chains), dims="start"),
        "draw": xr.DataArray(list(draws), dims="start"),
    }
    return xr.DataTree.from_dict(
        {
            name: tree[name].to_dataset().isel(pick).drop_vars(["chain", "draw"])
            for name in ("posterior", "sample_stats")
        }
    )


def restart_stranded(
    tree: xr.DataTree, seed: int, run_chains: RunChains
) -> tuple[xr.DataTree, list[Restart]]:
    """Run stranded chains once more, from evenly spaced draws of the best chain. Scouting
    already tried many starts, and the gap makes the stranded region's mass negligible, so
    starting where the mass is hides no mode that matters. Whatever the rerun gives is kept
    (R-hat says so if it is still stranded)."""
    stranded, gaps = stranded_chains(tree)
    if not stranded:
        return tree, []
    lp = _lp(tree)
    medians = np.median(lp, axis=1)
    best = int(np.argmin(gaps)) if gaps is not None else int(np.argmax(medians))
    draws = np.linspace(lp.shape[1] // 2, lp.shape[1] - 1, len(stranded)).round().astype(int)
    starts = starting_draws(tree, [best] * len(stranded), draws)
    restart_seed = derived_seed(seed, 1)
    restarts = [
        Restart(
            chain,
            restart_seed,
            float(medians[chain]),
            float(medians[best]),
            best,
            None if gaps is None else float(gaps[chain]),
        )
        for chain in stranded
    ]
    fresh = run_chains(ChainRequest(len(stranded), restart_seed, starts))
    return with_chains_replaced(tree, stranded, fresh), restarts


def scouted_run(
    run_chains: RunChains,
    seed: int,
    chains: int,
    scout: Scout,
    starts: xr.DataTree | None = None,
) -> tuple[xr.DataTree, Scouting | None, list[Restart]]:
    """Find starts (`scout`, with a seed derived from `seed`), run `chains` chains from them,
    restart stranded chains.

    Given `starts` (dim "start", e.g. chain_ends of a fit of nearly the same posterior) the
    chains start there and nothing is scouted.
    """
    scouting = None
    if starts is None:
        starts, scouting = scout(derived_seed(seed, 0), chains)
    tree = run_chains(ChainRequest(chains, seed, starts))
    tree, restarts = restart_stranded(tree, seed, run_chains)
    return tree, scouting, restarts


def chain_ends(tree: xr.DataTree) -> xr.Dataset:
    """The last draw of every chain on the sampler's scale (dims chain, parameter): what a
    later run of nearly the same posterior can start from (ending_draws)."""
    return tree["sample_stats"].to_dataset()[[START_COORDINATES]].isel(draw=-1, drop=True)


def ending_draws(posterior: xr.Dataset, ends: xr.Dataset) -> xr.DataTree:
    """Starts (dim "start") at the last draw of every chain: the posterior values (PyMC's
    starts) and the sampler coordinates `ends` (chain_ends; nutpie's starts)."""
    last = {"posterior": posterior.isel(draw=-1, drop=True), "sample_stats": ends}
    return xr.DataTree.from_dict(
        {
            name: data.rename({"chain": "start"}).drop_vars("start", errors="ignore")
            for name, data in last.items()
        }
    )
