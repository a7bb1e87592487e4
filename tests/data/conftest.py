"""Fixtures for the data-room tests: a small valid table as CSV cells and a file writer.

Tests corrupt one cell of the valid table to check that exactly one rule fires.
"""

from collections.abc import Callable
from pathlib import Path

import pytest

HEADER = ["sample", "V_mV", "T_K", "H_T", "G_e2h", "sigma_e2h"]
BIASES = ["-1", "-0.5", "0", "0.5", "1"]
#: (sample, T_K, H_T) of the four curves, five points each: data rows are file lines 2-21.
CURVES = [("A", "0.1", "0"), ("A", "0.5", "0"), ("B", "0.2", "0"), ("B", "0.4", "1")]

FILES = Path(__file__).parent / "files"


@pytest.fixture
def good_cells() -> list[list[str]]:
    """Header plus 20 data rows (4 curves x 5 biases) of a valid table, as strings."""
    rows = [
        [sample, V, T, H, f"{1000 + 0.1 * abs(float(V)) + float(T):.3f}", "0.01"]
        for sample, T, H in CURVES
        for V in BIASES
    ]
    return [list(HEADER), *rows]


@pytest.fixture
def write_table(tmp_path: Path) -> Callable[..., Path]:
    """Write cells as a delimited text file in tmp_path and return its path."""

    def write(cells: list[list[str]], name: str = "data.csv", sep: str = ",") -> Path:
        path = tmp_path / name
        path.write_text("".join(sep.join(row) + "\n" for row in cells), encoding="utf-8")
        return path

    return write


@pytest.fixture
def shipped_files() -> Path:
    """Folder of the shipped test files valid_small.csv and invalid_small.csv."""
    return FILES
