"""Universal functions of the ZBA mechanisms: Γ̃, Γ, Γ_a of the 2CK model (physics.md §3.1) and
φ of the Altshuler-Aronov kernel (§6), interpolated from shipped tables in NumPy or PyTensor.
"""

from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from bayes_zba.physics.tables.interpolation import EvenTable, TableChecksumError, read_table
from bayes_zba.physics.tables.universal import gamma_tilde

TABLE_DIR = Path(__file__).resolve().parent
GAMMA_TABLE = "gamma_2ck"
PHI_TABLE = "phi_aa"
#: Floor under 1 - a² in s_a: dΓ_a/da is genuinely infinite at a = 1 (√(1-a²)); the floor
#: keeps PyTensor gradients finite there and changes values by < 1e-15.
_GEOMETRY_FLOOR = np.finfo(float).eps ** 2


def table_path(name: str) -> Path:
    """Path of the shipped table `name` (.npz next to this module)."""
    return TABLE_DIR / f"{name}.npz"


@cache
def load_table(name: str) -> EvenTable:
    """The shipped table `name`, read once and checked against its sha256 checksum."""
    return read_table(table_path(name))


def gamma_2ck(v: Any, xp: ModuleType) -> Any:
    """Γ(v) = K(K(0)² v)/K(0) of physics.md §3.1 (I-19): Γ(0) = 1, even, Γ(v) → |v|^{1/2}."""
    return load_table(GAMMA_TABLE).evaluate(v, xp)


def geometry_scale(a_geom: Any, xp: ModuleType) -> Any:
    """s_a = (2/((1+a)^{1/2} + (1-a)^{1/2}))² = 2/(1 + (1-a²)^{1/2}) of physics.md §3.1."""
    return 2.0 / (1.0 + xp.sqrt(xp.maximum((1.0 - a_geom) * (1.0 + a_geom), _GEOMETRY_FLOOR)))


def gamma_geometry(v: Any, a_geom: Any, xp: ModuleType) -> Any:
    """Γ_a(v) = ½[Γ((1+a) s_a v) + Γ((1-a) s_a v)] (physics.md §3.1, paper I footnote 7)."""
    scaled = geometry_scale(a_geom, xp) * v
    return 0.5 * (gamma_2ck((1.0 + a_geom) * scaled, xp) + gamma_2ck((1.0 - a_geom) * scaled, xp))


def phi_aa(x: Any, xp: ModuleType) -> Any:
    """φ(x) of physics.md §6: Φ(ε, T) = T^{1/2} φ(ε/T), even, φ(0) = 4Γ(½)η(½), φ → 4|x|^{1/2}."""
    return load_table(PHI_TABLE).evaluate(x, xp)


__all__ = [
    "EvenTable",
    "TableChecksumError",
    "gamma_2ck",
    "gamma_geometry",
    "gamma_tilde",
    "geometry_scale",
    "load_table",
    "phi_aa",
    "table_path",
]
