"""The cubic-Hermite lookup of an even tabulated function, written once as a scalar kernel.

NumPy evaluates it by a compiled loop; PyTensor by an elementwise op lowered to the same kernel
(numba backend), with its derivative as a second op (physics.md §2: finite gradients at v = 0).
"""

import math
from typing import Any

import numba
import numpy as np
from pytensor.gradient import grad_not_implemented
from pytensor.link.numba.dispatch.basic import numba_njit
from pytensor.link.numba.dispatch.scalar import register_scalar_funcify, scalar_op_cache_key
from pytensor.scalar.basic import ScalarOp, upgrade_to_float
from pytensor.tensor.elemwise import Elemwise

#: Derivative orders the lookup provides: the value and its first derivative (NUTS needs no
#: second derivative; asking PyTensor for one is an error that says so).
VALUE, SLOPE = 0, 1


@numba.njit(cache=True)
def hermite_lookup(
    v: float,
    derivative: int,
    values: np.ndarray,
    slopes: np.ndarray,
    step: float,
    v_max: float,
    tail_coefficient: float,
) -> float:
    """f(v) (derivative 0) or f'(v) (1) of an even f tabulated as F(u) = f(sinh u), dF/du.

    Cubic Hermite on the uniform grid u_k = k step up to sinh(u_last) = v_max, with
    u = asinh|v| = ln(|v| + (v² + 1)^{1/2}) (the logarithm is twice as fast as asinh in
    numba, and exact to 1e-15 in u); f(v) = c |v|^{1/2} beyond v_max. `slopes` are dF/du
    times the step. f'(0) = 0 (f is even).
    """
    magnitude = abs(v)
    sign = 1.0 if v > 0.0 else (-1.0 if v < 0.0 else 0.0)
    if magnitude > v_max:
        if derivative == VALUE:
            return tail_coefficient * math.sqrt(magnitude)
        return sign * 0.5 * tail_coefficient / math.sqrt(magnitude)
    hypotenuse = math.sqrt(magnitude * magnitude + 1.0)
    position = math.log(magnitude + hypotenuse) / step
    cell = min(int(position), values.shape[0] - 2)
    t = position - cell
    y0, y1 = values[cell], values[cell + 1]
    m0, m1 = slopes[cell], slopes[cell + 1]
    if derivative == VALUE:
        t2 = t * t
        t3 = t2 * t
        return (
            (2 * t3 - 3 * t2 + 1) * y0
            + (t3 - 2 * t2 + t) * m0
            + (3 * t2 - 2 * t3) * y1
            + (t3 - t2) * m1
        )
    along_u = 6 * (t * t - t) * (y0 - y1) + (3 * t * t - 4 * t + 1) * m0 + (3 * t * t - 2 * t) * m1
    return sign * along_u / (step * hypotenuse)


@numba.njit(cache=True)
def hermite_lookup_array(v: np.ndarray, derivative: int, tables: tuple) -> np.ndarray:
    """hermite_lookup at every element of the flat float array v (tables: EvenTable's
    kernel_tables, the arguments of hermite_lookup after the derivative order)."""
    out = np.empty_like(v)
    for i in range(v.shape[0]):
        out[i] = hermite_lookup(v[i], derivative, *tables)
    return out


class TableLookup(ScalarOp):
    """Scalar op f(v) or f'(v) of a tabulated even function (see hermite_lookup).

    Ops of the same table (by checksum) and derivative order are equal, so PyTensor merges
    repeated lookups; the numba backend calls hermite_lookup with the table as constants.
    """

    nin = 1
    nout = 1

    def __init__(self, table: Any, derivative: int):
        super().__init__(output_types_preference=upgrade_to_float)
        if derivative not in (VALUE, SLOPE):
            raise ValueError(f"table lookups provide derivative 0 or 1, not {derivative}")
        self.table = table
        self.derivative = derivative
        self.checksum = table.checksum()
        self.name = f"{table.name}_slope" if derivative else table.name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TableLookup) and (self.checksum, self.derivative) == (
            other.checksum,
            other.derivative,
        )

    def __hash__(self) -> int:
        return hash((type(self), self.checksum, self.derivative))

    def impl(self, v: float) -> float:
        return hermite_lookup(float(v), self.derivative, *self.table.kernel_tables)

    def grad(self, inputs: list[Any], output_gradients: list[Any]) -> list[Any]:
        (v,), (gradient,) = inputs, output_gradients
        if self.derivative == SLOPE:
            return [grad_not_implemented(self, 0, v, "second derivatives of table lookups")]
        return [gradient * TableLookup(self.table, SLOPE)(v)]


def table_lookup_op(table: Any, derivative: int = VALUE) -> Elemwise:
    """The elementwise PyTensor op of `table`'s value (0) or slope (1)."""
    return Elemwise(TableLookup(table, derivative))


@register_scalar_funcify(TableLookup)
def numba_funcify_table_lookup(op: TableLookup, node: Any, **kwargs: Any) -> tuple[Any, str]:
    """The numba lowering: hermite_lookup with this op's table frozen in as constants."""
    derivative = op.derivative
    values, slopes, step, v_max, tail = op.table.kernel_tables

    def lookup(v: float) -> float:
        return hermite_lookup(v, derivative, values, slopes, step, v_max, tail)

    return numba_njit(lookup), scalar_op_cache_key(op, table=op.checksum, derivative=derivative)
