"""The simulator, its design presets, the `simulate` CLI command and the shipped examples.

Checks G = G0 + ΔG + c_curve + ε piece by piece (physics.md §1) and the provenance of data/.
"""

import importlib.util
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from bayes_zba.cli import app
from bayes_zba.data import load_dataset
from bayes_zba.physics import REGISTRY, delta_g
from bayes_zba.simulate import (
    DESIGN_PRESETS,
    TYPICAL_PARAMETERS,
    checked_parameters,
    parse_parameter_text,
    simulate,
    simulate_to_file,
    typical_parameters,
)

REPO = Path(__file__).resolve().parent.parent
DATA_DIR = REPO / "data"
SMALL = DESIGN_PRESETS["small"]


def exact(model: str, design=SMALL, **measurement):
    """Simulated data without noise and drift (only G0 + ΔG)."""
    return simulate(
        model,
        typical_parameters(model),
        design,
        noise_sigma=0.0,
        drift_tau=0.0,
        seed=0,
        **measurement,
    )


def model_conductance(dataset, model: str, G0: float) -> np.ndarray:
    table = dataset.table
    params = dataset.attrs["simulation"]["params"]
    return G0 + delta_g(model, table["V_mV"], table["T_K"], table["H_T"], **params)


def test_presets_have_documented_sizes_and_zero_bias_points():
    sizes = {name: design.n_points for name, design in DESIGN_PRESETS.items()}
    assert sizes == {"small": 306, "default": 1491, "fig8": 1812, "field": 1515}
    for design in DESIGN_PRESETS.values():
        assert 0.0 in design.bias_mV and design.description
        assert f"{design.n_points:,} points" in design.description
    assert len(DESIGN_PRESETS["fig8"].temperatures_K) == 12
    assert DESIGN_PRESETS["fig8"].temperatures_K[::11] == (0.1, 5.7)
    assert DESIGN_PRESETS["field"].fields_T == (0.0, 1.0, 2.0, 4.0, 6.0)


def test_typical_parameters_cover_every_model_inside_the_support():
    assert set(TYPICAL_PARAMETERS) == set(REGISTRY)
    for model in REGISTRY:
        assert checked_parameters(model, typical_parameters(model)) == TYPICAL_PARAMETERS[model]


@pytest.mark.parametrize("model", sorted(REGISTRY))
def test_without_noise_and_drift_g_is_g0_plus_delta_g(model):
    dataset = exact(model, G0=1234.5)
    assert len(dataset.table) == SMALL.n_points
    assert len(dataset.curves()) == len(SMALL.temperatures_K) * len(SMALL.fields_T)
    np.testing.assert_allclose(
        dataset.table["G_e2h"], model_conductance(dataset, model, 1234.5), rtol=1e-14
    )


def test_drift_is_one_offset_per_curve_recorded_in_attrs():
    dataset = simulate(
        "kr2", typical_parameters("kr2"), SMALL, noise_sigma=0.0, drift_tau=0.5, seed=3
    )
    residual = dataset.table["G_e2h"] - model_conductance(dataset, "kr2", 2829.0)
    per_curve = residual.groupby(dataset.table["curve"]).agg(["min", "max"])
    np.testing.assert_allclose(per_curve["min"], per_curve["max"], atol=1e-9)
    offsets = dataset.attrs["simulation"]["curve_offsets"]
    np.testing.assert_allclose(per_curve["min"], [offsets[c] for c in per_curve.index], atol=1e-9)


def test_drift_defaults_to_one_part_in_3000_of_g0():
    dataset = simulate("wam", typical_parameters("wam"), SMALL, G0=3000.0, seed=1)
    assert dataset.attrs["simulation"]["drift_tau"] == pytest.approx(1.0)  # 3000/3000


