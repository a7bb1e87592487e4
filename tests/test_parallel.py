"""Tests of the Dask engine: worker set-up, the resumable task store, and kill-and-resume.

Task functions live at module top level so workers can import them (tests/ is on sys.path).
"""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from distributed import LocalCluster

from bayes_zba.parallel import (
    StaleTaskError,
    TaskError,
    finished_task_ids,
    function_name,
    open_client,
    run_tasks,
    spec_hash,
    worker_environment,
)
from bayes_zba.threads import CHAIN_THREADS_ENV

TESTS_DIR = Path(__file__).parent


def square_and_mark(spec: dict) -> dict:
    """Sleep a little, leave a marker file naming this execution, return x²."""
    time.sleep(spec["sleep_s"])
    if spec.get("fail"):
        raise ValueError(f"task {spec['task_id']} asked to fail")
    marker_dir = Path(spec["marker_dir"])
    marker_dir.mkdir(parents=True, exist_ok=True)
    (marker_dir / f"{spec['task_id']}--{os.getpid()}-{time.time_ns()}").touch()
    for output in spec.get("outputs", ()):
        Path(output).write_text(str(spec["x"] ** 2))
    return {"square": spec["x"] ** 2}


def compile_probe() -> list[str]:
    """Compile a small PyTensor function with the C backend; list the worker's compile dir."""
    import pytensor
    import pytensor.tensor as pt

    x = pt.dvector("x")
    pytensor.function([x], pt.exp(x).sum() * 3.0, mode="FAST_RUN")
    return sorted(str(p) for p in Path(pytensor.config.compiledir).rglob("*") if p.is_file())


def make_specs(n: int, marker_dir: Path, sleep_s: float) -> list[dict]:
    return [
        {"task_id": f"t{i:02d}", "x": i, "sleep_s": sleep_s, "marker_dir": str(marker_dir)}
        for i in range(n)
    ]


def markers_by_task(marker_dir: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for marker in marker_dir.glob("*--*"):
        found.setdefault(marker.name.split("--")[0], set()).add(marker.name)
    return found


def test_spec_hash_is_canonical_and_sensitive():
    name = function_name(square_and_mark)
    assert spec_hash({"a": 1, "b": [1, 2]}, name) == spec_hash({"b": [1, 2], "a": 1}, name)
    assert spec_hash({"a": 1}, name) != spec_hash({"a": 2}, name)
    assert spec_hash({"a": 1}, name) != spec_hash({"a": 1}, "other.func")


def test_function_name_rejects_unimportable_functions():
    with pytest.raises(ValueError, match="importable"):
        function_name(lambda spec: spec)
    assert function_name(square_and_mark).endswith(".square_and_mark")


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        ([{"task_id": "a/b"}], "must match"),
        ([{"task_id": "a"}, {"task_id": "a"}], "twice"),
        ([{"x": 1}], "must match"),
    ],
)
def test_bad_specs_are_refused_before_any_work(tmp_path, specs, message):
    with pytest.raises(ValueError, match=message):
        run_tasks(specs, square_and_mark, tmp_path, progress=False)


WORKER_REPORT = """
import json, multiprocessing, os, sys, time
import pytensor  # imported by the main script, hence again in every spawned worker
from pathlib import Path
from bayes_zba.parallel import open_client, worker_environment
from bayes_zba.threads import CHAIN_THREADS_ENV, chain_threads
from test_parallel import compile_probe


def slow_start(process, start=multiprocessing.process.BaseProcess.start):
    time.sleep(0.5)  # a loaded machine: the spawn thread lags behind the other nanny
    start(process)


if __name__ == "__main__":
    multiprocessing.process.BaseProcess.start = slow_start
    with open_client(n_workers=2, compile_root=Path(sys.argv[1])) as client:
        client.wait_for_workers(2, timeout=120)  # a loaded machine starts them one by one
        environments = list(client.run(worker_environment).values())
        compiled = list(client.run(compile_probe).values())
        chains_at_once = list(client.run(chain_threads, 4).values())
    client_cap = os.environ.get(CHAIN_THREADS_ENV)
    print(json.dumps({"environments": environments, "compiled": compiled,
                      "chains_at_once": chains_at_once, "client_cap": client_cap}))
"""


