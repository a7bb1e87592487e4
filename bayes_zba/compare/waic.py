"""WAIC (Watanabe 2010; Vehtari, Gelman & Gabry 2017 eqs. 11-12), which ArviZ 1.x dropped.

elpd_waic = Σ_i (lppd_i - p_waic_i), p_waic_i = var_s log p(y_i | θ_s); reported beside LOO.
"""

import xarray as xr

from bayes_zba.compare.elpd import SAMPLE_DIMS, ElpdEstimate, log_mean_exp


def waic(tree: xr.DataTree, var_name: str = "G_obs") -> ElpdEstimate:
    """WAIC on the elpd scale over the units of log_likelihood[var_name].

    p_waic_i is the sample variance (ddof = 1) of the log-likelihood over all draws; the
    estimate's summary flags units with p_waic_i > 0.4, where WAIC is unreliable.
    """
    log_lik = tree["log_likelihood"][var_name]
    lppd_i = log_mean_exp(log_lik)
    p_waic_i = log_lik.stack(sample=SAMPLE_DIMS).var("sample", ddof=1)
    n_samples = log_lik.sizes["chain"] * log_lik.sizes["draw"]
    return ElpdEstimate(
        criterion="waic", elpd_i=lppd_i - p_waic_i, lppd_i=lppd_i, n_samples=int(n_samples)
    )
