"""Physical constants and unit conversions (physics.md §0).

The only module that knows k_B, e, μ_B: every other module converts through it.
"""

from typing import Any

# CODATA 2018 exact / recommended values (SI).
ELEMENTARY_CHARGE_C = 1.602176634e-19
BOLTZMANN_J_PER_K = 1.380649e-23
BOHR_MAGNETON_J_PER_T = 9.2740100783e-24
PLANCK_J_S = 6.62607015e-34
ELECTRON_G_FACTOR = 2.0  # physics.md §0 uses g = 2

#: e·(1 mV)/k_B in kelvin: eV → eV/k_B (physics.md §0, 11.604518 K/mV).
KELVIN_PER_MILLIVOLT = ELEMENTARY_CHARGE_C * 1e-3 / BOLTZMANN_J_PER_K
#: Zeeman energy g μ_B (1 T)/k_B in kelvin (physics.md §0, 1.343427 K/T).
KELVIN_PER_TESLA = ELECTRON_G_FACTOR * BOHR_MAGNETON_J_PER_T / BOLTZMANN_J_PER_K
#: Conductance quantum e²/h in siemens.
E2H_SIEMENS = ELEMENTARY_CHARGE_C**2 / PLANCK_J_S


def bias_energy_kelvin(V_mV: Any) -> Any:
    """eV/k_B in K for a bias in mV (works on NumPy arrays and PyTensor tensors)."""
    return V_mV * KELVIN_PER_MILLIVOLT


def zeeman_energy_kelvin(H_T: Any) -> Any:
    """E_Z = g μ_B H / k_B in K for a field in T (physics.md §0, g = 2)."""
    return H_T * KELVIN_PER_TESLA


#: Multiplicative factors that take a conductance in the named unit to e²/h.
CONDUCTANCE_TO_E2H = {
    "e2h": 1.0,
    "2e2h": 2.0,
    "S": 1.0 / E2H_SIEMENS,
    "mS": 1e-3 / E2H_SIEMENS,
    "uS": 1e-6 / E2H_SIEMENS,
}
#: Factors that take a bias in the named unit to mV.
BIAS_TO_MV = {"mV": 1.0, "V": 1e3, "uV": 1e-3}
#: Factors that take a temperature in the named unit to K.
TEMPERATURE_TO_K = {"K": 1.0, "mK": 1e-3}
#: Factors that take a field in the named unit to T.
FIELD_TO_T = {"T": 1.0, "mT": 1e-3, "G": 1e-4, "kG": 0.1}
