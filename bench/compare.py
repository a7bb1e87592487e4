"""Benchmark of the 5-model demo comparison: time to report cold (no saved fits, empty
compile cache) and warm (every fit and refit saved). Writes bench/results/compare.json.

Usage: python bench/compare.py [--max-refits N]. The compile cache is a fresh temporary
directory unless --keep-compile-cache is given (then "cold" means only "no saved fits").
"""

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

RESULT = Path(__file__).parent / "results" / "compare.json"
TARGETS = {"cold_time_to_report_s": 360.0, "warm_time_to_report_s": 180.0, "memory_mb": 3000.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-refits", type=int, default=None)
    parser.add_argument("--keep-compile-cache", action="store_true")
    args = parser.parse_args()
    if not args.keep_compile_cache:
        if "pytensor" in sys.modules:
            raise RuntimeError("pytensor was imported before the compile dir was set")
        compiledir = tempfile.mkdtemp(prefix="bench-compare-compiledir-")
        os.environ["PYTENSOR_FLAGS"] = f"base_compiledir={compiledir}"
    from bayes_zba import __version__
    from bayes_zba.compare import DEFAULT_MAX_REFITS, load_ranking
    from bayes_zba.workflow import (
        DEFAULT_FIT_OPTIONS,
        DEFAULT_MODELS,
        DEMO_DATA,
        DEMO_SEED,
        run_comparison,
    )

    max_refits = DEFAULT_MAX_REFITS if args.max_refits is None else args.max_refits
    out_dir = Path(tempfile.mkdtemp(prefix="bench-compare-"))

    def timed_run() -> tuple[float, list[Path]]:
        started = time.perf_counter()
        written = run_comparison(
            DEMO_DATA, out_dir=out_dir, seed=DEMO_SEED, progress=False, max_refits=max_refits
        )
        return time.perf_counter() - started, written

    load_before = os.getloadavg()
    cold_s, written = timed_run()
    warm_s, _ = timed_run()
    ranking = load_ranking(next(p for p in written if p.name == "ranking.json"))
    fit_files = sorted((out_dir / "fits").rglob("*.nc"))
    result = {
        "package_version": __version__,
        "data": DEMO_DATA.name,
        "models": list(DEFAULT_MODELS),
        "fit_options": dict(DEFAULT_FIT_OPTIONS),
        "seed": DEMO_SEED,
        "max_refits": max_refits,
        "fresh_compile_cache": not args.keep_compile_cache,
        "cold_time_to_report_s": cold_s,
        "warm_time_to_report_s": warm_s,
        "targets": TARGETS,
        "n_fits": sum("heldout" not in p.parts for p in fit_files),
        "n_refits": sum("heldout" in p.parts for p in fit_files),
        "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "verdict": ranking.verdict.to_json(),
        "ranking": [
            {"model": s.model, "elpd": s.elpd, "elpd_diff": s.elpd_diff, "dse": s.dse}
            for s in ranking.scores
        ],
        "fits": [_fit_summary(path) for path in fit_files],
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
            "python": platform.python_version(),
        },
        "out_dir": str(out_dir),
    }
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


def _fit_summary(path: Path) -> dict:
    """Model, held-out curves, timings and diagnostics of one saved fit."""
    from bayes_zba.inference import load_fit

    saved = load_fit(path)
    provenance, diagnostics = saved.provenance, saved.diagnostics
    return {
        "model": provenance["model"],
        "heldout_curves": provenance.get("heldout_curves", []),
        "timings": provenance["timings"],
        "compiled_model_reused": provenance["compiled_model_reused"],
        "gradient_evaluations": provenance["gradient_evaluations"],
        "max_rhat": diagnostics.max_rhat,
        "n_divergent": diagnostics.n_divergent,
    }


if __name__ == "__main__":
    main()
