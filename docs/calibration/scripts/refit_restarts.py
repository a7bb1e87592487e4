"""Refit SBC data sets from their task specs: were stranded chains restarted, where is the truth?

For each index, prints the restarts of the refit (docs/compare.md, "Stranded chains"), the
posterior probability that QUANTITY lies below its truth over all draws and per chain, and the
study's own fractional rank (rank + ½)/(L + 1) for comparison.
Run: .venv/bin/python docs/calibration/scripts/refit_restarts.py STUDY QUANTITY INDEX [INDEX ...]
"""

import json
import sys
import time
from pathlib import Path

from bayes_zba.studies.tasks import fit_from_spec


def refit_report(study: Path, quantity: str, index: int) -> dict:
    """Refit data set `index` of `study`; restarts and P(quantity < truth) beside its rank."""
    record = json.loads((study / "tasks" / f"sbc-{index:04d}.json").read_text())
    spec, stored = record["spec"], record["result"]
    started = time.time()
    result = fit_from_spec(spec)
    draws = result.tree["posterior"][quantity].values
    below = draws < spec["truth"][quantity]
    return {
        "index": index,
        "seconds": round(time.time() - started),
        "restarts": result.diagnostics.restarts,
        "p_below_truth": round(float(below.mean()), 4),
        "per_chain": [round(float(chain.mean()), 3) for chain in below],
        "study_u": round((stored["ranks"][quantity] + 0.5) / (stored["n_draws"] + 1), 4),
        "max_rhat": round(result.diagnostics.max_rhat, 3),
        "n_divergent": result.diagnostics.n_divergent,
    }


if __name__ == "__main__":
    study, quantity = Path(sys.argv[1]), sys.argv[2]
    for index in map(int, sys.argv[3:]):
        print(json.dumps(refit_report(study, quantity, index)), flush=True)
