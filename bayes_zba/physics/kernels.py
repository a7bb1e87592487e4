"""Fixed quadratures shared by the mechanisms: the thermal (Fermi-window) average of physics.md §2
and the expectations over log Δ of §3 and §5, one expression for NumPy and PyTensor.
"""

from collections.abc import Callable
from functools import cache
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import brentq

from bayes_zba.physics.backend import constant, erfc, erfcinv

#: Nodes of the thermal average (physics.md §2); the tests check <= 1e-6 relative error.
THERMAL_NODES: int = 32
#: Gauss-Hermite nodes over log Δ (physics.md §3: at least 12).
HERMITE_NODES: int = 16
#: Gauss-Legendre nodes on each side of the break of `split_lognormal_expectation`.
SPLIT_NODES: int = 8
#: Smallest tail probability a node of `split_lognormal_expectation` is put at: keeps
#: erfcinv and its slope finite when the break lies far out (it then carries no weight).
SMALLEST_TAIL = 1e-200
#: A zero width divides the break by this instead: 1/SMALLEST_WIDTH² stays finite, and so do
#: the gradients (the break then sits at z = ±∞ in effect, or at 0 if it is the median).
SMALLEST_WIDTH = 1e-150
#: Scale a of the map x = a sinh(t) of the thermal rule; a = π puts the poles of -f0'(x) at
#: x = ±iπ on the line Im t = π/2, the edge of the strip of analyticity in t.
THERMAL_MAP_SCALE = np.pi


def fermi_window(x: npt.ArrayLike) -> np.ndarray:
    """-∂f0/∂x = 1/(4 cosh²(x/2)) for x = ω/kT, written without overflow (NumPy)."""
    decay = np.exp(-np.abs(np.asarray(x, dtype=float)))
    return decay / (1.0 + decay) ** 2


def fermi_window_slope(x: npt.ArrayLike) -> np.ndarray:
    """d/dx of `fermi_window`: -tanh(x/2) / (4 cosh²(x/2)) (NumPy)."""
    x = np.asarray(x, dtype=float)
    return -np.tanh(x / 2) * fermi_window(x)


def _thermal_half_width(n: int) -> float:
    """Half-width T of the t-grid: balances discretization error exp(-π²/h), h = 2T/(n-1),
    against truncation error exp(-π sinh T), i.e. T sinh T = π (n - 1) / 2."""
    return brentq(lambda t: t * np.sinh(t) - np.pi * (n - 1) / 2, 1e-3, 50.0)


@cache
def _thermal_rule(n: int) -> tuple[np.ndarray, np.ndarray]:
    half_width = _thermal_half_width(n)
    step = 2 * half_width / (n - 1)
    t = step * (np.arange(n) - (n - 1) / 2)
    x = THERMAL_MAP_SCALE * np.sinh(t)
    weights = step * THERMAL_MAP_SCALE * np.cosh(t) * fermi_window(x)
    x.flags.writeable = False
    weights.flags.writeable = False
    return x, weights


def thermal_nodes(n: int = THERMAL_NODES) -> tuple[np.ndarray, np.ndarray]:
    """Nodes x_k and weights w_k with Σ_k w_k g(x_k) ≈ ∫ dx [-f0'(x)] g(x) (physics.md §2).

    Trapezoid rule in t with x = π sinh(t): exponentially convergent for g analytic in the
    strip |Im x| < π (32 nodes: ~1e-8 on x², x⁴, x⁶, cos, Γ̃(x+s)). Gauss-Legendre in
    u = tanh(x/2), the rule §2 suggests, converges only algebraically (log endpoint
    singularities of x(u)): 6e-3 relative error on ∫[-f0']x² with 32 nodes.
    """
    if n < 2:
        raise ValueError(f"thermal quadrature needs at least 2 nodes, got {n}")
    return _thermal_rule(n)


def thermal_average(g: Callable[[Any], Any], T: Any, xp: ModuleType, n: int = THERMAL_NODES) -> Any:
    """∫ dω [-∂f0/∂ω] g(ω) at temperature T [K] (ω in K; physics.md §2, eq. I-4).

    Calls g(ω) with ω = T[..., None] x_k (trailing node axis) and sums over that axis.
    """
    x, weights = thermal_nodes(n)
    omega = xp.expand_dims(T, -1) * constant(x, xp)
    return xp.sum(g(omega) * constant(weights, xp), axis=-1)


