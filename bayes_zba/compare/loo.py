"""PSIS-LOO over data points (arviz_stats.loo) with Pareto-k̂ diagnostics mapped to curves.

Points of one sweep are correlated, so this is the cross-check; curve_cv.py is the headline.
"""

import warnings
from dataclasses import replace

import xarray as xr
from arviz_stats import loo

from bayes_zba.compare.elpd import ElpdEstimate, log_mean_exp

#: ArviZ's own k̂ warning; our estimates report high-k̂ units in their summary instead.
PARETO_K_WARNING = "Estimated shape parameter of Pareto distribution"


def psis_loo(tree: xr.DataTree, var_name: str, criterion: str) -> ElpdEstimate:
    """PSIS-LOO of log_likelihood[var_name] over its one unit dimension.

    The k̂ threshold is ArviZ's sample-size dependent min(1 - 1/log10(S), 0.7).
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=PARETO_K_WARNING)
        result = loo(tree, pointwise=True, var_name=var_name)
    log_lik = tree["log_likelihood"][var_name]
    return ElpdEstimate(
        criterion=criterion,
        elpd_i=result.elpd_i,
        lppd_i=log_mean_exp(log_lik),
        n_samples=result.n_samples,
        pareto_k=result.pareto_k,
        good_k=float(result.good_k),
    )


def point_loo(tree: xr.DataTree, var_name: str = "G_obs") -> ElpdEstimate:
    """PSIS-LOO over points; each point's curve label rides along as coordinate "curve_label".

    Moment matching (arviz_stats.loo_moment_match) is not applied: it needs the model's
    log density at unconstrained draws, which a saved fit does not carry. High-k̂ points
    are reported (count, index, curve) and weighed by the verdict instead.
    """
    estimate = psis_loo(tree, var_name, "loo")
    curve_labels = point_curve_labels(tree)
    if curve_labels is None:
        return estimate
    return replace(
        estimate, elpd_i=estimate.elpd_i.assign_coords(curve_label=("point", curve_labels))
    )


def point_curve_labels(tree: xr.DataTree) -> list[str] | None:
    """Curve label of every point from constant_data.curve_index (None when absent).

    Labels are the "curve" coordinate of the first group that has one; else the index.
    """
    if "constant_data" not in tree.children or "curve_index" not in tree["constant_data"]:
        return None
    index = tree["constant_data"]["curve_index"].values
    groups = ("constant_data", "log_likelihood", "posterior")
    labelled = [g for g in groups if g in tree.children and "curve" in tree[g].coords]
    if not labelled:
        return [str(i) for i in index]
    labels = tree[labelled[0]]["curve"].values
    return [str(labels[i]) for i in index]