@pytest.mark.filterwarnings("ignore:sample 'sim'. every point is at T = 1 K")
def test_noise_and_drift_have_the_requested_spread():
    design = pd.DataFrame(  # 400 curves × 5 points at one (T, H) each
        {
            "curve": np.repeat([f"c{k:03d}" for k in range(400)], 5),
            "V_mV": np.tile(np.linspace(-1.0, 1.0, 5), 400),
            "T_K": 1.0,
            "H_T": 0.0,
        }
    )
    dataset = simulate(
        "kk", typical_parameters("kk"), design, noise_sigma=0.2, drift_tau=1.5, seed=5
    )
    residual = dataset.table["G_e2h"] - model_conductance(dataset, "kk", 2829.0)
    offsets = dataset.attrs["simulation"]["curve_offsets"]
    noise = residual - dataset.table["curve"].map(offsets)
    # standard errors: σ/√(2n) = 0.2/√4000 ≈ 0.003, τ/√(2·400) ≈ 0.053
    assert np.std(noise) == pytest.approx(0.2, abs=4 * 0.0032)
    assert np.std(list(offsets.values())) == pytest.approx(1.5, abs=4 * 0.053)


def test_seed_makes_it_reproducible_and_outliers_leave_the_noise_alone():
    args = ("2ck", typical_parameters("2ck"), SMALL)
    first, again = simulate(*args, seed=9), simulate(*args, seed=9)
    assert first.content_hash == again.content_hash
    assert simulate(*args, seed=10).content_hash != first.content_hash
    spiky = simulate(*args, seed=9, outlier_fraction=0.1)
    changed = ~np.isclose(spiky.table["G_e2h"], first.table["G_e2h"], rtol=0, atol=1e-12)
    assert changed.sum() == spiky.attrs["simulation"]["n_outliers"]
    assert 10 <= changed.sum() <= 55  # Binomial(306, 0.1): mean 31, sd 5.2
    jumps = np.abs(spiky.table["G_e2h"] - first.table["G_e2h"])[changed]
    assert np.median(jumps) > 3 * 0.1  # spikes of 10 σ × t_2, not ordinary noise


def test_attrs_record_the_truth_and_say_simulated():
    dataset = simulate("kr1", typical_parameters("kr1"), SMALL, seed=4, sample="s1")
    truth = dataset.attrs["simulation"]
    assert truth["model"] == "kr1" and truth["seed"] == 4
    assert truth["params"] == TYPICAL_PARAMETERS["kr1"]
    assert truth["design"]["name"] == "small" and truth["version"]
    assert {"G0", "noise_sigma", "drift_tau", "outlier_fraction"} <= set(truth)
    assert "SIMULATED" in dataset.attrs["notes"][0] and "SIMULATED" in dataset.samples["s1"].notes
    assert dataset.sample_names() == ["s1"]


def test_a_dataset_design_reuses_points_and_curve_labels():
    design = exact("wam", DESIGN_PRESETS["field"]).window(1.0)
    reused = exact("kk", design)
    columns = ["curve", "V_mV", "T_K", "H_T"]
    pd.testing.assert_frame_equal(reused.table[columns], design.table[columns])
    assert reused.attrs["simulation"]["design"]["content_hash"] == design.content_hash


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"A_w": 1.0}, TypeError, "missing: \\['w_Z'\\]"),
        ({"A_w": 1.0, "w_Z": 0.3, "T_K": 1.0}, TypeError, "unknown: \\['T_K'\\]"),
        ({"A_w": 1.0, "w_Z": 0.0}, ValueError, "w_Z=0 \\(support 0.1"),
    ],
)
def test_parameters_are_checked(params, error, message):
    with pytest.raises(error, match=message):
        simulate("wam", params, SMALL, seed=0)


def test_measurement_options_are_checked():
    with pytest.raises(ValueError, match="outlier_fraction"):
        simulate("wam", typical_parameters("wam"), SMALL, seed=0, outlier_fraction=1.0)
    with pytest.raises(ValueError, match=">= 0"):
        simulate("wam", typical_parameters("wam"), SMALL, seed=0, noise_sigma=-1.0)


def test_parameter_text():
    assert parse_parameter_text(" A_kr=0.5, E_b=1e1 ") == {"A_kr": 0.5, "E_b": 10.0}
    assert parse_parameter_text("") == {}
    for bad in ("A_kr", "A_kr=x", "=3", "w_Z=nan"):
        with pytest.raises(ValueError, match="not name=number"):
            parse_parameter_text(bad)


