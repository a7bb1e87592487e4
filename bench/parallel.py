"""Benchmark of the Dask engine: wall time of a 16-fit study on 1 and on 2 worker processes.

Writes bench/results/parallel.json. Each run starts cold (own study and compile directories);
the fits use the design and sampler settings of the calibration studies, so sampling, not the
one-off compile, dominates the wall time as it does in a real study.
"""

import json
import os
import platform
import tempfile
import time
from pathlib import Path

from bayes_zba import __version__
from bayes_zba.models import load_config
from bayes_zba.parallel import run_tasks
from bayes_zba.studies.design import (
    design_dataset,
    prior_predictive_replications,
    save_replications,
)
from bayes_zba.studies.tasks import SamplerSettings, fit_spec, fit_task

MODEL = "kr2"
DESIGN = "default"
N_FITS = 16
SEED = 20240
SAMPLER = SamplerSettings()  # the studies' default: 4 chains x (500 tune + 500 draws)
WORKER_COUNTS = (1, 2)
RESULT = Path(__file__).parent / "results" / "parallel.json"


def make_specs(root: Path) -> list[dict]:
    """N_FITS fits of prior-predictive datasets of MODEL on the DESIGN preset."""
    design = design_dataset(MODEL, DESIGN, SEED)
    replications = prior_predictive_replications(design, MODEL, load_config(MODEL), N_FITS, SEED)
    paths = save_replications(replications, root / "data", prefix=MODEL)
    return [
        fit_spec(
            f"fit-{index:02d}",
            path,
            MODEL,
            MODEL,
            root / "fits" / f"{index:02d}.nc",
            seed=SEED + index,
            sampler=SAMPLER,
        )
        for index, path in enumerate(paths)
    ]


def timed_study(specs: list[dict], root: Path, n_workers: int) -> dict:
    """Wall time of running every spec cold on `n_workers` processes, and per-task times."""
    study = root / f"study-{n_workers}"
    started = time.perf_counter()
    run_tasks(
        specs, fit_task, study, n_workers=n_workers, compile_root=study / "pytensor", progress=False
    )
    wall = time.perf_counter() - started
    elapsed = [
        json.loads(p.read_text())["elapsed_s"] for p in sorted((study / "tasks").glob("*.json"))
    ]
    return {"wall_s": wall, "task_mean_s": sum(elapsed) / len(elapsed), "task_s": elapsed}


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bayes-zba-bench-") as scratch:
        root = Path(scratch)
        load_before = os.getloadavg()
        specs = make_specs(root)
        runs = {str(n): timed_study(specs, root, n) for n in WORKER_COUNTS}
    result = {
        "benchmark": "16-fit study, 1 vs 2 worker processes (cold compile caches)",
        "model": MODEL,
        "design": DESIGN,
        "n_fits": N_FITS,
        "sampler": SAMPLER.as_dict(),
        "runs": runs,
        "speedup_2_vs_1": runs["1"]["wall_s"] / runs["2"]["wall_s"],
        "cores": os.cpu_count(),
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "python": platform.python_version(),
        "bayes_zba": __version__,
    }
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: result[k] for k in ("n_fits", "speedup_2_vs_1")}))


if __name__ == "__main__":
    main()
