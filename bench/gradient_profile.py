"""Profile of the log-density gradient per model: which ops dominate its cost.

Compiles logp and its gradient of each model on data/<model>.csv, evaluates them at the
model's initial point, and writes to bench/results/gradient_profile.json the time per call
with the numba backend (what nutpie runs) and, from PyTensor's C ops run by its node-timing
Python VM, the ops with the largest share. The numba backend has no per-op profiler; the
shares say where the work is, not what nutpie's call costs.
Usage: python bench/gradient_profile.py [--models 2ck,kk] [--calls N] [--top K]
"""

import argparse
import json
import platform
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULT = Path(__file__).parent / "results" / "gradient_profile.json"
MODELS = ("2ck", "kr2", "kr1", "kk", "wam")


def numba_call_ms(function, inputs: list, calls: int, repeats: int = 5) -> float:
    """Fastest mean time per call over `repeats` runs of `calls` (after a warm-up call)."""
    function(*inputs)
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(calls):
            function(*inputs)
        best = min(best, (time.perf_counter() - started) / calls * 1e3)
    return best


def profile_model(model: str, calls: int, top: int) -> dict:
    """Time per logp-and-gradient call (numba, as nutpie runs it, and PyTensor's node-timing
    VM) and the `top` ops by share of the VM's time. Table lookups (physics/tables/lookup.py)
    have no C code, so the VM runs their Python implementation: their share there is far
    above their cost under numba."""
    import pytensor

    from bayes_zba.data import load_dataset
    from bayes_zba.models import build_model

    built = build_model(load_dataset(ROOT / "data" / f"{model}.csv"), model)
    logp = built.logp()
    outputs = [logp, *pytensor.grad(logp, built.value_vars)]
    point = built.initial_point()
    inputs = [point[v.name] for v in built.value_vars]
    numba_ms = numba_call_ms(
        pytensor.function(built.value_vars, outputs, mode="NUMBA"), inputs, calls
    )
    # The Python loop VM times every node; the default C loop does not.
    mode = pytensor.compile.mode.Mode(linker="vm", optimizer="fast_run")
    function = pytensor.function(built.value_vars, outputs, mode=mode, profile=True)
    function(*inputs)
    function.profile.reset()
    started = time.perf_counter()
    for _ in range(calls):
        function(*inputs)
    per_call_ms = (time.perf_counter() - started) / calls * 1e3
    op_time = function.profile.op_time()
    total = sum(op_time.values())
    ranked = sorted(op_time.items(), key=lambda item: -item[1])[:top]
    return {
        "n_points": len(built.coords["point"]),
        "calls": calls,
        "ms_per_call_numba": numba_ms,
        "ms_per_call_python_vm": per_call_ms,
        "n_nodes": len(function.maker.fgraph.apply_nodes),
        "top_ops": [{"op": describe(op), "share": t / total} for op, t in ranked],
    }


def describe(op: object) -> str:
    """The op's name; for a fused elementwise op, the scalar operations fused into it."""
    fused = getattr(getattr(op, "scalar_op", None), "fgraph", None)
    if fused is None:
        return str(op)[:160]
    names = sorted({type(node.op).__name__ for node in fused.apply_nodes})
    return f"fused elementwise of {len(fused.apply_nodes)} scalar ops: {', '.join(names)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--top", type=int, default=8)
    args = parser.parse_args()
    results = json.loads(RESULT.read_text()) if RESULT.exists() else {"models": {}}
    for model in args.models.split(","):
        results["models"][model] = profile_model(model, args.calls, args.top)
        print(model, json.dumps(results["models"][model], indent=1))
    results["machine"] = {"platform": platform.platform(), "python": platform.python_version()}
    RESULT.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
