"""The report document model: tables keep their shape, pages collect their figures in order.

Both renderers rely on these two guarantees.
"""

import pytest
from report_fixtures import sample_page

from bayes_zba.report.document import Cell, Table, cell_text, cell_tone


def test_rows_of_the_wrong_width_are_refused():
    with pytest.raises(ValueError, match="3 cells"):
        Table("bad", ("a", "b", "c"), (("1", "2"),))


def test_page_collects_figures_in_reading_order():
    assert [f.name for f in sample_page().figures] == ["g-v"]


def test_plain_strings_and_cells_read_alike():
    assert (cell_text("x"), cell_tone("x")) == ("x", "plain")
    assert (cell_text(Cell("y", "warning")), cell_tone(Cell("y", "warning"))) == ("y", "warning")
