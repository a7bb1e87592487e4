"""Kozub–Kulik TLS population spectroscopy, model "kk" (physics.md §5, paper I App. A3).

Bias drives the populations of two-level systems out of equilibrium; ΔG = δG (n + V ∂n/∂V).
"""

from types import ModuleType
from typing import Any, NamedTuple

import numpy as np

from bayes_zba.physics.backend import safe_where
from bayes_zba.physics.mechanisms.base import Mechanism, Parameter
from bayes_zba.physics.mechanisms.tls_splitting import SPLITTING_PARAMETERS, splitting_expectation
from bayes_zba.units import bias_energy_kelvin

#: Below this |x|/T the Bose weight a/(e^a - 1) and its slope use their Taylor series.
SERIES_BELOW = 1e-2


def _bose_weight(a: Any, xp: ModuleType) -> tuple[Any, Any]:
    """c(a) = a/(e^a - 1) and c'(a) for a >= 0 (c(0) = 1, c'(0) = -½), never overflowing.

    With m = 1 - e^-a: c = a e^-a/m and c' = e^-a (m - a)/m²; Taylor series below SERIES_BELOW.
    """
    small = xp.minimum(a, SERIES_BELOW)
    large = xp.maximum(a, SERIES_BELOW)
    decay = xp.exp(-large)
    m = -xp.expm1(-large)
    weight_series = 1.0 - small / 2.0 + small**2 / 12.0 - small**4 / 720.0 + small**6 / 30240.0
    slope_series = -0.5 + small / 6.0 - small**3 / 180.0 + small**5 / 5040.0
    weight = safe_where(a < SERIES_BELOW, weight_series, large * decay / m, xp)
    slope = safe_where(a < SERIES_BELOW, slope_series, decay * (m - large) / m**2, xp)
    return weight, slope


class Rates(NamedTuple):
    """B(x) (forward), B(-x) (backward) and B'(x) (slope) at one energy transfer x."""

    forward: Any
    backward: Any
    slope: Any


def transition_rates(x: Any, T: Any, xp: ModuleType) -> Rates:
    """B(x), B(-x) and B'(x) of B(x) = x/(1 - e^(-x/T)) in K (physics.md §5; B(0) = T).

    B(±x) = T [max(±y, 0) + c(|y|)] with y = x/T, so no term cancels; B'(x) = 1 + c'(y) for
    y >= 0 and -c'(|y|) below (B'(0) = ½, B'(-x) = 1 - B'(x)).
    """
    y = x / T
    weight, weight_slope = _bose_weight(xp.abs(y), xp)
    forward = T * (xp.maximum(y, 0.0) + weight)
    backward = T * (xp.maximum(-y, 0.0) + weight)
    slope = safe_where(y >= 0.0, 1.0 + weight_slope, -weight_slope, xp)
    return Rates(forward, backward, slope)


def upper_occupation(
    eV: Any, T: Any, delta: Any, q: Any, rho: Any, xp: ModuleType
) -> tuple[Any, Any]:
    """n and ∂n/∂(eV) of the upper TLS level from electron and phonon rates (physics.md §5).

    Rates in units of γ_e: electrons from reservoirs w = (q, 1-q) at μ = ±eV/2, phonons
    ρ Δ² [B(Δ) + B(-Δ)] = ρ Δ³ coth(Δ/2T) down and that times e^(-Δ/T) up. W↑ and W↓ have
    the same bias slope W' = q(1-q) [B'(eV - Δ) + B'(eV + Δ) - 1], so ∂n/∂eV = W'(1 - 2n)/ΣW.
    """
    same_side = q**2 + (1.0 - q) ** 2
    across = q * (1.0 - q)
    gap = transition_rates(delta, T, xp)  # same reservoir: B(±Δ)
    minus = transition_rates(eV - delta, T, xp)  # across: B(±(eV - Δ))
    plus = transition_rates(eV + delta, T, xp)  # across: B(±(eV + Δ))
    up = same_side * gap.backward + across * (minus.forward + plus.backward)
    down = same_side * gap.forward + across * (plus.forward + minus.backward)
    rate_slope = across * (minus.slope + plus.slope - 1.0)
    phonon_down = rho * delta**2 * (gap.forward + gap.backward)
    phonon_up = phonon_down * xp.exp(-delta / T)
    total = up + down + phonon_up + phonon_down
    n = (up + phonon_up) / total
    return n, rate_slope * (1.0 - 2.0 * n) / total


def delta_g_kk(V: Any, T: Any, H: Any, params: Any, xp: ModuleType) -> Any:
    """ΔG = δG E_Δ[n + V ∂n/∂V] over log Δ ~ Normal(log Δ_med, s_Δ); no H dependence (§5).

    n + V ∂n/∂V steps by about ¼ at Δ = |eV| (width ~T), so E_Δ is split there.
    """
    bias = bias_energy_kelvin(V)
    eV = xp.expand_dims(bias, -1)
    temperature = xp.expand_dims(T, -1)

    def differential_occupation(delta: Any) -> Any:
        n, n_slope = upper_occupation(eV, temperature, delta, params["q"], params["rho"], xp)
        return n + eV * n_slope

    log_break = xp.log(xp.maximum(xp.abs(bias), 1e-300))
    return params["dG"] * splitting_expectation(differential_occupation, params, xp, log_break)


def no_field_shift(H: Any, params: Any, xp: ModuleType) -> Any:
    """ΔG_kk(V, T, H) - ΔG_kk(V, T, 0) = 0: the populations do not feel the field (§5)."""
    return xp.zeros_like(H)


PARAMETERS = (
    Parameter(
        name="dG",
        unit="e²/h",
        meaning="conductance change δG when every TLS is in its upper state (either sign)",
        lower=-np.inf,
        upper=np.inf,
        source="I-A1, physics.md §5",
    ),
    *SPLITTING_PARAMETERS,
    Parameter(
        name="q",
        unit="1",
        meaning="weight of the +eV/2 reservoir at the TLS (½ at the contact centre)",
        lower=0.0,
        upper=1.0,
        source="KR-14, physics.md §5",
        mirror=0.5,  # ΔG depends on q only through q(1 - q) (tests/physics)
    ),
    Parameter(
        name="rho",
        unit="K^-2",
        meaning="phonon to electron coupling ratio γ_ph/γ_e",
        lower=0.0,
        upper=np.inf,
        source="KR §III, physics.md §5",
        positive=True,
    ),
)

MECHANISMS = (
    Mechanism(
        "kk",
        "Kozub–Kulik TLS population spectroscopy",
        PARAMETERS,
        delta_g_kk,
        "Bias pumps two-level systems into their upper state; activated (e^(-Δ/T)) at V = 0, "
        "no V/T scaling, no field dependence; δG may have either sign.",
        field_shift=no_field_shift,
        amplitude="dG",
    ),
)
