"""The few places where NumPy and PyTensor differ, so one formula serves both.

Mechanisms take `xp` (numpy or pytensor.tensor) and call these helpers for the rest.
"""

from types import ModuleType
from typing import Any

import numpy as np
from scipy import special


def is_pytensor(xp: ModuleType) -> bool:
    """True when `xp` is pytensor.tensor (graph building), False for NumPy."""
    return xp.__name__.startswith("pytensor")


def constant(values: Any, xp: ModuleType) -> Any:
    """A fixed array (table, quadrature nodes) usable in `xp` expressions and indexing."""
    array = np.asarray(values, dtype=float)
    return xp.as_tensor_variable(array) if is_pytensor(xp) else array


def safe_where(condition: Any, value_if: Any, value_else: Any, xp: ModuleType) -> Any:
    """Select elementwise; both branches must already be finite (gradients stay finite)."""
    return xp.where(condition, value_if, value_else)


def erfc(x: Any, xp: ModuleType) -> Any:
    """Complementary error function erfc(x) = 1 - erf(x)."""
    return xp.erfc(x) if is_pytensor(xp) else special.erfc(x)


def erfcinv(y: Any, xp: ModuleType) -> Any:
    """Inverse of erfc for y in (0, 2)."""
    return xp.erfcinv(y) if is_pytensor(xp) else special.erfcinv(y)
