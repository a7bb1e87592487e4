"""Predictive log p(y_curve | θ) of a fit on curves given separately (e.g. measured later).

The fit's posterior draws give G0 + b2 V² + ΔG at the new points; each new curve's
offset is integrated out under the fitted τ_c (pointwise.curve_log_likelihood). Curve-CV
refits need no call here: they keep the held-out curves in the model at weight 0.
"""

import numpy as np
import pymc as pm
import xarray as xr

from bayes_zba.data.dataset import Dataset
from bayes_zba.inference.fit import CURVE_LIKELIHOOD, Fit
from bayes_zba.inference.pointwise import Residuals, curve_log_likelihood
from bayes_zba.models import (
    MODEL_CONDUCTANCE,
    build_model,
    curve_labels_and_index,
    noise_scale,
    select_fit_data,
    use_span_reference,
)


def heldout_curve_log_likelihood(fit: Fit, heldout: Dataset) -> xr.DataArray:
    """(chain, draw, curve) log-likelihood of each held-out curve, its offset integrated out.

    `heldout` passes through the fit's bias window and masks, like the fitted data did.
    """
    config = fit.config
    data = select_fit_data(heldout, config)
    model = build_model(data, fit.model, config.with_measurement(drift=False))
    if "span_reference" not in fit.provenance:
        raise ValueError(
            f"the {fit.model} fit of {fit.sample} predates the recorded span reference its "
            f"amplitudes need on other curves: fit it again with this version"
        )
    use_span_reference(model, fit.provenance["span_reference"])
    posterior = fit.tree["posterior"].to_dataset()
    missing = [rv.name for rv in model.free_RVs if rv.name not in posterior]
    if missing:
        raise ValueError(
            f"the {fit.model} fit of {fit.sample} was sampled in other coordinates than this "
            f"version's model (no {', '.join(missing)} in its posterior): fit it again"
        )
    conductance = pm.compute_deterministics(
        posterior, var_names=[MODEL_CONDUCTANCE], model=model, progressbar=False
    )[MODEL_CONDUCTANCE]
    chains, draws = posterior.sizes["chain"], posterior.sizes["draw"]

    def flat(values: xr.DataArray) -> np.ndarray:
        return values.values.reshape(chains * draws, *values.shape[2:])

    point_sigma = data.table["sigma_e2h"].to_numpy(float) if data.has_sigma else 0.0
    scale = noise_scale(flat(posterior["sigma"])[:, None], point_sigma, np)
    residuals = data.table["G_e2h"].to_numpy(float) - flat(conductance)
    labels, curve_index = curve_labels_and_index(data)
    drift = fit.provenance["drift_used"]
    marginal = curve_log_likelihood(
        Residuals(
            r=residuals,
            s=scale,
            curve_index=curve_index,
            n_curves=len(labels),
            tau=flat(posterior["tau_curve"]) if drift else np.zeros(chains * draws),
            nu=flat(posterior["nu"]) if config.measurement.noise == "studentt" else None,
        )
    )
    return xr.DataArray(
        marginal.reshape(chains, draws, len(labels)),
        dims=("chain", "draw", "curve"),
        coords={
            "chain": posterior["chain"].values,
            "draw": posterior["draw"].values,
            "curve": labels,
        },
        name=CURVE_LIKELIHOOD,
    )
