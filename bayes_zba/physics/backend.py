"""The few places where NumPy and JAX differ, so one formula serves both.

Mechanisms take `xp` (numpy or jax.numpy) and call these helpers for the rest. NumPy is the
reference; the samplers run the same formulas as jax.numpy inside one compiled kernel per
mechanism (models.mechanism_op), and JAX differentiates them.
"""

from types import ModuleType
from typing import Any

import numpy as np
from scipy import special


def is_jax(xp: ModuleType) -> bool:
    """True when `xp` is jax.numpy, False for NumPy. The physics needs JAX in double precision
    (bayes_zba sets JAX_ENABLE_X64 when it is imported before JAX): a RuntimeError says so."""
    if not xp.__name__.startswith("jax"):
        return False
    import jax

    if not jax.config.jax_enable_x64:
        raise RuntimeError(
            "bayes-zba evaluates its physics with JAX in double precision: set "
            "JAX_ENABLE_X64=1, import bayes_zba before jax, or call "
            "jax.config.update('jax_enable_x64', True) before using JAX"
        )
    return True


def constant(values: Any, xp: ModuleType) -> Any:
    """A fixed float array (table, quadrature nodes) usable in `xp` expressions and indexing."""
    array = np.asarray(values, dtype=float)
    return xp.asarray(array) if is_jax(xp) else array


def safe_where(condition: Any, value_if: Any, value_else: Any, xp: ModuleType) -> Any:
    """Select elementwise; both branches must already be finite (gradients stay finite)."""
    return xp.where(condition, value_if, value_else)


def erfc(x: Any, xp: ModuleType) -> Any:
    """Complementary error function erfc(x) = 1 - erf(x)."""
    if is_jax(xp):
        from jax.scipy.special import erfc as jax_erfc

        return jax_erfc(x)
    return special.erfc(x)


def erfcinv(y: Any, xp: ModuleType) -> Any:
    """Inverse of erfc for y in (0, 2); JAX's through ndtri, accurate for tiny y too."""
    if is_jax(xp):
        from jax.scipy.special import ndtri

        return -ndtri(y / 2.0) / np.sqrt(2.0)  # erfc(z) = 2 Φ(-z √2)
    return special.erfcinv(y)
