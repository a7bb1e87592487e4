"""Tests of the universal functions Γ̃, Γ, Γ_a (physics.md §3.1) and φ (§6) and of their tables:
reference values, limits, interpolation error, both backends, gradients, checksums, generator.
"""

import shutil

import jax
import jax.numpy as jnp
import mpmath
import numpy as np
import pytest
from scipy.special import gammaln, loggamma, zeta

from bayes_zba.physics.kernels import thermal_average
from bayes_zba.physics.tables import (
    GAMMA_TABLE,
    PHI_TABLE,
    TableChecksumError,
    gamma_2ck,
    gamma_geometry,
    gamma_tilde,
    geometry_scale,
    load_table,
    phi_aa,
    table_path,
)
from bayes_zba.physics.tables.generate import Settings, gamma_table, phi_table
from bayes_zba.physics.tables.interpolation import read_table, save_table

INTERPOLATION_TOLERANCE = 1e-5  # physics.md §3.1 and §6
REFERENCE_NODES = 64  # thermal nodes of the direct (table-free) evaluation of Γ


def brute_force_gamma_tilde(x: float, terms: int = 400_000) -> float:
    """Γ̃(x) by summing the §3.1 series to `terms` with the leading n^{-5/2}/(4π) tail."""
    z = -1j * x / (2 * np.pi)
    n = np.arange(1, terms)
    log_terms = 2 * (gammaln(n - 0.5) - gammaln(n + 1.0)) - np.log(4 * np.pi)
    head = np.sum(np.exp(log_terms + loggamma(n + 0.5 + z) - loggamma(n + z)))
    first = np.exp(loggamma(0.5 + z) - loggamma(z)) if x else 0.0
    tail = zeta(2.5, terms) / (4 * np.pi)
    return float((np.pi**1.5 / 2 * (first + head + tail)).real)


def direct_gamma(v: float, k0: float) -> float:
    """Γ(v) = K(K0² v)/K0 from Γ̃ by the thermal rule, without any table (§3.1)."""
    return float(
        thermal_average(lambda x: gamma_tilde(x + k0**2 * v), 1.0, np, REFERENCE_NODES) / k0
    )


def direct_phi(x: float) -> float:
    """φ(x) = -2√π [Li_{1/2}(-e^x) + Li_{1/2}(-e^{-x})] (Fermi-Dirac integrals, mpmath)."""
    with mpmath.workdps(25):
        total = mpmath.polylog(0.5, -mpmath.exp(x)) + mpmath.polylog(0.5, -mpmath.exp(-x))
        return float(mpmath.re(-2 * mpmath.sqrt(mpmath.pi) * total))


def cell_midpoints(name: str, count: int, v_limit: float) -> np.ndarray:
    """`count` table-cell midpoints (worst case of cubic Hermite) spread over [0, v_limit]."""
    table = load_table(name)
    last_cell = int(np.arcsinh(v_limit) / table.step) - 1
    cells = np.unique(np.linspace(0, last_cell, count).astype(int))
    return np.sinh((cells + 0.5) * table.step)


def window_estimate(a_geom: float, scale: float) -> tuple[float, float]:
    """Intercept Γ_1 and slope of [Γ_a(A v) - 1] vs v^{1/2} fitted by least squares over
    v^{1/2} in [2, 3] on a fine grid uniform in v, as bias sweeps sample it (eq. I-27)."""
    v = np.linspace(4.0, 9.0, 2001)
    slope, intercept = np.polyfit(np.sqrt(v), gamma_geometry(scale * v, a_geom, np) - 1, 1)
    return float(intercept), float(slope)


# --- Γ̃ -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "expected", "tolerance"),
    [
        (0.0, 0.717770, 5e-7),
        (1.0, 0.878955, 5e-7),
        (2.0, 1.235974, 5e-7),
        (5.0, 2.198292, 5e-7),
        (10.0, 3.162783, 5e-7),
        (100.0, 10.00075, 5e-6),
    ],
)
def test_gamma_tilde_reference_values(x, expected, tolerance):
    assert abs(gamma_tilde(x) - expected) <= tolerance
    assert gamma_tilde(-x) == gamma_tilde(x)


