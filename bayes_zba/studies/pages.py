"""Report pages of the calibration studies (HTML + Markdown via bayes_zba.report).

Each builder turns a study's JSON summary into a report Page; nothing here fits or samples.
"""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bayes_zba.report.document import Cell, Figure, Page, Paragraph, Section, Table
from bayes_zba.report.formatting import flatten, number
from bayes_zba.rhat import rhat_text
from bayes_zba.studies.figures import recovery_figure, sbc_ecdf_figure, sensitivity_figure


def _flag(ok: bool, good: str, bad: str) -> Cell:
    return Cell(good, "good") if ok else Cell(bad, "warning")


SHAPE_CAPTION = (
    "mean rank: mean fractional rank, ½ if calibrated (below ½ the posterior sits above the "
    "truth, above ½ below it); spread: 12 × its variance, 1 if calibrated (above 1 the "
    "posterior is too narrow, below 1 too wide)."
)


def _stratum_cells(stratum: Mapping[str, Any], name: str) -> tuple[str | Cell, ...]:
    if stratum["parameters"] is None:
        return ("–", "–", "–", "–")
    result = stratum["parameters"][name]
    return (f"{result['p_value']:.3g}", _flag(result["pass"], "pass", "FAIL"), *_shape(result))


def _shape(result: Mapping[str, Any]) -> tuple[str, str]:
    return f"{result['mean_rank']:.2f}", f"{result['rank_spread']:.2f}"


def _outside(outside: Mapping[str, Any]) -> tuple[str, str]:
    """Truths below / above every draw (expected per end), and the tail p of their sum."""
    counts = f"{outside['below']} / {outside['above']} ({outside['expected']:.1f})"
    return counts, f"{outside['p_value']:.3g}"


def _failing(parameters: Mapping[str, Any] | None) -> str:
    if parameters is None:
        return "too few refits to test"
    failing = [name for name, result in parameters.items() if not result["pass"]]
    return ", ".join(failing) if failing else "none fails"


def sbc_convergence_section(summary: Mapping[str, Any]) -> Section:
    """Uniformity within converged refits and within the rest: where a failure comes from."""
    strata = summary["by_convergence"]
    converged, rest = strata["converged"], strata["not_converged"]
    limit = strata["rhat_limit"]
    rows = tuple(
        (name, *_stratum_cells(converged, name), *_stratum_cells(rest, name))
        for name in summary["parameters"]
    )
    return Section(
        "Converged and other refits",
        (
            Paragraph(
                f"Among the {converged['n']} refits with R-hat ≤ {limit}: "
                f"{_failing(converged['parameters'])}. Among the {rest['n']} others: "
                f"{_failing(rest['parameters'])}. A failure confined to the others points at "
                "the sampler (chains left in different modes), one among the converged refits "
                "at the model, the simulator or a bias the chains agree on. This split is a "
                "diagnostic: choosing refits by R-hat can bend ranks a little by itself, so the "
                "verdicts above stay those of all refits."
            ),
            Table(
                "sbc-convergence",
                (
                    "quantity",
                    f"p (χ²), R-hat ≤ {limit}",
                    "verdict",
                    "mean rank",
                    "spread",
                    f"p (χ²), R-hat > {limit}",
                    "verdict",
                    "mean rank",
                    "spread",
                ),
                rows,
                caption=SHAPE_CAPTION,
            ),
        ),
    )


def sbc_page(summary: Mapping[str, Any]) -> Page:
    """Per-quantity uniformity table and ECDF-difference figure of an SBC run."""
    rows = tuple(
        (
            name,
            number(result["statistic"]),
            f"{result['p_value']:.3g}",
            f"{result['ks_p_value']:.3g}",
            _flag(result["ecdf_in_band"], "inside", "leaves band"),
            _flag(result["pass"], "pass", "FAIL"),
            *_shape(result),
            *_outside(result["outside"]),
        )
        for name, result in summary["parameters"].items()
    )
    failing = [name for name, r in summary["parameters"].items() if not r["pass"]]
    headline = (
        f"All {len(rows)} quantities of {summary['model']} are calibrated at n = {summary['n']}."
        if not failing
        else f"{len(failing)} of {len(rows)} quantities of {summary['model']} fail: "
        + ", ".join(failing)
    )
    refits = summary["refits"]
    health = (
        f"{refits['n_with_divergences']} of {summary['n']} refits had divergent transitions; "
        f"largest R-hat {rhat_text(refits['max_rhat'])}; ranks among at least "
        f"{refits['n_draws_min']} thinned draws (median {refits['n_draws_median']:.0f})."
    )
    method = summary["method"]
    return Page(
        title=f"Simulation-based calibration: {summary['model']}",
        summary=headline,
        summary_tone="good" if not failing else "warning",
        sections=(
            Section(
                "Rank uniformity",
                (
                    Table(
                        "sbc",
                        (
                            "quantity",
                            "χ²",
                            "p (χ²)",
                            "p (KS)",
                            "ECDF band",
                            "verdict",
                            "mean rank",
                            "spread",
                            "outside all draws: below / above (expected each)",
                            "p (outside)",
                        ),
                        rows,
                        caption=f"{method['statistic']}; pass if {method['pass_rule']}; "
                        f"{method['thinning']}. {SHAPE_CAPTION} "
                        f"outside: {method['outside']}.",
                    ),
                    Paragraph(health),
                ),
            ),
            sbc_convergence_section(summary),
            Section(
                "ECDF difference",
                (
                    Figure(
                        "ecdf",
                        sbc_ecdf_figure(summary),
                        caption=method["band"],
                        alt="ECDF minus uniform CDF of fractional ranks per quantity",
                    ),
                ),
            ),
        ),
        provenance=flatten(
            {
                k: summary[k]
                for k in ("model", "n", "seed", "design", "reference", "config", "sampler")
            }
        ),
    )