def run_script(script: str, path: Path, *args: str) -> subprocess.CompletedProcess:
    """Run `script` as a file with tests/ importable; stdout captured, failure raises."""
    path.write_text(textwrap.dedent(script))
    return subprocess.run(
        [sys.executable, str(path), *args],
        env=study_environment(),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


def study_environment() -> dict[str, str]:
    """This environment without a chain cap of its own, with tests/ importable."""
    inherited = {name: value for name, value in os.environ.items() if name != CHAIN_THREADS_ENV}
    return {**inherited, "PYTHONPATH": os.pathsep.join([str(TESTS_DIR), str(TESTS_DIR.parent)])}


def test_workers_get_own_compiledir_one_blas_thread_and_one_chain_at_a_time(tmp_path):
    root = tmp_path / "compile"
    report = json.loads(run_script(WORKER_REPORT, tmp_path / "report.py", str(root)).stdout)
    assert report["chains_at_once"] == [1, 1]
    assert report["client_cap"] is None  # the workers' cap does not leak into the client
    environments, compiled = report["environments"], report["compiled"]
    assert {env["base_compiledir"] for env in environments} == {
        str(root / "worker-0"),
        str(root / "worker-1"),
    }
    assert all(env["OMP_NUM_THREADS"] == "1" for env in environments)
    assert all(env["OPENBLAS_NUM_THREADS"] == "1" for env in environments)
    for env, files in zip(environments, compiled, strict=True):
        assert files, "the C backend wrote nothing"
        assert all(f.startswith(env["base_compiledir"] + os.sep) for f in files)


def test_workers_of_an_existing_cluster_get_the_plugin(tmp_path):
    with (
        LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster,
        open_client(cluster.scheduler_address, compile_root=tmp_path) as client,
    ):
        (environment,) = client.run(worker_environment).values()
    assert environment["base_compiledir"] == str(tmp_path / "worker-0")


def test_worker_count_is_for_local_clusters_only():
    with pytest.raises(ValueError, match="local cluster only"), open_client("tcp://x:1", 2):
        pass


def test_failures_are_reported_and_changed_specs_are_not_reused(tmp_path):
    specs = make_specs(3, tmp_path / "markers", sleep_s=0.0)
    specs[1]["fail"] = True
    with pytest.raises(TaskError) as failed:
        run_tasks(specs, square_and_mark, tmp_path / "study", n_workers=1, progress=False)
    assert list(failed.value.failures) == ["t01"]
    assert "asked to fail" in failed.value.failures["t01"]
    tasks_dir = tmp_path / "study" / "tasks"
    assert sorted(p.name for p in tasks_dir.iterdir()) == [
        "t00.json",
        "t01.failed.json",
        "t02.json",
    ]

    specs[1]["fail"] = False
    results = run_tasks(specs, square_and_mark, tmp_path / "study", n_workers=1, progress=False)
    assert results == [{"square": 0}, {"square": 1}, {"square": 4}]
    assert not (tasks_dir / "t01.failed.json").exists()
    assert {task: len(m) for task, m in markers_by_task(tmp_path / "markers").items()} == {
        "t00": 1,
        "t01": 1,
        "t02": 1,
    }

    specs[2]["x"] = 5
    with pytest.raises(StaleTaskError, match="t02"):
        run_tasks(specs, square_and_mark, tmp_path / "study", n_workers=1, progress=False)


def test_a_finished_task_whose_output_is_gone_runs_again(tmp_path):
    specs = make_specs(2, tmp_path / "markers", sleep_s=0.0)
    outputs = [tmp_path / f"out-{spec['task_id']}.txt" for spec in specs]
    specs = [{**spec, "outputs": [str(o)]} for spec, o in zip(specs, outputs, strict=True)]
    run_tasks(specs, square_and_mark, tmp_path / "study", n_workers=1, progress=False)
    outputs[1].unlink()  # e.g. the study resumed on a machine without its fit files

    results = run_tasks(specs, square_and_mark, tmp_path / "study", n_workers=1, progress=False)
    assert results == [{"square": 0}, {"square": 1}]
    assert outputs[1].read_text() == "1"
    runs = {task: len(m) for task, m in markers_by_task(tmp_path / "markers").items()}
    assert runs == {"t00": 1, "t01": 2}

    outputs[1].unlink()
    specs[1]["x"] = 5  # a changed spec is refused even when its output is gone
    with pytest.raises(StaleTaskError, match="t01"):
        run_tasks(specs, square_and_mark, tmp_path / "study", n_workers=1, progress=False)


def test_finished_task_ids_name_exactly_what_a_rerun_would_reuse(tmp_path):
    specs = make_specs(3, tmp_path / "markers", sleep_s=0.0)
    outputs = [tmp_path / f"out-{spec['task_id']}.txt" for spec in specs]
    specs = [{**spec, "outputs": [str(o)]} for spec, o in zip(specs, outputs, strict=True)]
    study = tmp_path / "study"
    assert finished_task_ids(specs, square_and_mark, study) == set()

    run_tasks(specs[:2], square_and_mark, study, n_workers=1, progress=False)
    outputs[0].unlink()
    assert finished_task_ids(specs, square_and_mark, study) == {"t01"}

    specs[1]["x"] = 5
    with pytest.raises(StaleTaskError, match="t01"):
        finished_task_ids(specs, square_and_mark, study)


KILLABLE_STUDY = """
import sys
from pathlib import Path
from bayes_zba.parallel import run_tasks
from test_parallel import make_specs, square_and_mark

if __name__ == "__main__":
    root = Path(sys.argv[1])
    specs = make_specs({n_tasks}, root / "markers", sleep_s={sleep_s})
    results = run_tasks(
        specs, square_and_mark, root / "study", n_workers={n_workers}, progress=False
    )
    print([r["square"] for r in results])
"""


def start_study(tmp_path: Path, n_tasks: int, n_workers: int) -> tuple[str, Path, subprocess.Popen]:
    """Start KILLABLE_STUDY in its own process group; return once 3 tasks have finished."""
    study = KILLABLE_STUDY.format(n_tasks=n_tasks, sleep_s=0.5, n_workers=n_workers)
    script = tmp_path / "study.py"
    script.write_text(textwrap.dedent(study))
    tasks_dir = tmp_path / "study" / "tasks"
    run = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path)],
        env=study_environment(),
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while len(list(tasks_dir.glob("t*.json"))) < 3:
        assert run.poll() is None, "the study ended before it could be interrupted"
        assert time.monotonic() < deadline, "no task finished in time"
        time.sleep(0.05)
    return study, script, run


