"""Classical scaling analysis of paper I §VI.B: α from the collapse D(α), then B_Σ, F0, F1, Γ1.

Implements (I-24) on a grid of α, (I-22) for B_Σ, and the window line (I-27) per temperature.
"""

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize_scalar

from bayes_zba.models.scales import point_noise
from bayes_zba.scaling.collapse import (
    DEFAULT_N_LOWEST,
    DEFAULT_V_MAX,
    TWO_CHANNEL_KONDO_ALPHA,
    collapse_coordinates,
    collapse_deviation,
    lowest_temperature_curves,
    reduced_bias,
)
from bayes_zba.scaling.sweeps import Sweeps

#: α grid of paper I Fig. 9 (0.2 … 0.8); D(α) is drawn on it and α* refined between nodes.
ALPHA_GRID = tuple(np.round(np.linspace(0.2, 0.8, 61), 10))
#: Window of the straight-line fit of F vs v^{1/2} (paper I after eq. I-27: samples 1 and 2).
WINDOW_SQRT_V = (2.0, 3.0)
#: Fewest points of one curve inside the window for its line to count.
WINDOW_MIN_POINTS = 3
#: Parametric bootstrap replicates for the uncertainty of α* (see bootstrap_alpha).
BOOTSTRAP_REPLICATES = 100
#: Pure-noise copies averaged for the noise floor of D(α).
NOISE_REPLICATES = 30
#: α* of each bootstrap replicate is searched within this distance of the data's α*.
BOOTSTRAP_SEARCH_HALF_WIDTH = 0.15
#: Relative tolerance when temperatures are compared with a limit (file values like 1.4000000001).
TEMPERATURE_RTOL = 1e-9
#: Absolute tolerance of the refined minimum of D(α).
ALPHA_TOLERANCE = 1e-4


@dataclass(frozen=True)
class Spread:
    """A value with its spread (a standard deviation, Table I's "±")."""

    value: float
    spread: float


@dataclass(frozen=True)
class WindowLine:
    """The straight line F(v) = F0 v^{1/2} + F1 of one curve over the window (I-27)."""

    T_K: float
    F0: float  # e²/h K^-α
    F1: float  # e²/h K^-α
    n_points: int


@dataclass(frozen=True)
class ScalingOptions:
    """Choices of the classical analysis; defaults are paper I's (§VI.B.2-3)."""

    alpha_grid: tuple[float, ...] = ALPHA_GRID
    n_lowest: int = DEFAULT_N_LOWEST  # curves entering D(α)
    v_max: float = DEFAULT_V_MAX  # |v| range of D(α)
    window_sqrt_v: tuple[float, float] = WINDOW_SQRT_V
    alpha_fit: float | None = TWO_CHANNEL_KONDO_ALPHA  # α of B_Σ, F0, F1; None: use α*
    t_min_K: float | None = None  # leave out colder curves (e.g. Δ-saturated, paper I §VI.C)
    t_max_K: float | None = None  # scaling regime T <= t_max_K; None: the D(α) curves
    bootstrap: int = BOOTSTRAP_REPLICATES
    seed: int = 0

    def to_json(self) -> dict:
        return {
            "alpha_grid": [self.alpha_grid[0], self.alpha_grid[-1], len(self.alpha_grid)],
            "n_lowest": self.n_lowest,
            "v_max": self.v_max,
            "window_sqrt_v": list(self.window_sqrt_v),
            "alpha_fit": self.alpha_fit,
            "t_min_K": self.t_min_K,
            "t_max_K": self.t_max_K,
            "bootstrap": self.bootstrap,
            "seed": self.seed,
        }


