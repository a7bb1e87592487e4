"""Compiled nutpie models reused within a process: a new fit of the same model structure swaps
its data (pm.Data values) into the cached model instead of compiling again.

Across processes, PyTensor's numba cache (compile_cache.py) keeps the compiled graph functions;
nutpie's C-callable wrappers are rebuilt once per process. The key includes the number of
points and curves (nutpie fixes the shapes of traced values at compile time). A curve-CV
refit keeps the held-out curves with likelihood weight 0 (models.build_model), so it hits
the entry of its full fit, as do repeated fits of one design (studies, reruns).
"""

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import nutpie
import pymc as pm

#: Compiled models kept per process (least recently used dropped first).
MAX_CACHED_MODELS = 8


@dataclass
class _Entry:
    """A compiled model, the PyMC model it was compiled from, and a lock for its data."""

    model: pm.Model
    compiled: Any
    lock: threading.Lock


_CACHE: OrderedDict[str, _Entry] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def structure_key(structure: dict[str, Any]) -> str:
    """A stable hash of models.model_structure(...)."""
    return hashlib.sha256(json.dumps(structure, sort_keys=True).encode()).hexdigest()


@contextmanager
def compiled_model(
    model: pm.Model, key: str | None, var_names: list[str]
) -> Iterator[tuple[Any, bool]]:
    """(nutpie model holding `model`'s data, whether it was reused) for the duration of a fit.

    Fits of the same key in other threads wait: the cached model's data are swapped in place.
    key None: compile `model` without caching it.
    """
    if key is None:
        yield nutpie.compile_pymc_model(model, var_names=var_names), False
        return
    with _CACHE_LOCK:
        entry = _CACHE.get(key)
        if entry is not None:
            _CACHE.move_to_end(key)
    reused = entry is not None
    if entry is None:
        compiled = nutpie.compile_pymc_model(model, var_names=var_names)
        entry = _Entry(model, compiled, threading.Lock())
        _remember(key, entry)
    with entry.lock:
        if reused:
            entry.compiled = _with_data_of(entry, model)
        yield entry.compiled, reused


def _remember(key: str, entry: _Entry) -> None:
    with _CACHE_LOCK:
        _CACHE[key] = entry
        while len(_CACHE) > MAX_CACHED_MODELS:
            _CACHE.popitem(last=False)


def _with_data_of(entry: _Entry, model: pm.Model) -> Any:
    """The cached compiled model with `model`'s pm.Data values (nutpie's copies and the
    original model's, which the initial-point function reads)."""
    values = {var.name: var.get_value() for var in model.data_vars}
    for name, value in values.items():
        entry.model[name].set_value(value)
    used = {var.name for var in entry.compiled.shared_var_keys}
    return entry.compiled.with_data(**{k: v for k, v in values.items() if k in used})


def clear_compiled_models() -> None:
    """Forget every cached compiled model (tests, memory)."""
    with _CACHE_LOCK:
        _CACHE.clear()