@pytest.mark.parametrize("x", [0.0, 0.3, 7.0, 60.0])
def test_gamma_tilde_matches_brute_force_series(x):
    assert abs(gamma_tilde(x) - brute_force_gamma_tilde(x)) <= 1e-11


@pytest.mark.slow
@pytest.mark.parametrize("x", [3.7, 1000.0])
def test_gamma_tilde_matches_mpmath_hypergeometric_form(x):
    # Σ c_n² Γ(n+½+z)/Γ(n+z) = Γ(½+z)/Γ(z) ₃F₂(-½, -½, ½+z; 1, z; 1)
    with mpmath.workdps(20):
        z = -1j * mpmath.mpf(x) / (2 * mpmath.pi)
        series = (
            mpmath.gamma(0.5 + z) / mpmath.gamma(z) * mpmath.hyp3f2(-0.5, -0.5, 0.5 + z, 1, z, 1)
        )
        expected = float(mpmath.re(mpmath.pi**1.5 / 2 * series))
    assert abs(gamma_tilde(x) - expected) <= 1e-12 * expected


def test_gamma_tilde_approaches_square_root():
    x = np.array([1e2, 1e3, 1e4, 3e4])
    deviation = np.abs(gamma_tilde(x) - np.sqrt(x))
    assert np.all(np.diff(deviation) < 0)
    assert deviation[-1] < 1e-6


def test_k0_from_gamma_tilde_and_stored_with_table():
    k0 = thermal_average(gamma_tilde, 1.0, np, REFERENCE_NODES)
    assert abs(k0 - 1.0472) < 5e-5  # physics.md §3.1
    assert abs(load_table(GAMMA_TABLE).parameters["K0"] - k0) < 1e-10


# --- Γ --------------------------------------------------------------------------------------


def test_gamma_is_one_at_zero_and_even():
    assert abs(gamma_2ck(0.0, np) - 1.0) < 1e-12
    v = np.array([0.1, 3.0, 250.0, 4e4])
    np.testing.assert_array_equal(gamma_2ck(-v, np), gamma_2ck(v, np))


def test_gamma_asymptote_and_tail_beyond_table():
    table = load_table(GAMMA_TABLE)
    assert table.v_max >= 2e4
    v = np.array([1e2, 1e3, 1e4, table.v_max])
    deviation = gamma_2ck(v, np) - np.sqrt(v)
    assert np.all(deviation > 0) and np.all(np.diff(deviation) < 0)
    # Γ(v) - v^{1/2} = O(v^{-3/2}) up to a slowly growing (logarithmic) factor
    assert np.all(deviation * v**1.5 < 2.0)
    beyond = np.array([table.v_max * 1.0001, 1e6])
    np.testing.assert_array_equal(gamma_2ck(beyond, np), np.sqrt(beyond))


def test_gamma_interpolation_error_at_cell_midpoints():
    k0 = load_table(GAMMA_TABLE).parameters["K0"]
    v = cell_midpoints(GAMMA_TABLE, 12, 2e4)
    direct = np.array([direct_gamma(value, k0) for value in v])
    assert np.max(np.abs(gamma_2ck(v, np) - direct)) <= INTERPOLATION_TOLERANCE


# --- Γ_a ------------------------------------------------------------------------------------


def test_geometry_scale_and_symmetric_contact():
    assert geometry_scale(0.0, np) == 1.0
    assert abs(geometry_scale(1.0, np) - 2.0) < 1e-14
    a = 0.37
    expected = (2 / (np.sqrt(1 + a) + np.sqrt(1 - a))) ** 2
    assert abs(geometry_scale(a, np) - expected) < 1e-14
    v = np.linspace(0, 50, 11)
    np.testing.assert_array_equal(gamma_geometry(v, 0.0, np), gamma_2ck(v, np))


