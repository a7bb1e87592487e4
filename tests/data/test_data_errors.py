"""Problem messages, DataError collection and the per-rule cap of bayes_zba.data.errors.

Messages must name file, row and column so that a physicist can fix the file directly.
"""

import pytest

from bayes_zba.data.errors import (
    MAX_QUOTED_CHARS,
    PROBLEMS_PER_RULE,
    DataError,
    Problem,
    cap_problems,
    quote_value,
)


def test_problem_reads_file_row_column_value_and_expectation():
    problem = Problem("data.csv", 17, "T_K", "-0.1", "a temperature > 0 K")
    assert (
        str(problem) == "data.csv, row 17, column T_K: found '-0.1', expected a temperature > 0 K"
    )


def test_problem_without_row_column_or_value_keeps_what_is_known():
    problem = Problem("data.csv", None, None, None, "UTF-8 text", "save the file as UTF-8")
    assert str(problem) == "data.csv: expected UTF-8 text; save the file as UTF-8"


def test_data_error_is_a_value_error_listing_every_problem():
    problems = [Problem("f.csv", row, "G_e2h", "x", "a number") for row in (2, 3)]
    error = DataError(problems)
    assert isinstance(error, ValueError)
    assert error.problems == problems
    assert "2 problems" in str(error)
    assert "row 2" in str(error) and "row 3" in str(error)


def test_data_error_needs_a_problem():
    with pytest.raises(ValueError, match="at least one Problem"):
        DataError([])


def test_cap_keeps_the_first_problems_and_counts_the_rest():
    problems = [Problem("f.csv", row, "T_K", "0", "a temperature > 0 K") for row in range(30)]
    capped = cap_problems(problems, total=1000)
    assert capped[:PROBLEMS_PER_RULE] == problems[:PROBLEMS_PER_RULE]
    assert len(capped) == PROBLEMS_PER_RULE + 1
    assert f"{1000 - PROBLEMS_PER_RULE} more rows" in str(capped[-1])


def test_cap_leaves_short_lists_alone():
    problems = [Problem("f.csv", 2, "T_K", "0", "a temperature > 0 K")]
    assert cap_problems(problems) == problems


def test_quoted_values_are_one_line_and_short():
    assert quote_value("a\tb\nc") == "a\\tb\\nc"
    long = quote_value("9" * 1000)
    assert len(long) == MAX_QUOTED_CHARS and long.endswith("…")
