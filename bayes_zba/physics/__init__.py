"""Forward models of the four ZBA mechanisms, pure NumPy/JAX (never PyMC or PyTensor).

`delta_g(model, V, T, H, **params)` is the NumPy entry point of physics.md §6a.
"""

from typing import Any

import numpy as np

from bayes_zba.physics.mechanisms import REGISTRY, get_mechanism


def delta_g(model: str, V: Any, T: Any, H: Any, **params: float) -> np.ndarray:
    """ΔG in e²/h of `model` at bias V [mV], temperature T [K], field H [T] (broadcast)."""
    mechanism = get_mechanism(model)
    missing = [n for n in mechanism.parameter_names if n not in params]
    unknown = [n for n in params if n not in mechanism.parameter_names]
    if missing or unknown:
        raise TypeError(
            f"model {model!r} takes parameters {', '.join(mechanism.parameter_names)}; "
            f"missing: {missing or 'none'}, unknown: {unknown or 'none'}"
        )
    V, T, H = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (V, T, H)))
    return np.asarray(mechanism.delta_g(V, T, H, params, np))


__all__ = ["REGISTRY", "delta_g", "get_mechanism"]
