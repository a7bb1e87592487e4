"""ColumnSpec: explicit column mapping and units, parsed from CLI strings, never guessed.

Unknown names and units are DataErrors that list what would have been accepted.
"""

import pytest

from bayes_zba.data import ColumnSpec, DataError
from bayes_zba.units import BIAS_TO_MV, CONDUCTANCE_TO_E2H, TEMPERATURE_TO_K


def test_default_spec_is_canonical_names_and_units():
    spec = ColumnSpec()
    assert spec.user_column("G_e2h") == "G_e2h"
    assert [spec.factor(c) for c in ("V_mV", "T_K", "H_T", "G_e2h", "sigma_e2h")] == [1.0] * 5


def test_parse_maps_columns_with_canonical_or_short_names():
    spec = ColumnSpec.parse(columns="V_mV=bias, G=dIdV ,T=Tmix")
    assert spec.columns == {"V_mV": "bias", "G_e2h": "dIdV", "T_K": "Tmix"}
    assert spec.is_mapped("V_mV") and not spec.is_mapped("H_T")


def test_parse_units_sets_conversion_factors_from_bayes_zba_units():
    spec = ColumnSpec.parse(units="V=V,T=mK,G=uS")
    assert spec.factor("V_mV") == BIAS_TO_MV["V"]
    assert spec.factor("T_K") == TEMPERATURE_TO_K["mK"]
    assert spec.factor("G_e2h") == CONDUCTANCE_TO_E2H["uS"]


def test_sigma_unit_follows_g_unless_given():
    assert ColumnSpec(G_unit="2e2h").unit("sigma_e2h") == "2e2h"
    assert ColumnSpec(G_unit="2e2h", sigma_unit="uS").unit("sigma_e2h") == "uS"


def test_unknown_units_are_all_reported_with_the_allowed_ones():
    with pytest.raises(DataError) as caught:
        ColumnSpec.parse(units="V=volt,T=F")
    messages = [str(p) for p in caught.value.problems]
    assert len(messages) == 2
    assert "found 'volt'" in messages[0] and "mV, V, uV" in messages[0]
    assert "found 'F'" in messages[1] and "K, mK" in messages[1]


def test_unknown_canonical_column_is_a_data_error():
    with pytest.raises(DataError, match="column Vbias"):
        ColumnSpec(columns={"Vbias": "V"})


@pytest.mark.parametrize(
    ("columns", "units"),
    [("V_mV", None), ("V_mV=", None), ("V=a,V_mV=b", None), (None, "X=mV"), (None, "V=V,V=mV")],
)
def test_malformed_cli_strings_are_data_errors(columns, units):
    with pytest.raises(DataError):
        ColumnSpec.parse(columns=columns, units=units)