@dataclass(frozen=True)
class ClassicalScaling:
    """Everything the classical analysis measured on one sample's curves at one field."""

    alpha_grid: np.ndarray
    D_alpha: np.ndarray  # D(α) on alpha_grid, e²/h² K^-2α (I-24)
    alpha_star: float  # minimum of D(α)
    alpha_err: float  # bootstrap standard deviation of α*
    alpha_at_edge: bool  # the minimum sits on an end of the grid
    D_star: float  # D(α*)
    signal_scale: float  # (1/N) Σ ∫ F_n² dv at α* over the same v range: the scale of D
    noise_sigma: float  # robust point noise of the data (e²/h)
    D_noise: float  # D(α*) that noise alone gives (noise_floor)
    collapse_temperatures: tuple[float, ...]  # curves of D(α), lowest T first
    alpha_fit: float  # α used for B_Σ, F0 and F1
    regime_temperatures: tuple[float, ...]  # curves of B_Σ (I-22)
    G00: float  # e²/h
    B_sigma: Spread  # e²/h K^-α, spread = standard error of the slope of (I-22)
    lines: tuple[WindowLine, ...]  # per-temperature lines of (I-27)
    F0: Spread  # mean ± std over lines
    F1: Spread
    Gamma1: Spread  # F1 / B_Σ, spread propagated from F1 and B_Σ
    options: ScalingOptions = field(default_factory=ScalingOptions)

    @property
    def noise_ratio(self) -> float:
        """D(α*) over its noise floor: about 1 when the curves collapse within the noise."""
        return self.D_star / self.D_noise

    @property
    def relative_deviation(self) -> float:
        """rms deviation of the collapsed curves from their mean relative to their rms size."""
        return float(np.sqrt(self.D_star / self.signal_scale))


def deviation_profile(
    sweeps: Sweeps, alphas: np.ndarray, *, n_lowest: int, v_max: float
) -> np.ndarray:
    """D(α) of (I-24) for every α in `alphas` (paper I Fig. 9)."""
    return np.array([_deviation(sweeps, a, n_lowest, v_max) for a in alphas])


def best_alpha(
    sweeps: Sweeps, alphas: np.ndarray, D: np.ndarray, *, n_lowest: int, v_max: float
) -> tuple[float, bool]:
    """α* minimising D: the grid minimum refined between its neighbours; (α*, on an edge)."""
    best = int(np.argmin(D))
    if best in (0, len(alphas) - 1):
        return float(alphas[best]), True
    return _refined_minimum(sweeps, (alphas[best - 1], alphas[best + 1]), n_lowest, v_max), False


def collapse_curves(sweeps: Sweeps, n_lowest: int) -> Sweeps:
    """Only the n_lowest curves by temperature: the ones D(α) compares."""
    chosen = lowest_temperature_curves(sweeps.curve_T, n_lowest)
    return sweeps.subset(np.flatnonzero(np.isin(sweeps.curve_index, chosen)))


def bootstrap_alpha(
    sweeps: Sweeps,
    alpha_star: float,
    sigma: float,
    *,
    n_lowest: int,
    v_max: float,
    replicates: int,
    seed: int,
) -> np.ndarray:
    """α* of `replicates` parametric bootstrap copies of the D(α) curves.

    Each copy adds independent Normal(0, sigma) noise to every point (sigma: the data's
    robust point noise) and its minimum is searched within BOOTSTRAP_SEARCH_HALF_WIDTH of
    the data's α*. The spread is the noise-induced uncertainty of α*; systematic departures
    from scaling are not in it.
    """
    rng = np.random.default_rng(seed)
    curves = collapse_curves(sweeps, n_lowest)
    bounds = (alpha_star - BOOTSTRAP_SEARCH_HALF_WIDTH, alpha_star + BOOTSTRAP_SEARCH_HALF_WIDTH)
    alphas = []
    for _ in range(replicates):
        noisy = curves.with_conductance(curves.G + rng.normal(0.0, sigma, curves.G.shape))
        alphas.append(_refined_minimum(noisy, bounds, n_lowest, v_max))
    return np.array(alphas)


def noise_floor(
    sweeps: Sweeps, alpha: float, sigma: float, *, n_lowest: int, v_max: float, seed: int
) -> float:
    """D(α) that noise alone gives on this design: mean over NOISE_REPLICATES copies whose
    conductance is pure Normal(0, sigma) noise. D of data = this floor for perfect scaling."""
    rng = np.random.default_rng(seed)
    curves = collapse_curves(sweeps, n_lowest)
    return float(
        np.mean(
            [
                _deviation(
                    curves.with_conductance(rng.normal(0.0, sigma, curves.G.shape)),
                    alpha,
                    n_lowest,
                    v_max,
                )
                for _ in range(NOISE_REPLICATES)
            ]
        )
    )


