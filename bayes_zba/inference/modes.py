"""Where the chains of a fit start: posterior modes found by optimisation from many starts, each
with its Laplace approximation, and the chains placed in the heaviest and the most distinct.

Weakly informative data can give a posterior basins whose pull on warm-up differs from the mass
they hold (2ck SBC data set 33: of 12 chains from the usual starts, 3 reached the truth's basin
and 8 one at a_geom = 1, 23 nats lower). Climbing from several times as many starts as chains
finds the heavy basin almost surely, at a few hundred gradient evaluations per start; NUTS
warm-up from a draw of the mode's Laplace approximation then starts inside its typical set.
"""

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from bayes_zba.inference.restarts import STRANDED_LP_GAP

#: Optimisations per chain of the fit (the chains start at chosen ones).
STARTS_PER_CHAIN = 3
#: L-BFGS iterations per start: enough to reach the mode of any example and SBC posterior
#: from the prior; a climb still under way by then is ranked where it got to.
CLIMB_ITERATIONS = 400
#: Relative step of the central differences of the gradient that give a mode's Hessian.
HESSIAN_STEP = 1e-5

#: The log density on the sampler's (unconstrained) coordinates and its gradient.
LogDensity = Callable[[np.ndarray], tuple[float, np.ndarray]]


@dataclass(frozen=True)
class Mode:
    """Where one climb ended: the point, its log density, and the Laplace covariance there
    (None when the Hessian is not negative definite, e.g. a climb still on a slope)."""

    point: np.ndarray
    log_density: float
    covariance: np.ndarray | None
    evaluations: int

    def scale(self) -> np.ndarray:
        """Posterior sd per coordinate from the Laplace covariance (ones without it)."""
        if self.covariance is None:
            return np.ones_like(self.point)
        return np.sqrt(np.diag(self.covariance))


class _Counted:
    """A LogDensity that counts its calls and never returns a non-finite gradient."""

    def __init__(self, log_density: LogDensity):
        self.log_density = log_density
        self.calls = 0

    def __call__(self, point: np.ndarray) -> tuple[float, np.ndarray]:
        self.calls += 1
        value, gradient = self.log_density(np.ascontiguousarray(point, dtype=float))
        value = float(value)
        if not (np.isfinite(value) and np.isfinite(gradient).all()):
            return -np.inf, np.zeros_like(point)
        return value, np.asarray(gradient, dtype=float)

    def negative(self, point: np.ndarray) -> tuple[float, np.ndarray]:
        value, gradient = self(point)
        return (np.inf, gradient) if value == -np.inf else (-value, -gradient)


def climb(log_density: LogDensity, start: np.ndarray, iterations: int = CLIMB_ITERATIONS) -> Mode:
    """The mode reached by L-BFGS from `start`, with its Laplace covariance.

    Parameters
    ----------
    log_density : callable
        x -> (log p(x), ∇ log p(x)) on the sampler's coordinates.
    start : numpy.ndarray
        Where the climb begins.
    iterations : int
        L-BFGS iterations at most.

    Returns
    -------
    Mode

    Examples
    --------
    >>> mode = climb(lambda x: (-0.5 * float(x @ x), -x), np.array([3.0, -1.0]))
    >>> np.allclose(mode.point, 0.0, atol=1e-6), np.allclose(mode.covariance, np.eye(2))
    (True, True)
    """
    counted = _Counted(log_density)
    start = np.asarray(start, dtype=float)
    result = minimize(
        counted.negative, start, jac=True, method="L-BFGS-B", options={"maxiter": iterations}
    )
    point = result.x if np.isfinite(result.fun) else start
    value, _ = counted(point)
    covariance = laplace_covariance(counted, point) if np.isfinite(value) else None
    return Mode(point, value, covariance, counted.calls)


def laplace_covariance(log_density: LogDensity, point: np.ndarray) -> np.ndarray | None:
    """(-∇² log p)⁻¹ at `point` from central differences of the gradient, or None when the
    Hessian there is not negative definite (no Gaussian approximation)."""
    n = point.size
    steps = HESSIAN_STEP * np.maximum(1.0, np.abs(point))
    hessian = np.empty((n, n))
    for i in range(n):
        shift = np.zeros(n)
        shift[i] = steps[i]
        hessian[i] = (log_density(point + shift)[1] - log_density(point - shift)[1]) / (
            2 * steps[i]
        )
    precision = -(hessian + hessian.T) / 2.0
    if not np.isfinite(precision).all():
        return None
    eigenvalues, vectors = np.linalg.eigh(precision)
    if eigenvalues.min() <= 0.0:
        return None
    return (vectors / eigenvalues) @ vectors.T


def climb_all(log_density: LogDensity, starts: np.ndarray, workers: int = 1) -> list[Mode]:
    """climb from every row of `starts`, on `workers` threads (the log density of a compiled
    model releases the GIL while it computes)."""
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(lambda start: climb(log_density, start), starts))


def stranded_modes(modes: Sequence[Mode]) -> list[int]:
    """The modes more than STRANDED_LP_GAP below the highest (negligible mass there)."""
    heights = np.array([mode.log_density for mode in modes])
    return [int(i) for i in np.flatnonzero(heights < heights.max() - STRANDED_LP_GAP)]


def chosen_modes(modes: Sequence[Mode], chains: int) -> list[int]:
    """The mode of each chain: the highest, then in turn the one farthest from those chosen
    (in posterior sd of the highest mode), among the modes not stranded; with fewer such
    modes than chains they are shared in turn.

    Picking by place rather than height gives a mode in a basin of its own a chain even when
    it ties with the crowd: R-hat and the mass rule (restarts) then weigh the basins.
    """
    stranded = set(stranded_modes(modes))
    ranked = [int(i) for i in np.argsort([-m.log_density for m in modes]) if i not in stranded]
    scale = modes[ranked[0]].scale()
    places = {i: modes[i].point / scale for i in ranked}
    chosen = [ranked[0]]
    while len(chosen) < min(chains, len(ranked)):
        left = [i for i in ranked if i not in chosen]
        nearest = [min(np.linalg.norm(places[i] - places[c]) for c in chosen) for i in left]
        chosen.append(left[int(np.argmax(nearest))])
    return [chosen[i % len(chosen)] for i in range(chains)]


def laplace_draw(mode: Mode, rng: np.random.Generator) -> np.ndarray:
    """A draw from the mode's Laplace approximation (the mode itself, jittered by 0.1 on every
    coordinate, without one): a start inside the typical set, not at the mode, where the
    gradient vanishes and tells warm-up nothing about the scales."""
    if mode.covariance is None:
        return mode.point + 0.1 * rng.standard_normal(mode.point.size)
    return rng.multivariate_normal(mode.point, mode.covariance, method="eigh")
