"""CLI entry point: version and help work without any data."""

from typer.testing import CliRunner

from bayes_zba import __version__
from bayes_zba.cli import app


def test_version_prints_package_version():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output
