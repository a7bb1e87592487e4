"""Report of a model comparison: verdict, elpd table and weights, overlays, fingerprints, rules.

Reads a compare.Ranking (or its ranking.json via load_ranking) and the fits it ranked.
"""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from bayes_zba.compare import CRITERION_TEXT, VERDICT_RULES, WEIGHTS_EXPLANATION, Ranking
from bayes_zba.data import Dataset
from bayes_zba.files import safe_stem
from bayes_zba.inference import Fit
from bayes_zba.inference.diagnostics import ESS_PER_CHAIN_MIN
from bayes_zba.report import figures
from bayes_zba.report.blocks import fingerprint_blocks, sweeps_figure, zero_bias_figures
from bayes_zba.report.diagnostics import ess_minimum, flag_if
from bayes_zba.report.document import (
    Block,
    BulletList,
    Cell,
    Figure,
    Page,
    Paragraph,
    Section,
    Table,
)
from bayes_zba.report.fit_report import sample_sweeps
from bayes_zba.report.formatting import as_float, fixed, flatten
from bayes_zba.report.publish import write_page
from bayes_zba.report.views import predictive_from_fit
from bayes_zba.rhat import RHAT_MAX, rhat_text

ELPD_COLUMNS = (
    "model",
    "elpd",
    "SE",
    "Δelpd",
    "dSE",
    "stacking weight",
    "pseudo-BMA weight",
)
CRITERIA_COLUMNS = ("model", "elpd, curve CV", "elpd, PSIS-LOO", "elpd, WAIC")
#: Sampler numbers of a ranking's diagnostics that the table shows.
SAMPLING_NUMBERS = ("n_divergent", "max_rhat", "min_ess_bulk", "min_ess_tail")
DIAGNOSTIC_COLUMNS = (
    "model",
    "divergences",
    "max R-hat",
    "min ESS bulk",
    "min ESS tail",
    "curves with high k̂ (refit)",
    "points with high k̂",
)


def write_ranking_report(
    ranking: Ranking, fits: Mapping[str, Fit], dataset: Dataset, out_dir: str | Path
) -> dict[str, Path]:
    """Write ranking-<sample>.html and .md (+ PNG figures) into out_dir; returns the files.

    `fits` maps model names to the ranked Fits (for predictions); `dataset` holds the data.
    """
    page = ranking_report_page(ranking, fits, dataset)
    return write_page(page, Path(out_dir), safe_stem("ranking", ranking.sample))


def ranking_report_page(ranking: Ranking, fits: Mapping[str, Fit], dataset: Dataset) -> Page:
    """The ranking report as a Page (see write_ranking_report)."""
    data = sample_sweeps(dataset, ranking.sample)
    predictions = [predictive_from_fit(fits[m], m) for m in ranking.models if m in fits]
    sections = (
        Section("Verdict", verdict_blocks(ranking)),
        Section("Expected log predictive density", elpd_blocks(ranking)),
        Section(
            "Every model against the data",
            (sweeps_figure(data, predictions), *zero_bias_figures(data, predictions)),
        ),
        Section("Fingerprints", fingerprint_blocks(data, predictions)),
        Section("Diagnostics per model", (diagnostics_table(ranking),)),
        Section("How the verdict is decided", rule_blocks(ranking)),
    )
    return Page(
        title=f"Which mechanism? Model comparison for sample {ranking.sample}",
        summary=ranking.verdict.sentence,
        sections=sections,
        provenance=ranking_provenance(ranking),
        summary_tone="warning" if ranking.verdict.label == "unreliable" else "plain",
    )


def verdict_blocks(ranking: Ranking) -> tuple[Block, ...]:
    """Label and winner, then the reasons (why no verdict) and caveats, if any."""
    verdict = ranking.verdict
    winner = ", ".join(verdict.winner) if verdict.winner else "none"
    blocks: list[Block] = [
        Paragraph(
            f"Verdict: {verdict.label}. Preferred: {winner}. Leader on "
            f"{CRITERION_TEXT[ranking.criterion]}: {verdict.leader}.",
            "warning" if verdict.label == "unreliable" else "plain",
        )
    ]
    for heading, items in (
        ("Why there is no verdict:", verdict.reasons),
        ("Caveats:", verdict.caveats),
    ):
        if items:
            blocks += [Paragraph(heading), BulletList(tuple(Cell(i, "warning") for i in items))]
    return tuple(blocks)


