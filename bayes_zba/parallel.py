"""The one place that talks to Dask: single-threaded worker processes and a resumable task store.

Studies describe work as small JSON-able task specs; workers rebuild models from them (see
docs/parallel.md), write each result atomically under <study_dir>/tasks/ and reruns skip them.
"""

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import re
import socket
import sys
import tempfile
import time
import traceback
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from distributed import Client, LocalCluster, Nanny, Status, Worker, WorkerPlugin, as_completed
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bayes_zba.files import write_json_atomically
from bayes_zba.threads import CHAIN_THREADS_ENV, usable_cores

#: Environment of every local worker process: one BLAS thread and one chain at a time (the
#: cores are the workers).
SINGLE_THREAD_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    CHAIN_THREADS_ENV: "1",
}
#: Task ids become file names: letters, digits, '.', '_' and '-' only.
TASK_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
#: How often a starting nanny checks whether its worker process has been spawned (seconds).
SPAWN_POLL_S = 0.01

_log = logging.getLogger(__name__)


class StaleTaskError(RuntimeError):
    """A finished task on disk was made from a different spec than the one asked for now."""


class TaskError(RuntimeError):
    """Some tasks failed; `.failures` maps task id -> traceback text. Finished ones are kept."""

    def __init__(self, failures: Mapping[str, str]):
        self.failures = dict(failures)
        first_id, first_trace = next(iter(self.failures.items()))
        super().__init__(
            f"{len(self.failures)} task(s) failed ({', '.join(self.failures)}); "
            f"first failure, {first_id}:\n{first_trace}"
        )


# --- files -----------------------------------------------------------------------------------


def function_name(func: Callable[..., Any]) -> str:
    """'module.qualname' of an importable top-level function (what workers will import)."""
    name = f"{func.__module__}.{func.__qualname__}"
    if "<" in func.__qualname__ or func.__module__ == "__main__":
        raise ValueError(f"task function {name} must be an importable top-level function")
    return name


def spec_hash(spec: Mapping[str, Any], func_name: str) -> str:
    """SHA-256 of the canonical JSON of (function, spec): a changed spec gets a new hash."""
    canonical = json.dumps({"func": func_name, "spec": spec}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class TaskStore:
    """Task records of one study: <study_dir>/tasks/<task_id>.json (+ .failed.json on error)."""

    def __init__(self, study_dir: Path):
        self.tasks_dir = Path(study_dir) / "tasks"

    def record_path(self, task_id: str) -> Path:
        return self.tasks_dir / f"{task_id}.json"

    def failure_path(self, task_id: str) -> Path:
        return self.tasks_dir / f"{task_id}.failed.json"

    def load(self, task_id: str) -> dict[str, Any] | None:
        """The finished record of `task_id`, or None if it has not finished."""
        path = self.record_path(task_id)
        if not path.exists():
            return None
        return json.loads(path.read_text())

    def remove_temporaries(self) -> None:
        """Delete half-written files left by a killed run (one run per study dir at a time)."""
        for leftover in self.tasks_dir.glob(".*.tmp"):
            leftover.unlink(missing_ok=True)


def _execute_task(
    func: Callable[[dict[str, Any]], Any], spec: dict[str, Any], study_dir: str, digest: str
) -> Any:
    """Worker side: run one task and store its record (or its failure) atomically.

    A task whose record of this very spec is already stored (with its outputs) returns the
    stored result: Dask runs a task again when the worker holding its result is lost, and
    the fit behind that result must not be redone.
    """
    store = TaskStore(Path(study_dir))
    task_id = spec["task_id"]
    stored = store.load(task_id)
    if stored is not None and stored["spec_hash"] == digest and _outputs_exist(spec):
        return stored["result"]
    started = time.time()
    try:
        result = func(spec)
    except Exception:
        write_json_atomically(
            store.failure_path(task_id),
            {"task_id": task_id, "spec_hash": digest, "traceback": traceback.format_exc()},
            sort_keys=True,
        )
        raise
    record = {
        "task_id": task_id,
        "spec_hash": digest,
        "func": function_name(func),
        "spec": spec,
        "result": result,
        "elapsed_s": time.time() - started,
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "host": socket.gethostname(),
        "pid": os.getpid(),
    }
    write_json_atomically(store.record_path(task_id), record, sort_keys=True)
    store.failure_path(task_id).unlink(missing_ok=True)
    return result


# --- workers ---------------------------------------------------------------------------------


def default_compile_root() -> Path:
    """Where per-worker PyTensor compile directories live unless the caller says otherwise."""
    return Path(tempfile.gettempdir()) / f"bayes-zba-pytensor-{os.getuid()}"


def _flags_with_compiledir(flags: str, compiledir: Path) -> str:
    """PYTENSOR_FLAGS with any base_compiledir entry replaced by `compiledir`."""
    kept = [f for f in flags.split(",") if f and not f.strip().startswith("base_compiledir")]
    return ",".join([*kept, f"base_compiledir={compiledir}"])


def worker_compiledir(root: str | Path | None, worker_name: object) -> Path:
    """<root>/worker-<name>: the PyTensor compile directory of one worker."""
    safe_name = re.sub(r"[^A-Za-z0-9._-]", "_", str(worker_name))
    return Path(root or default_compile_root()) / f"worker-{safe_name}"


class SingleThreadedNanny(Nanny):
    """Starts a worker process with one BLAS thread and its own PyTensor compile directory.

    Both go into distributed's pre-spawn environment, so they hold from the first line the
    process runs, including the main script that multiprocessing re-imports in it.
    """

    def __init__(self, *args: Any, compile_root: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        flags = os.environ.get("PYTENSOR_FLAGS", "")
        compiledir = worker_compiledir(compile_root, self.name)
        self.pre_spawn_env.update(SINGLE_THREAD_ENV)
        self.pre_spawn_env["PYTENSOR_FLAGS"] = _flags_with_compiledir(flags, compiledir)

    async def instantiate(self) -> Status:
        """Start the worker process, spawning one nanny's process at a time.

        distributed writes the pre-spawn environment into this process's os.environ and
        spawns from a helper thread later; two nannies starting at once could both spawn
        with the second one's environment (seen under load: both workers in worker-1's
        compile directory). The lock is held only until the child has been spawned.
        """
        async with _spawn_lock():
            starting = asyncio.ensure_future(super().instantiate())
            while not (starting.done() or self._worker_spawned()):
                await asyncio.sleep(SPAWN_POLL_S)
        return await starting

    def _worker_spawned(self) -> bool:
        """Whether the worker process exists (its environment was fixed when it was spawned)."""
        worker_process = self.process.process if self.process is not None else None
        return worker_process is not None and worker_process.pid is not None


_SPAWN_LOCKS: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock]" = (
    weakref.WeakKeyDictionary()
)


