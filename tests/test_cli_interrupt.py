"""Ctrl-C during sampling: exit 130 with one line, no fit file, no temporary, never reused.

The run is a real `bayes-zba` process sent SIGINT once its sampling has started (its plain
progress lines on a pipe say so).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bayes_zba.simulate import DESIGN_PRESETS, simulate, typical_parameters

#: Seconds the process may take to reach sampling (compiling included) and to stop.
START_TIMEOUT_S = 240
STOP_TIMEOUT_S = 60


def _start(arguments: list[str], cwd: Path) -> subprocess.Popen:
    environment = {**os.environ, "COLUMNS": "200"}
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "bayes-zba"), *arguments],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )


def _interrupt_once_sampling(process: subprocess.Popen) -> tuple[int, str, str]:
    """Send SIGINT when a progress line says the main run is sampling; (status, out, err)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    seen = []
    for line in process.stderr:
        seen.append(line)
        if line.strip().startswith("sampling"):
            break
        if time.monotonic() > deadline:
            break
    else:
        pytest.fail(f"the process ended before sampling:\n{''.join(seen)}")
    time.sleep(2.0)  # well inside the sampling of a long run
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=STOP_TIMEOUT_S)
    return process.returncode, out, "".join(seen) + err


@pytest.fixture
def long_data(tmp_path):
    data = simulate("wam", typical_parameters("wam"), DESIGN_PRESETS["small"], seed=3, sample="s")
    path = tmp_path / "wam.csv"
    data.table.to_csv(path, index=False)
    return path


def test_ctrl_c_during_a_fit_exits_130_and_saves_nothing(tmp_path, long_data):
    out = tmp_path / "fits"
    arguments = ["fit", str(long_data), "--model", "wam", "--out", str(out)]
    status, _, err = _interrupt_once_sampling(_start([*arguments, "--draws", "200000"], tmp_path))
    assert status == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert [line for line in err.splitlines() if line.startswith("interrupted")] == [
        "interrupted: nothing unfinished was saved; rerun the same command to resume"
    ]
    assert not list(tmp_path.rglob("*.nc")) and not list(tmp_path.rglob("*.tmp"))


def test_ctrl_c_during_a_comparison_saves_no_partial_fit_and_no_ranking(tmp_path, long_data):
    out = tmp_path / "report"
    arguments = ["compare", str(long_data), "--models", "wam,kr2", "--out", str(out)]
    process = _start([*arguments, "--draws", "200000", "--tune", "50"], tmp_path)
    status, _, err = _interrupt_once_sampling(process)
    assert status == 130, err
    assert not list(tmp_path.rglob("*.nc")) and not list(tmp_path.rglob("*.tmp"))
    assert not list(out.rglob("ranking.json"))
