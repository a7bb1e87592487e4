"""Tests of the sbc, recovery and sensitivity commands: bad input is a message and exit code 2.

Each case fails before any fit starts, so these stay fast.
"""

import pytest
from typer.testing import CliRunner

from bayes_zba.cli import app


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["sbc", "no-such-model", "--n", "3"], "no-such-model"),
        (["sbc", "kr2", "--n", "3", "--design", "no-such-design"], "no-such-design"),
        (["recovery", "--n-per-model", "1", "--design", "no-such-design"], "no-such-design"),
        (["sensitivity", "missing.csv", "--model", "kr2"], "missing.csv"),
    ],
)
def test_bad_study_input_exits_2_with_a_message(tmp_path, arguments, message):
    result = CliRunner().invoke(app, [*arguments, "--out", str(tmp_path / "study")])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_study_commands_are_listed():
    result = CliRunner().invoke(app, ["--help"])
    assert all(name in result.output for name in ("sbc", "recovery", "sensitivity"))
