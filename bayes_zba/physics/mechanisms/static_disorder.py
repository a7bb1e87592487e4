"""Wingreen–Altshuler–Meir static disorder, model "wam" (physics.md §6, paper I App. A1).

The Altshuler–Aronov density-of-states dip Φ(eV, T) = T^½ φ(eV/T), Zeeman-split for H^½.
"""

from types import ModuleType
from typing import Any

import numpy as np

from bayes_zba.physics import tables
from bayes_zba.physics.mechanisms.base import Mechanism, Parameter
from bayes_zba.units import bias_energy_kelvin, zeeman_energy_kelvin


def interaction_dip(energy: Any, T: Any, xp: ModuleType) -> Any:
    """Φ(ε, T) = T^½ φ(ε/T) in K^½: 4|ε|^½ at T = 0, 4.2886 T^½ at ε = 0 (physics.md §6)."""
    return xp.sqrt(T) * tables.phi_aa(energy / T, xp)


def delta_g_wam(V: Any, T: Any, H: Any, params: Any, xp: ModuleType) -> Any:
    """ΔG = (A_W/4)[(1 - w_Z) Φ(eV) + (w_Z/2)(Φ(eV + E_Z) + Φ(eV - E_Z))] (App. A1.4, §6)."""
    eV = bias_energy_kelvin(V)
    zeeman = zeeman_energy_kelvin(H)
    w_Z = params["w_Z"]
    split = interaction_dip(eV + zeeman, T, xp) + interaction_dip(eV - zeeman, T, xp)
    dip = (1.0 - w_Z) * interaction_dip(eV, T, xp) + 0.5 * w_Z * split
    return 0.25 * params["A_w"] * dip


PARAMETERS = (
    Parameter(
        name="A_w",
        unit="e²/h K^-1/2",
        meaning="amplitude A_W of the interaction correction",
        lower=0.0,
        upper=np.inf,
        source="I-A1, physics.md §6",
        positive=True,
    ),
    Parameter(
        name="w_Z",
        unit="1",
        meaning="weight of the Zeeman-split triplet channel (0 excluded: no H^½ then)",
        lower=0.1,
        upper=2.0 / 3.0,
        source="paper I App. A1.4, physics.md §6",
    ),
)

MECHANISMS = (
    Mechanism(
        "wam",
        "Wingreen–Altshuler–Meir static disorder (Altshuler–Aronov dip)",
        PARAMETERS,
        delta_g_wam,
        "T^½ at V = 0 with exact V/T scaling at H = 0 and a positive H^½ magnetoconductance "
        "from the Zeeman-split triplet channel.",
        amplitude="A_w",
    ),
)
