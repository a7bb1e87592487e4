"""Compiled nutpie models: nutpie's JAX backend, JAX's persistent compilation cache across
processes, and reuse within a process by swapping a new fit's data into a compiled model.

The log density and its gradient are one jitted JAX function of the sampler coordinates and the
model's data (pm.Data, passed as arguments, never baked in as constants), so XLA compiles it once
per model structure and array shapes and every later process loads it from the cache. Within a
process a fit of the same structure (models.model_structure: a curve-CV refit, repeated fits of
one design) reuses the compiled model with its own data swapped in.
"""

import dataclasses
import hashlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jax
import numpy as np
import nutpie
import pymc as pm

from bayes_zba.models.compile_cache import user_cache_dir

#: Compiled models kept per process (least recently used dropped first).
MAX_CACHED_MODELS = 8
#: JAX differentiates the log density itself: the same cost per call as PyTensor's symbolic
#: gradient lowered to JAX, and a quarter of its graph-building time for kk (tests/inference
#: check it against PyTensor's gradient).
GRADIENT_BACKEND = "jax"
#: Environment variable that overrides where JAX keeps compiled models.
JAX_CACHE_ENV = "JAX_COMPILATION_CACHE_DIR"


@dataclass
class _Entry:
    """A compiled model, the PyMC model it was compiled from, and a lock for its data."""

    model: pm.Model
    compiled: Any
    lock: threading.Lock


_CACHE: OrderedDict[str, _Entry] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def jax_cache_dir() -> Path:
    """Where JAX keeps compiled models: $JAX_COMPILATION_CACHE_DIR, else the user cache."""
    configured = os.environ.get(JAX_CACHE_ENV)
    return Path(configured) if configured else user_cache_dir() / "jax"


def use_persistent_jax_cache() -> Path:
    """Point JAX's compilation cache at jax_cache_dir() and cache every compiled function.

    JAX writes cache entries atomically, so processes (study workers) can share the directory.

    Returns
    -------
    pathlib.Path
        The cache directory.

    Examples
    --------
    >>> use_persistent_jax_cache().name in {"jax", os.path.basename(jax_cache_dir())}
    True
    """
    path = jax_cache_dir()
    path.mkdir(parents=True, exist_ok=True)
    jax.config.update("jax_compilation_cache_dir", str(path))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    return path


def compile_model(model: pm.Model, var_names: list[str]) -> Any:
    """nutpie's compiled form of `model` (JAX backend, data as arguments) tracing `var_names`."""
    use_persistent_jax_cache()
    return nutpie.compile_pymc_model(
        model,
        backend="jax",
        gradient_backend=GRADIENT_BACKEND,
        freeze_model=False,
        var_names=var_names,
    )


def with_initial_points(compiled: Any, initial_point: Callable[[int], np.ndarray]) -> Any:
    """`compiled` whose chains ask `initial_point(seed)` where to start (sampler coordinates)."""
    return dataclasses.replace(compiled, _make_initial_points=initial_point)


def log_density_of(compiled: Any) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
    """x -> (log density, gradient) of a compiled model, on the sampler's coordinates: the very
    function nutpie samples with, holding the compiled model's current data."""
    logp = compiled._make_logp_func()
    data = compiled._shared_data
    return lambda point: logp(point, **data)


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
        yield compile_model(model, var_names), False
        return
    with _CACHE_LOCK:
        entry = _CACHE.get(key)
        if entry is not None:
            _CACHE.move_to_end(key)
    reused = entry is not None
    if entry is None:
        entry = _Entry(model, compile_model(model, var_names), threading.Lock())
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
    used = entry.compiled._shared_data
    return entry.compiled.with_data(
        **{name: jax.numpy.asarray(value) for name, value in values.items() if name in used}
    )


def clear_compiled_models() -> None:
    """Forget every cached compiled model (tests, memory)."""
    with _CACHE_LOCK:
        _CACHE.clear()
