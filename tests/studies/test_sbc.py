"""Tests of simulation-based calibration: summary and report plumbing (fast), a real run (slow).

The fast tests feed rank records straight to summarize_sbc; the slow one fits for real.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from bayes_zba.report.publish import write_page
from bayes_zba.studies.pages import sbc_page
from bayes_zba.studies.sbc import run_sbc, summarize_sbc
from bayes_zba.studies.tasks import SamplerSettings, StudyOptions

SPEC = {
    "design": "small",
    "reference": {"V_max": 5.0, "T_min": 0.5, "H": 0.0},
    "config": "config-fixed.toml",
    "chains": 2,
    "draws": 100,
    "tune": 100,
}


def rank_records(n: int, seed: int) -> list[dict]:
    """Rank records of a calibrated quantity `ok` and an overconfident one `narrow`."""
    rng = np.random.default_rng(seed)
    records = []
    for _ in range(n):
        theta = rng.normal()
        y = rng.normal(theta, 1.0)
        ok = rng.normal(y / 2, np.sqrt(0.5), size=99)
        narrow = rng.normal(y / 2, 0.2, size=99)
        records.append(
            {
                "ranks": {"ok": int(np.sum(ok < theta)), "narrow": int(np.sum(narrow < theta))},
                "n_draws": 99,
                "ess_min": 400.0,
                "n_divergent": 0,
                "max_rhat": 1.004,
            }
        )
    return records


def test_summary_flags_the_miscalibrated_quantity_only():
    summary = summarize_sbc("kr2", [SPEC] * 200, rank_records(200, seed=4), seed=9)
    assert summary["model"] == "kr2" and summary["n"] == 200
    assert summary["parameters"]["ok"]["pass"] is True
    assert summary["parameters"]["narrow"]["pass"] is False
    assert summary["pass_rate"] == 0.5 and summary["all_pass"] is False
    assert len(summary["fractional_ranks"]["ok"]) == 200
    assert summary["refits"]["n_with_divergences"] == 0
    ok, narrow = (summary["parameters"][name]["outside"] for name in ("ok", "narrow"))
    assert ok["expected"] == pytest.approx(2.0) and narrow["expected"] == ok["expected"]
    assert ok["p_value"] > 0.05 and narrow["p_value"] < 1e-6
    assert min(narrow["below"], narrow["above"]) > 10 * ok["expected"]
    json.dumps(summary)


def test_report_names_failures_and_embeds_the_figure(tmp_path):
    summary = summarize_sbc("kr2", [SPEC] * 40, rank_records(40, seed=4), seed=9)
    files = write_page(sbc_page(summary), tmp_path, "sbc")
    html = files["html"].read_text()
    assert "narrow" in html and "FAIL" in html
    assert "outside all draws: below / above (expected each)" in html
    assert "data:image/png;base64," in html
    assert files["figure:ecdf"].read_bytes().startswith(b"\x89PNG")
    assert "narrow" in files["markdown"].read_text()


def test_convergence_split_locates_a_failure_in_the_unconverged_refits():
    """Refits whose chains disagree (R-hat 1.3) report a posterior that sits too high."""
    converged = rank_records(100, seed=5)
    stranded = rank_records(60, seed=6)
    for record in stranded:
        record["max_rhat"] = 1.3
        record["ranks"]["ok"] = record["ranks"]["ok"] // 3  # truth low in every posterior
    summary = summarize_sbc("kr2", [SPEC] * 160, converged + stranded, seed=9)
    strata = summary["by_convergence"]
    assert strata["converged"]["n"] == 100 and strata["not_converged"]["n"] == 60
    assert summary["parameters"]["ok"]["pass"] is False
    assert strata["converged"]["parameters"]["ok"]["pass"] is True
    assert strata["not_converged"]["parameters"]["ok"]["pass"] is False
    assert strata["not_converged"]["parameters"]["ok"]["mean_rank"] < 0.3
    assert 0.4 < strata["converged"]["parameters"]["ok"]["mean_rank"] < 0.6
    assert strata["converged"]["parameters"]["narrow"]["pass"] is False


def test_a_stratum_too_small_to_test_is_reported_by_its_size_only(tmp_path):
    summary = summarize_sbc("kr2", [SPEC] * 40, rank_records(40, seed=4), seed=9)
    assert summary["by_convergence"]["not_converged"] == {"n": 0, "parameters": None}
    html = write_page(sbc_page(summary), tmp_path, "sbc")["html"].read_text()
    assert "Among the 0 others: too few refits to test" in html
    assert "Among the 40 refits with R-hat ≤ 1.05: narrow" in html


@pytest.mark.slow
def test_sbc_run_writes_ranks_for_every_parameter_and_resumes(tmp_path):
    options = StudyOptions(seed=2, sampler=SamplerSettings(chains=2, draws=100, tune=150))
    summary = run_sbc("kr2", 4, "small", tmp_path, options=options)
    assert set(summary["parameters"]) >= {"A_kr", "E_star", "E_b", "H_c", "G0", "sigma"}
    assert {"zba_depth", "zba_width"} <= set(summary["parameters"])
    assert all(0 <= r <= 100 for ranks in summary["ranks"].values() for r in ranks)
    on_disk = json.loads((tmp_path / "sbc.json").read_text())
    assert on_disk["parameters"] == summary["parameters"]
    assert (tmp_path / "sbc.html").exists() and (tmp_path / "sbc.md").exists()
    records = {p: p.stat().st_mtime_ns for p in (tmp_path / "tasks").glob("*.json")}
    assert len(records) == 4
    for record in map(json.loads, map(Path.read_text, records)):
        rhats = record["result"]["rhat"]
        assert {"A_kr", "E_star", "sigma"} <= set(rhats)
        assert all(0.9 < value < 10.0 for value in rhats.values())
        assert record["result"]["restarted_chains"] in range(options.sampler.chains + 1)
    again = run_sbc("kr2", 4, "small", tmp_path, options=options)
    assert again["ranks"] == summary["ranks"]
    assert {p: p.stat().st_mtime_ns for p in records} == records
