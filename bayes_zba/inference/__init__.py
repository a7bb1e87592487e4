"""Inference: NUTS sampling (nutpie by default), likelihoods, diagnostics, saved fits.

`fit(dataset, model, config, seed=...)` -> Fit; `save_fit`/`load_fit`; held-out curves.
"""

from bayes_zba.inference.diagnostics import Diagnostics
from bayes_zba.inference.fit import (
    CURVE_LIKELIHOOD,
    Fit,
    FitWarning,
    IncompleteFitError,
    SamplingInterrupted,
    fit,
)
from bayes_zba.inference.heldout import heldout_curve_log_likelihood
from bayes_zba.inference.storage import load_current_fit, load_fit, save_fit

__all__ = [
    "CURVE_LIKELIHOOD",
    "Diagnostics",
    "Fit",
    "FitWarning",
    "IncompleteFitError",
    "SamplingInterrupted",
    "fit",
    "heldout_curve_log_likelihood",
    "load_current_fit",
    "load_fit",
    "save_fit",
]
