"""Where PyTensor and its numba cache keep compiled models, so later runs reuse them.

Default: <user cache>/bayes-zba/pytensor; PYTENSOR_FLAGS=base_compiledir=... wins. Must run
before pytensor is imported (bayes_zba.models calls it first thing).
"""

import os
import sys
from pathlib import Path


def user_cache_dir() -> Path:
    """$XDG_CACHE_HOME/bayes-zba, or ~/.cache/bayes-zba."""
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "bayes-zba"


def configure_compile_dir() -> Path | None:
    """Point PyTensor's base_compiledir at the user cache; None if already set or too late."""
    flags = os.environ.get("PYTENSOR_FLAGS", "")
    if "pytensor" in sys.modules or "compiledir" in flags:
        return None
    path = user_cache_dir() / "pytensor"
    os.environ["PYTENSOR_FLAGS"] = ",".join(f for f in (flags, f"base_compiledir={path}") if f)
    return path
