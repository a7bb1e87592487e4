"""Temperature exponent of the zero-bias anomaly, G(0, T) - G0 ∝ T^p (physics.md §7).

The fingerprint that separates the mechanisms: p = ½ (2ck, wam), 2 (kr2), 1 (kr1).
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar

#: Range searched for p when G0 is profiled out; wide enough for every mechanism of §7.
EXPONENT_BOUNDS = (0.05, 5.0)
#: Coarse grid over p that brackets the least-squares minimum before refining it.
EXPONENT_GRID_POINTS = 200
#: Distinct temperatures needed: a residual degree of freedom beyond the fitted parameters.
MIN_TEMPERATURES = {"known G0": 3, "profiled G0": 4}


@dataclass(frozen=True)
class TemperatureExponent:
    """G(0, T) ≈ G0 + amplitude × T^exponent over the temperatures used."""

    exponent: float
    amplitude: float  # e²/h K^-exponent (sign: sign of the anomaly)
    G0: float  # e²/h
    G0_profiled: bool  # True when G0 was estimated together with the exponent
    n_temperatures: int

    @property
    def at_bound(self) -> bool:
        """True when a profiled exponent sits on EXPONENT_BOUNDS (the data do not fix it)."""
        return self.G0_profiled and not (
            EXPONENT_BOUNDS[0] * 1.001 < self.exponent < EXPONENT_BOUNDS[1] * 0.999
        )


def temperature_exponent(
    T_K: np.ndarray, G_zero: np.ndarray, *, G0: float | None = None
) -> TemperatureExponent:
    """Exponent p of G(0, T) - G0 ∝ T^p.

    With G0 given: straight-line fit of log|G(0,T) - G0| vs log T over the points whose
    difference has the sign of the median anomaly. With G0=None: least squares of
    G0 + c T^p with G0 and c solved linearly for each p and p minimised within
    EXPONENT_BOUNDS (variable projection), for data whose background is unknown; check
    `at_bound` on the result. Needs 3 (known G0) or 4 (profiled) distinct temperatures.
    """
    T_K, G_zero = (np.asarray(a, dtype=float) for a in (T_K, G_zero))
    finite = np.isfinite(T_K) & np.isfinite(G_zero) & (T_K > 0)
    T_K, G_zero = T_K[finite], G_zero[finite]
    mode = "known G0" if G0 is not None else "profiled G0"
    if np.unique(T_K).size < MIN_TEMPERATURES[mode]:
        raise ValueError(
            f"{mode}: needs {MIN_TEMPERATURES[mode]} distinct temperatures, "
            f"got {np.unique(T_K).size}"
        )
    if G0 is None:
        return _profiled_exponent(T_K, G_zero)
    return _log_log_exponent(T_K, G_zero, G0)


def _log_log_exponent(T_K: np.ndarray, G_zero: np.ndarray, G0: float) -> TemperatureExponent:
    anomaly = G_zero - G0
    sign = 1.0 if np.median(anomaly) >= 0 else -1.0
    keep = sign * anomaly > 0
    if np.unique(T_K[keep]).size < 2:
        raise ValueError("G(0, T) - G0 has no consistent sign over two temperatures")
    slope, intercept = np.polyfit(np.log(T_K[keep]), np.log(sign * anomaly[keep]), 1)
    return TemperatureExponent(
        float(slope), float(sign * np.exp(intercept)), float(G0), False, int(keep.sum())
    )


def _profiled_exponent(T_K: np.ndarray, G_zero: np.ndarray) -> TemperatureExponent:
    grid = np.geomspace(*EXPONENT_BOUNDS, EXPONENT_GRID_POINTS)
    residuals = [_linear_fit(T_K, G_zero, p)[1] for p in grid]
    best = int(np.argmin(residuals))
    bracket = (grid[max(best - 1, 0)], grid[min(best + 1, grid.size - 1)])
    result = minimize_scalar(
        lambda p: _linear_fit(T_K, G_zero, p)[1], bounds=bracket, method="bounded"
    )
    (G0, amplitude), _ = _linear_fit(T_K, G_zero, result.x)
    return TemperatureExponent(float(result.x), float(amplitude), float(G0), True, T_K.size)


def _linear_fit(T_K: np.ndarray, G_zero: np.ndarray, p: float) -> tuple[np.ndarray, float]:
    """(G0, c) minimising Σ [G - G0 - c T^p]² and that residual sum of squares."""
    design = np.column_stack([np.ones_like(T_K), T_K**p])
    coefficients, *_ = np.linalg.lstsq(design, G_zero, rcond=None)
    return coefficients, float(np.sum((G_zero - design @ coefficients) ** 2))
