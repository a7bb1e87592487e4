"""Leave-one-curve-out cross-validation: the headline criterion of a model comparison.

PSIS-LOO on the curve-level log-likelihood "G_curve" (offset integrated out); curves whose
k̂ is too high are replaced by an exact refit without them when a `refit` callable is given.
"""

from collections.abc import Callable, Sequence
from dataclasses import replace

import xarray as xr

from bayes_zba.compare.elpd import ElpdEstimate, log_mean_exp
from bayes_zba.compare.loo import psis_loo

#: refit(held_out_curve_labels) -> log p(y_curve | θ), dims (chain, draw, curve), θ from the
#: posterior fitted WITHOUT those curves (workflow.heldout_refit: their likelihood weight 0).
CurveRefit = Callable[[Sequence[str]], xr.DataArray]

#: Default bound on exact refits per model (a sample has ~10 curves; each refit is a full fit).
DEFAULT_MAX_REFITS = 10


def curve_psis(tree: xr.DataTree, var_name: str = "G_curve") -> ElpdEstimate:
    """PSIS-LOO over curves, without refits."""
    return psis_loo(tree, var_name, "curve_cv")


def with_exact_curves(estimate: ElpdEstimate, heldout_log_lik: xr.DataArray) -> ElpdEstimate:
    """`estimate` with the curves of `heldout_log_lik` (chain, draw, curve) made exact.

    Exact elpd_j = log mean over draws of p(y_j | θ), θ from the fit without curve j.
    """
    exact = log_mean_exp(heldout_log_lik)
    labels = [str(c) for c in exact["curve"].values]
    elpd_i = estimate.elpd_i.copy()
    elpd_i.loc[{"curve": exact["curve"].values}] = exact.values
    refit = tuple(dict.fromkeys((*estimate.refit, *labels)))
    return replace(estimate, elpd_i=elpd_i, refit=refit)


def refit_high_k(estimate: ElpdEstimate, refit: CurveRefit, budget: int) -> ElpdEstimate:
    """Refit the worst high-k̂ curves one at a time (exact leave-one-curve-out), at most `budget`."""
    for label in estimate.unresolved_high_k()[: max(budget, 0)]:
        heldout = refit([label])
        returned = [str(c) for c in heldout["curve"].values]
        if returned != [label]:
            raise ValueError(f"refit of held-out curve {label!r} returned curves {returned}")
        estimate = with_exact_curves(estimate, heldout)
    return estimate


def curve_cv(
    tree: xr.DataTree,
    *,
    refit: CurveRefit | None = None,
    max_refits: int = DEFAULT_MAX_REFITS,
) -> ElpdEstimate:
    """Leave-one-curve-out elpd of one fit; high-k̂ curves refit exactly when `refit` is given.

    Curves still above the k̂ threshold (no refit callable, or over `max_refits`) are listed
    by `ElpdEstimate.unresolved_high_k()` and counted by the verdict.
    """
    estimate = curve_psis(tree)
    return estimate if refit is None else refit_high_k(estimate, refit, max_refits)
