"""Row masks behind the Dataset selection helpers: bias window, T/H ranges, bias masks, thinning.

Each takes table columns and returns a boolean keep-mask; Dataset turns it into a new Dataset.
"""

import math

import numpy as np
import pandas as pd

from bayes_zba.data.validation import MIN_POINTS_PER_CURVE


def bias_window(V_mV: np.ndarray, vmax_mV: float) -> np.ndarray:
    """Keep |V| <= vmax (physics.md §1: fits use a bias window |V| <= V_max)."""
    if not (math.isfinite(vmax_mV) and vmax_mV > 0):
        raise ValueError(f"the bias window must be a finite V_max > 0 mV, got {vmax_mV!r}")
    return np.abs(V_mV) <= vmax_mV


def in_range(values: np.ndarray, bounds: tuple[float, float] | None, quantity: str) -> np.ndarray:
    """Keep lo <= value <= hi; `bounds` None keeps everything."""
    if bounds is None:
        return np.ones(len(values), dtype=bool)
    lo, hi = _checked_interval(bounds, quantity)
    return (values >= lo) & (values <= hi)


def outside_intervals(V_mV: np.ndarray, intervals: list[tuple[float, float]]) -> np.ndarray:
    """Drop biases inside any closed interval [lo, hi] in mV (e.g. conductance spikes)."""
    keep = np.ones(len(V_mV), dtype=bool)
    for interval in intervals:
        lo, hi = _checked_interval(interval, "bias mask (mV)")
        keep &= ~((V_mV >= lo) & (V_mV <= hi))
    return keep


def _checked_interval(bounds: tuple[float, float], quantity: str) -> tuple[float, float]:
    lo, hi = (float(b) for b in bounds)
    if math.isnan(lo) or math.isnan(hi) or lo > hi:
        raise ValueError(f"{quantity}: expected an interval (lo, hi) with lo <= hi, got {bounds!r}")
    return lo, hi


def evenly_spaced(table: pd.DataFrame, max_points_per_curve: int) -> np.ndarray:
    """Keep at most n points per curve, evenly spaced along the curve's V order, V = 0 kept.

    Deterministic; for a uniform bias sweep the kept points are evenly spaced in V. The
    table must be sorted by (sample, curve, V) as `Dataset.table` is.
    """
    n = int(max_points_per_curve)
    if n != max_points_per_curve or n < MIN_POINTS_PER_CURVE:
        raise ValueError(
            f"max_points_per_curve must be an integer >= {MIN_POINTS_PER_CURVE}, "
            f"got {max_points_per_curve!r}"
        )
    keep = np.zeros(len(table), dtype=bool)
    starts = table.groupby(["sample", "curve"], sort=False).indices
    V_mV = table["V_mV"].to_numpy()
    for positions in starts.values():
        keep[positions[_thin(V_mV[positions], n)]] = True
    return keep


def _thin(V_sorted: np.ndarray, n: int) -> np.ndarray:
    """Indices of n points evenly spread over one curve, swapping in the first V = 0 point."""
    m = len(V_sorted)
    if m <= n:
        return np.arange(m)
    chosen = np.round(np.linspace(0, m - 1, n)).astype(int)
    zeros = np.flatnonzero(V_sorted == 0)
    if len(zeros) and not np.isin(zeros, chosen).any():
        chosen[np.argmin(np.abs(chosen - zeros[0]))] = zeros[0]
    return np.sort(chosen)