def recovery_page(summary: Mapping[str, Any]) -> Page:
    """Confusion matrix, weights and verdict counts of a model-recovery run."""
    models = summary["models"]
    recovered = summary["recovered"]
    rows = tuple(
        (
            true,
            *(str(summary["confusion"][true][m]) for m in models),
            number(recovered[true]) if recovered[true] is not None else "–",
            ", ".join(f"{k}: {v}" for k, v in sorted(summary["verdicts"][true].items())),
        )
        for true in models
    )
    wrong = summary["confident_wrong"]
    worst = summary["worst_off_diagonal"]
    return Page(
        title="Model recovery",
        summary=(
            f"{summary['n_datasets']} simulated datasets; {wrong} confident verdict(s) "
            f"named a wrong model. {worst_cells_sentence(worst)}"
        ),
        summary_tone="good" if wrong == 0 and worst["weight_pass"] else "warning",
        sections=(
            Section(
                "Confusion matrix",
                (
                    Table(
                        "confusion",
                        ("true \\ leader", *models, "recovered", "verdicts"),
                        rows,
                        caption="Counts of the ranking's leader per true model; verdict labels "
                        "from bayes_zba.compare.",
                    ),
                    Figure(
                        "recovery",
                        recovery_figure(summary),
                        caption="Left: leaders; right: mean stacking weights.",
                        alt="confusion matrix and mean stacking weights",
                    ),
                ),
            ),
        ),
        provenance=flatten(
            {k: summary[k] for k in ("n_per_model", "seed", "design", "sampler", "models")}
        ),
    )


def worst_cells_sentence(worst: Mapping[str, Any]) -> str:
    """One sentence on the worst off-diagonal cells of a recovery confusion matrix."""
    count, weight = worst["count"], worst["weight"]
    if count is None:
        return ""
    limit = f"limit {worst['weight_limit']:g}: {'met' if worst['weight_pass'] else 'NOT met'}"
    heaviest = (
        f"largest wrong mean stacking weight {weight['mean_weight']:.2f} "
        f"({weight['model']} on {weight['true']} data; {limit})."
        if weight
        else ""
    )
    if count["n"] == 0:
        return f"No wrong leaders; {heaviest}"
    return (
        f"Most wrong leaders: {count['n']} × {count['leader']} on {count['true']} data; {heaviest}"
    )


def sensitivity_page(summary: Mapping[str, Any]) -> Page:
    """psense table, per-configuration ranking and posterior figure of a sensitivity run."""
    psense_rows = tuple(
        (
            name,
            f"{values['prior']:.3f}",
            f"{values['likelihood']:.3f}",
            _flag(not values["flag"], values["diagnosis"], values["diagnosis"]),
        )
        for name, values in summary["psense"].items()
    )
    flagged = [name for name, values in summary["psense"].items() if values["flag"]]
    blocks: list[Any] = [
        Table(
            "psense",
            ("quantity", "prior", "likelihood", "diagnosis"),
            psense_rows,
            caption=f"Power-scaling sensitivity (arviz_stats.psense); prior flag at "
            f"≥ {summary['threshold']}. log_lik = Σ log p(y_i | θ), the quantity behind the ELPD.",
        )
    ]
    configurations = summary["configurations"]
    if "ranking" in configurations[0]:
        blocks.append(
            Table(
                "rankings",
                ("prior", "config", "leader", "verdict", f"{summary['model']} position", "Δelpd"),
                tuple(
                    (
                        c["label"],
                        Path(c["config"]).name,
                        c["ranking"]["leader"],
                        c["ranking"]["label"],
                        str(c["ranking"]["position"]),
                        number(c["ranking"]["elpd_diff"]),
                    )
                    for c in configurations
                ),
                caption="Ranking against the rival fits under each prior of the model.",
            )
        )
    blocks.append(
        Figure(
            "posteriors",
            sensitivity_figure(summary),
            caption="Posterior 5-95% intervals and medians under each prior configuration.",
            alt="posterior intervals per parameter and prior",
        )
    )
    return Page(
        title=f"Prior sensitivity: {summary['model']}",
        summary=(
            f"No quantity of {summary['model']} is prior-sensitive."
            if not flagged
            else f"Prior-sensitive: {', '.join(flagged)}."
        ),
        summary_tone="good" if not flagged else "warning",
        sections=(Section("Sensitivity", tuple(blocks)),),
        provenance=flatten({k: summary[k] for k in ("model", "source", "rivals")}),
    )
