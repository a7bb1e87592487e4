"""Progress of a fit on a pipe or file: plain lines with draws, divergences and time left."""

import io

from bayes_zba.inference.progress import PLAIN_LINE_INTERVAL_S, PlainProgress, remaining_text


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_plain_lines_are_throttled_and_carry_an_eta():
    stream, clock = io.StringIO(), FakeClock()
    progress = PlainProgress(stream, clock)
    progress.stage("compiling")
    progress.sampling(0, 8000, 0)
    clock.now = 1.0
    progress.sampling(100, 8000, 0)  # too soon after the last line: not printed
    clock.now = PLAIN_LINE_INTERVAL_S + 1.0
    progress.sampling(2000, 8000, 3)
    clock.now = 2 * PLAIN_LINE_INTERVAL_S + 2.0
    progress.sampling(8000, 8000, 3)  # the last line always shows
    lines = stream.getvalue().splitlines()
    assert lines[0] == "  compiling"
    assert lines[1] == "  sampling: 0/8000 draws, 0 s"
    assert lines[2].startswith("  sampling, 3 divergent: 2000/8000 draws, 31 s, about")
    assert lines[3] == "  sampling, 3 divergent: 8000/8000 draws, 62 s"
    assert len(lines) == 4


def test_remaining_time_reads_in_minutes_when_long():
    assert remaining_text(10, 100, 60.0) == ", about 9 min left"
    assert remaining_text(0, 100, 5.0) == "" and remaining_text(100, 100, 5.0) == ""
