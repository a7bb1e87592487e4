"""Generator of the shipped tables gamma_2ck.npz (Γ, physics.md §3.1) and phi_aa.npz (φ, §6).

Run `python -m bayes_zba.physics.tables.generate [directory]`; it prints its runtime.
"""

import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
from numpy.polynomial import Chebyshev

from bayes_zba.physics.kernels import fermi_window, fermi_window_slope
from bayes_zba.physics.tables import GAMMA_TABLE, PHI_TABLE, TABLE_DIR
from bayes_zba.physics.tables.interpolation import EvenTable, save_table
from bayes_zba.physics.tables.universal import gamma_tilde


@dataclass(frozen=True)
class Settings:
    """Accuracy knobs of the generator (stored in each table's parameters)."""

    u_step: float = 0.01  # table step in u = asinh(v)
    v_max: float = 3.0e4  # table range; beyond it Γ ≈ v^{1/2}, φ ≈ 4 v^{1/2}
    window: float = 40.0  # Fermi window cut |x| <= window (weight e^{-40})
    convolution_step: float = 0.25  # trapezoid step in x; error ~ exp(-2π²/step)
    series_limit: float = 1000.0  # Γ̃ from its series on a uniform grid up to here
    remainder_degree: int = 12  # Chebyshev degree in ln y of y^{3/2}(Γ̃(y) - √y) beyond
    phi_resolution: float = 45.0  # φ: trapezoid step in t = 2π d(x)/phi_resolution


@dataclass(frozen=True)
class GammaTildeSampler:
    """Γ̃ on the uniform grid y = j·step (series) and, beyond series_limit, √y + y^{-3/2} R(ln y)
    with R a Chebyshev interpolant of the series; k0 = K(0) from the grid."""

    step: float
    grid_values: np.ndarray  # Γ̃(j·step), j = 0..J
    remainder: Chebyshev
    k0: float

    def asymptotic(self, y: np.ndarray) -> np.ndarray:
        """Γ̃(y) for y beyond series_limit - 3 window from √y plus the interpolated remainder."""
        return np.sqrt(y) + self.remainder(np.log(y)) * y**-1.5

    def symmetric_grid(self) -> tuple[np.ndarray, np.ndarray]:
        """y_j = j·step for j = -J..J and Γ̃(y_j)."""
        return mirror_even(self.step, self.grid_values)


