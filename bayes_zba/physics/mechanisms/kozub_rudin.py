"""Kozub–Rudin mesoscopic renormalization of defect energies, models "kr2" and "kr1".

ΔG from occupying upper defect states, with the effective energy of (KR-15) (physics.md §4).
"""

from fractions import Fraction
from math import pi
from types import ModuleType
from typing import Any

import numpy as np

from bayes_zba.physics.backend import safe_where
from bayes_zba.physics.mechanisms.base import Mechanism, Parameter
from bayes_zba.units import bias_energy_kelvin

#: J(y) switches from its Taylor series (y <= J_SWITCH) to the exponential tail series.
J_SWITCH = 1.5
#: Terms of each series; both truncation errors are below 1e-16 at the switch point.
J_TAYLOR_TERMS = 28
J_TAIL_TERMS = 26


def _tanh_taylor_coefficients(terms: int) -> list[Fraction]:
    """Exact t_n of tanh(x) = Σ_{n>=1} t_n x^(2n-1), from tanh' = 1 - tanh² term by term."""
    a = [Fraction(0)] * (2 * terms)  # a[k]: coefficient of x^k
    a[1] = Fraction(1)
    for k in range(2, 2 * terms):
        square = sum((a[i] * a[k - 1 - i] for i in range(k)), Fraction(0))
        a[k] = -square / k
    return a[1::2]


def _taylor_coefficients(terms: int) -> np.ndarray:
    """c_n = t_n / (2n + 1) for n = 1 .. terms, rounded once to float."""
    tanh = _tanh_taylor_coefficients(terms)
    return np.array([float(t / (2 * n + 1)) for n, t in enumerate(tanh, start=1)])


_J_TAYLOR = _taylor_coefficients(J_TAYLOR_TERMS)
_J_TAIL_ORDERS = np.arange(1, J_TAIL_TERMS + 1, dtype=float)
#: a_k = (-1)^(k+1)/k and b_k = (-1)^(k+1)/k² of the tail series (k = 1 .. J_TAIL_TERMS).
_J_TAIL_LINEAR = (-1.0) ** (_J_TAIL_ORDERS + 1) / _J_TAIL_ORDERS
_J_TAIL_CONSTANT = _J_TAIL_LINEAR / _J_TAIL_ORDERS


def _power_series(coefficients: np.ndarray, x: Any) -> Any:
    """Σ_k coefficients[k-1] x^k (k = 1 .. len) by Horner's rule: only products and sums,
    which PyTensor fuses into one elementwise loop (powers x^k would each cost a pow)."""
    total = float(coefficients[-1])
    for coefficient in coefficients[-2::-1]:
        total = total * x + float(coefficient)
    return total * x


def _integral_j_taylor(y: Any) -> Any:
    """J(y) = y²/4 - y Σ_n c_n s^n, s = (y/2)², from u/(1+e^u) = u/2 - (u/2) tanh(u/2)."""
    return y**2 / 4.0 - y * _power_series(_J_TAYLOR, (y / 2.0) ** 2)


def _integral_j_tail(y: Any, xp: ModuleType) -> Any:
    """J(y) = π²/12 - Σ_k (-1)^(k+1) e^(-ky) (y/k + 1/k²): -y ln(1+e^-y) + Li2(-e^-y) expanded,
    i.e. π²/12 - y Σ_k a_k x^k - Σ_k b_k x^k with x = e^-y."""
    x = xp.exp(-y)
    return pi**2 / 12.0 - y * _power_series(_J_TAIL_LINEAR, x) - _power_series(_J_TAIL_CONSTANT, x)


def integral_j(y: Any, xp: ModuleType) -> Any:
    """J(y) = ∫_0^y u/(1 + e^u) du for y >= 0 (physics.md §4, KR-12), finite gradients."""
    taylor = _integral_j_taylor(xp.minimum(y, J_SWITCH))
    tail = _integral_j_tail(xp.maximum(y, J_SWITCH), xp)
    return safe_where(y <= J_SWITCH, taylor, tail, xp)


