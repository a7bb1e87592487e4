"""The smooth scaling function F(w) of the Bayesian scaling model, w = |eV/kT|^{1/2}.

Cubic B-spline on uniform knots with F'(0) = F''(0) = 0 (F even and analytic in v, like Γ of
physics.md §3.1) and a straight tail F ≈ F0' w + F(0) + Γ1 beyond the knots (I-26, I-27).
One formula for NumPy and PyTensor (xp), like the physics kernels.
"""

from dataclasses import dataclass
from math import ceil
from types import ModuleType
from typing import Any

import numpy as np

#: Knot spacing in w = |v|^{1/2}; the window [2, 3] of (I-27) spans two intervals.
KNOT_SPACING = 0.5


@dataclass(frozen=True)
class ScalingSpline:
    """F(w) = Σ_j c_j B3(w/h - j), j = -1 … K+1, on [0, w_end = K h], straight beyond.

    c_{-1} = c_0 = c_1 = F(0) make F'(0) = F''(0) = 0; c_{K+1} = 2 c_K - c_{K-1} makes
    F''(w_end) = 0, so the straight tail joins smoothly. c_2 … c_K are free: F is linear in
    them and in F(0), which keeps posteriors of the coefficients close to Gaussian.
    """

    n_intervals: int
    spacing: float = KNOT_SPACING

    @property
    def w_end(self) -> float:
        return self.n_intervals * self.spacing

    @property
    def n_free(self) -> int:
        """Number of free coefficients c_2 … c_K."""
        return self.n_intervals - 1

    def coefficients(self, at_zero: Any, free: Any, xp: ModuleType) -> Any:
        """All K + 3 coefficients c_{-1} … c_{K+1} from F(0) (...) and c_2 … c_K (..., K - 1)."""
        start = xp.ones_like(free[..., :1]) * xp.expand_dims(at_zero, -1)
        last = 2.0 * free[..., -1:] - free[..., -2:-1]
        return xp.concatenate([start, start, start, free, last], axis=-1)

    def basis(self, w: Any, xp: ModuleType) -> Any:
        """B-spline basis at w (points × K + 3); w is clipped into [0, w_end]."""
        j = np.arange(-1, self.n_intervals + 2, dtype=float)
        t = xp.abs(xp.clip(w, 0.0, self.w_end)[..., None] / self.spacing - j)
        return (xp.maximum(2.0 - t, 0.0) ** 3 - 4.0 * xp.maximum(1.0 - t, 0.0) ** 3) / 6.0

    def evaluate(self, w: Any, coefficients: Any, xp: ModuleType) -> Any:
        """F(w) for coefficients (..., K + 3) at points w (..., n); leading axes broadcast."""
        end_slope = (coefficients[..., -1] - coefficients[..., -3]) / (2.0 * self.spacing)
        inside = xp.sum(coefficients[..., None, :] * self.basis(w, xp), axis=-1)
        return inside + end_slope[..., None] * xp.maximum(w - self.w_end, 0.0)


def spline_for_range(w_max: float, spacing: float = KNOT_SPACING) -> ScalingSpline:
    """The spline whose knots cover [0, w_max] (at least two intervals)."""
    return ScalingSpline(max(2, ceil(w_max / spacing - 1e-9)), spacing)