def elpd_blocks(ranking: Ranking) -> tuple[Block, ...]:
    """The elpd table (headline criterion), the other criteria, weights and the compare plot."""
    winners = set(ranking.verdict.winner)
    rows = tuple(
        (
            Cell(s.model, "good" if s.model in winners else "plain"),
            f"{s.elpd:.1f}",
            f"{s.se:.1f}",
            f"{s.elpd_diff:.1f}",
            f"{s.dse:.1f}",
            f"{s.weight_stacking:.2f}",
            f"{s.weight_pseudo_bma:.2f}",
        )
        for s in ranking.scores
    )
    criterion = CRITERION_TEXT[ranking.criterion]
    return (
        Table(
            "elpd",
            ELPD_COLUMNS,
            rows,
            caption=(
                f"Best first by {criterion} (the headline criterion). Δelpd is the difference "
                "to the best model and dSE its standard error (paired over units); elpd is a "
                "log density (higher predicts held-out data better)."
            ),
        ),
        Paragraph(WEIGHTS_EXPLANATION),
        Figure(
            "compare",
            figures.compare_plot(compare_frame(ranking)),
            f"ArviZ compare plot (arviz_plots.plot_compare) of Δelpd ± dSE by {criterion}; "
            "the dashed line is the best model.",
            "model comparison plot",
        ),
        Table(
            "criteria",
            CRITERIA_COLUMNS,
            tuple(
                (s.model, f"{s.elpd_curve_cv:.1f}", f"{s.elpd_loo:.1f}", f"{s.waic:.1f}")
                for s in ranking.scores
            ),
            caption=(
                "The same models on each criterion: leave-one-curve-out CV predicts whole "
                "unseen sweeps, PSIS-LOO single points, WAIC is its asymptotic cousin."
            ),
        ),
    )


def compare_frame(ranking: Ranking) -> pd.DataFrame:
    """The ranking as the DataFrame arviz_plots.plot_compare reads (index: model names)."""
    return pd.DataFrame(
        {
            "elpd": [s.elpd for s in ranking.scores],
            "se": [s.se for s in ranking.scores],
            "elpd_diff": [s.elpd_diff for s in ranking.scores],
            "dse": [s.dse for s in ranking.scores],
        },
        index=ranking.models,
    )


def diagnostics_table(ranking: Ranking) -> Table:
    """Sampler health and Pareto k̂ counts of every model, problems highlighted."""
    return Table(
        "model-diagnostics",
        DIAGNOSTIC_COLUMNS,
        tuple(
            _diagnostic_row(s.model, s.diagnostics, ess_minimum(fit_chains(ranking, s.model)))
            for s in ranking.scores
        ),
        caption=(
            f"Highlighted: divergences, R-hat > {RHAT_MAX}, ESS < {ESS_PER_CHAIN_MIN} per chain, "
            "or units whose Pareto k̂ exceeds the threshold without an exact refit (their elpd "
            "is unreliable)."
        ),
    )


def fit_chains(ranking: Ranking, model: str) -> int:
    """Number of chains of a ranked model's fit (from the ranking's provenance)."""
    return int(ranking.provenance["fits"][model]["chains"])


def _diagnostic_row(
    model: str, diagnostics: Mapping[str, Any], ess_min: int
) -> tuple[str | Cell, ...]:
    sampling = {name: as_float(diagnostics["sampling"][name]) for name in SAMPLING_NUMBERS}
    return (
        model,
        flag_if(fixed(sampling["n_divergent"], 0), sampling["n_divergent"] != 0),
        flag_if(rhat_text(sampling["max_rhat"]), not sampling["max_rhat"] <= RHAT_MAX),
        flag_if(fixed(sampling["min_ess_bulk"], 0), not sampling["min_ess_bulk"] >= ess_min),
        flag_if(fixed(sampling["min_ess_tail"], 0), not sampling["min_ess_tail"] >= ess_min),
        _high_k_cell(diagnostics["curve_cv"]),
        _high_k_cell(diagnostics["loo"]),
    )


def _high_k_cell(summary: Mapping[str, Any]) -> Cell:
    """ "n of N (k̂ max …)" with refits named; a warning while any stays unresolved."""
    text = f"{summary['n_high_k']} of {summary['n_units']} (max k̂ {fixed(summary['max_k'], 2)})"
    if summary["refit"]:
        text += f"; {len(summary['refit'])} refit exactly"
    return flag_if(text, bool(summary["unresolved_high_k"]))


def rule_blocks(ranking: Ranking) -> tuple[Block, ...]:
    """The verdict rules of bayes_zba.compare.verdict, as the table it documents."""
    return (
        Paragraph(
            f"The verdict reads the headline criterion ({CRITERION_TEXT[ranking.criterion]}) "
            "and checks it against the other criterion and each fit's health. The first "
            "rule that applies decides:"
        ),
        Table(
            "verdict-rules",
            ("verdict", "when"),
            tuple((label, rule) for label, rule in VERDICT_RULES),
            text_columns=2,
        ),
    )


def ranking_provenance(ranking: Ranking) -> dict[str, str]:
    """The ranking's own provenance, then one compact line per ranked fit."""
    own = {k: v for k, v in ranking.provenance.items() if k != "fits"}
    flat = flatten(own)
    flat |= {
        f"fit {model}": _fit_line(fit) for model, fit in ranking.provenance.get("fits", {}).items()
    }
    return flat


def _fit_line(provenance: Mapping[str, Any]) -> str:
    keys = ("sampler", "seed", "chains", "draws", "tune", "data_hash", "package", "version")
    return ", ".join(f"{k} {provenance[k]}" for k in keys if k in provenance)
