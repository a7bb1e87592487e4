"""Benchmark of the 5-model demo comparison: time to report cold (no saved fits) and warm.

Writes bench/results/compare.json: wall times, fits and refits made, peak memory, machine load.
"""

import json
import os
import platform
import resource
import tempfile
import time
from pathlib import Path

from bayes_zba import __version__
from bayes_zba.compare import load_ranking
from bayes_zba.workflow import (
    DEFAULT_FIT_OPTIONS,
    DEFAULT_MODELS,
    DEMO_DATA,
    DEMO_SEED,
    run_comparison,
)

RESULT = Path(__file__).parent / "results" / "compare.json"


def timed_run(out_dir: Path) -> tuple[float, list[Path]]:
    """Wall time of the demo comparison into out_dir (reusing what is saved there)."""
    started = time.perf_counter()
    written = run_comparison(DEMO_DATA, out_dir=out_dir, seed=DEMO_SEED, progress=False)
    return time.perf_counter() - started, written


def main() -> None:
    out_dir = Path(tempfile.mkdtemp(prefix="bench-compare-"))
    load_before = os.getloadavg()
    cold_s, written = timed_run(out_dir)
    warm_s, _ = timed_run(out_dir)
    ranking = load_ranking(next(p for p in written if p.name == "ranking.json"))
    fit_files = sorted((out_dir / "fits").rglob("*.nc"))
    result = {
        "package_version": __version__,
        "data": DEMO_DATA.name,
        "models": list(DEFAULT_MODELS),
        "fit_options": dict(DEFAULT_FIT_OPTIONS),
        "seed": DEMO_SEED,
        "cold_time_to_report_s": cold_s,
        "warm_time_to_report_s": warm_s,
        "n_fits": sum("heldout" not in p.parts for p in fit_files),
        "n_refits": sum("heldout" in p.parts for p in fit_files),
        "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "verdict": ranking.verdict.to_json(),
        "ranking": [score.model for score in ranking.scores],
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


if __name__ == "__main__":
    main()
