"""Data-derived scales that let configs state priors where physics gives no absolute scale.

A prior's `scale = "zba_depth / energy_max^0.5"` multiplies its location/scale arguments.
"""

import re
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from bayes_zba.units import bias_energy_kelvin

#: Named scales, their units and definitions (documented in every shipped models/*.toml).
SCALE_UNITS = {
    "g_median": "e²/h",  # median conductance of the fitted points
    "zba_depth": "e²/h",  # |median G of the highest-energy points - of the lowest-energy ones|
    "noise": "e²/h",  # robust point noise from within-curve second differences
    "bias_max": "mV",  # largest |V| fitted
    "energy_max": "K",  # largest point energy max(|eV|/k_B, T)
}
#: Fraction of points (by point energy) that define the low and high ends of the ZBA.
DEPTH_QUANTILE = 0.05
#: Fewest points in either end set, so tiny datasets still give a median.
DEPTH_MIN_POINTS = 3
#: MAD -> standard deviation for a normal distribution.
MAD_TO_SIGMA = 1.482602218505602
#: Floor of the noise scale relative to g_median (noise-free simulations still get a scale).
NOISE_FLOOR_RELATIVE = 1e-9

_TERM = r"\s*([A-Za-z_]\w*)\s*(?:\^\s*([-+]?\d+(?:\.\d*)?))?\s*"
_EXPRESSION = re.compile(rf"^{_TERM}((?:[*/]{_TERM})*)$")
_TERMS = re.compile(rf"([*/]?){_TERM}")


class ScaleExpressionError(ValueError):
    """A scale expression that does not parse or names an unknown scale."""


def scale_factors(expression: str) -> list[tuple[str, float]]:
    """(scale name, power) pairs of 'a * b^2 / c^0.5'; unknown names are errors."""
    if not _EXPRESSION.match(expression):
        raise ScaleExpressionError(
            f"cannot parse {expression!r}; write products/quotients of named scales with "
            f"optional powers, e.g. 'zba_depth / energy_max^0.5'"
        )
    factors = []
    for operator, name, power in _TERMS.findall(expression):
        if name not in SCALE_UNITS:
            raise ScaleExpressionError(
                f"unknown scale {name!r}; known scales: {', '.join(SCALE_UNITS)}"
            )
        sign = -1.0 if operator == "/" else 1.0
        factors.append((name, sign * float(power or 1.0)))
    return factors


@dataclass(frozen=True)
class DataScales:
    """The named scales of one dataset (units in SCALE_UNITS); all strictly positive."""

    g_median: float
    zba_depth: float
    noise: float
    bias_max: float
    energy_max: float

    def evaluate(self, expression: str) -> float:
        """Value of a scale expression such as 'zba_depth / energy_max^0.5'."""
        values = asdict(self)
        return float(np.prod([values[name] ** power for name, power in scale_factors(expression)]))

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def point_energy_kelvin(table: pd.DataFrame) -> np.ndarray:
    """max(|eV|/k_B, T) in K per point: the energy that sets where a point sits on the ZBA."""
    bias = np.abs(bias_energy_kelvin(table["V_mV"].to_numpy(float)))
    return np.maximum(bias, table["T_K"].to_numpy(float))


def zba_depth(table: pd.DataFrame) -> float:
    """|median G of the highest-energy points - median G of the lowest-energy points|.

    The lowest-energy points are the low-T, V ≈ 0 ones; the highest the high-|V|/high-T ones.
    """
    order = np.argsort(point_energy_kelvin(table), kind="stable")
    count = max(DEPTH_MIN_POINTS, int(DEPTH_QUANTILE * len(order)))
    conductance = table["G_e2h"].to_numpy(float)[order]
    return float(abs(np.median(conductance[-count:]) - np.median(conductance[:count])))


def point_noise(table: pd.DataFrame) -> float:
    """Robust σ from second differences of G along each curve: var(G[i+1]-2G[i]+G[i-1]) = 6σ²."""
    second_differences = [
        np.diff(curve.sort_values("V_mV")["G_e2h"].to_numpy(float), n=2)
        for _, curve in table.groupby(["sample", "curve"], sort=False)
    ]
    differences = np.concatenate([d for d in second_differences if d.size] or [np.zeros(1)])
    mad = np.median(np.abs(differences - np.median(differences)))
    return float(MAD_TO_SIGMA * mad / np.sqrt(6.0))


def data_scales(table: pd.DataFrame) -> DataScales:
    """The named scales of the points in `table` (a Dataset.table, already windowed)."""
    g_median = float(np.median(table["G_e2h"]))
    noise = max(point_noise(table), NOISE_FLOOR_RELATIVE * abs(g_median))
    return DataScales(
        g_median=g_median,
        zba_depth=max(zba_depth(table), noise),
        noise=noise,
        bias_max=float(np.max(np.abs(table["V_mV"]))),
        energy_max=float(np.max(point_energy_kelvin(table))),
    )
