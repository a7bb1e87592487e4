"""The `bayes-zba` command line: thin wrappers that call the package rooms.

Every command validates its arguments, calls one package function and prints with rich.
"""

from typing import Annotated

import typer
from rich.console import Console

from bayes_zba import __version__

app = typer.Typer(
    name="bayes-zba",
    help="Bayesian model comparison of zero-bias-anomaly mechanisms in G(V, T, H).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)


def _show_version(value: bool) -> None:
    if value:
        console.print(f"bayes-zba {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Show version."),
    ] = False,
) -> None:
    """Which mechanism do your zero-bias-anomaly data support?"""


# --- commands are added below, one section per room -------------------------------------
