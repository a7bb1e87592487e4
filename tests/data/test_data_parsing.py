"""Value-level rules: missing columns, empty/non-numeric/non-finite cells, T <= 0, sigma <= 0.

Each test corrupts the valid fixture table and checks that exactly the expected problem fires.
"""

import warnings

import numpy as np
import pytest

from bayes_zba.data import ColumnSpec, DataError, DataWarning, load_dataset
from bayes_zba.data.errors import PROBLEMS_PER_RULE
from bayes_zba.units import CONDUCTANCE_TO_E2H

COLUMN_INDEX = {"sample": 0, "V_mV": 1, "T_K": 2, "H_T": 3, "G_e2h": 4, "sigma_e2h": 5}


def problems_of(path, **kwargs):
    with pytest.raises(DataError) as caught:
        load_dataset(path, **kwargs)
    return caught.value.problems


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("T_K", "-0.1", "a temperature > 0 K"),
        ("T_K", "0", "a temperature > 0 K"),
        ("sigma_e2h", "0", "a conductance uncertainty > 0 e2h"),
        ("sigma_e2h", "-1e-3", "a conductance uncertainty > 0 e2h"),
        ("G_e2h", "abc", "a number (differential conductance in e2h)"),
        ("G_e2h", "1.5.1", "a number (differential conductance in e2h)"),
        ("G_e2h", "", "a number (differential conductance in e2h)"),
        ("V_mV", "nan", "a finite number (bias in mV)"),
        ("V_mV", "-inf", "a finite number (bias in mV)"),
        ("H_T", "1e999", "a finite number (magnetic field in T)"),
        ("sample", "", "a sample name"),
    ],
)
def test_one_bad_cell_gives_one_problem_at_its_row_and_column(
    good_cells, write_table, column, value, expected
):
    good_cells[9][COLUMN_INDEX[column]] = value  # data row 9 is file line 10
    [problem] = problems_of(write_table(good_cells))
    assert (problem.row, problem.column, problem.value) == (10, column, value)
    assert problem.expected == expected
    assert str(problem).startswith(f"{problem.file}, row 10, column {column}: found '{value}'")


def test_every_bad_cell_is_reported_not_just_the_first(good_cells, write_table):
    good_cells[2][COLUMN_INDEX["T_K"]] = "-1"
    good_cells[5][COLUMN_INDEX["G_e2h"]] = "x"
    good_cells[14][COLUMN_INDEX["sigma_e2h"]] = "inf"
    problems = problems_of(write_table(good_cells))
    assert sorted((p.row, p.column) for p in problems) == [
        (3, "T_K"),
        (6, "G_e2h"),
        (15, "sigma_e2h"),
    ]


def test_missing_columns_are_all_named_with_the_columns_found(good_cells, write_table):
    cells = [[row[0], row[1], row[3], row[5]] for row in good_cells]  # drop T_K and G_e2h
    problems = problems_of(write_table(cells))
    assert [(p.row, p.column) for p in problems] == [(None, "T_K"), (None, "G_e2h")]
    assert "sample, V_mV, H_T, sigma_e2h" in str(problems[0])


def test_a_single_column_header_hints_at_the_separator(good_cells, write_table):
    problems = problems_of(write_table(good_cells, sep=";"))
    assert "separated by something else" in str(problems[0])


def test_an_explicitly_mapped_optional_column_must_exist(good_cells, write_table):
    spec = ColumnSpec.parse(columns="sigma=err")
    [problem] = problems_of(write_table(good_cells), spec=spec)
    assert problem.column == "err"


def test_duplicate_header_names_are_reported_on_line_one(good_cells, write_table):
    good_cells[0][COLUMN_INDEX["sigma_e2h"]] = "G_e2h"
    [problem] = problems_of(write_table(good_cells))
    assert (problem.row, problem.column) == (1, "G_e2h")
    assert "appears 2 times" in str(problem)


def test_control_characters_in_names_are_rejected(good_cells, write_table):
    for row in good_cells[1:6]:
        row[0] = '"A\tx"'
    problems = problems_of(write_table(good_cells))
    assert {p.expected for p in problems} == {"a sample name without control characters"}
    assert problems[0].value == "A\\tx"


def test_many_bad_rows_are_capped_per_rule(good_cells, write_table):
    rows = [["A", str(v), "-1", "0", "1000", "0.01"] for v in range(500)]
    problems = problems_of(write_table([good_cells[0], *rows]))
    temperature = [p for p in problems if p.column == "T_K"]
    assert len(temperature) == PROBLEMS_PER_RULE + 1
    assert "480 more rows" in str(temperature[-1])


