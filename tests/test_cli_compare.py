"""`bayes-zba compare` on the command line: options reach the workflow, errors exit 2.

No fits here: the pipeline itself is tested in tests/test_workflow.py.
"""

from pathlib import Path

from typer.testing import CliRunner

from bayes_zba import cli


def test_missing_data_file_is_a_message_and_exit_2(tmp_path):
    result = CliRunner().invoke(
        cli.app, ["compare", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 2
    assert "cannot compare" in result.output
    assert "Traceback" not in result.output


def test_unknown_model_is_a_message_and_exit_2(tmp_path):
    data = Path(__file__).resolve().parent.parent / "data" / "kr2.csv"
    result = CliRunner().invoke(
        cli.app, ["compare", str(data), "--models", "kr2,nope", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "nope" in result.output


def test_compare_passes_its_options_to_the_workflow(tmp_path, monkeypatch):
    calls = []

    def fake_run_comparison(data, **kwargs):
        calls.append((data, kwargs))
        return []

    monkeypatch.setattr("bayes_zba.workflow.run_comparison", fake_run_comparison)
    result = CliRunner().invoke(
        cli.app,
        [
            "compare",
            "d.csv",
            "--models",
            "2ck, wam",
            "--out",
            str(tmp_path),
            "--vmax",
            "3",
            "--sample",
            "s1",
            "--seed",
            "5",
            "--config-dir",
            "cfg",
            "--max-refits",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    data, kwargs = calls[0]
    assert data == "d.csv"
    assert kwargs["models"] == ("2ck", "wam")
    assert kwargs["vmax"] == 3.0 and kwargs["sample"] == "s1" and kwargs["seed"] == 5
    assert kwargs["config_dir"] == Path("cfg") and kwargs["out_dir"] == tmp_path
    assert kwargs["max_refits"] == 2
