"""Cross-row rules: duplicate points, curves with too few points, curve labels, warnings.

Warnings are DataWarnings and are also listed in Dataset.attrs["warnings"].
"""

import numpy as np
import pytest

from bayes_zba.data import DataError, DataWarning, load_dataset
from bayes_zba.data.validation import MIN_POINTS_PER_CURVE, derive_curve_labels


def test_a_repeated_point_with_a_different_g_names_both_rows(good_cells, write_table):
    repeat = list(good_cells[3])
    repeat[4] = "999.5"
    with pytest.raises(DataError) as caught:
        load_dataset(write_table([*good_cells, repeat]))
    [problem] = caught.value.problems
    assert (problem.row, problem.column, problem.value) == (22, "G_e2h", "999.5")
    assert "row 4 has the same sample, curve, V, T and H" in str(problem)


def test_an_exact_repeat_is_dropped_with_a_note_and_warning(good_cells, write_table):
    with pytest.warns(DataWarning, match="dropped 1 exact repeats.*rows 22"):
        dataset = load_dataset(write_table([*good_cells, good_cells[3]]))
    assert len(dataset.table) == len(good_cells) - 1
    assert any("rows 22" in note for note in dataset.attrs["notes"])


@pytest.mark.filterwarnings("ignore::bayes_zba.data.DataWarning")
def test_an_explicit_curve_column_allows_repeated_sweeps_at_one_t_and_h(good_cells, write_table):
    first = [[*row, "up" if i else "curve"] for i, row in enumerate(good_cells[:6])]
    second = [[*row[:4], str(float(row[4]) + 0.1), row[5], "down"] for row in good_cells[1:6]]
    dataset = load_dataset(write_table([*first, *second]))
    assert dataset.curves()["curve"].tolist() == ["down", "up"]
    assert dataset.curves()["n_points"].tolist() == [5, 5]


def test_a_curve_with_too_few_points_is_a_problem(good_cells, write_table):
    cells = good_cells[: 1 + 5 + MIN_POINTS_PER_CURVE - 1]  # second curve one point short
    with pytest.raises(DataError) as caught:
        load_dataset(write_table(cells))
    [problem] = caught.value.problems
    assert problem.row == 7
    assert "curve 'T=0.500K,H=0.00T' of sample 'A' has only 4 points" in str(problem)


@pytest.mark.filterwarnings("ignore::bayes_zba.data.DataWarning")
def test_exact_repeats_do_not_count_towards_the_points_of_a_curve(good_cells, write_table):
    short = good_cells[: 1 + 5 + MIN_POINTS_PER_CURVE - 1]  # second curve one point short
    with pytest.raises(DataError) as caught:
        load_dataset(write_table([*short, *short[6:]]))  # its points once more, verbatim
    [problem] = caught.value.problems
    assert "has only 4 points" in str(problem)


def test_single_temperature_and_one_sided_bias_are_warnings(good_cells, write_table):
    sample_a = [["A", V, "0.1", "0", "1000", "0.01"] for V in ("0", "0.25", "0.5", "0.75", "1")]
    sample_b = [row for row in good_cells if row[0] == "B"]
    with pytest.warns(DataWarning) as caught:
        dataset = load_dataset(write_table([good_cells[0], *sample_a, *sample_b]))
    messages = [str(w.message) for w in caught]
    assert len(messages) == 2
    assert "sample 'A': every point is at T = 0.1 K" in messages[0]
    assert "sample 'A': bias only covers V >= 0 mV" in messages[1]
    assert dataset.attrs["warnings"] == messages


def test_curve_labels_are_readable_and_unique():
    sample = np.array(["A"] * 3, dtype=object)
    labels = derive_curve_labels(sample, np.array([0.1, 0.1, 1.0]), np.array([0.0, 0.0, 2.0]))
    assert labels.tolist() == ["T=0.100K,H=0.00T", "T=0.100K,H=0.00T", "T=1.000K,H=2.00T"]


def test_curve_labels_use_full_precision_when_short_ones_would_merge_curves():
    sample = np.array(["A", "A"], dtype=object)
    labels = derive_curve_labels(sample, np.array([0.1, 0.1001]), np.zeros(2))
    assert labels.tolist() == ["T=0.1K,H=0.0T", "T=0.1001K,H=0.0T"]
