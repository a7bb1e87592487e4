"""Progress display of a fit on stderr: a live bar with an ETA in a terminal, plain timestamped
lines when stderr is a file or a pipe (so a log shows that a long fit is moving), or nothing.

Sampler callbacks run on a background thread; both displays are safe to call from it.
"""

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol, TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

#: Seconds between two plain progress lines of one stage.
PLAIN_LINE_INTERVAL_S = 30.0


class FitProgress(Protocol):
    """What fit() reports while it works."""

    def stage(self, text: str) -> None: ...

    def sampling(self, finished: int, total: int, divergences: int) -> None: ...


class SilentProgress:
    """Reports nothing."""

    def stage(self, text: str) -> None:
        return None

    def sampling(self, finished: int, total: int, divergences: int) -> None:
        return None


def sampling_text(divergences: int) -> str:
    """'sampling', with the divergent transitions so far if there are any."""
    return f"sampling, {divergences} divergent" if divergences else "sampling"


class RichProgress:
    """One status line per stage; a bar with elapsed time and ETA while sampling."""

    def __init__(self, progress: Progress):
        self._progress = progress
        self._task = progress.add_task("starting", total=None)

    def stage(self, text: str) -> None:
        self._progress.reset(self._task, description=text, total=None)

    def sampling(self, finished: int, total: int, divergences: int) -> None:
        self._progress.update(
            self._task, description=sampling_text(divergences), total=total, completed=finished
        )


class PlainProgress:
    """Plain lines for logs: each stage once, then a sampling line every PLAIN_LINE_INTERVAL_S
    with draws done, divergences, elapsed time and the time left at the current rate."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic):
        self._stream = stream
        self._clock = clock
        self._lock = threading.Lock()
        self._stage_started = clock()
        self._last_line = -float("inf")

    def _write(self, text: str) -> None:
        self._stream.write(f"  {text}\n")
        self._stream.flush()

    def stage(self, text: str) -> None:
        with self._lock:
            self._stage_started = self._clock()
            self._last_line = self._stage_started
            self._write(text)

    def sampling(self, finished: int, total: int, divergences: int) -> None:
        with self._lock:
            now = self._clock()
            if now - self._last_line < PLAIN_LINE_INTERVAL_S and 0 < finished < total:
                return
            self._last_line = now
            elapsed = now - self._stage_started
            self._write(
                f"{sampling_text(divergences)}: {finished}/{total} draws, "
                f"{elapsed:.0f} s{remaining_text(finished, total, elapsed)}"
            )


def remaining_text(finished: int, total: int, elapsed: float) -> str:
    """', about N s left' at the rate so far (nothing before the first draw or at the end).

    Examples
    --------
    >>> remaining_text(250, 1000, 30.0)
    ', about 90 s left'
    """
    if finished <= 0 or finished >= total:
        return ""
    left = elapsed * (total - finished) / finished
    return f", about {left / 60:.0f} min left" if left >= 120 else f", about {left:.0f} s left"


@contextmanager
def progress_display(enabled: bool) -> Iterator[FitProgress]:
    """A live display on stderr when it is a terminal, plain lines when it is not, nothing when
    not `enabled`."""
    if not enabled:
        yield SilentProgress()
        return
    console = Console(stderr=True)
    if not console.is_terminal:
        yield PlainProgress(console.file)
        return
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        yield RichProgress(progress)
