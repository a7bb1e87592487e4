"""Report of one fit: parameters with units and 89% intervals, sampler diagnostics, and figures.

Figures: data vs posterior-predictive bands per curve, G(0, T), residuals, V/T collapse (I-14).
"""

from pathlib import Path

import arviz_stats
import pandas as pd

from bayes_zba.data import Dataset
from bayes_zba.files import safe_stem
from bayes_zba.inference import Diagnostics, Fit
from bayes_zba.models.config import model_parameters
from bayes_zba.physics.mechanisms import Parameter, get_mechanism
from bayes_zba.report import figures
from bayes_zba.report.blocks import fingerprint_blocks, sweeps_figure, zero_bias_figures
from bayes_zba.report.diagnostics import diagnostics_blocks, ess_minimum, flag_if
from bayes_zba.report.document import Block, Cell, Figure, Page, Section, Table
from bayes_zba.report.formatting import fixed, flatten, number, superscript_powers
from bayes_zba.report.publish import write_page
from bayes_zba.report.views import (
    INTERVAL_PROB,
    Predictive,
    Sweeps,
    predictive_from_fit,
    sweeps_from_table,
)
from bayes_zba.rhat import RHAT_MAX, rhat_text

PARAMETER_COLUMNS = (
    "parameter",
    "unit",
    "meaning",
    "mean",
    "89% ETI low",
    "89% ETI high",
    "R-hat",
    "ESS bulk",
    "ESS tail",
)


def write_fit_report(
    fit: Fit, out_dir: str | Path, *, dataset: Dataset | None = None
) -> dict[str, Path]:
    """Write fit-<sample>-<model>.html and .md (+ PNG figures) into out_dir; returns the files.

    `dataset` (optional) supplies all points of the sample, including those outside the
    fit's bias window, for the G(V) panels; without it the fit's own points are shown.
    """
    stem = safe_stem("fit", fit.sample, fit.model)
    return write_page(fit_report_page(fit, dataset=dataset), Path(out_dir), stem)


def fit_report_page(fit: Fit, *, dataset: Dataset | None = None) -> Page:
    """The fit report as a Page (see write_fit_report)."""
    prediction = predictive_from_fit(fit)
    data = sample_sweeps(dataset, fit.sample) if dataset is not None else prediction.sweeps
    mechanism = get_mechanism(fit.model)
    diagnostics = fit.diagnostics
    sections = (
        Section("Parameters", (parameter_table(fit),)),
        Section("Sampling diagnostics", diagnostics_blocks(diagnostics, chain_count(fit))),
        Section(
            "Data and posterior predictive",
            (sweeps_figure(data, [prediction]), *zero_bias_figures(data, [prediction])),
        ),
        Section("Residuals", residual_blocks(prediction)),
        Section(
            "Fingerprints: T-exponent and scaling collapse (paper I, eq. I-14)",
            fingerprint_blocks(data, [prediction]),
        ),
    )
    return Page(
        title=f"{mechanism.title} ({fit.model}) — sample {fit.sample}",
        summary=fit_summary(fit.model, fit.sample, prediction.sweeps, diagnostics),
        sections=sections,
        provenance=flatten(fit.provenance),
        summary_tone="plain" if diagnostics.ok else "warning",
    )


def chain_count(fit: Fit) -> int:
    return int(fit.tree["posterior"].sizes["chain"])


def sample_sweeps(dataset: Dataset, sample: str) -> Sweeps:
    """The sweeps of one sample of a Dataset."""
    return sweeps_from_table(dataset.for_sample(sample).table)


def fit_summary(model: str, sample: str, sweeps: Sweeps, diagnostics: Diagnostics) -> str:
    """One sentence: what was fitted to what, and whether the sampler can be trusted."""
    T = sweeps.curve_T
    health = (
        "the sampler diagnostics are clean."
        if diagnostics.ok
        else f"the sampler reports {len(diagnostics.warnings)} problem(s): read them first."
    )
    return (
        f"The {model} model fitted to sample {sample} ({len(sweeps.curve_labels)} curves, "
        f"{sweeps.V_mV.size} points, T = {T.min():.3g}–{T.max():.3g} K): {health}"
    )


def parameter_table(fit: Fit) -> Table:
    """Posterior mean, 89% equal-tailed interval, R-hat and ESS of every scalar parameter."""
    schema = model_parameters(fit.model)
    ess_min = ess_minimum(chain_count(fit))
    posterior = fit.tree["posterior"]
    names = [n for n in schema if n in posterior.data_vars and posterior[n].ndim == 2]
    summary = arviz_stats.summary(
        fit.tree, var_names=names, ci_prob=INTERVAL_PROB, ci_kind="eti", round_to="none"
    )
    rows = tuple(_parameter_row(schema[n], summary.loc[n], ess_min) for n in names)
    return Table(
        "parameters",
        PARAMETER_COLUMNS,
        rows,
        text_columns=3,
        caption=(
            "Mean and 89% equal-tailed interval of the posterior; digits follow the posterior "
            f"sd. Highlighted: R-hat > {RHAT_MAX} or ESS < {ess_min}. Per-curve offsets "
            "(curve_offset) are not listed; their spread is tau_curve."
        ),
    )


def _parameter_row(parameter: Parameter, stats: pd.Series, ess_min: int) -> tuple[str | Cell, ...]:
    sd = float(stats["sd"])
    return (
        parameter.name,
        superscript_powers(parameter.unit),
        parameter.meaning,
        number(float(stats["mean"]), sd),
        number(float(stats["eti89_lb"]), sd),
        number(float(stats["eti89_ub"]), sd),
        flag_if(rhat_text(stats["r_hat"]), not stats["r_hat"] <= RHAT_MAX),
        flag_if(fixed(stats["ess_bulk"], 0), not stats["ess_bulk"] >= ess_min),
        flag_if(fixed(stats["ess_tail"], 0), not stats["ess_tail"] >= ess_min),
    )


def residual_blocks(prediction: Predictive) -> tuple[Block, ...]:
    return (
        Figure(
            "residuals",
            figures.residual_panels(prediction),
            "Left: data minus the posterior-predictive mean at every fitted point, coloured by "
            "temperature; structure in V or T is what the model misses. Right: residuals in "
            "units of the predictive sd against a standard normal.",
            "residuals against bias and their standardised histogram",
        ),
    )
