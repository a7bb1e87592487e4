"""Benchmark of single fits on the shipped 1,500-point examples data/<model>.csv.

Per model: compile time cold (empty compile cache) and warm (cache of the cold run), nutpie
sampling time, min bulk ESS/s, gradient evaluations, peak memory, whether the 90 % intervals
cover the simulated truth, and the same fit with PyMC's own NUTS for the ratio. Each
measurement runs in its own process; results merge into bench/results/fit.json per model.
Usage: python bench/fit.py [--models 2ck,kr2] [--draws N] [--pymc-draws N]
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULT = Path(__file__).parent / "results" / "fit.json"
MODELS = ("2ck", "kr2", "kr1", "kk", "wam")
SEED = 1
#: Targets of the brief (reported next to the measurements, never asserted).
TARGETS = {
    "sampling_s": 20.0,
    "min_ess_bulk_per_s": 100.0,
    "compile_cold_s": 30.0,
    "memory_mb": 3000.0,
}


def worker(model: str, sampler: str, draws: int, compile_only: bool) -> dict:
    """One measurement in this process (its compile dir is set by the parent's environment)."""
    started = time.perf_counter()
    from bayes_zba.data import load_dataset
    from bayes_zba.inference import fit
    from bayes_zba.inference.diagnostics import truth_coverage
    from bayes_zba.models import build_model

    dataset = load_dataset(ROOT / "data" / f"{model}.csv")
    import_s = time.perf_counter() - started
    if compile_only:
        import nutpie

        from bayes_zba.inference.sampling import traced_names

        model_graph = build_model(dataset, model)
        started = time.perf_counter()
        nutpie.compile_pymc_model(model_graph, var_names=traced_names(model_graph))
        return {"compile_s": time.perf_counter() - started, "import_s": import_s}
    result = fit(
        dataset, model, seed=SEED, draws=draws, tune=draws, sampler=sampler, progress=False
    )
    provenance, diagnostics = result.provenance, result.diagnostics
    sampling_s = provenance["timings"]["sampling_s"]
    return {
        "n_points": provenance["n_points"],
        "chains": provenance["chains"],
        "draws": draws,
        "tune": draws,
        "timings": provenance["timings"],
        "min_ess_bulk": diagnostics.min_ess_bulk,
        "min_ess_bulk_per_s": diagnostics.min_ess_bulk / sampling_s,
        "max_rhat": diagnostics.max_rhat,
        "n_divergent": diagnostics.n_divergent,
        "gradient_evaluations": provenance["gradient_evaluations"],
        "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "warnings": diagnostics.warnings,
        "truth_in_90_percent_interval": truth_coverage(
            result, dataset.attrs["simulation"]["params"]
        ),
    }


def measure(
    model: str, sampler: str, draws: int, compiledir: Path, compile_only: bool = False
) -> dict:
    """Run `worker` in a fresh process with PyTensor's compile dir at `compiledir`."""
    env = {**os.environ, "PYTENSOR_FLAGS": f"base_compiledir={compiledir}"}
    command = [
        sys.executable,
        __file__,
        "--worker",
        model,
        "--sampler",
        sampler,
        "--draws",
        str(draws),
    ]
    if compile_only:
        command.append("--compile-only")
    output = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def bench_model(model: str, draws: int, pymc_draws: int) -> dict:
    compiledir = Path(tempfile.mkdtemp(prefix=f"bench-fit-{model}-"))
    cold = measure(model, "nutpie", draws, compiledir)
    warm = measure(model, "nutpie", draws, compiledir, compile_only=True)
    pymc = measure(model, "pymc", pymc_draws, compiledir)
    return {
        "nutpie": cold,
        "compile_cold_s": cold["timings"]["compile_s"],
        "compile_warm_s": warm["compile_s"],
        "pymc": pymc,
        "ess_per_s_ratio_nutpie_over_pymc": cold["min_ess_bulk_per_s"] / pymc["min_ess_bulk_per_s"],
        "sampling_s_per_draw_ratio_pymc_over_nutpie": (pymc["timings"]["sampling_s"] / pymc_draws)
        / (cold["timings"]["sampling_s"] / draws),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--pymc-draws", type=int, default=500)
    parser.add_argument("--worker")
    parser.add_argument("--sampler", default="nutpie")
    parser.add_argument("--compile-only", action="store_true")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.sampler, args.draws, args.compile_only)))
        return
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    record = json.loads(RESULT.read_text()) if RESULT.exists() else {"models": {}}
    record["targets"] = TARGETS
    for model in args.models.split(","):
        load_before = os.getloadavg()
        measured = bench_model(model, args.draws, args.pymc_draws)
        measured["machine"] = {
            "cpus": os.cpu_count(),
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
            "python": platform.python_version(),
            "date": time.strftime("%Y-%m-%d %H:%M"),
        }
        record["models"][model] = measured  # other models keep their earlier measurement
        RESULT.write_text(json.dumps(record, indent=2) + "\n")
    print(f"wrote {RESULT}")


if __name__ == "__main__":
    main()