@pytest.mark.parametrize("a_geom", [0.0, 0.3, 0.8, 1.0])
def test_gamma_geometry_limits(a_geom):
    assert abs(gamma_geometry(0.0, a_geom, np) - 1.0) < 1e-12
    v = np.array([1e4, 1e6])
    ratio = gamma_geometry(v, a_geom, np) / np.sqrt(v)
    assert np.all(np.abs(ratio - 1) < 1e-2)
    # a < 1: both terms ~ ½ v^{1/2}; a = 1: ½[Γ(4v) + Γ(0)] = v^{1/2} + ½
    offset = 0.5 if a_geom == 1.0 else 0.0
    assert abs(gamma_geometry(1e6, a_geom, np) - 1e3 - offset) < 1e-4


@pytest.mark.parametrize(
    ("a_geom", "scale", "intercept", "slope"),
    [
        (0.0, 1.0, -1.27, 1.087),
        (0.8, 1.0, -0.78, None),
        (1.0, 1.0, -0.50, None),
        (0.8, (4.2 / 7.8) ** 2, -0.69, 0.46),
    ],
)
def test_window_estimates_of_physics_md(a_geom, scale, intercept, slope):
    measured_intercept, measured_slope = window_estimate(a_geom, scale)
    assert abs(measured_intercept - intercept) < 0.005
    if slope is not None:
        decimals = len(str(slope).split(".")[1])
        assert abs(measured_slope - slope) < 0.5 * 10.0**-decimals


# --- φ --------------------------------------------------------------------------------------


def test_phi_at_zero_and_even():
    expected = 4 * float(mpmath.gamma(0.5) * mpmath.altzeta(0.5))
    assert abs(phi_aa(0.0, np) - expected) < 1e-10
    assert abs(expected - 4.2886) < 5e-5
    x = np.array([0.2, 7.0, 900.0])
    np.testing.assert_array_equal(phi_aa(-x, np), phi_aa(x, np))


def test_phi_approaches_four_root():
    table = load_table(PHI_TABLE)
    x = np.array([30.0, 1e3, 1e4])
    # Sommerfeld: φ(x) = 4 x^{1/2} - (π²/6) x^{-3/2} + O(x^{-7/2})
    np.testing.assert_allclose(
        (phi_aa(x, np) - 4 * np.sqrt(x)) * x**1.5, -(np.pi**2) / 6, rtol=1e-2
    )
    beyond = np.array([table.v_max * 1.0001, 1e7])
    np.testing.assert_array_equal(phi_aa(beyond, np), 4 * np.sqrt(beyond))


def test_phi_interpolation_error_at_cell_midpoints():
    x = cell_midpoints(PHI_TABLE, 12, 2e4)
    direct = np.array([direct_phi(value) for value in x])
    assert np.max(np.abs(phi_aa(x, np) / direct - 1)) <= INTERPOLATION_TOLERANCE


# --- backends and gradients -----------------------------------------------------------------

GRID = np.concatenate([[0.0, 1e-300, 1e-9], np.geomspace(1e-3, 1e5, 60), [-2.5, -4e4]])


@pytest.fixture(scope="module")
def compiled_tables():
    """(v, a_geom) -> Γ, Γ_a, φ and the JAX gradients the sampler uses (one jit)."""

    def sums(v, a_geom):
        return gamma_geometry(v, a_geom, jnp).sum(), phi_aa(v, jnp).sum()

    gamma_a_gradient = jax.grad(lambda v, a: sums(v, a)[0], argnums=(0, 1))
    phi_gradient = jax.grad(lambda v, a: sums(v, a)[1])

    def outputs(v, a_geom):
        d_gamma_dv, d_gamma_da = gamma_a_gradient(v, a_geom)
        return (
            gamma_2ck(v, jnp),
            gamma_geometry(v, a_geom, jnp),
            phi_aa(v, jnp),
            d_gamma_dv,
            d_gamma_da,
            phi_gradient(v, a_geom),
        )

    compiled = jax.jit(outputs)
    return lambda v, a_geom: [np.asarray(x) for x in compiled(v, a_geom)]


