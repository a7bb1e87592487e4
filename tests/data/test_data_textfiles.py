"""Reading delimited text: encodings, empty and binary files, comments, ragged rows, line numbers.

Row numbers in problems are the file's own line numbers (header = line 1 without comments).
"""

import pytest

from bayes_zba.data import DataError, load_dataset
from bayes_zba.data.textfiles import read_text_table


def only_problem(path):
    with pytest.raises(DataError) as caught:
        load_dataset(path)
    [problem] = caught.value.problems
    return problem


@pytest.mark.parametrize("content", [b"", b"  \n\n \r\n", b"# only a comment\n"])
def test_files_without_a_table_are_data_errors(tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    assert only_problem(path).row is None


def test_binary_files_are_data_errors(tmp_path):
    path = tmp_path / "scope.csv"
    path.write_bytes(b"V_mV,T_K\x00\x01\x02")
    assert "NUL bytes" in str(only_problem(path))


def test_non_utf8_text_names_the_line(good_cells, write_table):
    path = write_table(good_cells)
    lines = path.read_bytes().split(b"\n")
    lines[4] = lines[4].replace(b"A", "Å".encode("latin-1"))
    path.write_bytes(b"\n".join(lines))
    problem = only_problem(path)
    assert problem.row == 5
    assert "save the file as UTF-8" in str(problem)


def test_a_header_with_data_but_no_rows_is_a_data_error(good_cells, write_table):
    assert only_problem(write_table(good_cells[:1])).expected == "at least one data row"


def test_comments_blank_lines_and_bom_keep_file_line_numbers(good_cells, write_table):
    good_cells[5][2] = "-1"  # data row 5
    path = write_table([["# exported 2024-05-01"], [""], *good_cells[:3], [""], *good_cells[3:]])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    problem = only_problem(path)
    assert (problem.row, problem.column) == (2 + 1 + 5 + 1, "T_K")


def test_rows_with_a_wrong_field_count_are_all_reported(good_cells, write_table):
    good_cells[3].append("7")
    good_cells[8] = good_cells[8][:4]
    with pytest.raises(DataError) as caught:
        load_dataset(write_table(good_cells))
    rows = [(p.row, p.message) for p in caught.value.problems if p.column is None]
    assert rows[:2] == [(4, "found 7"), (9, "found 4")]


def test_quoted_fields_and_tabs(good_cells, write_table):
    for row in good_cells[1:11]:
        row[0] = '"A, contact 1"'
    assert load_dataset(write_table(good_cells)).sample_names() == ["A, contact 1", "B"]
    good_cells = [[cell.strip('"') for cell in row] for row in good_cells]
    tab_separated = load_dataset(write_table(good_cells, name="data.tsv", sep="\t"))
    assert tab_separated.sample_names() == ["A, contact 1", "B"]


def test_raw_text_table_keeps_cells_as_text(good_cells, write_table):
    good_cells[1][1] = " -1.00 "
    raw = read_text_table(write_table(good_cells), ",")
    assert raw.frame.loc[0, "V_mV"] == " -1.00 "
    assert raw.rows.tolist() == list(range(2, 22))
