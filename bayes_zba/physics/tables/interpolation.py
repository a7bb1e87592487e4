"""Cubic Hermite interpolation of an even universal function tabulated in u = asinh(v).

One evaluator for Γ (§3.1) and φ (§6), the same expression for NumPy and PyTensor (§2: finite
gradients at v = 0); tables are .npz files with generator parameters and a sha256 checksum.
"""

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from bayes_zba.physics.tables.lookup import hermite_lookup


class TableChecksumError(ValueError):
    """A table file whose content does not match the checksum stored with it."""


@dataclass(frozen=True)
class EvenTable:
    """f(v) = f(-v) stored as F(u) = f(sinh u) and dF/du on u = 0, step, ..., u_max.

    Beyond v_max = sinh(u_max), f(v) = tail_coefficient |v|^{1/2}: the asymptote of Γ
    (coefficient 1, §3.1) and of φ (coefficient 4, §6).
    """

    name: str
    step: float
    values: np.ndarray
    slopes: np.ndarray  # dF/du at the nodes
    tail_coefficient: float
    parameters: dict[str, Any] = field(default_factory=dict)  # how the generator made it

    @property
    def u_max(self) -> float:
        return self.step * (len(self.values) - 1)

    @property
    def v_max(self) -> float:
        return float(np.sinh(self.u_max))

    def checksum(self) -> str:
        """sha256 of the numeric content (name, grid, values, slopes, tail coefficient)."""
        digest = hashlib.sha256()
        digest.update(self.name.encode())
        digest.update(np.asarray([self.step, self.tail_coefficient], dtype="<f8").tobytes())
        digest.update(np.ascontiguousarray(self.values, dtype="<f8").tobytes())
        digest.update(np.ascontiguousarray(self.slopes, dtype="<f8").tobytes())
        return digest.hexdigest()

    @cached_property
    def kernel_tables(self) -> tuple[np.ndarray, np.ndarray, float, float, float]:
        """(values, slopes × step, step, v_max, tail coefficient): hermite_lookup's tables."""
        scaled_slopes = np.ascontiguousarray(self.slopes * self.step)
        scaled_slopes.flags.writeable = False
        values = np.ascontiguousarray(self.values)
        return values, scaled_slopes, self.step, self.v_max, self.tail_coefficient

    def evaluate(self, v: Any, xp: ModuleType) -> Any:
        """f(v) by cubic Hermite in u = asinh|v| (uniform grid), tail c|v|^{1/2} beyond v_max,
        for NumPy or jax.numpy arrays (lookup.hermite_lookup); JAX's gradients of it are finite
        everywhere, including v = 0."""
        return hermite_lookup(xp.asarray(v, dtype=float), self.kernel_tables, xp)


def save_table(table: EvenTable, path: Path) -> Path:
    """Write `table` as a compressed .npz with its parameters (JSON) and sha256 checksum."""
    np.savez_compressed(
        path,
        name=np.array(table.name),
        step=np.array(table.step),
        values=table.values,
        slopes=table.slopes,
        tail_coefficient=np.array(table.tail_coefficient),
        parameters=np.array(json.dumps(table.parameters, sort_keys=True)),
        sha256=np.array(table.checksum()),
    )
    return path


def read_table(path: Path) -> EvenTable:
    """Load a table written by `save_table`; TableChecksumError if its content was altered."""
    with np.load(path, allow_pickle=False) as stored:
        table = EvenTable(
            name=str(stored["name"]),
            step=float(stored["step"]),
            values=stored["values"].astype(float),
            slopes=stored["slopes"].astype(float),
            tail_coefficient=float(stored["tail_coefficient"]),
            parameters=json.loads(str(stored["parameters"])),
        )
        expected = str(stored["sha256"])
    if table.checksum() != expected:
        raise TableChecksumError(f"table {path} does not match its sha256 checksum")
    table.values.flags.writeable = False
    table.slopes.flags.writeable = False
    return table
