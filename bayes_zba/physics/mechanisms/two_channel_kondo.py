"""Two-channel Kondo TLSs with a distribution of splittings Δ, model "2ck" (physics.md §3).

ΔG = B_Σ T_K^½ E_Δ[asinh(g/T_K^½)] + c_H |H|, g = E^½ Γ_a(A eV/E), E = (T² + Δ²)^½ (I-13, I-22).
"""

from types import ModuleType
from typing import Any

import numpy as np

from bayes_zba.physics import tables
from bayes_zba.physics.mechanisms.base import Mechanism, Parameter
from bayes_zba.physics.mechanisms.tls_splitting import (
    SPLITTING_PARAMETERS,
    splitting_expectation,
)
from bayes_zba.units import bias_energy_kelvin


def delta_g_2ck(V: Any, T: Any, H: Any, params: Any, xp: ModuleType) -> Any:
    """ΔG of physics.md §3: V/T scaling with α = ½ below T_K, saturation below Δ, log above T_K."""
    eV = xp.expand_dims(xp.abs(bias_energy_kelvin(V)), -1)
    temperature = xp.expand_dims(T, -1)
    root_kondo = xp.sqrt(params["T_K"])

    def crossover_response(delta: Any) -> Any:
        infrared = xp.sqrt(temperature**2 + delta**2)
        scaled_bias = params["A"] * eV / infrared
        g = xp.sqrt(infrared) * tables.gamma_geometry(scaled_bias, params["a_geom"], xp)
        return xp.arcsinh(g / root_kondo)

    kondo = params["B_sigma"] * root_kondo * splitting_expectation(crossover_response, params, xp)
    return kondo + channel_asymmetry_shift(H, params, xp)


def channel_asymmetry_shift(H: Any, params: Any, xp: ModuleType) -> Any:
    """c_H |H|: the only field dependence of the 2ck model (channel-symmetry breaking, I-B1)."""
    return params["c_H"] * xp.abs(H)


PARAMETERS = (
    Parameter(
        name="B_sigma",
        unit="e²/h K^-1/2",
        meaning="summed 2CK amplitude B_Σ = Σ_i B_i",
        lower=0.0,
        upper=np.inf,
        source="I-22, paper I Table I",
        positive=True,
    ),
    Parameter(
        name="A",
        unit="1",
        meaning="bias scale A of the scaling variable A eV/kT (≈ (F0/B_Σ)², order 1)",
        lower=0.0,
        upper=np.inf,
        source="I-13, physics.md §3",
        positive=True,
    ),
    Parameter(
        name="a_geom",
        unit="1",
        meaning="asymmetry a of how the bias splits across the TLS (0 = symmetric contact)",
        lower=0.0,
        upper=1.0,
        source="I-4 footnote 7, physics.md §3.1",
    ),
    Parameter(
        name="T_K",
        unit="K",
        meaning="Kondo temperature: crossover from V/T scaling to the logarithmic regime",
        lower=1.0,
        upper=20.0,
        source="paper I §V.C, physics.md §3",
        positive=True,
    ),
    *SPLITTING_PARAMETERS,
    Parameter(
        name="c_H",
        unit="e²/h T^-1",
        meaning="linear field term from channel-symmetry breaking (prior centred on 0)",
        lower=-np.inf,
        upper=np.inf,
        source="I-B1, physics.md §3",
    ),
)

MECHANISMS = (
    Mechanism(
        "2ck",
        "Two-channel Kondo TLSs with a distribution of splittings",
        PARAMETERS,
        delta_g_2ck,
        "T^½ at V = 0 and V/T scaling with α = ½ below T_K, saturation below the splitting Δ, "
        "logarithmic above T_K; no field dependence apart from an optional c_H |H|.",
        field_shift=channel_asymmetry_shift,
        amplitude="B_sigma",
    ),
)