def _spawn_lock() -> asyncio.Lock:
    """The lock that serialises worker spawns on the running event loop."""
    return _SPAWN_LOCKS.setdefault(asyncio.get_running_loop(), asyncio.Lock())


class PytensorCompiledirPlugin(WorkerPlugin):
    """Gives each worker of an existing cluster its own compile directory <root>/worker-<name>.

    PyTensor reads PYTENSOR_FLAGS once, at import, so this works only for workers that have
    not imported it yet (fresh `dask worker` processes); others are reported, not changed.
    """

    idempotent = True

    def __init__(self, root: str | None = None):
        self.root = root

    def setup(self, worker: Worker) -> None:
        if "pytensor" in sys.modules:
            _log.warning(
                "worker %s imported PyTensor before the compile-dir plugin; it keeps %s",
                worker.name,
                sys.modules["pytensor"].config.base_compiledir,
            )
            return
        os.environ["PYTENSOR_FLAGS"] = _flags_with_compiledir(
            os.environ.get("PYTENSOR_FLAGS", ""), worker_compiledir(self.root, worker.name)
        )


def worker_environment() -> dict[str, Any]:
    """What a worker really runs with: pid, BLAS threads, PyTensor compile directory."""
    import pytensor

    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "base_compiledir": str(pytensor.config.base_compiledir),
        "compiledir": str(pytensor.config.compiledir),
        **{name: os.environ.get(name) for name in SINGLE_THREAD_ENV},
    }


@contextlib.contextmanager
def _environment_restored(name: str) -> Iterator[None]:
    """Undo changes to os.environ[name] (Nannies write their pre-spawn environment into it)."""
    before = os.environ.get(name)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


