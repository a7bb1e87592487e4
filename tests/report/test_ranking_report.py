"""Ranking report: verdict first, elpd table with both weights, criteria, diagnostics with k̂,
verdict rules from compare.verdict, provenance; also from a saved ranking.json."""

from dataclasses import replace

import pytest
from report_fixtures import SAMPLE

from bayes_zba.compare import (
    VERDICT_RULES,
    WEIGHTS_EXPLANATION,
    load_ranking,
    save_ranking,
)
from bayes_zba.report.document import Figure, Paragraph, Table
from bayes_zba.report.ranking_report import (
    ELPD_COLUMNS,
    compare_frame,
    diagnostics_table,
    elpd_blocks,
    ranking_provenance,
    rule_blocks,
    verdict_blocks,
)


def tables_of(blocks):
    return {b.key: b for b in blocks if isinstance(b, Table)}


def test_elpd_table_lists_models_best_first_with_both_weights(decisive_ranking):
    elpd = tables_of(elpd_blocks(decisive_ranking))["elpd"]
    assert elpd.columns == ELPD_COLUMNS
    assert [row[0].text for row in elpd.rows] == decisive_ranking.models
    first = decisive_ranking.scores[0]
    assert elpd.rows[0][1:] == (
        f"{first.elpd:.1f}",
        f"{first.se:.1f}",
        "0.0",
        "0.0",
        f"{first.weight_stacking:.2f}",
        f"{first.weight_pseudo_bma:.2f}",
    )


def test_winner_is_marked_and_weights_are_explained(decisive_ranking):
    blocks = elpd_blocks(decisive_ranking)
    tones = {row[0].text: row[0].tone for row in tables_of(blocks)["elpd"].rows}
    assert tones == {"kr2": "good", "kr1": "plain", "kk": "plain"}
    assert Paragraph(WEIGHTS_EXPLANATION) in blocks
    assert [b.name for b in blocks if isinstance(b, Figure)] == ["compare"]


def test_other_criteria_table_has_every_elpd(decisive_ranking):
    criteria = tables_of(elpd_blocks(decisive_ranking))["criteria"]
    score = decisive_ranking.scores[1]
    assert criteria.rows[1] == (
        score.model,
        f"{score.elpd_curve_cv:.1f}",
        f"{score.elpd_loo:.1f}",
        f"{score.waic:.1f}",
    )


def test_compare_frame_is_what_plot_compare_reads(decisive_ranking):
    frame = compare_frame(decisive_ranking)
    assert list(frame.index) == decisive_ranking.models
    assert list(frame.columns) == ["elpd", "se", "elpd_diff", "dse"]
    assert frame["elpd_diff"].iloc[0] == 0.0


def test_unreliable_verdict_lists_its_reasons_as_warnings(ranking):
    assert ranking.verdict.label == "unreliable"
    headline, heading, reasons, *_ = verdict_blocks(ranking)
    assert headline.tone == "warning"
    assert headline.text.startswith("Verdict: unreliable. Preferred: none.")
    assert heading.text == "Why there is no verdict:"
    assert [c.text for c in reasons.items] == list(ranking.verdict.reasons)
    assert {c.tone for c in reasons.items} == {"warning"}


def test_diagnostics_table_flags_unresolved_high_k(ranking):
    table = diagnostics_table(ranking)
    rows = {row[0]: row for row in table.rows}
    curve_cell = rows["kr2"][5]
    curve_cv = ranking.scores[ranking.models.index("kr2")].diagnostics["curve_cv"]
    assert curve_cell.text.startswith(f"{curve_cv['n_high_k']} of {curve_cv['n_units']} (max k̂")
    assert curve_cell.tone == ("warning" if curve_cv["unresolved_high_k"] else "plain")
    assert rows["kr2"][1].text == "0" and rows["kr2"][1].tone == "plain"


def test_rules_are_rendered_from_compare_verdict(ranking):
    _, rules = rule_blocks(ranking)
    assert rules.rows == tuple(VERDICT_RULES)
    assert rules.text_columns == 2


def test_provenance_keeps_the_ranking_and_one_line_per_fit(ranking):
    provenance = ranking_provenance(ranking)
    assert provenance["criterion"] == "curve_cv"
    assert provenance["fit kr2"].startswith("sampler none (fixture), seed 20, chains 2")
    assert not any(key.startswith("fits.") for key in provenance)


def test_written_files_and_summary(ranking_report_files, decisive_ranking):
    assert ranking_report_files["html"].name == f"ranking-{SAMPLE}.html"
    assert {"figure:compare", "figure:sweeps", "figure:collapse"} <= set(ranking_report_files)
    markdown = ranking_report_files["markdown"].read_text(encoding="utf-8")
    assert markdown.startswith(
        f"# Which mechanism? Model comparison for sample {SAMPLE}\n\n> "
        f"{decisive_ranking.verdict.sentence}\n"
    )
    assert "| ✓ kr2 |" in markdown


@pytest.mark.parametrize("section", ["elpd", "verdict"])
def test_saved_ranking_renders_like_the_original(decisive_ranking, tmp_path, section):
    reloaded = load_ranking(save_ranking(decisive_ranking, tmp_path / "ranking.json"))
    render = elpd_blocks if section == "elpd" else verdict_blocks
    original, restored = render(decisive_ranking), render(reloaded)
    assert [b for b in original if not isinstance(b, Figure)] == [
        b for b in restored if not isinstance(b, Figure)
    ]


def test_diagnostics_table_shows_non_finite_values_from_json_as_dashes(decisive_ranking):
    score = decisive_ranking.scores[0]
    sampling = {**score.diagnostics["sampling"], "max_rhat": None}
    curve_cv = {**score.diagnostics["curve_cv"], "max_k": None}
    diagnostics = {**score.diagnostics, "sampling": sampling, "curve_cv": curve_cv}
    broken = replace(score, diagnostics=diagnostics)
    row = diagnostics_table(replace(decisive_ranking, scores=(broken,))).rows[0]
    assert (row[2].text, row[2].tone) == ("–", "warning")
    assert "(max k̂ –)" in row[5].text
