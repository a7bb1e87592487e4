"""Tests of the derived ZBA quantities (depth, half-depth width) used by SBC.

Checked against direct evaluations of the mechanism's ΔG.
"""

import numpy as np
import pandas as pd
import pytest

from bayes_zba.physics import delta_g
from bayes_zba.studies.derived import ReferenceCurve, reference_curve, zba_depth_and_width

KR_PARAMS = {"A_kr": 0.1, "E_star": 2.0, "E_b": 20.0, "H_c": 3.0}


def test_reference_is_the_coldest_lowest_field_curve():
    table = pd.DataFrame(
        {
            "V_mV": [-4.0, 0.0, 3.0, -2.0, 0.0, 2.0],
            "T_K": [0.5, 0.5, 0.5, 2.0, 2.0, 2.0],
            "H_T": [1.0, 1.0, 1.0, 0.0, 0.0, 0.0],
        }
    )
    table = pd.concat([table, table.assign(H_T=[0.2] * 3 + [4.0] * 3)])
    assert reference_curve(table) == ReferenceCurve(V_max=4.0, T_min=0.5, H=0.2)


@pytest.mark.parametrize("model", ["kr2", "kr1"])
def test_depth_and_width_match_the_mechanism(model):
    reference = ReferenceCurve(V_max=5.0, T_min=0.3, H=0.0)
    derived = zba_depth_and_width(model, {**KR_PARAMS, "ignored": 1.0}, reference)

    def at(V: float) -> float:
        return float(delta_g(model, V, 0.3, 0.0, **KR_PARAMS))

    assert derived["zba_depth"] == pytest.approx(at(5.0) - at(0.0), rel=1e-12)
    half_rise = at(derived["zba_width"]) - at(0.0)
    assert half_rise == pytest.approx(derived["zba_depth"] / 2, rel=1e-3)
    assert 0.0 < derived["zba_width"] < 5.0


def test_field_enters_through_the_reference_curve():
    cold = ReferenceCurve(V_max=5.0, T_min=0.3, H=0.0)
    in_field = ReferenceCurve(V_max=5.0, T_min=0.3, H=30.0)
    zero_field = zba_depth_and_width("kr2", KR_PARAMS, cold)["zba_depth"]
    high_field = zba_depth_and_width("kr2", KR_PARAMS, in_field)["zba_depth"]
    assert np.isclose(high_field / zero_field, 1 - 0.5 * 100 / 101, rtol=1e-9)


def test_flat_curve_has_zero_depth_and_full_width():
    flat = {**KR_PARAMS, "A_kr": 0.0}
    derived = zba_depth_and_width("kr2", flat, ReferenceCurve(V_max=5.0, T_min=0.3, H=0.0))
    assert derived == {"zba_depth": 0.0, "zba_width": 5.0}