def wait_until_group_is_gone(pgid: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    raise AssertionError(f"processes of group {pgid} survived SIGKILL")


def test_killed_study_resumes_without_redoing_or_losing_tasks(tmp_path):
    n_tasks = 12
    study, script, first = start_study(tmp_path, n_tasks, n_workers=2)
    tasks_dir = tmp_path / "study" / "tasks"
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    wait_until_group_is_gone(first.pid, timeout_s=20)

    before = {p.name: (p.stat().st_mtime_ns, p.read_text()) for p in tasks_dir.glob("t*.json")}
    markers_before = markers_by_task(tmp_path / "markers")
    assert 3 <= len(before) < n_tasks, "the kill did not land midway"

    second = run_script(study, script, str(tmp_path))
    assert second.stdout.strip() == str([i * i for i in range(n_tasks)])
    after = {p.name: (p.stat().st_mtime_ns, p.read_text()) for p in tasks_dir.glob("t*.json")}
    assert sorted(after) == [f"t{i:02d}.json" for i in range(n_tasks)]
    assert {name: after[name] for name in before} == before
    markers_after = markers_by_task(tmp_path / "markers")
    for name in before:
        task_id = name.removesuffix(".json")
        assert markers_after[task_id] == markers_before[task_id], f"{task_id} was redone"
    assert not list(tasks_dir.glob(".*.tmp"))


def test_a_lost_worker_does_not_redo_finished_tasks(tmp_path):
    """Dask reruns the tasks whose results a dead worker held; their fits are not redone."""
    n_tasks = 8
    _, _, run = start_study(tmp_path, n_tasks, n_workers=1)
    tasks_dir = tmp_path / "study" / "tasks"
    try:
        finished = {p.stem: json.loads(p.read_text()) for p in tasks_dir.glob("t*.json")}
        os.kill(next(iter(finished.values()))["pid"], signal.SIGKILL)  # its nanny starts another
        stdout, _ = run.communicate(timeout=180)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert run.returncode == 0
    assert stdout.strip() == str([i * i for i in range(n_tasks)])
    runs = markers_by_task(tmp_path / "markers")
    assert {task: len(runs[task]) for task in finished} == dict.fromkeys(finished, 1)
    assert sorted(runs) == [f"t{i:02d}" for i in range(n_tasks)]