@contextlib.contextmanager
def open_client(
    scheduler: str | None = None,
    n_workers: int | None = None,
    compile_root: Path | None = None,
) -> Iterator[Client]:
    """A Dask client: a new LocalCluster (one 1-thread process per core) or `scheduler`.

    With `scheduler` (an address such as tcp://host:8786, e.g. of a dask-jobqueue cluster)
    the existing workers are used and `n_workers` must be None.
    """
    root = str(compile_root) if compile_root else None
    if scheduler is not None:
        if n_workers is not None:
            raise ValueError("n_workers applies to a local cluster only, not to --scheduler")
        with Client(scheduler) as client:
            client.register_plugin(PytensorCompiledirPlugin(root))
            yield client
        return
    with (
        _environment_restored("PYTENSOR_FLAGS"),
        _environment_restored(CHAIN_THREADS_ENV),
        LocalCluster(
            n_workers=n_workers or usable_cores(),
            threads_per_worker=1,
            processes=True,
            worker_class=SingleThreadedNanny,
            compile_root=root,
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": ":0"},  # HTTP endpoints on a free port
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


# --- running a study -------------------------------------------------------------------------


def _validate_specs(specs: Sequence[Mapping[str, Any]]) -> None:
    seen: set[str] = set()
    for spec in specs:
        task_id = spec.get("task_id")
        if not isinstance(task_id, str) or not TASK_ID_PATTERN.match(task_id):
            raise ValueError(f"task_id {task_id!r} must match {TASK_ID_PATTERN.pattern}")
        if task_id in seen:
            raise ValueError(f"task_id {task_id!r} appears twice")
        seen.add(task_id)
        json.dumps(spec)  # raises TypeError for anything that is not JSON-able


def _finished_results(
    store: TaskStore, specs: Sequence[Mapping[str, Any]], digests: Mapping[str, str]
) -> dict[str, Any]:
    """Results already on disk, by task id; a record made from another spec is an error.

    A task whose spec lists `outputs` (paths it writes) counts as finished only while they
    all exist: a study resumed where its fit files are gone (another machine, a cleaned
    scratch directory) runs those tasks again instead of failing in the tasks that read them.
    """
    finished: dict[str, Any] = {}
    stale: list[str] = []
    for spec in specs:
        record = store.load(spec["task_id"])
        if record is None:
            continue
        if record["spec_hash"] != digests[spec["task_id"]]:
            stale.append(spec["task_id"])
        elif _outputs_exist(spec):
            finished[spec["task_id"]] = record["result"]
    if stale:
        raise StaleTaskError(
            f"{len(stale)} finished task(s) in {store.tasks_dir} were made from a different "
            f"spec ({', '.join(stale[:5])}{', …' if len(stale) > 5 else ''}); "
            "use a new study directory or delete those task files"
        )
    return finished


def _outputs_exist(spec: Mapping[str, Any]) -> bool:
    return all(Path(p).exists() for p in spec.get("outputs", ()))


def _spec_digests(
    specs: Sequence[Mapping[str, Any]], func: Callable[[dict[str, Any]], Any]
) -> dict[str, str]:
    name = function_name(func)
    return {spec["task_id"]: spec_hash(spec, name) for spec in specs}


def finished_task_ids(
    specs: Sequence[Mapping[str, Any]], func: Callable[[dict[str, Any]], Any], study_dir: Path
) -> set[str]:
    """Ids of the specs whose stored results run_tasks(specs, func, study_dir) would reuse.

    Lets a study skip work that only unfinished tasks need (recovery: the fits of datasets
    already ranked). A stored record of a different spec raises StaleTaskError, as in run_tasks.
    """
    digests = _spec_digests(specs, func)
    return set(_finished_results(TaskStore(Path(study_dir)), specs, digests))


def _progress_bar(enabled: bool) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        disable=not enabled,
    )


def run_tasks(
    specs: Sequence[Mapping[str, Any]],
    func: Callable[[dict[str, Any]], Any],
    study_dir: Path,
    *,
    scheduler: str | None = None,
    n_workers: int | None = None,
    compile_root: Path | None = None,
    progress: bool = True,
) -> list[Any]:
    """Run `func(spec)` for every spec on Dask workers; results in the order of `specs`.

    Each spec is a JSON-able dict with a unique "task_id" and optionally "outputs", the
    files the task writes. A task whose record already sits in <study_dir>/tasks/ with the
    same spec hash, and whose outputs all exist, is not run again. Failed tasks leave a
    <task_id>.failed.json; the others still finish and TaskError is raised at the end.
    """
    _validate_specs(specs)
    digests = _spec_digests(specs, func)
    store = TaskStore(Path(study_dir))
    store.tasks_dir.mkdir(parents=True, exist_ok=True)
    store.remove_temporaries()
    results = _finished_results(store, specs, digests)
    pending = [dict(spec) for spec in specs if spec["task_id"] not in results]
    failures: dict[str, str] = {}
    with _progress_bar(progress) as bar:
        bar_task = bar.add_task("tasks", total=len(specs), completed=len(results))
        if pending:
            with open_client(scheduler, n_workers, compile_root) as client:
                futures = {
                    client.submit(
                        _execute_task,
                        func,
                        spec,
                        str(study_dir),
                        digests[spec["task_id"]],
                        key=f"{spec['task_id']}-{digests[spec['task_id']][:12]}",
                        pure=False,
                    ): spec["task_id"]
                    for spec in pending
                }
                for future in as_completed(futures):
                    task_id = futures[future]
                    if future.status == "finished":
                        results[task_id] = future.result()
                    else:
                        failures[task_id] = "".join(traceback.format_exception(future.exception()))
                    future.release()  # a lost worker's finished results are not recomputed
                    bar.advance(bar_task)
    if failures:
        raise TaskError(failures)
    return [results[spec["task_id"]] for spec in specs]