def test_simulate_to_file_round_trips_and_never_overwrites(tmp_path):
    path = tmp_path / "kr2.nc"
    written = simulate_to_file(path, "kr2", seed=2, design="small", params={"E_b": 20.0})
    loaded = load_dataset(path)
    assert loaded.content_hash == written.content_hash
    assert loaded.attrs["simulation"]["params"]["E_b"] == 20.0
    with pytest.raises(FileExistsError):
        simulate_to_file(path, "kr2", seed=2, design="small")
    with pytest.raises(ValueError, match="presets: small, default, fig8, field"):
        simulate_to_file(tmp_path / "x.csv", "kr2", seed=2, design="nope")


def test_cli_simulate_writes_refuses_to_overwrite_and_lists_defaults(tmp_path):
    runner = CliRunner()
    out = tmp_path / "wam.csv"
    command = ["simulate", "wam", "--preset", "small", "--seed", "3", "--out", str(out)]
    result = runner.invoke(app, [*command, "--params", "w_Z=0.5", "--noise", "0.05"])
    assert result.exit_code == 0, result.output
    assert load_dataset(out).attrs["simulation"]["params"]["w_Z"] == 0.5
    again = runner.invoke(app, command)
    assert again.exit_code == 2 and "exists" in again.output
    elsewhere = ["simulate", "wam", "--seed", "1", "--out", str(tmp_path / "b.csv")]
    for params, message in (("w_Z=5", "outside their support"), ("T_K=1", "unknown: ['T_K']")):
        bad = runner.invoke(app, [*elsewhere, "--params", params])
        assert bad.exit_code == 2 and message in bad.output and "Traceback" not in bad.output
    help_text = " ".join(runner.invoke(app, ["simulate", "--help"]).output.split())
    for model, values in TYPICAL_PARAMETERS.items():
        assert f"{model}: " + ", ".join(f"{k}={v:g}" for k, v in values.items()) in help_text


# --- shipped examples (data/README.md) ----------------------------------------------------


def readme_commands() -> dict[str, list[str]]:
    """Example file stem -> arguments of its `bayes-zba simulate` line in data/README.md."""
    text = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    commands = {}
    for line in re.findall(r"^bayes-zba (simulate .*)$", text, flags=re.MULTILINE):
        arguments = line.split()
        commands[Path(arguments[arguments.index("--out") + 1]).stem] = arguments
    return commands


def test_examples_are_small_simulated_and_labelled():
    files = sorted(DATA_DIR.glob("*.csv"))
    assert {f.stem for f in files} == {*REGISTRY, "cu-sample1-like"}
    assert sum(f.stat().st_size for f in DATA_DIR.iterdir()) < 2_000_000
    for path in files:
        dataset = load_dataset(path)
        truth = dataset.attrs["simulation"]
        assert truth["model"] == ("2ck" if path.stem == "cu-sample1-like" else path.stem)
        assert 1400 <= len(dataset.table) <= 2000
        assert any("SIMULATED" in note for note in dataset.attrs["notes"])


def test_readme_commands_reproduce_every_example(tmp_path):
    commands = readme_commands()
    assert set(commands) == {p.stem for p in DATA_DIR.glob("*.csv")}
    for stem, arguments in commands.items():
        out = tmp_path / f"{stem}.csv"
        arguments[arguments.index("--out") + 1] = str(out)
        result = CliRunner().invoke(app, arguments)
        assert result.exit_code == 0, result.output
        shipped = load_dataset(DATA_DIR / f"{stem}.csv")
        assert load_dataset(out).content_hash == shipped.content_hash, stem


def test_make_examples_script_reproduces_data(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "make_examples", REPO / "scripts/make_examples.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    script.make_examples(tmp_path, overwrite=False)
    for path in DATA_DIR.glob("*.csv"):
        regenerated, shipped = load_dataset(tmp_path / path.name), load_dataset(path)
        assert regenerated.content_hash == shipped.content_hash, path.name
        assert regenerated.attrs["notes"] == shipped.attrs["notes"]
