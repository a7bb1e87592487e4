"""The whole comparison pipeline: files and JSON keys on a small design, resuming, slow checks.

The fast test fits two cheap models with few draws; slow tests run the shipped examples.
"""

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from bayes_zba.compare import load_ranking
from bayes_zba.data import dataset_from_frame, load_dataset, save_dataset
from bayes_zba.files import safe_stem
from bayes_zba.inference import heldout_curve_log_likelihood, load_fit
from bayes_zba.inference.sampling import GIVEN_STARTS
from bayes_zba.simulate import DESIGN_PRESETS, TYPICAL_PARAMETERS, simulate
from bayes_zba.workflow import (
    DEFAULT_FIT_OPTIONS,
    FitPlan,
    current_fit,
    heldout_refit,
    load_configs,
    run_comparison,
    run_demo,
)

QUICK = {"chains": 2, "draws": 150, "tune": 150, "sampler": "nutpie"}
QUICK_MODELS = ("kr2", "kr1")
EXAMPLES = Path(__file__).resolve().parent.parent / "data"
RANKING_KEYS = ["sample", "verdict", "criterion", "ranking", "provenance"]


def _compare_small(path: Path, out_dir: Path, refit: tuple[str, ...] = ()) -> list[Path]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # few draws: the fits' own diagnostics warn
        return run_comparison(
            path,
            models=QUICK_MODELS,
            out_dir=out_dir,
            seed=7,
            progress=False,
            fit_options=QUICK,
            max_refits=1,
            refit=refit,
        )


@pytest.fixture(scope="module")
def small_comparison(tmp_path_factory):
    """kr2 data on the "small" design (6 curves), compared against kr1 with few draws."""
    root = tmp_path_factory.mktemp("workflow")
    data = simulate(
        "kr2", TYPICAL_PARAMETERS["kr2"], DESIGN_PRESETS["small"], seed=5, sample="small-kr2"
    )
    path = save_dataset(data, root / "small.csv")
    return root, path, _compare_small(path, root / "out")


def test_pipeline_writes_ranking_json_and_reports(small_comparison):
    root, _, written = small_comparison
    report_dir = root / "out" / "small-kr2"
    assert {p.suffix for p in written} == {".json", ".html", ".md", ".png"}
    assert all(p.parent == report_dir and p.exists() for p in written)
    assert [p.name for p in written if p.suffix == ".json"] == ["ranking.json"]
    document = json.loads((report_dir / "ranking.json").read_text())
    assert list(document) == RANKING_KEYS
    assert document["sample"] == "small-kr2"
    assert {row["model"] for row in document["ranking"]} == set(QUICK_MODELS)
    assert document["verdict"]["label"] in {"decisive", "leaning", "inconclusive", "unreliable"}
    assert document["verdict"]["sentence"]
    for model in QUICK_MODELS:
        assert (root / "out" / "fits" / "small-kr2" / f"{model}.nc").exists()


def test_refits_are_bounded_and_saved(small_comparison):
    root, _, written = small_comparison
    ranking = load_ranking(next(p for p in written if p.name == "ranking.json"))
    heldout = sorted((root / "out" / "fits" / "small-kr2" / "heldout").rglob("*.nc"))
    refit = {s.model: s.diagnostics["curve_cv"]["refit"] for s in ranking.scores}
    assert all(len(curves) <= 1 for curves in refit.values())
    assert len(heldout) == sum(len(curves) for curves in refit.values())


def test_rerun_reuses_every_saved_fit(small_comparison):
    root, path, _ = small_comparison
    fits = sorted((root / "out" / "fits").rglob("*.nc"))
    stamps = [p.stat().st_mtime_ns for p in fits]
    _compare_small(path, root / "out")
    assert sorted((root / "out" / "fits").rglob("*.nc")) == fits
    assert [p.stat().st_mtime_ns for p in fits] == stamps


def test_refit_remakes_only_the_named_models_fits(small_comparison):
    root, path, _ = small_comparison
    fit_dir = root / "out" / "fits" / "small-kr2"
    stamps = {p: p.stat().st_mtime_ns for p in fit_dir.rglob("*.nc")}
    _compare_small(path, root / "out", refit=("kr1",))
    remade = {
        p.relative_to(fit_dir).as_posix() for p in stamps if p.stat().st_mtime_ns != stamps[p]
    }
    assert "kr1.nc" in remade and all("kr2" not in name for name in remade)
    assert all(name == "kr1.nc" or name.startswith("heldout/kr1/") for name in remade)


