"""`bayes-zba fit`: options reach the inference room, diagnostics are printed, errors exit 2."""

import json
from pathlib import Path

import pandas as pd
import pytest
import xarray as xr
from typer.testing import CliRunner

from bayes_zba import cli
from bayes_zba.data import save_dataset
from bayes_zba.inference import Fit, load_fit
from bayes_zba.inference.diagnostics import Diagnostics
from bayes_zba.simulate import DESIGN_PRESETS, simulate, typical_parameters

DATA = Path(__file__).resolve().parent.parent / "data"


def fake_fit(warnings: list[str], restarts: tuple[str, ...] = ()) -> Fit:
    diagnostics = Diagnostics(1.002, 812.0, 640.0, 0, [0.9, 1.1], 0, warnings, list(restarts))
    provenance = {"model": "kr1", "sample": "s1", "timings": {"compile_s": 12.0, "sampling_s": 3.0}}
    tree = xr.DataTree()
    tree.attrs = {"provenance": json.dumps(provenance), "diagnostics": diagnostics.to_json()}
    return Fit(tree, Path("out/s1/kr1.nc"))


def test_options_reach_fit_data_file_and_diagnostics_are_printed(monkeypatch):
    calls = []

    def fake(data, model, **kwargs):
        calls.append((data, model, kwargs))
        return fake_fit(["min bulk ESS 12 < 400"]), False

    monkeypatch.setattr("bayes_zba.inference.run.fit_data_file", fake)
    arguments = ["fit", "d.csv", "--model", "kr1", "--out", "o", "--vmax", "1.5", "--seed", "9"]
    result = CliRunner().invoke(cli.app, [*arguments, "--draws", "50", "--chains", "2"])
    assert result.exit_code == 0, result.output
    data, model, options = calls[0]
    assert (data, model, options["vmax_mV"], options["seed"]) == ("d.csv", "kr1", 1.5, 9)
    assert (options["draws"], options["tune"], options["chains"]) == (50, 1000, 2)
    assert "max R-hat 1.002" in result.output and "0 divergent" in result.output
    assert "warning: min bulk ESS 12 < 400" in result.output
    assert "out/s1/kr1.nc" in result.output


def test_chains_run_again_are_printed_as_notes(monkeypatch):
    note = "chain 2 was stranded (median log density 10.0, best chain 90.0) and was run again"
    monkeypatch.setattr(
        "bayes_zba.inference.run.fit_data_file", lambda *a, **k: (fake_fit([], (note,)), False)
    )
    result = CliRunner().invoke(cli.app, ["fit", "d.csv", "--model", "kr1", "--out", "o"])
    assert result.exit_code == 0, result.output
    assert f"note: {note}" in result.output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--model", "kr9"], "unknown model 'kr9'"),
        (["--model", "kr1", "--config", "models/kr2.toml"], "is for model 'kr2'"),
        (["--model", "kr1", "--config", "absent.toml"], "cannot read"),
    ],
)
def test_bad_arguments_are_a_message_and_exit_2(tmp_path, arguments, message):
    command = ["fit", str(DATA / "kr1.csv"), "--out", str(tmp_path), *arguments]
    result = CliRunner().invoke(cli.app, command)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_missing_data_and_several_samples_exit_2(tmp_path):
    runner = CliRunner()
    missing = runner.invoke(
        cli.app, ["fit", str(tmp_path / "no.csv"), "--model", "kr1", "--out", str(tmp_path)]
    )
    assert missing.exit_code == 2 and "cannot fit" in missing.output
    both = tmp_path / "both.csv"
    first = simulate("kr1", typical_parameters("kr1"), DESIGN_PRESETS["small"], seed=1, sample="a")
    second = simulate("kr1", typical_parameters("kr1"), DESIGN_PRESETS["small"], seed=2, sample="b")
    pd.concat([first.table, second.table]).to_csv(both, index=False)
    several = runner.invoke(cli.app, ["fit", str(both), "--model", "kr1", "--out", str(tmp_path)])
    assert several.exit_code == 2 and "--sample" in several.output


@pytest.mark.slow
def test_fit_writes_the_sample_and_model_file(tmp_path):
    dataset = simulate(
        "kr1", typical_parameters("kr1"), DESIGN_PRESETS["small"], seed=3, sample="s 1"
    )
    data = save_dataset(dataset, tmp_path / "s1.csv")
    command = ["fit", str(data), "--model", "kr1", "--out", str(tmp_path / "fits")]
    result = CliRunner().invoke(
        cli.app, [*command, "--draws", "100", "--tune", "200", "--chains", "2"]
    )
    assert result.exit_code == 0, result.output
    written = tmp_path / "fits" / "s_1" / "kr1.nc"
    assert load_fit(written).sample == "s 1"
    assert f"wrote {written}" in result.output.replace("\n", "")


def test_refit_is_passed_on_and_a_reused_fit_says_so(monkeypatch):
    calls = []

    def fake(data, model, **kwargs):
        calls.append(kwargs["refit"])
        return fake_fit([]), not kwargs["refit"]

    monkeypatch.setattr("bayes_zba.inference.run.fit_data_file", fake)
    arguments = ["fit", "d.csv", "--model", "kr1", "--out", "o"]
    reused = CliRunner().invoke(cli.app, arguments)
    again = CliRunner().invoke(cli.app, [*arguments, "--refit", "all"])
    assert calls == [False, True]
    assert "reused out/s1/kr1.nc" in reused.output and "--refit fits again" in reused.output
    assert "wrote out/s1/kr1.nc" in again.output


def test_refit_naming_another_model_is_an_error(monkeypatch):
    arguments = ["fit", "d.csv", "--model", "kr1", "--out", "o", "--refit", "2ck"]
    result = CliRunner().invoke(cli.app, arguments)
    assert result.exit_code == 2
    assert "--refit names 2ck, but this command fits kr1" in result.output
