"""Tests of model recovery: tallying rankings (fast) and a two-model run end to end (slow).

Rankings in the fast tests have the ranking.json shape of bayes_zba.compare.
"""

import json
import shutil

import pytest

from bayes_zba.report.publish import write_page
from bayes_zba.studies.pages import recovery_page, worst_cells_sentence
from bayes_zba.studies.recovery import fits_still_needed, run_recovery, summarize_recovery
from bayes_zba.studies.tasks import SamplerSettings, StudyOptions

MODELS = ("kr1", "kr2", "wam")


def ranking(leader: str, label: str, weights: dict[str, float]) -> dict:
    winner = [] if label == "unreliable" else [leader]
    order = sorted(weights, key=lambda m: -weights[m])
    return {
        "verdict": {"label": label, "winner": winner, "leader": leader},
        "ranking": [{"model": m, "weight_stacking": weights[m]} for m in order],
    }


def rank_specs(true_models: list[str]) -> list[dict]:
    return [{"task_id": f"rank-{t}-{i:03d}", "true_model": t} for i, t in enumerate(true_models)]


CASES = [
    ("kr1", ranking("kr1", "decisive", {"kr1": 0.9, "kr2": 0.1, "wam": 0.0})),
    ("kr1", ranking("kr2", "inconclusive", {"kr1": 0.4, "kr2": 0.6, "wam": 0.0})),
    ("kr2", ranking("kr2", "leaning", {"kr1": 0.2, "kr2": 0.8, "wam": 0.0})),
    ("wam", ranking("kr1", "decisive", {"kr1": 0.7, "kr2": 0.0, "wam": 0.3})),
]


def test_confusion_weights_and_verdicts_are_tallied_per_true_model():
    summary = summarize_recovery(MODELS, rank_specs([t for t, _ in CASES]), [r for _, r in CASES])
    assert summary["confusion"] == {
        "kr1": {"kr1": 1, "kr2": 1, "wam": 0},
        "kr2": {"kr1": 0, "kr2": 1, "wam": 0},
        "wam": {"kr1": 1, "kr2": 0, "wam": 0},
    }
    assert summary["mean_weights"]["kr1"] == pytest.approx({"kr1": 0.65, "kr2": 0.35, "wam": 0.0})
    assert summary["verdicts"]["kr1"] == {"decisive": 1, "inconclusive": 1}
    assert summary["recovered"] == {"kr1": 0.5, "kr2": 1.0, "wam": 0.0}
    assert summary["confident_wrong"] == 1
    worst = summary["worst_off_diagonal"]
    assert worst["count"] == {"true": "kr1", "leader": "kr2", "n": 1}
    assert worst["weight"] == {"true": "wam", "model": "kr1", "mean_weight": pytest.approx(0.7)}
    assert worst["weight_pass"]
    assert [row["dataset"] for row in summary["datasets"]] == [
        "kr1-000",
        "kr1-001",
        "kr2-002",
        "wam-003",
    ]
    json.dumps(summary)


def test_recovery_report_shows_the_matrix(tmp_path):
    summary = summarize_recovery(MODELS, rank_specs([t for t, _ in CASES]), [r for _, r in CASES])
    summary |= {"n_per_model": 1, "seed": 0, "design": "small", "sampler": {}}
    files = write_page(recovery_page(summary), tmp_path, "recovery")
    html = files["html"].read_text()
    assert 'id="confusion"' in html and "1 confident verdict(s)" in html
    assert "largest wrong mean stacking weight 0.70 (kr1 on wam data; limit 0.9: met)" in html
    assert files["figure:recovery"].read_bytes().startswith(b"\x89PNG")


def test_a_wrong_model_with_mean_weight_above_the_limit_fails_the_weight_check():
    cases = [("kr2", ranking("kr1", "decisive", {"kr1": 0.95, "kr2": 0.05, "wam": 0.0}))]
    summary = summarize_recovery(MODELS, rank_specs([t for t, _ in cases]), [r for _, r in cases])
    assert summary["worst_off_diagonal"]["weight"]["mean_weight"] == pytest.approx(0.95)
    assert not summary["worst_off_diagonal"]["weight_pass"]
    assert "limit 0.9: NOT met" in worst_cells_sentence(summary["worst_off_diagonal"])


def test_a_perfect_recovery_says_no_wrong_leaders():
    cases = [("kr2", ranking("kr2", "decisive", {"kr1": 0.3, "kr2": 0.7, "wam": 0.0}))]
    summary = summarize_recovery(MODELS, rank_specs([t for t, _ in cases]), [r for _, r in cases])
    assert worst_cells_sentence(summary["worst_off_diagonal"]).startswith("No wrong leaders;")


def test_only_datasets_not_yet_ranked_are_fitted():
    fits = {d: {m: {"task_id": f"fit-{d}-{m}"} for m in MODELS} for d in ("kr1-000", "wam-000")}
    ranks = [{"task_id": f"rank-{d}", "fit_specs": per} for d, per in fits.items()]
    every_fit = [spec for per in fits.values() for spec in per.values()]
    assert fits_still_needed(every_fit, ranks, set()) == every_fit
    needed = fits_still_needed(every_fit, ranks, {"rank-kr1-000"})
    assert [spec["task_id"] for spec in needed] == [f"fit-wam-000-{m}" for m in MODELS]
    assert fits_still_needed(every_fit, ranks, {"rank-kr1-000", "rank-wam-000"}) == []


@pytest.mark.slow
def test_recovery_run_fits_every_model_on_every_dataset(tmp_path):
    options = StudyOptions(seed=5, sampler=SamplerSettings(chains=2, draws=150, tune=150))
    summary = run_recovery(1, "small", tmp_path, models=["kr1", "wam"], options=options)
    assert summary["n_datasets"] == 2
    assert sum(sum(row.values()) for row in summary["confusion"].values()) == 2
    for true_model in ("kr1", "wam"):
        weights = summary["mean_weights"][true_model]
        assert sum(weights.values()) == pytest.approx(1.0, abs=1e-6)
    assert len(list((tmp_path / "fits").rglob("*.nc"))) == 4
    assert json.loads((tmp_path / "recovery.json").read_text())["confusion"] == summary["confusion"]

    records = {p.name: p.read_text() for p in (tmp_path / "tasks").glob("*.json")}
    shutil.rmtree(tmp_path / "fits")  # a fresh checkout: fit files are not kept in git
    again = run_recovery(1, "small", tmp_path, models=["kr1", "wam"], options=options)
    assert again["datasets"] == summary["datasets"]
    assert not (tmp_path / "fits").exists(), "a dataset already ranked was fitted again"
    assert {p.name: p.read_text() for p in (tmp_path / "tasks").glob("*.json")} == records
