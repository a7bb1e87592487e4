"""The cubic-Hermite lookup of an even tabulated function, written once for NumPy and JAX arrays.

NumPy evaluates it directly; the samplers run it as jax.numpy inside a mechanism's compiled
kernel, where JAX differentiates it: the derivative is finite everywhere, v = 0 included
(physics.md §2), since u = asinh|v| has a finite slope there and F'(0) = 0.
"""

from types import ModuleType
from typing import Any

import numpy as np

from bayes_zba.physics.backend import constant


def hermite_lookup(v: Any, tables: tuple, xp: ModuleType = np) -> Any:
    """f(v), elementwise, of an even f tabulated as F(u) = f(sinh u) (EvenTable).

    `tables` are EvenTable.kernel_tables: (F_k, dF/du_k × step, step, v_max, c). Cubic Hermite
    on the uniform grid u_k = k step up to sinh(u_last) = v_max, with u = asinh|v| written as
    ln(|v| + (v² + 1)^{1/2}) (exact to 1e-15 in u); f(v) = c |v|^{1/2} beyond v_max. `xp` is
    numpy or jax.numpy; non-finite v give non-finite f.
    """
    values, slopes, step, v_max, tail_coefficient = tables
    values, slopes = constant(values, xp), constant(slopes, xp)
    magnitude = xp.abs(v)
    hypotenuse = xp.sqrt(magnitude * magnitude + 1.0)
    position = xp.log(magnitude + hypotenuse) / step
    start = xp.clip(xp.nan_to_num(xp.floor(position)), 0.0, values.shape[0] - 2)
    cell = start.astype(np.int64)
    inside = magnitude <= v_max
    t = xp.where(inside, position - start, 0.0)
    y0, y1, m0, m1 = values[cell], values[cell + 1], slopes[cell], slopes[cell + 1]
    t2 = t * t
    t3 = t2 * t
    hermite = (2 * t3 - 3 * t2 + 1) * y0 + (t3 - 2 * t2 + t) * m0
    hermite = hermite + (3 * t2 - 2 * t3) * y1 + (t3 - t2) * m1
    beyond = xp.where(inside, 1.0, magnitude)  # the tail's |v|, kept finite where unused
    return xp.where(inside, hermite, tail_coefficient * xp.sqrt(beyond))
