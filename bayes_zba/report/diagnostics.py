"""Sampler diagnostics as report blocks: a table with out-of-range values highlighted, warnings.

Reads an inference Diagnostics record; thresholds are inference's own (diagnostics.py).
"""

from typing import Any

from bayes_zba.inference.diagnostics import BFMI_MIN, ESS_PER_CHAIN_MIN
from bayes_zba.report.document import Block, BulletList, Cell, Paragraph, Table
from bayes_zba.report.formatting import fixed
from bayes_zba.rhat import RHAT_MAX, rhat_text


def ess_minimum(chains: int) -> int:
    """Smallest acceptable ESS of a fit with `chains` chains (inference's per-chain rule)."""
    return ESS_PER_CHAIN_MIN * chains


def flag_if(text: str, bad: bool) -> Cell:
    """A cell highlighted as a warning when `bad`."""
    return Cell(text, "warning" if bad else "plain")


def diagnostics_rows(diagnostics: Any, chains: int) -> list[tuple[str, Cell, str]]:
    """(quantity, value, what is fine) rows of the sampler diagnostics of `chains` chains."""
    d = diagnostics
    ess_min = ess_minimum(chains)
    min_bfmi = min(d.bfmi) if len(d.bfmi) else float("nan")
    checks = (
        ("divergences", str(d.n_divergent), d.n_divergent > 0, "0"),
        ("max R-hat", rhat_text(d.max_rhat), not d.max_rhat <= RHAT_MAX, f"≤ {RHAT_MAX}"),
        ("min ESS bulk", fixed(d.min_ess_bulk, 0), not d.min_ess_bulk >= ess_min, f"≥ {ess_min}"),
        ("min ESS tail", fixed(d.min_ess_tail, 0), not d.min_ess_tail >= ess_min, f"≥ {ess_min}"),
        ("min BFMI (per chain)", fixed(min_bfmi, 2), not min_bfmi >= BFMI_MIN, f"≥ {BFMI_MIN}"),
        ("draws at max tree depth", str(d.treedepth_hits), d.treedepth_hits > 0, "0"),
    )
    return [(quantity, flag_if(text, bad), fine) for quantity, text, bad, fine in checks]


def diagnostics_blocks(diagnostics: Any, chains: int) -> tuple[Block, ...]:
    """The diagnostics table followed by the sampler's warnings (or a note that there are none)."""
    table = Table(
        "diagnostics",
        ("quantity", "value", "fine when"),
        tuple(diagnostics_rows(diagnostics, chains)),
        caption="Highlighted values are outside the range where the posterior can be trusted.",
    )
    restarts = _restart_blocks(diagnostics.restarts)
    if not diagnostics.warnings:
        return (table, Paragraph("No sampler warnings.", "good"), *restarts)
    return (
        table,
        Paragraph("Sampler warnings:", "warning"),
        BulletList(tuple(Cell(w, "warning") for w in diagnostics.warnings)),
        *restarts,
    )


def _restart_blocks(restarts: list[str]) -> tuple[Block, ...]:
    """A note on chains that were run again because they were stranded (none: nothing)."""
    if not restarts:
        return ()
    return (
        Paragraph(
            "Chains run again: stranded in a region of negligible posterior mass, far below "
            "the heaviest chain's (the table describes the chains kept):"
        ),
        BulletList(tuple(Cell(r, "plain") for r in restarts)),
    )