@pytest.mark.parametrize("a_geom", [0.0, 0.55, 1.0])
def test_jax_matches_numpy(compiled_tables, a_geom):
    gamma, gamma_a, phi, *_ = compiled_tables(GRID, a_geom)
    np.testing.assert_allclose(gamma, gamma_2ck(GRID, np), rtol=1e-12, atol=0)
    np.testing.assert_allclose(gamma_a, gamma_geometry(GRID, a_geom, np), rtol=1e-12, atol=0)
    np.testing.assert_allclose(phi, phi_aa(GRID, np), rtol=1e-12, atol=0)


@pytest.mark.parametrize("a_geom", [0.0, 0.55, 1.0])
def test_gradients_are_finite(compiled_tables, a_geom):
    *_, d_gamma_dv, d_gamma_da, d_phi_dv = compiled_tables(GRID, a_geom)
    assert np.all(np.isfinite(d_gamma_dv))
    assert np.isfinite(d_gamma_da)
    assert np.all(np.isfinite(d_phi_dv))
    assert max(abs(d_gamma_dv[0]), abs(d_phi_dv[0])) < 1e-12  # even functions: flat at v = 0


def test_gradients_match_finite_differences(compiled_tables):
    v = np.array([0.05, 0.8, 3.0, 47.0, 900.0, 1.5e4])
    a_geom, step = 0.55, 1e-6
    *_, d_gamma_dv, d_gamma_da, d_phi_dv = compiled_tables(v, a_geom)

    def central(f):
        return (f(v + step * v) - f(v - step * v)) / (2 * step * v)

    np.testing.assert_allclose(
        d_gamma_dv, central(lambda x: gamma_geometry(x, a_geom, np)), rtol=1e-6
    )
    np.testing.assert_allclose(d_phi_dv, central(lambda x: phi_aa(x, np)), rtol=1e-6)
    numeric_da = (
        gamma_geometry(v, a_geom + step, np) - gamma_geometry(v, a_geom - step, np)
    ).sum() / (2 * step)
    assert abs(d_gamma_da - numeric_da) < 1e-6 * abs(numeric_da)


# --- table files and generator --------------------------------------------------------------


@pytest.mark.parametrize("name", [GAMMA_TABLE, PHI_TABLE])
def test_shipped_tables_verify_and_are_small(name):
    table = read_table(table_path(name))
    assert table.name == name
    assert {"u_step", "v_max", "generator_seconds"} <= set(table.parameters)
    assert table_path(name).stat().st_size < 200_000


def test_altered_table_fails_checksum(tmp_path):
    altered = tmp_path / "altered.npz"
    shutil.copy(table_path(GAMMA_TABLE), altered)
    with np.load(altered) as stored:
        content = dict(stored)
    content["values"] = content["values"].copy()
    content["values"][100] += 1e-9
    np.savez_compressed(altered, **content)
    with pytest.raises(TableChecksumError):
        read_table(altered)


def test_table_round_trip(tmp_path):
    table = load_table(PHI_TABLE)
    copy = read_table(save_table(table, tmp_path / "phi.npz"))
    assert copy.checksum() == table.checksum()
    np.testing.assert_array_equal(copy.values, table.values)


def test_generator_reproduces_shipped_tables_on_a_coarse_grid():
    coarse = Settings(u_step=0.5, v_max=3e3, series_limit=300.0)
    for build, name in ((gamma_table, GAMMA_TABLE), (phi_table, PHI_TABLE)):
        rebuilt = build(coarse)
        shipped = load_table(name)
        stride = round(coarse.u_step / shipped.step)
        np.testing.assert_allclose(
            rebuilt.values, shipped.values[::stride][: len(rebuilt.values)], rtol=1e-9
        )
        np.testing.assert_allclose(
            rebuilt.slopes[1:], shipped.slopes[::stride][1 : len(rebuilt.slopes)], rtol=1e-9
        )
