"""Sampler diagnostics block: values outside the trusted range are highlighted, warnings listed.

Thresholds (inference's): R-hat ≤ 1.01, ESS ≥ 100 per chain, BFMI ≥ 0.3, no divergences.
"""

from bayes_zba.inference import Diagnostics
from bayes_zba.report.diagnostics import diagnostics_blocks, diagnostics_rows, ess_minimum
from bayes_zba.report.document import BulletList, Paragraph, Table

CHAINS = 4
CLEAN = Diagnostics(1.004, 900.0, 800.0, 0, [0.9, 1.1], 0)
TROUBLED = Diagnostics(1.05, 120.0, 90.0, 7, [0.2, 0.8], 3, ["7 divergent transitions", "R-hat"])


def tones(diagnostics):
    return {q: value.tone for q, value, _ in diagnostics_rows(diagnostics, CHAINS)}


def test_clean_fit_has_no_highlight_and_says_so():
    assert set(tones(CLEAN).values()) == {"plain"}
    table, note = diagnostics_blocks(CLEAN, CHAINS)
    assert isinstance(table, Table) and table.key == "diagnostics"
    assert note == Paragraph("No sampler warnings.", "good")


def test_every_problem_is_highlighted():
    assert set(tones(TROUBLED).values()) == {"warning"}


def test_values_are_shown_with_sensible_digits():
    values = {q: v.text for q, v, _ in diagnostics_rows(TROUBLED, CHAINS)}
    assert values["max R-hat"] == "1.050"
    assert values["min ESS bulk"] == "120"
    assert values["min BFMI (per chain)"] == "0.20"
    assert values["divergences"] == "7"


def test_warnings_follow_the_table_highlighted():
    _, heading, warnings = diagnostics_blocks(TROUBLED, CHAINS)
    assert heading.tone == "warning"
    assert isinstance(warnings, BulletList)
    assert [(c.text, c.tone) for c in warnings.items] == [
        ("7 divergent transitions", "warning"),
        ("R-hat", "warning"),
    ]


def test_thresholds_themselves_are_fine():
    edge = Diagnostics(1.01, 400.0, 400.0, 0, [0.3], 0)
    assert set(tones(edge).values()) == {"plain"}


def test_ess_threshold_scales_with_the_number_of_chains():
    assert ess_minimum(4) == 400
    rows = {q: (v.tone, fine) for q, v, fine in diagnostics_rows(CLEAN, 10)}
    assert rows["min ESS bulk"] == ("warning", "≥ 1000")


def test_restarted_chains_are_listed_after_the_warnings():
    note = "chain 3 was stranded (median log density 1128.9, best chain 1221.0) and was run again"
    restarted = Diagnostics(1.004, 900.0, 800.0, 0, [0.9, 1.1], 0, restarts=[note])
    _, verdict, heading, items = diagnostics_blocks(restarted, CHAINS)
    assert verdict == Paragraph("No sampler warnings.", "good")
    assert "run again" in heading.text
    assert [c.text for c in items.items] == [note]
    assert len(diagnostics_blocks(CLEAN, CHAINS)) == 2
