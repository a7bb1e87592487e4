"""Derived ZBA quantities that calibration checks beside the parameters: depth and width.

Both come from the mechanism's ΔG (physics.md §3-§6) at the lowest temperature of a design.
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from bayes_zba.physics import delta_g, get_mechanism

#: Bias points on [0, V_max] where the half-depth crossing is searched.
WIDTH_GRID_POINTS = 401
DERIVED_NAMES = ("zba_depth", "zba_width")


@dataclass(frozen=True)
class ReferenceCurve:
    """Where derived quantities are evaluated: bias range and the coldest curve's (T, H)."""

    V_max: float  # mV
    T_min: float  # K
    H: float  # T

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def reference_curve(table: pd.DataFrame) -> ReferenceCurve:
    """The coldest curve of a design (lowest |H| among the coldest) and the largest |V|."""
    T_min = float(table["T_K"].min())
    coldest = table[np.isclose(table["T_K"], T_min)]
    H = float(coldest["H_T"].iloc[int(np.argmin(np.abs(coldest["H_T"].to_numpy())))])
    return ReferenceCurve(V_max=float(np.max(np.abs(table["V_mV"]))), T_min=T_min, H=H)


def zba_depth_and_width(
    model: str, params: Mapping[str, float], reference: ReferenceCurve
) -> dict[str, float]:
    """Depth ΔG(V_max) - ΔG(0) and width: the first V where half the depth is reached [mV].

    Both at T_min and H of `reference`. The width is linearly interpolated between grid
    points; a curve that never gets to half its depth (depth 0) has width V_max.
    """
    mechanism = get_mechanism(model)
    physical = {name: float(params[name]) for name in mechanism.parameter_names}
    V = np.linspace(0.0, reference.V_max, WIDTH_GRID_POINTS)
    rise = delta_g(model, V, reference.T_min, reference.H, **physical)
    rise = rise - rise[0]
    depth = float(rise[-1])
    fraction = np.abs(rise) / abs(depth) if depth != 0 else np.zeros_like(rise)
    above = np.flatnonzero(fraction >= 0.5)
    if depth == 0 or above.size == 0:
        return {"zba_depth": depth, "zba_width": reference.V_max}
    first = int(above[0])
    if first == 0:
        return {"zba_depth": depth, "zba_width": 0.0}
    width = np.interp(0.5, fraction[first - 1 : first + 1], V[first - 1 : first + 1])
    return {"zba_depth": depth, "zba_width": float(width)}