def signal_scale(sweeps: Sweeps, alpha: float, *, n_lowest: int, v_max: float) -> float:
    """(1/N) Σ_n ∫ F_n(v)² dv over |v| <= v_max, F_n the rescaled D(α) curves (I-14).

    The mean of F² over each curve's points in the range times the range's width: the size
    D(α) is to be compared with (D = 0 for a perfect collapse, D ≈ this for none).
    """
    curves = collapse_curves(sweeps, n_lowest)
    G_zero = curves.zero_bias()[curves.curve_index]
    v = reduced_bias(curves.V_mV, curves.T_K)
    _, F = collapse_coordinates(curves.V_mV, curves.T_K, curves.G, G_zero, alpha)
    inside = np.abs(v) <= v_max
    per_curve = [
        np.mean(F[inside & (curves.curve_index == k)] ** 2)
        * np.ptp(v[inside & (curves.curve_index == k)])
        for k in range(curves.n_curves)
    ]
    return float(np.mean(per_curve))


def zero_bias_line(T_K: np.ndarray, G_zero: np.ndarray, alpha: float) -> tuple[float, Spread]:
    """G(0, T) = G00 + B_Σ T^α (I-22) by least squares: (G00, B_Σ ± its standard error)."""
    if T_K.size < 3:
        raise ValueError("B_Σ from (I-22) needs at least three temperatures")
    x = T_K**alpha
    slope, intercept = np.polyfit(x, G_zero, 1)
    residual = G_zero - (intercept + slope * x)
    variance = np.sum(residual**2) / (x.size - 2) / np.sum((x - x.mean()) ** 2)
    return float(intercept), Spread(float(slope), float(np.sqrt(variance)))


def window_line(
    sqrt_v: np.ndarray, F: np.ndarray, window: tuple[float, float]
) -> tuple[np.ndarray, np.ndarray]:
    """Slope and intercept of the least-squares line F = F0 v^{1/2} + F1 over the window (I-27).

    F may carry leading axes (e.g. posterior draws); the fit runs along the last axis over the
    points with window[0] <= sqrt_v <= window[1].
    """
    inside = (sqrt_v >= window[0]) & (sqrt_v <= window[1])
    x, y = sqrt_v[inside], np.asarray(F)[..., inside]
    dx = x - x.mean()
    slope = np.sum(dx * (y - y.mean(axis=-1, keepdims=True)), axis=-1) / np.sum(dx**2)
    return slope, y.mean(axis=-1) - slope * x.mean()


def window_lines(
    sweeps: Sweeps, G_zero: np.ndarray, curves: np.ndarray, alpha: float, window: tuple
) -> tuple[WindowLine, ...]:
    """The (I-27) line of every listed curve with at least WINDOW_MIN_POINTS in the window."""
    _, F = collapse_coordinates(
        sweeps.V_mV, sweeps.T_K, sweeps.G, G_zero[sweeps.curve_index], alpha
    )
    sqrt_v = np.sqrt(np.abs(reduced_bias(sweeps.V_mV, sweeps.T_K)))
    lines = []
    for k in curves:
        on_curve = sweeps.curve_index == k
        inside = on_curve & (sqrt_v >= window[0]) & (sqrt_v <= window[1])
        if inside.sum() >= WINDOW_MIN_POINTS:
            slope, intercept = window_line(sqrt_v[on_curve], F[on_curve], window)
            T = float(sweeps.curve_T[k])
            lines.append(WindowLine(T, float(slope), float(intercept), int(inside.sum())))
    return tuple(lines)