def test_an_interrupted_fit_left_by_an_older_version_is_fitted_again(small_comparison, capsys):
    root, path, _ = small_comparison
    saved = root / "out" / "fits" / "small-kr2" / "kr2.nc"
    result = load_fit(saved)
    result.tree["posterior"]["E_star"][1:] = np.nan  # what nutpie returned on Ctrl-C
    result.tree.to_netcdf(saved, engine="h5netcdf")  # as the older version saved it
    plan = FitPlan(seed=7, options=QUICK)
    data = load_dataset(path)
    config = load_configs(["kr2"], None, None)["kr2"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        refitted = current_fit(data, "kr2", config, saved, plan)
    assert "not reusing it" in capsys.readouterr().err
    assert refitted.incompleteness() is None and load_fit(saved).incompleteness() is None


def test_a_saved_fit_is_current_only_for_the_same_inputs(small_comparison):
    root, path, _ = small_comparison
    data = load_dataset(path)
    config = load_configs(["kr2"], None, None)["kr2"]
    saved = load_fit(root / "out" / "fits" / "small-kr2" / "kr2.nc")
    assert saved.made_from(data, config, {"seed": 7, **QUICK})
    assert not saved.made_from(data, config, {"seed": 8, **QUICK})
    assert not saved.made_from(data, config, {"seed": 7, **DEFAULT_FIT_OPTIONS})
    narrower = config.with_measurement(vmax_mV=1.0)
    assert not saved.made_from(data, narrower, {"seed": 7, **QUICK})
    first = data.curves()["curve"].iloc[0]
    fewer_curves = _curves_subset(data, lambda curves: curves != first)
    assert not saved.made_from(fewer_curves, config, {"seed": 7, **QUICK})
    assert not saved.made_from(data, config, {"seed": 7, **QUICK}, [first])


def _curves_subset(data, keep):
    rows = keep(data.table["curve"]).to_numpy()
    return dataset_from_frame(data.table[rows], source=data.source, samples=data.samples)


def test_a_refit_reuses_the_compiled_model_and_predicts_the_heldout_curve(
    small_comparison, tmp_path
):
    _, path, _ = small_comparison
    data = load_dataset(path)
    configs = load_configs(["kr1"], None, None)
    plan = FitPlan(seed=3, options=QUICK, progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # few draws
        current_fit(data, "kr1", configs["kr1"], tmp_path / "kr1.nc", plan)
        full = load_fit(tmp_path / "kr1.nc")  # as saved: its chain ends survive the file
        label = str(data.curves()["curve"].iloc[2])
        refit_heldout = heldout_refit(data, configs, tmp_path / "heldout", plan, {"kr1": full})
        heldout = refit_heldout("kr1", [label])
    refit = load_fit(tmp_path / "heldout" / "kr1" / f"{safe_stem(label)}.nc")
    assert refit.provenance["compiled_model_reused"] is True
    assert refit.provenance["heldout_curves"] == [label]
    assert full.provenance["scouting"] is not None and refit.provenance["scouting"] is None
    assert refit.provenance["initialisation"] == GIVEN_STARTS
    assert [str(c) for c in heldout["curve"].values] == [label]
    # the same predictive, computed from the refit's posterior on the held-out curve alone
    alone = _curves_subset(data, lambda curves: curves == label)
    expected = heldout_curve_log_likelihood(refit, alone)
    np.testing.assert_allclose(heldout.values, expected.values, rtol=1e-9)


def _rank_example(name: str, tmp_path: Path, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        written = run_comparison(
            EXAMPLES / f"{name}.csv", out_dir=tmp_path, seed=11, progress=False, **kwargs
        )
    return load_ranking(next(p for p in written if p.name == "ranking.json"))


@pytest.mark.slow
def test_demo_ranks_2ck_first(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        written = run_demo(tmp_path, progress=False)
    ranking = load_ranking(next(p for p in written if p.name == "ranking.json"))
    assert ranking.models[0] == "2ck"
    assert ranking.verdict.label != "unreliable"


@pytest.mark.slow
@pytest.mark.parametrize("model", ["2ck", "kr2", "kr1", "kk", "wam"])
def test_each_example_ranks_its_own_mechanism_first(model, tmp_path):
    ranking = _rank_example(model, tmp_path)
    assert ranking.models[0] == model
    assert ranking.verdict.label != "unreliable"


@pytest.mark.slow
def test_field_series_puts_wam_below_2ck(tmp_path):
    ranking = _rank_example("2ck", tmp_path, models=("2ck", "wam"))
    assert ranking.models == ["2ck", "wam"]
    assert ranking.verdict.label in {"decisive", "leaning"}


@pytest.mark.slow
def test_field_free_2ck_design_is_said_to_be_inconclusive_if_it_is(tmp_path):
    """Without a field series wam can mimic 2ck: the report must then say so, not pick."""
    data = simulate("2ck", TYPICAL_PARAMETERS["2ck"], DESIGN_PRESETS["fig8"], seed=21)
    path = save_dataset(data, tmp_path / "fig8-2ck.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        written = run_comparison(
            path, models=("2ck", "wam"), out_dir=tmp_path / "out", seed=11, progress=False
        )
    ranking = load_ranking(next(p for p in written if p.name == "ranking.json"))
    assert ranking.verdict.label != "unreliable"
    if ranking.verdict.label == "inconclusive":
        assert set(ranking.verdict.winner) == {"2ck", "wam"}
        assert "cannot tell" in ranking.verdict.sentence
    else:
        assert ranking.models[0] == "2ck"
