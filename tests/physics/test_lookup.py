"""The table-lookup kernel: node values, its JAX derivative, and NumPy and JAX giving one result."""

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from bayes_zba.physics.tables import GAMMA_TABLE, PHI_TABLE, load_table
from bayes_zba.physics.tables.lookup import hermite_lookup


@pytest.mark.parametrize("name", [GAMMA_TABLE, PHI_TABLE])
def test_lookup_reproduces_the_table_at_its_nodes(name):
    """At u_k = k step the cubic Hermite value is F_k and its derivative dF/du_k / cosh u_k."""
    table = load_table(name)
    k = np.arange(1, len(table.values) - 1, 97)
    v = np.sinh(k * table.step)
    np.testing.assert_allclose(hermite_lookup(v, table.kernel_tables), table.values[k], rtol=1e-13)
    slope = jax.vmap(jax.grad(lambda x: hermite_lookup(x, table.kernel_tables, jnp)))(v)
    np.testing.assert_allclose(slope, table.slopes[k] / np.cosh(k * table.step), rtol=1e-9)


@pytest.mark.parametrize("name", [GAMMA_TABLE, PHI_TABLE])
def test_jax_slope_is_the_derivative_of_the_value_odd_and_finite_at_zero(name):
    table = load_table(name)
    tables = table.kernel_tables
    v = np.array([1e-3, 0.3, 2.0, 17.0, 640.0, 0.9 * table.v_max, 2.0 * table.v_max])
    h = 1e-6 * np.maximum(v, 1.0)  # above the rounding noise of f ≈ 1 at small v
    numeric = (hermite_lookup(v + h, tables) - hermite_lookup(v - h, tables)) / (2 * h)
    derivative = jax.jit(jax.vmap(jax.grad(lambda x: hermite_lookup(x, tables, jnp))))
    slope = np.asarray(derivative(v))
    np.testing.assert_allclose(slope, numeric, rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(derivative(-v)), -slope)
    assert abs(float(derivative(np.zeros(1))[0])) < 1e-12  # even: flat at v = 0


@pytest.mark.parametrize("name", [GAMMA_TABLE, PHI_TABLE])
def test_numpy_and_jax_give_the_same_numbers(name):
    table = load_table(name)
    grid = np.array([-40.0, -0.2, 0.0, 1e-8, 0.7, 33.0, 0.999 * table.v_max, 3.0 * table.v_max])
    compiled = jax.jit(lambda v: hermite_lookup(v, table.kernel_tables, jnp))
    np.testing.assert_allclose(
        compiled(grid), hermite_lookup(grid, table.kernel_tables), rtol=1e-14, atol=0
    )


def test_non_finite_arguments_give_non_finite_values_without_warnings():
    table = load_table(GAMMA_TABLE)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = hermite_lookup(np.array([np.nan, np.inf, -np.inf]), table.kernel_tables)
    assert np.isnan(values[0]) and np.isposinf(values[1:]).all()
