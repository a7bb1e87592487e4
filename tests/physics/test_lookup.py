"""The table-lookup kernel and its PyTensor op: node values, derivative, identity, backends."""

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest
from pytensor.compile.executor import Function

from bayes_zba.physics.tables import GAMMA_TABLE, PHI_TABLE, load_table
from bayes_zba.physics.tables.lookup import (
    SLOPE,
    VALUE,
    TableLookup,
    hermite_lookup,
    table_lookup_op,
)


@pytest.mark.parametrize("name", [GAMMA_TABLE, PHI_TABLE])
def test_lookup_reproduces_the_table_at_its_nodes(name):
    """At u_k = k step the cubic Hermite value is F_k and its derivative dF/du_k / cosh u_k."""
    table = load_table(name)
    k = np.arange(1, len(table.values) - 1, 97)
    v = np.sinh(k * table.step)
    value = [hermite_lookup(x, VALUE, *table.kernel_tables) for x in v]
    slope = [hermite_lookup(x, SLOPE, *table.kernel_tables) for x in v]
    np.testing.assert_allclose(value, table.values[k], rtol=1e-13)
    np.testing.assert_allclose(slope, table.slopes[k] / np.cosh(k * table.step), rtol=1e-9)


@pytest.mark.parametrize("name", [GAMMA_TABLE, PHI_TABLE])
def test_lookup_slope_is_the_derivative_of_the_value_and_odd(name):
    table = load_table(name)
    v = np.array([1e-3, 0.3, 2.0, 17.0, 640.0, 0.9 * table.v_max, 2.0 * table.v_max])
    h = 1e-6 * np.maximum(v, 1.0)  # above the rounding noise of f ≈ 1 at small v
    numeric = [
        (
            hermite_lookup(x + d, VALUE, *table.kernel_tables)
            - hermite_lookup(x - d, VALUE, *table.kernel_tables)
        )
        / (2 * d)
        for x, d in zip(v, h, strict=True)
    ]
    slope = np.array([hermite_lookup(x, SLOPE, *table.kernel_tables) for x in v])
    np.testing.assert_allclose(slope, numeric, rtol=1e-6)
    mirrored = [hermite_lookup(-x, SLOPE, *table.kernel_tables) for x in v]
    np.testing.assert_array_equal(mirrored, -slope)
    assert hermite_lookup(0.0, SLOPE, *table.kernel_tables) == 0.0


def test_ops_are_equal_per_table_and_order_so_repeated_lookups_merge():
    gamma, phi = load_table(GAMMA_TABLE), load_table(PHI_TABLE)
    assert TableLookup(gamma, VALUE) == TableLookup(gamma, VALUE)
    assert hash(TableLookup(gamma, VALUE)) == hash(TableLookup(gamma, VALUE))
    assert TableLookup(gamma, VALUE) != TableLookup(gamma, SLOPE)
    assert TableLookup(gamma, VALUE) != TableLookup(phi, VALUE)
    v = pt.dvector("v")
    twice = table_lookup_op(gamma)(v) + table_lookup_op(gamma)(v) + table_lookup_op(phi)(v)
    compiled = pytensor.function([v], twice)
    lookups = [op.name for op in scalar_ops(compiled) if isinstance(op, TableLookup)]
    assert sorted(lookups) == [GAMMA_TABLE, PHI_TABLE]


def scalar_ops(compiled: Function) -> list:
    """Every scalar op of a compiled graph, including those fused into composites."""
    found = []
    for node in compiled.maker.fgraph.apply_nodes:
        scalar = getattr(node.op, "scalar_op", None)
        inner = getattr(scalar, "fgraph", None)
        found += [n.op for n in inner.apply_nodes] if inner is not None else [scalar]
    return found


def test_only_value_and_first_derivative_exist():
    with pytest.raises(ValueError, match="derivative 0 or 1"):
        TableLookup(load_table(GAMMA_TABLE), 2)
    v = pt.dscalar("v")
    slope = pytensor.grad(table_lookup_op(load_table(GAMMA_TABLE))(v), v)
    with pytest.raises(Exception, match="second derivatives of table lookups"):
        pytensor.grad(slope, v)


def test_python_implementation_equals_the_numba_lowering():
    """Non-numba linkers run TableLookup.impl; it must give the numba backend's numbers."""
    table = load_table(GAMMA_TABLE)
    v = pt.dvector("v")
    value = table_lookup_op(table)(v)
    outputs = [value, pytensor.grad(value.sum(), v)]
    grid = np.array([-40.0, -0.2, 0.0, 1e-8, 0.7, 33.0, 3.0 * table.v_max])
    numba_result = pytensor.function([v], outputs, mode="NUMBA")(grid)
    python_result = pytensor.function([v], outputs, mode="FAST_COMPILE")(grid)
    for fast, reference in zip(numba_result, python_result, strict=True):
        np.testing.assert_allclose(fast, reference, rtol=1e-14, atol=0)