@cache
def _hermite_rule(n: int) -> tuple[np.ndarray, np.ndarray]:
    t, weights = np.polynomial.hermite.hermgauss(n)
    weights = weights / np.sqrt(np.pi)
    t.flags.writeable = False
    weights.flags.writeable = False
    return t, weights


def lognormal_nodes(n: int = HERMITE_NODES) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Hermite nodes t_k and weights w_k/√π: Σ_k w_k h(t_k) ≈ E[h(t)], t ~ N(0, ½)."""
    if n < 1:
        raise ValueError(f"Gauss-Hermite quadrature needs at least 1 node, got {n}")
    return _hermite_rule(n)


def lognormal_expectation(
    f: Callable[[Any], Any], log_median: Any, width: Any, xp: ModuleType, n: int = HERMITE_NODES
) -> Any:
    """E[f(Δ)] over log Δ ~ Normal(log_median, width) by Gauss-Hermite (physics.md §3, §5).

    Calls f with Δ_k = exp(log_median + √2 width t_k), shape (n,); f returns an array whose
    last axis is the node axis, which is summed with the weights. width = 0 gives
    f(exp(log_median)); the result is smooth in log_median and width.
    """
    t, weights = lognormal_nodes(n)
    delta = xp.exp(log_median + np.sqrt(2.0) * width * constant(t, xp))
    return xp.sum(f(delta) * constant(weights, xp), axis=-1)


@cache
def _unit_legendre_rule(n: int) -> tuple[np.ndarray, np.ndarray]:
    x, weights = np.polynomial.legendre.leggauss(n)
    t, weights = (1.0 + x) / 2.0, weights / 2.0
    t.flags.writeable = False
    weights.flags.writeable = False
    return t, weights


def split_lognormal_expectation(
    f: Callable[[Any], Any],
    log_median: Any,
    width: Any,
    log_break: Any,
    xp: ModuleType,
    n: int = SPLIT_NODES,
) -> Any:
    """E[f(Δ)] over log Δ ~ Normal(log_median, |width|) for f with a step at Δ = e^log_break.

    In u = Φ(z), z = (log Δ - log_median)/|width|, the expectation is ∫_0^1 f du. Gauss-Legendre
    with n nodes on each side of the break u_b = Φ(z_b) puts the step on the edge of both
    pieces, where no rule has to resolve it; Gauss-Hermite needs nodes closer than the step's
    width (kk: T/eV in log Δ): for kk at 16 nodes it errs by 2.3% of δG at T = 0.05 K,
    s_Δ = 1.5, this rule by at most 0.055% (tests/physics/test_mechanisms_limits.py).
    Each side's tail probability (u below, 1 - u above) goes through erfc and its inverse,
    so no node rounds to u = 0 or 1. log_break has the leading (data) shape; f is called with
    Δ of that shape plus a trailing node axis of 2n, which is summed with the weights.
    """
    t, weights = (constant(array, xp) for array in _unit_legendre_rule(n))
    spread = xp.abs(width)
    z_break = xp.expand_dims((log_break - log_median) / xp.maximum(spread, SMALLEST_WIDTH), -1)
    below = 0.5 * erfc(-z_break / np.sqrt(2.0), xp)  # Φ(z_b)
    above = 0.5 * erfc(z_break / np.sqrt(2.0), xp)  # 1 - Φ(z_b)
    z_below = -np.sqrt(2.0) * erfcinv(2.0 * xp.maximum(below * t, SMALLEST_TAIL), xp)
    z_above = np.sqrt(2.0) * erfcinv(2.0 * xp.maximum(above * t, SMALLEST_TAIL), xp)
    delta = xp.exp(log_median + spread * xp.concatenate([z_below, z_above], axis=-1))
    node_weights = xp.concatenate([below * weights, above * weights], axis=-1)
    return xp.sum(f(delta) * node_weights, axis=-1)
