"""Whether a sample shows the V/T scaling of paper I (I-13, I-14), in plain words.

The only place with the rules that turn the scaling numbers into a verdict (SCALING_RULES).
"""

from dataclasses import dataclass

import numpy as np
from scipy.stats import f as f_distribution

from bayes_zba.scaling.classical import ClassicalScaling, zero_bias_line
from bayes_zba.scaling.collapse import TWO_CHANNEL_KONDO_ALPHA
from bayes_zba.scaling.temperature_exponent import TemperatureExponent, temperature_exponent

#: Level of the F-test that asks whether G(0, T) allows the exponent α* (I-22).
EXPONENT_TEST_LEVEL = 0.01
#: Largest D(α*)/noise floor for which the curves count as collapsed (systematic mean-square
#: deviations up to twice the noise's).
COLLAPSE_NOISE_RATIO = 3.0
#: Largest bootstrap error of α* for which the minimum of D(α) counts as located.
ALPHA_RESOLUTION = 0.1
#: α* within this many bootstrap errors of ½ is "consistent with 2CK".
CONSISTENCY_SIGMAS = 2.0

SCALING_RULES = (
    f"Scaling needs all of: (1) D(α) (I-24) has its minimum α* inside the α grid, not on an "
    f"end; (2) α* is located: its bootstrap error is at most {ALPHA_RESOLUTION:g}; (3) the "
    f"curves collapse: D(α*) is at most {COLLAPSE_NOISE_RATIO:g} times the D that the data's "
    f"noise alone gives on the same design; (4) the "
    f"zero-bias conductance allows the same power, G(0,T) = G00 + B T^α* (I-22), as (I-13) "
    f"requires at v = 0: an F-test at level {EXPONENT_TEST_LEVEL:g} of that line against "
    f"the best power G00 + B T^p over all curves of the field (drift between curves is the "
    f"noise) does not reject α*.",
    "A failed (1), (3) or (4) means no scaling; a failed (2) alone leaves the question open. "
    "The rules need noisy data: without noise the floor of (3) and the F-test of (4) vanish.",
    f"With scaling, α* is called consistent with the 2CK value α = ½ when it lies within "
    f"{CONSISTENCY_SIGMAS:g} bootstrap errors of ½.",
)


@dataclass(frozen=True)
class Check:
    """One rule of SCALING_RULES applied to a sample."""

    name: str
    passed: bool
    detail: str

    def to_json(self) -> dict:
        return {"name": self.name, "passed": self.passed, "detail": self.detail}


@dataclass(frozen=True)
class ScalingVerdict:
    """scaling: True (scales), False (does not), None (cannot tell); text says why."""

    scaling: bool | None
    text: str
    checks: tuple[Check, ...]


@dataclass(frozen=True)
class ExponentTest:
    """G(0, T) = G00 + B T^α* against G00 + B T^p with p free: the F statistic and its limit."""

    best: TemperatureExponent
    statistic: float
    critical: float

    @property
    def consistent(self) -> bool:
        return bool(self.statistic <= self.critical)


def exponent_test(T_K: np.ndarray, G_zero: np.ndarray, alpha: float) -> ExponentTest:
    """F-test (1, n - 3 degrees of freedom) of the exponent α in (I-22) over n >= 4 curves."""
    best = temperature_exponent(T_K, G_zero)
    n = T_K.size
    if n < 4:
        raise ValueError("the exponent test needs at least four temperatures")
    rss_best = _residual_sum(T_K, G_zero, best.G0, best.amplitude, best.exponent)
    G00, B = zero_bias_line(T_K, G_zero, alpha)
    rss_alpha = _residual_sum(T_K, G_zero, G00, B.value, alpha)
    statistic = (rss_alpha - rss_best) / (rss_best / (n - 3))
    critical = float(f_distribution.ppf(1.0 - EXPONENT_TEST_LEVEL, 1, n - 3))
    return ExponentTest(best, float(statistic), critical)


def scaling_checks(classical: ClassicalScaling, exponent: ExponentTest) -> tuple[Check, ...]:
    """The four checks of SCALING_RULES, in order."""
    alpha, error = classical.alpha_star, classical.alpha_err
    grid = classical.alpha_grid
    return (
        Check(
            "interior minimum",
            not classical.alpha_at_edge,
            f"D(α) is smallest at α = {alpha:.3f} on the grid {grid[0]:g} … {grid[-1]:g}",
        ),
        Check(
            "located minimum",
            bool(error <= ALPHA_RESOLUTION),
            f"bootstrap error of α* is {error:.3f}",
        ),
        Check(
            "collapse within noise",
            bool(classical.noise_ratio <= COLLAPSE_NOISE_RATIO),
            f"D(α*) = {classical.D_star:.3g} is {classical.noise_ratio:.2f} times the noise "
            f"floor {classical.D_noise:.3g} (rms deviation {classical.relative_deviation:.1%} "
            f"of the curves' size)",
        ),
        Check(
            "zero-bias exponent",
            exponent.consistent,
            f"G(0,T) over {exponent.best.n_temperatures} temperatures: best power "
            f"p = {exponent.best.exponent:.2f}; T^α* with α* = {alpha:.3f} gives "
            f"F = {exponent.statistic:.2g} (limit {exponent.critical:.2g})",
        ),
    )


def _residual_sum(
    T_K: np.ndarray, G_zero: np.ndarray, G00: float, amplitude: float, power: float
) -> float:
    return float(np.sum((G_zero - G00 - amplitude * T_K**power) ** 2))


def decide(classical: ClassicalScaling, exponent: ExponentTest) -> ScalingVerdict:
    """The verdict of SCALING_RULES with a sentence that names the deciding numbers."""
    checks = scaling_checks(classical, exponent)
    edge, located, collapse, power = checks
    if not (edge.passed and collapse.passed and power.passed):
        failed = "; ".join(c.detail for c in (edge, collapse, power) if not c.passed)
        return ScalingVerdict(False, f"No V/T scaling of the form (I-14): {failed}.", checks)
    if not located.passed:
        text = (
            f"Scaling cannot be judged: D(α) is too flat to locate its minimum "
            f"(α* = {classical.alpha_star:.2f} ± {classical.alpha_err:.2f})."
        )
        return ScalingVerdict(None, text, checks)
    return ScalingVerdict(True, _scaling_sentence(classical), checks)


def _scaling_sentence(classical: ClassicalScaling) -> str:
    alpha, error = classical.alpha_star, classical.alpha_err
    distance = abs(alpha - TWO_CHANNEL_KONDO_ALPHA)
    relation = (
        "consistent with" if distance <= CONSISTENCY_SIGMAS * error else "not consistent with"
    )
    gamma = classical.Gamma1
    return (
        f"The low-temperature curves collapse with α* = {alpha:.3f} ± {error:.3f}, {relation} "
        f"the 2CK value α = ½; Γ1 = F1/B_Σ = {gamma.value:.2f} ± {gamma.spread:.2f} "
        f"(window v^1/2 ∈ [{classical.options.window_sqrt_v[0]:g}, "
        f"{classical.options.window_sqrt_v[1]:g}], α = {classical.alpha_fit:g})."
    )
