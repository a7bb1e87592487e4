"""The tidy table schema (physics.md §0 units) and the user's explicit column/unit mapping.

Column names and units are never guessed: `ColumnSpec` maps canonical names to the user's.
"""

from dataclasses import dataclass, field
from typing import Self

from bayes_zba.data.errors import DataError, Problem
from bayes_zba.units import BIAS_TO_MV, CONDUCTANCE_TO_E2H, FIELD_TO_T, TEMPERATURE_TO_K

TEXT_COLUMNS = ("sample", "curve")
NUMERIC_COLUMNS = ("V_mV", "T_K", "H_T", "G_e2h", "sigma_e2h")
#: Canonical column order of `Dataset.table`.
CANONICAL_COLUMNS = TEXT_COLUMNS + NUMERIC_COLUMNS
REQUIRED_COLUMNS = ("V_mV", "T_K", "G_e2h")
#: Row order of `Dataset.table` (the later columns only break exact ties).
SORT_COLUMNS = ("sample", "curve", "V_mV", "T_K", "H_T", "G_e2h", "sigma_e2h")

#: Short quantity names used in unit strings ("V=V,T=mK,G=uS") -> (ColumnSpec field, table).
UNIT_FIELDS = {
    "V": ("V_unit", BIAS_TO_MV),
    "T": ("T_unit", TEMPERATURE_TO_K),
    "H": ("H_unit", FIELD_TO_T),
    "G": ("G_unit", CONDUCTANCE_TO_E2H),
    "sigma": ("sigma_unit", CONDUCTANCE_TO_E2H),
}
#: Which quantity's unit applies to each numeric canonical column.
COLUMN_QUANTITY = {"V_mV": "V", "T_K": "T", "H_T": "H", "G_e2h": "G", "sigma_e2h": "sigma"}
#: Short aliases accepted as keys of a column mapping ("V=bias" means "V_mV=bias"). They are
#: also physics.md §0's names of the data columns, so a file may use them as headers.
COLUMN_ALIASES = {"V": "V_mV", "T": "T_K", "H": "H_T", "G": "G_e2h", "sigma": "sigma_e2h"}
#: physics.md §0's header for each numeric canonical column ("V_mV" -> "V").
PHYSICS_NAMES = {canonical: short for short, canonical in COLUMN_ALIASES.items()}

SPEC_SOURCE = "column spec"


@dataclass(frozen=True)
class ColumnSpec:
    """Which user column holds each canonical column, and the units the user's numbers use."""

    columns: dict[str, str] = field(default_factory=dict)
    V_unit: str = "mV"
    T_unit: str = "K"
    H_unit: str = "T"
    G_unit: str = "e2h"
    sigma_unit: str | None = None  # None: same unit as G

    def __post_init__(self) -> None:
        problems = [*self._column_problems(), *self._unit_problems()]
        if problems:
            raise DataError(problems)

    def _column_problems(self) -> list[Problem]:
        return [
            Problem(SPEC_SOURCE, None, name, None, f"one of {', '.join(CANONICAL_COLUMNS)}")
            for name in self.columns
            if name not in CANONICAL_COLUMNS
        ]

    def _unit_problems(self) -> list[Problem]:
        problems = []
        for quantity, (attribute, table) in UNIT_FIELDS.items():
            unit = getattr(self, attribute)
            if unit is not None and unit not in table:
                expected = f"a unit of {quantity}: one of {', '.join(table)}"
                problems.append(Problem(SPEC_SOURCE, None, attribute, unit, expected))
        return problems

    def user_column(self, canonical: str) -> str:
        """The user's name for a canonical column (the canonical name unless mapped).

        An unmapped column may also be found under its physics.md name (parsing.py).
        """
        return self.columns.get(canonical, canonical)

    def is_mapped(self, canonical: str) -> bool:
        """True if the user named this column explicitly (then it must exist)."""
        return canonical in self.columns

    def unit(self, canonical: str) -> str:
        """The user's unit for a numeric canonical column."""
        attribute = UNIT_FIELDS[COLUMN_QUANTITY[canonical]][0]
        unit = getattr(self, attribute)
        return self.G_unit if unit is None else unit

    def factor(self, canonical: str) -> float:
        """Multiplier taking the user's numbers in this column to the canonical unit."""
        return UNIT_FIELDS[COLUMN_QUANTITY[canonical]][1][self.unit(canonical)]

    @classmethod
    def parse(cls, columns: str | None = None, units: str | None = None) -> Self:
        """Spec from CLI strings: columns "V_mV=bias,G=dIdV", units "V=V,T=mK,G=uS"."""
        column_pairs = _parse_pairs(columns, "--columns")
        unit_pairs = _parse_pairs(units, "--units")
        unknown = [q for q in unit_pairs if q not in UNIT_FIELDS]
        if unknown:
            expected = f"a quantity among {', '.join(UNIT_FIELDS)}"
            raise DataError([Problem(SPEC_SOURCE, None, "--units", q, expected) for q in unknown])
        mapping = {COLUMN_ALIASES.get(k, k): v for k, v in column_pairs.items()}
        if len(mapping) < len(column_pairs):
            expected = "each column mapped once (V and V_mV name the same column)"
            raise DataError([Problem(SPEC_SOURCE, None, "--columns", columns, expected)])
        unit_kwargs = {UNIT_FIELDS[q][0]: unit for q, unit in unit_pairs.items()}
        return cls(columns=mapping, **unit_kwargs)


def _parse_pairs(text: str | None, option: str) -> dict[str, str]:
    """'a=b, c=d' -> {'a': 'b', 'c': 'd'}; malformed items raise DataError."""
    pairs: dict[str, str] = {}
    problems = []
    for item in (text or "").split(","):
        if not item.strip():
            continue
        key, sep, value = (part.strip() for part in item.partition("="))
        if not sep or not key or not value or key in pairs:
            problems.append(Problem(SPEC_SOURCE, None, option, item.strip(), "KEY=VALUE, once"))
        else:
            pairs[key] = value
    if problems:
        raise DataError(problems)
    return pairs
