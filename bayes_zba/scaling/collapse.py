"""V/T scaling collapse of paper I: zero-bias conductance, collapse transform and D(α).

Implements the left-hand side of eq. (I-14) and the collapse-quality measure D(α) of (I-24).
"""

from dataclasses import dataclass

import numpy as np

from bayes_zba.units import bias_energy_kelvin

#: α of the 2CK scaling Ansatz (I-14), the exponent the collapse view uses by default.
TWO_CHANNEL_KONDO_ALPHA = 0.5
#: Paper I's choice for D(α) below eq. (I-24): the 5 lowest temperatures and |v| ≤ 8.
DEFAULT_N_LOWEST = 5
DEFAULT_V_MAX = 8.0
#: Points of the uniform v grid on which the integral of (I-24) is evaluated (trapezoid rule).
DEVIATION_GRID_POINTS = 801


@dataclass(frozen=True)
class CollapseDeviation:
    """D(α) of eq. (I-24) and what it was computed from."""

    value: float
    alpha: float
    temperatures_K: tuple[float, ...]  # the curves that entered, lowest T first
    v_range: tuple[float, float]  # integration interval in v = eV/kT


def curve_point_indices(V_mV: np.ndarray, curve_index: np.ndarray) -> list[np.ndarray]:
    """Indices of each curve's points sorted by bias; entry k belongs to curve k."""
    n_curves = int(np.max(curve_index)) + 1
    return [
        np.flatnonzero(curve_index == k)[np.argsort(V_mV[curve_index == k], kind="stable")]
        for k in range(n_curves)
    ]


def interpolate_sweep(V_sorted: np.ndarray, G_sorted: np.ndarray, V_at: np.ndarray) -> np.ndarray:
    """Linear interpolation of one sweep (last axis of G) at biases V_at; NaN outside it.

    G_sorted may carry leading axes (e.g. chain, draw): they are interpolated together.
    """
    V_at = np.asarray(V_at, dtype=float)
    right = np.clip(np.searchsorted(V_sorted, V_at), 1, len(V_sorted) - 1)
    left = right - 1
    span = V_sorted[right] - V_sorted[left]
    weight = np.divide(V_at - V_sorted[left], span, out=np.zeros_like(V_at), where=span > 0)
    values = G_sorted[..., left] * (1.0 - weight) + G_sorted[..., right] * weight
    inside = (V_at >= V_sorted[0]) & (V_at <= V_sorted[-1])
    return np.where(inside, values, np.nan)


def zero_bias_conductance(V_mV: np.ndarray, G: np.ndarray, curve_index: np.ndarray) -> np.ndarray:
    """G(0, T) of every curve (last axis), by linear interpolation of its sweep at V = 0.

    G has shape (..., point); the result has shape (..., curve). NaN for a curve whose
    sweep does not reach V = 0.
    """
    G = np.asarray(G, dtype=float)
    per_curve = [
        interpolate_sweep(V_mV[idx], G[..., idx], np.zeros(()))
        for idx in curve_point_indices(V_mV, curve_index)
    ]
    return np.stack(per_curve, axis=-1)


def reduced_bias(V_mV: np.ndarray, T_K: np.ndarray) -> np.ndarray:
    """v = eV/kT, the scaling variable of eq. (I-14), from V [mV] and T [K]."""
    return bias_energy_kelvin(np.asarray(V_mV, dtype=float)) / np.asarray(T_K, dtype=float)


def collapse_coordinates(
    V_mV: np.ndarray,
    T_K: np.ndarray,
    G: np.ndarray,
    G_zero: np.ndarray,
    alpha: float = TWO_CHANNEL_KONDO_ALPHA,
) -> tuple[np.ndarray, np.ndarray]:
    """The collapse view of paper I Fig. 8(b): (sign(v)|v|^α, [G(V,T) - G(0,T)] / T^α).

    G_zero is G(0, T) of each point's curve (e.g. zero_bias_conductance()[curve_index]);
    the y value is the left-hand side of eq. (I-14) in e²/h K^-α.
    """
    v = reduced_bias(V_mV, T_K)
    x = np.sign(v) * np.abs(v) ** alpha
    y = (np.asarray(G, dtype=float) - G_zero) / np.asarray(T_K, dtype=float) ** alpha
    return x, y


def lowest_temperature_curves(T_curve: np.ndarray, n_lowest: int) -> np.ndarray:
    """Indices of the n_lowest curves by temperature (ties keep curve order)."""
    return np.argsort(T_curve, kind="stable")[:n_lowest]


def collapse_deviation(
    V_mV: np.ndarray,
    T_K: np.ndarray,
    G: np.ndarray,
    curve_index: np.ndarray,
    alpha: float = TWO_CHANNEL_KONDO_ALPHA,
    *,
    n_lowest: int = DEFAULT_N_LOWEST,
    v_max: float = DEFAULT_V_MAX,
) -> CollapseDeviation:
    """D(α) of eq. (I-24): mean square deviation of F_n(v) from their average over |v| ≤ v_max.

    F_n(v) = [G(V, T_n) - G(0, T_n)] / T_n^α for the n_lowest curves by temperature, each
    interpolated linearly on a uniform v grid; (1/N) Σ_n ∫ dv [F_n - F̄]² by the trapezoid
    rule. The interval shrinks to the part of [-v_max, v_max] that every curve covers
    (reported in `v_range`); pass curves of a single field. Needs at least two curves.
    """
    V_mV, T_K, G = (np.asarray(a, dtype=float) for a in (V_mV, T_K, G))
    sweeps = curve_point_indices(V_mV, curve_index)
    T_curve = np.array([T_K[idx[0]] for idx in sweeps])
    chosen = lowest_temperature_curves(T_curve, n_lowest)
    if len(chosen) < 2:
        raise ValueError("D(α) compares curves: need at least two curves")
    v_sweeps = [reduced_bias(V_mV[sweeps[k]], T_curve[k]) for k in chosen]
    v_low = max(-v_max, *(v[0] for v in v_sweeps))
    v_high = min(v_max, *(v[-1] for v in v_sweeps))
    if v_high <= v_low:
        raise ValueError("the chosen curves share no range of v = eV/kT")
    v_grid = np.linspace(v_low, v_high, DEVIATION_GRID_POINTS)
    F = np.stack(
        [
            _scaling_function(v, G[sweeps[k]], T_curve[k], alpha, v_grid)
            for v, k in zip(v_sweeps, chosen, strict=True)
        ]
    )
    squared = (F - F.mean(axis=0)) ** 2
    value = float(np.mean(np.trapezoid(squared, v_grid, axis=-1)))
    return CollapseDeviation(
        value, alpha, tuple(float(T_curve[k]) for k in chosen), (v_low, v_high)
    )


def _scaling_function(
    v_sorted: np.ndarray, G_sorted: np.ndarray, T: float, alpha: float, v_grid: np.ndarray
) -> np.ndarray:
    """F(v) = [G(v) - G(0)] / T^α of one sweep (I-14), sampled on v_grid."""
    G_zero = interpolate_sweep(v_sorted, G_sorted, np.zeros(()))
    return (interpolate_sweep(v_sorted, G_sorted, v_grid) - G_zero) / T**alpha