def test_mapped_columns_and_units_are_converted_to_canonical(good_cells, write_table):
    header = ["name", "bias_V", "T_mK", "B", "dIdV_uS", "err_uS"]
    rows = [[r[0], str(float(r[1]) / 1e3), str(float(r[2]) * 1e3), *r[3:]] for r in good_cells[1:]]
    spec = ColumnSpec.parse(
        columns="sample=name,V=bias_V,T=T_mK,H=B,G=dIdV_uS,sigma=err_uS", units="V=V,T=mK,G=uS"
    )
    dataset = load_dataset(write_table([header, *rows]), spec=spec)
    reference = load_dataset(write_table(good_cells, name="reference.csv"))
    for column in ("V_mV", "T_K", "H_T"):
        np.testing.assert_allclose(dataset.table[column], reference.table[column], rtol=1e-12)
    np.testing.assert_allclose(
        dataset.table["G_e2h"], reference.table["G_e2h"] * CONDUCTANCE_TO_E2H["uS"], rtol=1e-12
    )
    assert any("units converted" in note for note in dataset.attrs["notes"])


def test_physics_md_column_names_are_read_in_physics_md_units(good_cells, write_table):
    physics_names = ["sample", "V", "T", "H", "G", "sigma"]
    dataset = load_dataset(write_table([physics_names, *good_cells[1:]]))
    reference = load_dataset(write_table(good_cells, name="reference.csv"))
    assert dataset.table.equals(reference.table)
    assert (
        "physics.md §0 column names read: "
        "V as V_mV, T as T_K, H as H_T, G as G_e2h, sigma as sigma_e2h"
    ) in dataset.attrs["notes"]
    in_millikelvin = load_dataset(
        write_table([physics_names, *good_cells[1:]], name="mK.csv"),
        spec=ColumnSpec.parse(units="T=mK"),
    )
    np.testing.assert_allclose(in_millikelvin.table["T_K"], reference.table["T_K"] / 1e3)


def test_a_canonical_and_a_physics_md_name_for_one_quantity_is_a_problem(good_cells, write_table):
    cells = [[*row, str(2 * float(row[1]))] for row in good_cells[1:]]  # 'V' = 2 x 'V_mV'
    cells = [[*good_cells[0], "V"], *cells]
    [problem] = problems_of(write_table(cells))
    assert (problem.row, problem.column) == (None, "V")
    assert "both 'V_mV' and 'V' are present" in str(problem)
    for chosen, largest in (("V", 2.0), ("V_mV", 1.0)):
        spec = ColumnSpec.parse(f"V={chosen}")
        dataset = load_dataset(write_table(cells, name=f"{chosen}.csv"), spec=spec)
        assert dataset.table["V_mV"].abs().max() == largest


def test_a_physics_md_name_mapped_to_another_column_is_not_read_twice(good_cells, write_table):
    cells = [list(row) for row in good_cells]
    cells[0][COLUMN_INDEX["sigma_e2h"]] = "G"  # a header 'G' that holds the uncertainty
    dataset = load_dataset(write_table(cells), spec=ColumnSpec.parse("sigma=G"))
    reference = load_dataset(write_table(good_cells, name="reference.csv"))
    assert dataset.table.equals(reference.table)
    g = COLUMN_INDEX["G_e2h"]
    without_conductance = write_table([[*row[:g], *row[g + 1 :]] for row in cells], name="no_g.csv")
    [problem] = problems_of(without_conductance, spec=ColumnSpec.parse("sigma=G"))
    assert "expected a column 'G_e2h' (" in str(problem)  # not "or 'G'": that is sigma here


def test_absent_field_is_zero_and_noted(good_cells, write_table):
    cells = [[*row[:3], *row[4:]] for row in good_cells if row[3] in ("H_T", "0")]
    with pytest.warns(DataWarning, match="sample 'B': every point is at T = 0.2 K"):
        dataset = load_dataset(write_table(cells))
    assert (dataset.table["H_T"] == 0).all()
    assert any("no H_T column" in note for note in dataset.attrs["notes"])


def test_absent_sample_column_uses_the_kwarg_or_the_file_stem(good_cells, write_table):
    cells = [row[1:] for row in good_cells if row[0] in ("sample", "A")]
    path = write_table(cells, name="cu_run7.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert load_dataset(path).sample_names() == ["cu_run7"]
        assert load_dataset(path, sample="cu1", material="Cu").samples["cu1"].material == "Cu"
