"""Chains stranded far below the others in log density: find them and run them again.

A chain can lose itself during warm-up on a plateau at a prior bound (2ck example, seed 11:
one chain at s_Δ = 1.5 and Δ_med = 0.01 K, log density 92 below the other three), or in a
secondary mode whose basin catches most starts (2ck SBC data set 2: drift offsets absorbing
the T dependence, 55 nats below; fresh starts fell into it six times out of six).
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import xarray as xr

#: A chain whose median log density is this far below the best chain's is stranded. Two
#: regions whose typical log densities differ by 30 nats hold comparable mass only if the
#: lower one is e^(30/d) times wider in each of its d directions: a stranded chain's region
#: is a negligible part of the posterior, and its draws describe the sampler, not the data.
STRANDED_LP_GAP = 30.0
#: Fresh runs of a stranded chain from the usual start (prior support point + jitter).
FRESH_RESTARTS = 2
#: ... then one run that starts at the last draw of the best chain, inside the region that
#: holds the mass; whatever it gives is kept (and R-hat says so if it is still stranded).
MAX_RESTARTS = FRESH_RESTARTS + 1

#: run_chains(n_chains, seed, start): a start of None is the usual one; otherwise every
#: chain starts at that one-draw tree (posterior and sample_stats of a single draw).
RunChains = Callable[[int, int, xr.DataTree | None], xr.DataTree]


@dataclass(frozen=True)
class Restart:
    """One stranded chain replaced by a fresh run from a new seed."""

    chain: int
    attempt: int
    seed: int
    stranded_median_lp: float
    best_median_lp: float
    #: The chain whose last draw the run started from (None: the usual start).
    start_chain: int | None = None

    def describe(self) -> str:
        start = "" if self.start_chain is None else f" at the last draw of chain {self.start_chain}"
        return (
            f"chain {self.chain} was stranded (median log density "
            f"{self.stranded_median_lp:.1f}, best chain {self.best_median_lp:.1f}) and was "
            f"run again from seed {self.seed}{start} (attempt {self.attempt})"
        )


def stranded_chains(lp: np.ndarray, gap: float = STRANDED_LP_GAP) -> list[int]:
    """Chains (rows of `lp`, shape (chain, draw)) whose median lies > gap below the best."""
    medians = np.median(lp, axis=1)
    return [int(c) for c in np.flatnonzero(medians < medians.max() - gap)]


def restart_seed(seed: int, attempt: int) -> int:
    """The sampler seed of restart `attempt`, reproducible from the fit's own seed."""
    return int(np.random.SeedSequence([seed, attempt]).generate_state(1)[0])


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


def last_draw(tree: xr.DataTree, chain: int) -> xr.DataTree:
    """The one-draw tree (posterior, sample_stats) of `chain`'s last draw."""
    return xr.DataTree.from_dict(
        {
            name: tree[name].to_dataset().isel(chain=chain, draw=-1)
            for name in ("posterior", "sample_stats")
        }
    )


def restart_stranded(
    tree: xr.DataTree, seed: int, run_chains: RunChains
) -> tuple[xr.DataTree, list[Restart]]:
    """Re-run stranded chains: FRESH_RESTARTS times from the usual start, then once from the
    best chain's last draw (the gap makes the stranded region's mass negligible, so starting
    where the mass is does not hide a mode that matters)."""
    restarts: list[Restart] = []
    for attempt in range(1, MAX_RESTARTS + 1):
        lp = tree["sample_stats"]["lp"].values
        stranded = stranded_chains(lp, STRANDED_LP_GAP)
        if not stranded:
            break
        medians, new_seed = np.median(lp, axis=1), restart_seed(seed, attempt)
        best = int(np.argmax(medians))
        start_chain = best if attempt > FRESH_RESTARTS else None
        start = None if start_chain is None else last_draw(tree, best)
        restarts += [
            Restart(c, attempt, new_seed, float(medians[c]), float(medians[best]), start_chain)
            for c in stranded
        ]
        tree = with_chains_replaced(tree, stranded, run_chains(len(stranded), new_seed, start))
    return tree, restarts