def mirror_even(step: float, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Grid y_j = j·step, j = -J..J, and the values of an even function given for j = 0..J."""
    y = step * np.arange(-len(values) + 1, len(values))
    return y, np.concatenate([values[:0:-1], values])


def _scaled_remainder(log_y: np.ndarray) -> np.ndarray:
    """y^{3/2}(Γ̃(y) - √y) at y = exp(log_y): smooth and slowly varying in ln y."""
    y = np.exp(log_y)
    return y**1.5 * (gamma_tilde(y) - np.sqrt(y))


def sample_gamma_tilde(settings: Settings, v_last: float) -> GammaTildeSampler:
    """Series values of Γ̃ on the grid, K(0) from them, and the remainder fit up to the
    largest argument K(0)² v_last + window that a table ending at v_last needs."""
    step = settings.convolution_step
    grid_values = gamma_tilde(np.arange(0.0, settings.series_limit + step / 2, step))
    y, values = mirror_even(step, grid_values)
    k0 = float(step * fermi_window(y) @ values)
    y_range = [settings.series_limit - 3 * settings.window, k0**2 * v_last + settings.window]
    remainder = Chebyshev.interpolate(
        _scaled_remainder, settings.remainder_degree, domain=np.log(y_range)
    )
    return GammaTildeSampler(step, grid_values, remainder, k0)


def fermi_convolution(
    sampler: GammaTildeSampler,
    s: np.ndarray,
    kernel: Callable[[np.ndarray], np.ndarray],
    settings: Settings,
) -> np.ndarray:
    """∫ dx kernel(x) Γ̃(x + s) by the trapezoid rule in x (exponentially accurate: the
    integrand is analytic in |Im x| < π); kernel = -f0' gives K(s), kernel = f0'' gives K'(s)."""
    s = np.asarray(s, dtype=float)
    result = np.empty_like(s)
    near = s <= settings.series_limit - settings.window
    y, values = sampler.symmetric_grid()
    for chunk in np.array_split(np.flatnonzero(near), max(1, near.sum() // 256)):
        result[chunk] = sampler.step * kernel(y[None, :] - s[chunk, None]) @ values
    x = np.arange(-settings.window, settings.window + sampler.step / 2, sampler.step)
    far = ~near
    result[far] = sampler.step * sampler.asymptotic(x[None, :] + s[far, None]) @ kernel(x)
    return result


def fermi_curvature_kernel(x: np.ndarray) -> np.ndarray:
    """-d/dx[-f0'(x)]: K'(s) = ∫ dx (-w'(x)) Γ̃(x + s) after integrating by parts."""
    return -fermi_window_slope(x)


def table_grid(settings: Settings) -> np.ndarray:
    """Nodes u_i = i·u_step up to the first node with sinh(u) >= v_max."""
    count = int(np.ceil(np.arcsinh(settings.v_max) / settings.u_step)) + 1
    return settings.u_step * np.arange(count)


def gamma_table(settings: Settings) -> EvenTable:
    """Γ(v) = K(K0² v)/K0 and dΓ/du = K0 K'(K0² v) cosh u on the table grid (§3.1, I-19)."""
    u = table_grid(settings)
    v = np.sinh(u)
    sampler = sample_gamma_tilde(settings, v[-1])
    k0 = sampler.k0
    s = k0**2 * v
    values = fermi_convolution(sampler, s, fermi_window, settings) / k0
    slopes = k0 * fermi_convolution(sampler, s, fermi_curvature_kernel, settings) * np.cosh(u)
    return EvenTable(
        name=GAMMA_TABLE,
        step=settings.u_step,
        values=values,
        slopes=slopes,
        tail_coefficient=1.0,
        parameters={**asdict(settings), "K0": k0},
    )


def _phi_strip_half_width(x: float) -> float:
    """Distance Im √(x + iπ) of the nearest pole of f(t² - x) from the real t axis."""
    return float(np.sqrt((np.hypot(x, np.pi) - x) / 2))


def phi_and_derivative(x: float, settings: Settings) -> tuple[float, float]:
    """φ(x) = 4∫ dy [-f0'(y)] |x + y|^{1/2} = 4∫_ℝ dt t² [w(t² - x) + w(t² + x)] and dφ/dx,
    by the trapezoid rule in t (ω = t² removes the square-root cusp; physics.md §6)."""
    step = 2 * np.pi * _phi_strip_half_width(x) / settings.phi_resolution
    first = max(1, int(np.sqrt(max(x - settings.window, 0.0)) / step))
    last = int(np.sqrt(x + settings.window) / step) + 1
    t = step * np.concatenate([[0.0], np.arange(first, last + 1)])
    multiplicity = np.where(t == 0.0, 1.0, 2.0)  # the integrand is even in t
    weight = 4 * step * multiplicity * t**2
    value = weight @ (fermi_window(t**2 - x) + fermi_window(t**2 + x))
    slope = weight @ (fermi_window_slope(t**2 + x) - fermi_window_slope(t**2 - x))
    return float(value), float(slope)


def phi_table(settings: Settings) -> EvenTable:
    """φ(sinh u) and dφ/du = φ'(x) cosh u on the table grid (physics.md §6)."""
    u = table_grid(settings)
    pairs = np.array([phi_and_derivative(x, settings) for x in np.sinh(u)])
    return EvenTable(
        name=PHI_TABLE,
        step=settings.u_step,
        values=pairs[:, 0],
        slopes=pairs[:, 1] * np.cosh(u),
        tail_coefficient=4.0,
        parameters=asdict(settings),
    )


def write_tables(directory: Path = TABLE_DIR, settings: Settings = Settings()) -> dict[str, Path]:
    """Build both tables, record each build's runtime in its parameters, save as .npz."""
    paths = {}
    for builder in (gamma_table, phi_table):
        start = time.perf_counter()
        table = builder(settings)
        seconds = round(time.perf_counter() - start, 2)
        table = replace(table, parameters={**table.parameters, "generator_seconds": seconds})
        paths[table.name] = save_table(table, directory / f"{table.name}.npz")
    return paths


def main(argv: list[str]) -> None:
    """Write both tables to argv[0] (default: the package's table directory)."""
    directory = Path(argv[0]) if argv else TABLE_DIR
    start = time.perf_counter()
    for name, path in write_tables(directory).items():
        print(f"{name}: {path} ({path.stat().st_size / 1024:.0f} KiB)")
    print(f"generated in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
