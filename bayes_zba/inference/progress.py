"""Progress display of a fit (stages and a sampling bar) on stderr with rich, or nothing.

Sampler callbacks run on a background thread; rich's Progress is thread-safe.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)


class FitProgress(Protocol):
    """What fit() reports while it works."""

    def stage(self, text: str) -> None: ...

    def sampling(self, finished: int, total: int, divergences: int, phase: str) -> None: ...


class SilentProgress:
    """Reports nothing."""

    def stage(self, text: str) -> None:
        return None

    def sampling(self, finished: int, total: int, divergences: int, phase: str) -> None:
        return None


class RichProgress:
    """One status line per stage; a bar over all chains' draws while scouting and sampling."""

    def __init__(self, progress: Progress):
        self._progress = progress
        self._task = progress.add_task("starting", total=None)

    def stage(self, text: str) -> None:
        self._progress.update(self._task, description=text, total=None, completed=0)

    def sampling(self, finished: int, total: int, divergences: int, phase: str) -> None:
        """`phase`: "scouting" (short runs that pick the starts) or "sampling"."""
        note = f" [yellow]{divergences} divergent[/]" if divergences else ""
        self._progress.update(
            self._task, description=f"{phase}{note}", total=total, completed=finished
        )


@contextmanager
def progress_display(enabled: bool) -> Iterator[FitProgress]:
    """A rich display on stderr when enabled, else a silent one."""
    if not enabled:
        yield SilentProgress()
        return
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        yield RichProgress(progress)