def effective_energy(V: Any, T: Any, E_star: Any, xp: ModuleType) -> Any:
    """E_eff = E*^(2/3) |eV|^(1/3) + T in K (KR-15, physics.md §4)."""
    return E_star ** (2.0 / 3.0) * xp.abs(bias_energy_kelvin(V)) ** (1.0 / 3.0) + T


def field_amplitude(A_kr: Any, H: Any, H_c: Any) -> Any:
    """A_KR(H) = A_KR [1 - ½ h²/(1 + h²)], h = H/H_c: halved above H_c (KR §V, physics.md §4)."""
    h2 = (H / H_c) ** 2
    return A_kr * (1.0 - 0.5 * h2 / (1.0 + h2))


def amplitude_field_factor(H: Any, params: Any, xp: ModuleType) -> Any:
    """ΔG(V, T, H) / ΔG(V, T, 0) = A_KR(H) / A_KR: only the amplitude feels the field (§4)."""
    return field_amplitude(1.0, H, params["H_c"])


def delta_g_kr2(V: Any, T: Any, H: Any, params: Any, xp: ModuleType) -> Any:
    """ΔG = A_KR(H) E_eff² J(E_b/E_eff): two-level fluctuators, β = 2 (KR-12, physics.md §4)."""
    energy = effective_energy(V, T, params["E_star"], xp)
    amplitude = field_amplitude(params["A_kr"], H, params["H_c"])
    return amplitude * energy**2 * integral_j(params["E_b"] / energy, xp)


def delta_g_kr1(V: Any, T: Any, H: Any, params: Any, xp: ModuleType) -> Any:
    """ΔG = A_KR(H) [E_eff - E_b/(e^(E_b/E_eff) - 1)]: Boltzmann defects, β = 1 (KR-13, §4)."""
    energy = effective_energy(V, T, params["E_star"], xp)
    amplitude = field_amplitude(params["A_kr"], H, params["H_c"])
    y = params["E_b"] / energy
    return amplitude * (energy - params["E_b"] * xp.exp(-y) / -xp.expm1(-y))


def _parameters(beta: int) -> tuple[Parameter, ...]:
    """The §6a parameters of the kr model with exponent β (only A_KR's unit depends on β)."""
    return (
        Parameter(
            name="A_kr",
            unit=f"e²/h K^-{beta}",
            meaning="interference amplitude A_KR of ⟨δG⟩_E = c E",
            lower=0.0,
            upper=np.inf,
            source="KR-9, physics.md §4",
            positive=True,
        ),
        Parameter(
            name="E_star",
            unit="K",
            meaning="energy scale E* of the bias term of E_eff (≈ 1-3 K)",
            lower=0.0,
            upper=np.inf,
            source="KR-15, physics.md §4",
            positive=True,
        ),
        Parameter(
            name="E_b",
            unit="K",
            meaning="band edge E_b of the flat defect-energy density (saturation)",
            lower=4.0,
            upper=40.0,
            source="KR §V, physics.md §4",
            positive=True,
        ),
        Parameter(
            name="H_c",
            unit="T",
            meaning="field Φ0/d² above which the interference amplitude halves",
            lower=0.3,
            upper=50.0,
            source="KR §V, physics.md §4",
            positive=True,
        ),
    )


MECHANISMS = (
    Mechanism(
        "kr2",
        "Kozub–Rudin renormalization, two-level fluctuators (β = 2)",
        _parameters(2),
        delta_g_kr2,
        "Fermi-occupied upper defect states raise G: ∝ T² at V = 0, ∝ V^(2/3) at larger bias, "
        "saturating at A_KR E_b²/4; amplitude halves above H_c.",
        field_factor=amplitude_field_factor,
        amplitude="A_kr",
    ),
    Mechanism(
        "kr1",
        "Kozub–Rudin renormalization, delocalized defects (β = 1)",
        _parameters(1),
        delta_g_kr1,
        "Boltzmann-occupied defects raise G: ∝ T at V = 0, ∝ V^(1/3) at larger bias, "
        "saturating at A_KR E_b/2; amplitude halves above H_c.",
        field_factor=amplitude_field_factor,
        amplitude="A_kr",
    ),
)
