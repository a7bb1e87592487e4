"""Parameter schema and the Mechanism record every mechanism module exports.

lmfit-like vocabulary: each parameter has a name, unit, meaning, bounds and its source equation.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

DeltaG = Callable[[Any, Any, Any, Mapping[str, Any], ModuleType], Any]


@dataclass(frozen=True)
class Parameter:
    """One physical parameter of a mechanism (physics.md §6a fixes names and order)."""

    name: str
    unit: str
    meaning: str
    lower: float  # support lower bound (may be -inf)
    upper: float  # support upper bound (may be +inf)
    source: str  # seed equation or physics.md section it comes from
    positive: bool = False  # sampled on the log scale when True

    def contains(self, value: float) -> bool:
        """Whether `value` lies in the parameter's support."""
        return self.lower <= value <= self.upper


@dataclass(frozen=True)
class Mechanism:
    """A registered forward model ΔG(V [mV], T [K], H [T]; θ) in e²/h."""

    name: str
    title: str
    parameters: tuple[Parameter, ...]
    delta_g: DeltaG  # delta_g(V, T, H, params, xp) -> ΔG, one formula for both backends
    description: str

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)

    def parameter(self, name: str) -> Parameter:
        """The schema entry of parameter `name` (KeyError names the mechanism)."""
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(f"mechanism {self.name!r} has no parameter {name!r}")
