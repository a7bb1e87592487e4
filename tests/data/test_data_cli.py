"""`bayes-zba data check` and `data convert` on the shipped valid and invalid files.

Bad input prints one problem per line naming file, row and column, and exits 2.
"""

import re

import numpy as np
import pytest
from typer.testing import CliRunner

from bayes_zba import cli
from bayes_zba.cli import app
from bayes_zba.data import load_dataset


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    """A terminal wide enough that the summary table does not wrap its cells."""
    monkeypatch.setattr(cli.console, "width", 160)


def check(*args: str):
    return CliRunner().invoke(app, ["data", "check", *args])


def test_valid_file_prints_a_summary_per_sample(shipped_files):
    result = check(str(shipped_files / "valid_small.csv"))
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if re.search(r"\bcu[12]\b", line)]
    assert len(rows) == 2
    for row in rows:
        assert re.search(r"Cu\s.*\s4\s.*\s68\s.*-2 … 2.*0\.1 … 1.*0 … 2.*yes", row)


def test_bias_window_and_units_change_the_summary(shipped_files):
    result = check(str(shipped_files / "valid_small.csv"), "--vmax", "1", "--units", "T=mK")
    assert result.exit_code == 0, result.output
    assert "-1 … 1" in result.output and "0.0001 … 0.001" in result.output
    assert "cu1" in result.output


def test_invalid_file_lists_every_problem_and_exits_2(shipped_files):
    path = str(shipped_files / "invalid_small.csv")
    result = check(path)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith(path)]
    assert len(lines) == 8
    expected = [
        "row 14: expected 6 comma-separated fields",
        "row 9, column T_K: found '-0.3', expected a temperature > 0 K",
        "row 10, column G_e2h: found '14x9.30', expected a number",
        "row 11, column G_e2h: found '', expected a number",
        "row 12, column G_e2h: found 'inf', expected a finite number",
        "row 13, column sigma_e2h: found '0', expected a conductance uncertainty > 0",
        "row 8, column G_e2h: found '1448.90', expected one measurement per point: row 6",
        "curve 'T=1.000K,H=0.00T' of sample 'cu2' has only 3 points",
    ]
    for fragment in expected:
        assert any(fragment in line for line in lines), fragment


def test_bad_options_and_missing_files_exit_2_without_traceback(shipped_files, tmp_path):
    valid = str(shipped_files / "valid_small.csv")
    for args in ([valid, "--units", "V=volt"], [valid, "--vmax", "-1"], [str(tmp_path / "x.csv")]):
        result = check(*args)
        assert result.exit_code == 2, args
        assert "Traceback" not in result.output
    assert "found 'volt'" in check(valid, "--units", "V=volt").output


def test_column_mapping_option(shipped_files, tmp_path):
    text = (shipped_files / "valid_small.csv").read_text(encoding="utf-8")
    renamed = tmp_path / "renamed.csv"
    renamed.write_text(text.replace("G_e2h", "dIdV"), encoding="utf-8")
    assert check(str(renamed)).exit_code == 2
    mapped = check(str(renamed), "--columns", "G=dIdV")
    assert mapped.exit_code == 0
    assert "note: columns mapped: dIdV -> G_e2h" in mapped.output


def convert(*args: str):
    return CliRunner().invoke(app, ["data", "convert", *args])


def test_convert_writes_a_tidy_file_in_physics_units(shipped_files, tmp_path):
    text = (shipped_files / "valid_small.csv").read_text(encoding="utf-8")
    raw = tmp_path / "raw.csv"
    raw.write_text(text.replace("G_e2h", "dIdV"), encoding="utf-8")
    tidy = tmp_path / "tidy.parquet"
    result = convert(str(raw), "--out", str(tidy), "--columns", "G=dIdV", "--units", "T=mK")
    assert result.exit_code == 0, result.output
    assert f"wrote {tidy}" in result.output
    assert "note:" in result.output
    converted = load_dataset(tidy)
    original = load_dataset(shipped_files / "valid_small.csv")
    assert list(converted.table.columns) == list(original.table.columns)
    assert np.allclose(converted.table["T_K"], original.table["T_K"] / 1000.0)
    assert np.array_equal(converted.table["G_e2h"], original.table["G_e2h"])


def test_convert_never_replaces_a_file_and_bad_input_exits_2(shipped_files, tmp_path):
    taken = tmp_path / "taken.csv"
    taken.write_text("mine", encoding="utf-8")
    result = convert(str(shipped_files / "valid_small.csv"), "--out", str(taken))
    assert result.exit_code == 2 and "exists" in result.output
    assert taken.read_text(encoding="utf-8") == "mine"
    bad = convert(str(shipped_files / "invalid_small.csv"), "--out", str(tmp_path / "new.csv"))
    assert bad.exit_code == 2 and "row 9, column T_K" in bad.output
    assert not (tmp_path / "new.csv").exists()
    spreadsheet = convert(str(shipped_files / "valid_small.csv"), "--out", str(tmp_path / "x.xlsx"))
    assert (
        spreadsheet.exit_code == 2 and "expected a file name ending in .csv" in spreadsheet.output
    )
