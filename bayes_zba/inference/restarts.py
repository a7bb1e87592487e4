"""Where chains start and which chains run again: scouting runs pick the starts, and a chain
left in a region of negligible posterior mass is run again from where the mass is.

Weakly informative data can give a posterior basins whose pull on warm-up differs from the
mass they hold. 2ck SBC data set 33 (A = 2.04, a_geom = 0.14): of 12 chains from the usual
starts, 3 reached the truth's basin (log density -140), 8 one at a_geom = 1 (-163) and 1 a
prior corner (-629); of two 4-chain fits, one had 3 chains at a_geom = 1 (R-hat 1.59) and
one all four (R-hat fine, answer wrong). Scouting several times as many short runs finds
the heavy basin almost surely; the mass rule then moves the chains that are not in it.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import xarray as xr

#: Short scouting runs per chain of the fit; the chains start where chosen scouts ended.
SCOUTS_PER_CHAIN = 3
#: Warm-up and kept draws of a scouting run (at most the fit's own). In the 12 scouts of
#: SBC data set 33 every chain's log density had settled in its basin by warm-up step 100-200.
SCOUT_TUNE = 150
SCOUT_DRAWS = 30
#: Target acceptance of a scouting run: larger steps make cheaper trees while the step size
#: and mass matrix are still far off, and scouts need basins, not precise draws. On SBC data
#: set 33 (12 scouts, same load): 0.6 took 128k leapfrog steps and 111 s with 5 scouts in
#: the heavy basin; 2ck's 0.95 took 198k steps and 179 s with 4 there.
SCOUT_TARGET_ACCEPT = 0.6
#: Scouting runs at most this many stages: while fewer scouts than chains lie within
#: STRANDED_LP_GAP of the best, every scout runs another SCOUT_TUNE + SCOUT_DRAWS steps from
#: where it ended. On 2ck SBC data set 74 (noise 0.28 e²/h, 21 curve offsets of spread 2.6)
#: one stage left the 12 scouts' median log densities at -562 ... -3216, none settled, and
#: all four chains followed the best one to the a_geom = 1 basin (-463; R-hat 1.009, every
#: rank extreme). After a second stage 4 scouts were in the truth's basin (-314) and 8 at
#: -463; the chains all started in the first (scouting 85 s instead of 15 s).
SCOUT_STAGES = 3
#: A chain (or scout) whose median log density is this far below the best one's is stranded.
#: Regions whose typical log densities differ by 30 nats hold comparable mass only if the
#: lower one is e^(30/d) times wider in each of its d directions; the few shape parameters
#: that differ between basins cannot make that up.
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
    tree `starts` (dim "start"); `scout`: a short run."""

    chains: int
    seed: int
    starts: xr.DataTree
    scout: bool = False


#: Runs a ChainRequest and returns its posterior and sample_stats (with "lp" and, per draw,
#: START_COORDINATES).
RunChains = Callable[[ChainRequest], xr.DataTree]
#: (seed, count) -> starts (dim "start", as starting_draws gives) of the first scouting stage.
ScoutStarts = Callable[[int, int], xr.DataTree]


@dataclass(frozen=True)
class Scouting:
    """The scouting runs of a fit and the ones its chains started from."""

    seed: int
    #: Median log density of each scouting run in its last stage, and the runs whose last
    #: draws the chains started from (chain i at chosen[i]).
    median_lp: list[float]
    chosen: list[int]
    #: Stages the scouts ran (SCOUT_STAGES at most).
    stages: int = 1


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
    """A sampler seed for scouting (purpose 0), restarts (1) or scouting stage k >= 2 (k),
    reproducible from the fit's."""
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


def scouted_starts(scouts: xr.DataTree, chains: int) -> tuple[xr.DataTree, list[int]]:
    """Starts for `chains` chains: the last draws of the best scout and of the scouts farthest
    from those already chosen (farthest-point order over the scouts not stranded).

    The best scout is always among them (it is what scouting is for). The others are picked by
    where they are, not by height, so that a scout in a basin of its own gets a chain even when
    its height still ties with the crowd's: on 2ck SBC data set 2 one scout of 12 was on its way
    to the truth's basin (a_geom 0.91 against ≤ 0.13, 50 nats higher after another stage) at the
    crowd's median log density, third in the ranking, and picking by rank left it out. R-hat and
    the mass rule then weigh the basins the chains reach. With fewer usable scouts than chains
    the chosen ones are shared in turn.
    """
    lp = _lp(scouts)
    stranded = set(stranded_by_height(lp))
    ranked = [int(s) for s in np.argsort(-np.median(lp, axis=1)) if s not in stranded]
    positions = scout_positions(scouts)
    chosen = [ranked[0]]
    while len(chosen) < min(chains, len(ranked)):
        left = [s for s in ranked if s not in chosen]
        nearest = [min(np.linalg.norm(positions[s] - positions[c]) for c in chosen) for s in left]
        chosen.append(left[int(np.argmax(nearest))])
    chosen = [chosen[i % len(chosen)] for i in range(chains)]
    last = scouts["posterior"].sizes["draw"] - 1
    return starting_draws(scouts, chosen, [last] * chains), chosen


def scout_positions(scouts: xr.DataTree) -> np.ndarray:
    """Where each scout is (scout, coordinate): its median draw in the sampler's coordinates
    (START_COORDINATES), in units of the scouts' typical spread along each coordinate (median
    over scouts of the sd of their draws). Coordinates no scout moves along are left out."""
    draws = np.asarray(scouts["sample_stats"][START_COORDINATES].values, dtype=float)
    spread = np.median(draws.std(axis=1), axis=0)
    moving = spread > 0
    return np.median(draws, axis=1)[:, moving] / spread[moving]


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


def settled_scouts(
    run_chains: RunChains, seed: int, chains: int, scout_starts: ScoutStarts
) -> tuple[xr.DataTree, int]:
    """SCOUTS_PER_CHAIN scouts per chain, started at `scout_starts`, and the stages they took:
    a further stage from where each ended while fewer than `chains` are within STRANDED_LP_GAP
    of the best (scouts still on their way; ranking them by height would pick one and send
    every chain after it)."""
    count, first_seed = SCOUTS_PER_CHAIN * chains, derived_seed(seed, 0)
    first = scout_starts(first_seed, count)
    scouts = run_chains(ChainRequest(count, first_seed, first, scout=True))
    stages = 1
    while stages < SCOUT_STAGES and count - len(stranded_by_height(_lp(scouts))) < chains:
        stages += 1
        ends = starting_draws(scouts, range(count), [scouts["posterior"].sizes["draw"] - 1] * count)
        scouts = run_chains(ChainRequest(count, derived_seed(seed, stages), ends, scout=True))
    return scouts, stages


def scouted_run(
    run_chains: RunChains,
    seed: int,
    chains: int,
    scout_starts: ScoutStarts,
    starts: xr.DataTree | None = None,
) -> tuple[xr.DataTree, Scouting | None, list[Restart]]:
    """Scout (settled_scouts from `scout_starts`), run `chains` chains from the chosen scouts'
    ends, restart stranded chains.

    Given `starts` (dim "start", e.g. chain_ends of a fit of nearly the same posterior) the
    chains start there and nothing is scouted.
    """
    scouting = None
    if starts is None:
        scouts, stages = settled_scouts(run_chains, seed, chains, scout_starts)
        starts, chosen = scouted_starts(scouts, chains)
        median_lp = [float(v) for v in np.median(_lp(scouts), axis=1)]
        scouting = Scouting(derived_seed(seed, 0), median_lp, chosen, stages)
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
