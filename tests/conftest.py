"""Shared pytest configuration: per-session PyTensor compile dir and common fixtures.

Keeps compiled artefacts of the test run away from a user's cache and from other runs.
"""

import os
import tempfile

os.environ.setdefault("JAX_ENABLE_X64", "1")  # before any test module imports jax
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
if "base_compiledir" not in os.environ.get("PYTENSOR_FLAGS", ""):
    # A fresh directory per test session: compiled models never leak between code versions.
    _compiledir = tempfile.mkdtemp(prefix="bayes-zba-tests-")
    flags = os.environ.get("PYTENSOR_FLAGS", "")
    os.environ["PYTENSOR_FLAGS"] = ",".join(
        f for f in (flags, f"base_compiledir={_compiledir}") if f
    )
