"""The scaling report of one sample: Table I numbers, Figs. 8(b), 9 and 7(a), the verdict.

Builds a report Page from a ScalingResult (no fitting here) and writes HTML + Markdown.
"""

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from bayes_zba.report.document import BulletList, Cell, Figure, Page, Paragraph, Section, Table
from bayes_zba.report.formatting import flatten, number
from bayes_zba.report.publish import write_page
from bayes_zba.rhat import rhat_text
from bayes_zba.scaling.classical import ClassicalScaling, Spread
from bayes_zba.scaling.figures import (
    collapse_figure,
    deviation_figure,
    posterior_figure,
    zero_bias_figure,
)
from bayes_zba.scaling.results import ScalingResult
from bayes_zba.scaling.sweeps import Sweeps
from bayes_zba.scaling.verdict import SCALING_RULES

REPORT_STEM = "scaling"
#: Table I rows: key in the result, symbol, unit.
TABLE_ROWS = (
    ("alpha", "α", "1"),
    ("B_sigma", "B_Σ", "e²/h K^-α"),
    ("F0", "F0", "e²/h K^-α"),
    ("F1", "F1", "e²/h K^-α"),
    ("Gamma1", "Γ1 = F1/B_Σ", "1"),
)


def scaling_page(
    result: ScalingResult, sweeps: Sweeps, draws: Mapping[str, np.ndarray] | None = None
) -> Page:
    """The report page; `draws` (fitting.scaling_posterior) adds the posterior figure."""
    c = result.classical
    tone = {True: "good", False: "warning", None: "warning"}[result.verdict.scaling]
    sections = [
        Section("Checks behind the verdict", (_checks(result),)),
        Section("Scaling parameters (paper I Table I)", (_table_one(result),)),
        Section(
            "Scaling collapse",
            (
                Figure(
                    "collapse",
                    collapse_figure(sweeps, c),
                    f"Every curve at H = {result.field_T:g} T rescaled with α = "
                    f"{c.alpha_fit:g} (eq. I-14), coloured by temperature; shaded: the window "
                    f"of eq. (I-27).",
                    "scaling collapse of the conductance curves",
                ),
            ),
        ),
        Section(
            "Collapse quality D(α)",
            (
                Figure(
                    "deviation",
                    deviation_figure(c),
                    f"D(α) of eq. (I-24) over the curves at T = "
                    f"{', '.join(f'{t:g}' for t in c.collapse_temperatures)} K; shaded: α* ± "
                    f"its bootstrap error; square: D that the noise (σ = "
                    f"{c.noise_sigma:.3g} e²/h) alone gives.",
                    "collapse quality as a function of alpha",
                ),
            ),
        ),
        Section(
            "Zero-bias conductance",
            (
                Figure(
                    "zero-bias",
                    zero_bias_figure(sweeps, c),
                    f"G(0, T) vs T^α; the line (eq. I-22) is fitted over the regime curves "
                    f"(filled); the best power over all curves is p = "
                    f"{result.exponent.best.exponent:.2f}.",
                    "zero-bias conductance against T to the alpha",
                ),
            ),
        ),
        Section("Window lines per temperature", (_lines_table(c),)),
        *_bayes_sections(result, draws),
        Section("Rules", (BulletList(SCALING_RULES),)),
    ]
    return Page(
        title=f"Scaling analysis — {result.sample}",
        summary=result.verdict_text,
        sections=tuple(sections),
        provenance=flatten(result.provenance),
        summary_tone=tone,
    )


def write_scaling_report(
    result: ScalingResult,
    sweeps: Sweeps,
    out_dir: str | Path,
    draws: Mapping[str, np.ndarray] | None = None,
) -> dict[str, Path]:
    """Write scaling.html, scaling.md and the figure PNGs into out_dir."""
    return write_page(scaling_page(result, sweeps, draws), Path(out_dir), REPORT_STEM)


def _checks(result: ScalingResult) -> BulletList:
    return BulletList(
        tuple(
            Cell(f"{check.name}: {check.detail}", "good" if check.passed else "warning")
            for check in result.verdict.checks
        )
    )


def _table_one(result: ScalingResult) -> Table:
    c = result.classical
    classical = {
        "alpha": Spread(c.alpha_star, c.alpha_err),
        "B_sigma": c.B_sigma,
        "F0": c.F0,
        "F1": c.F1,
        "Gamma1": c.Gamma1,
    }
    rows = tuple(
        (symbol, unit, _spread_text(classical[key]), _posterior_text(result, key))
        for key, symbol, unit in TABLE_ROWS
    )
    return Table(
        "table-one",
        ("quantity", "unit", "classical (± spread)", "Bayesian mean [5 %, 95 %]"),
        rows,
        caption=(
            f"Classical: α* from D(α) (± bootstrap std); B_Σ from eq. (I-22) at α = "
            f"{c.alpha_fit:g} (± standard error); F0, F1 from eq. (I-27) over v^1/2 ∈ "
            f"{list(c.options.window_sqrt_v)} (mean ± std over {len(c.lines)} temperatures); "
            f"Γ1 = F1/B_Σ. Bayesian: the scaling model G0 + c + B_Σ T^α F(eV/kT) with F(0) = 1."
        ),
        text_columns=2,
    )


def _lines_table(c: ClassicalScaling) -> Table:
    rows = tuple(
        (
            f"{line.T_K:.3g}",
            number(line.F0),
            number(line.F1),
            number(line.F1 / c.B_sigma.value),
            str(line.n_points),
        )
        for line in c.lines
    )
    return Table(
        "window-lines",
        ("T (K)", "F0 (e²/h K^-α)", "F1 (e²/h K^-α)", "F1/B_Σ", "points"),
        rows,
        caption="The straight line of eq. (I-27) per regime temperature (paper I Table I spreads).",
    )


def _bayes_sections(
    result: ScalingResult, draws: Mapping[str, np.ndarray] | None
) -> tuple[Section, ...]:
    if result.bayes is None or draws is None:
        return ()
    fit = result.bayes["fit"]
    return (
        Section(
            "Bayesian scaling model",
            (
                Figure(
                    "posterior",
                    posterior_figure(draws, result.classical),
                    f"Posterior of α and Γ1 from {fit['n_points']} points on {fit['n_curves']} "
                    f"curves; red: the classical values.",
                    "posterior densities of alpha and Gamma1",
                ),
                Paragraph(
                    f"Sampling: {fit['diagnostics']['n_divergent']} divergences, max R-hat "
                    f"{rhat_text(fit['diagnostics']['max_rhat'])}, min bulk ESS "
                    f"{fit['diagnostics']['min_ess_bulk']:.0f}.",
                    "plain" if fit["diagnostics"]["ok"] else "warning",
                ),
            ),
        ),
    )


def _spread_text(value: Spread) -> str:
    if not np.isfinite(value.value):
        return "–"
    spread = value.spread if np.isfinite(value.spread) else None
    return (
        f"{number(value.value, spread)} ± {number(spread, spread)}"
        if spread
        else number(value.value)
    )


def _posterior_text(result: ScalingResult, key: str) -> str:
    if result.bayes is None:
        return "–"
    summary = result.bayes[key]
    width = summary["q95"] - summary["q05"]
    return (
        f"{number(summary['mean'], width)} [{number(summary['q05'], width)}, "
        f"{number(summary['q95'], width)}]"
    )