def classical_scaling(sweeps: Sweeps, options: ScalingOptions | None = None) -> ClassicalScaling:
    """Paper I's analysis of one sample at one field (§VI.B.2-3, Table I).

    Curves colder than options.t_min_K (if set) are left out first.
    α*: minimum of D(α) (I-24) over the n_lowest curves, refined between grid nodes; its
    error is the standard deviation of α* over parametric bootstrap copies (bootstrap_alpha,
    seed `options.seed`). With α = alpha_fit (default ½, as Table I; None: α*):
    B_Σ and G00 from the line G(0, T) vs T^α (I-22) over the scaling-regime curves
    (T <= t_max_K; default the D(α) curves), F0 and F1 from the line of
    F = [G(V,T) - G(0,T)]/T^α vs v^{1/2} over the window per regime curve (I-27), reported as
    mean ± std over temperatures; Γ1 = F1/B_Σ with both spreads propagated.
    """
    options = options or ScalingOptions()
    sweeps = warmer_curves(sweeps, options.t_min_K)
    alphas = np.asarray(options.alpha_grid, dtype=float)
    n_lowest, v_max = options.n_lowest, options.v_max
    D = deviation_profile(sweeps, alphas, n_lowest=n_lowest, v_max=v_max)
    alpha_star, at_edge = best_alpha(sweeps, alphas, D, n_lowest=n_lowest, v_max=v_max)
    sigma = point_noise(sweeps.table())
    bootstrap_seed, floor_seed = np.random.SeedSequence(options.seed).generate_state(2)
    replicas = bootstrap_alpha(
        sweeps,
        alpha_star,
        sigma,
        n_lowest=n_lowest,
        v_max=v_max,
        replicates=options.bootstrap,
        seed=int(bootstrap_seed),
    )
    floor = noise_floor(
        sweeps, alpha_star, sigma, n_lowest=n_lowest, v_max=v_max, seed=int(floor_seed)
    )
    collapsed = lowest_temperature_curves(sweeps.curve_T, n_lowest)
    regime = regime_curves(sweeps, collapsed, options.t_max_K)
    alpha = alpha_star if options.alpha_fit is None else options.alpha_fit
    G_zero = sweeps.zero_bias()
    G00, B_sigma = zero_bias_line(sweeps.curve_T[regime], G_zero[regime], alpha)
    lines = window_lines(sweeps, G_zero, regime, alpha, options.window_sqrt_v)
    F0, F1 = (_mean_and_std([getattr(line, name) for line in lines]) for name in ("F0", "F1"))
    return ClassicalScaling(
        alpha_grid=alphas,
        D_alpha=D,
        alpha_star=alpha_star,
        alpha_err=float(np.std(replicas, ddof=1)) if replicas.size > 1 else float("nan"),
        alpha_at_edge=at_edge,
        D_star=_deviation(sweeps, alpha_star, n_lowest, v_max),
        signal_scale=signal_scale(sweeps, alpha_star, n_lowest=n_lowest, v_max=v_max),
        noise_sigma=sigma,
        D_noise=floor,
        collapse_temperatures=_temperatures(sweeps, collapsed),
        alpha_fit=float(alpha),
        regime_temperatures=_temperatures(sweeps, regime),
        G00=G00,
        B_sigma=B_sigma,
        lines=lines,
        F0=F0,
        F1=F1,
        Gamma1=ratio(F1, B_sigma),
        options=options,
    )


def warmer_curves(sweeps: Sweeps, t_min_K: float | None) -> Sweeps:
    """The sweeps without curves colder than t_min_K (all of them for None)."""
    if t_min_K is None:
        return sweeps
    warm = sweeps.curve_T[sweeps.curve_index] >= t_min_K * (1.0 - TEMPERATURE_RTOL)
    return sweeps.subset(np.flatnonzero(warm))


def regime_curves(sweeps: Sweeps, collapsed: np.ndarray, t_max_K: float | None) -> np.ndarray:
    """Curves of the scaling regime, by temperature: T <= t_max_K, or the D(α) curves."""
    if t_max_K is None:
        return np.sort(collapsed)
    return np.flatnonzero(sweeps.curve_T <= t_max_K * (1.0 + TEMPERATURE_RTOL))


def ratio(numerator: Spread, denominator: Spread) -> Spread:
    """numerator/denominator with relative spreads added in quadrature."""
    value = numerator.value / denominator.value
    relative = np.hypot(numerator.spread / numerator.value, denominator.spread / denominator.value)
    return Spread(float(value), float(abs(value) * relative))


def _deviation(sweeps: Sweeps, alpha: float, n_lowest: int, v_max: float) -> float:
    return collapse_deviation(
        sweeps.V_mV,
        sweeps.T_K,
        sweeps.G,
        sweeps.curve_index,
        alpha,
        n_lowest=n_lowest,
        v_max=v_max,
    ).value


def _refined_minimum(
    sweeps: Sweeps, bounds: tuple[float, float], n_lowest: int, v_max: float
) -> float:
    result = minimize_scalar(
        lambda a: _deviation(sweeps, a, n_lowest, v_max),
        bounds=bounds,
        method="bounded",
        options={"xatol": ALPHA_TOLERANCE},
    )
    return float(result.x)


def _mean_and_std(values: list[float]) -> Spread:
    if not values:
        return Spread(float("nan"), float("nan"))
    spread = float(np.std(values, ddof=1)) if len(values) > 1 else float("nan")
    return Spread(float(np.mean(values)), spread)


def _temperatures(sweeps: Sweeps, curves: np.ndarray) -> tuple[float, ...]:
    return tuple(float(t) for t in np.sort(sweeps.curve_T[curves]))
