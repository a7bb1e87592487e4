"""Benchmark of the forward models: cost of ΔG and of its gradient on 1,500 points, per model.

Writes bench/results/physics.json: NumPy and compiled PyTensor (default linker) timings, and
the fingerprints each shipped example dataset shows (T-exponent at V = 0, V/T collapse).
"""

import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytensor
import pytensor.tensor as pt

from bayes_zba import __version__
from bayes_zba.data import load_dataset
from bayes_zba.physics import delta_g, get_mechanism
from bayes_zba.scaling import collapse_deviation, temperature_exponent
from bayes_zba.scaling.classical import ScalingOptions, classical_scaling
from bayes_zba.scaling.collapse import collapse_coordinates, reduced_bias
from bayes_zba.scaling.sweeps import Sweeps, sample_sweeps
from bayes_zba.simulate import TYPICAL_PARAMETERS

RESULT = Path(__file__).parent / "results" / "physics.json"
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
#: 1,500 points: 5 temperatures × 3 fields × 100 biases on |V| <= 2 mV.
_T, _H, _V = np.meshgrid(
    [0.1, 0.3, 1.0, 3.0, 5.7], [0.0, 2.0, 6.0], np.linspace(-2.0, 2.0, 100), indexing="ij"
)
V_MV, T_K, H_T = _V.ravel(), _T.ravel(), _H.ravel()
REPEATS = 20
#: Bootstrap copies of the classical scaling analysis (only α*'s error uses them).
SCALING_BOOTSTRAP = 20
SEED = 7


def median_seconds(call: Callable[[], object], repeats: int = REPEATS) -> float:
    """Median wall time of `repeats` calls."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return float(np.median(times))


def model_costs(model: str) -> dict:
    """Seconds per ΔG and per gradient evaluation on the 1,500 points, total and per point."""
    params = TYPICAL_PARAMETERS[model]
    mechanism = get_mechanism(model)
    V, T, H = pt.dvectors("V", "T", "H")
    symbols = {name: pt.dscalar(name) for name in mechanism.parameter_names}
    dg = mechanism.delta_g(V, T, H, symbols, pt)
    gradient = pytensor.grad(dg.sum(), list(symbols.values()))
    arguments = (V_MV, T_K, H_T, *params.values())
    costs = {"numpy_delta_g": median_seconds(lambda: delta_g(model, V_MV, T_K, H_T, **params))}
    for label, outputs in (("pytensor_delta_g", [dg]), ("pytensor_gradient", gradient)):
        started = time.perf_counter()
        inputs = [V, T, H, *symbols.values()]
        function = pytensor.function(inputs, outputs, on_unused_input="ignore")  # kk: no H
        costs[f"{label}_compile_s"] = time.perf_counter() - started
        started = time.perf_counter()
        function(*arguments)
        costs[f"{label}_first_call_s"] = time.perf_counter() - started
        costs[label] = median_seconds(lambda function=function: function(*arguments))
    per_point = {f"{k}_per_point": v / len(V_MV) for k, v in costs.items() if "_s" not in k}
    return {**costs, **per_point, "n_points": len(V_MV)}


def relative_collapse_residual(sweeps: Sweeps) -> float:
    """√(D(½)/|v range|) of paper I (I-24) over the rms of the rescaled curves F(v) there."""
    deviation = collapse_deviation(sweeps.V_mV, sweeps.T_K, sweeps.G, sweeps.curve_index, 0.5)
    G_zero = sweeps.zero_bias()[sweeps.curve_index]
    _, F = collapse_coordinates(sweeps.V_mV, sweeps.T_K, sweeps.G, G_zero, 0.5)
    v = reduced_bias(sweeps.V_mV, sweeps.T_K)
    low, high = deviation.v_range
    inside = (v >= low) & (v <= high)
    return float(np.sqrt(deviation.value / (high - low) / np.mean(F[inside] ** 2)))


def example_fingerprints(path: Path) -> dict:
    """T-exponent of G(0, T), best-collapse α* and collapse residual of the H = 0 curves.

    The exponent is fitted with G0 profiled (all a user has) and, as a check, after removing
    the true drift offsets the simulation recorded in attrs.
    """
    dataset = load_dataset(path)
    sweeps = sample_sweeps(dataset)
    offsets = dataset.attrs["simulation"]["curve_offsets"]
    G_zero = sweeps.zero_bias()
    drift = np.array([offsets[label] for label in sweeps.curve_labels])
    scaling = classical_scaling(sweeps, ScalingOptions(bootstrap=SCALING_BOOTSTRAP, seed=SEED))
    return {
        "T_exponent_at_V0": temperature_exponent(sweeps.curve_T, G_zero).exponent,
        "T_exponent_at_V0_drift_removed": temperature_exponent(
            sweeps.curve_T, G_zero - drift
        ).exponent,
        "alpha_star": scaling.alpha_star,
        "alpha_star_err": scaling.alpha_err,
        "alpha_star_at_grid_edge": scaling.alpha_at_edge,
        "collapse_residual_relative": relative_collapse_residual(sweeps),
    }


def main() -> None:
    load_before = os.getloadavg()
    costs = {model: model_costs(model) for model in TYPICAL_PARAMETERS}
    fingerprints = {p.stem: example_fingerprints(p) for p in sorted(DATA_DIR.glob("*.csv"))}
    result = {
        "benchmark": "ΔG and gradient of sum(ΔG) on 1,500 points; PyTensor default linker, "
        "median of later calls (first call includes JIT)",
        "linker": str(pytensor.compile.mode.get_default_mode().linker),
        "costs_s": costs,
        "example_fingerprints": fingerprints,
        "cores": os.cpu_count(),
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "python": platform.python_version(),
        "pytensor": pytensor.__version__,
        "bayes_zba": __version__,
    }
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
