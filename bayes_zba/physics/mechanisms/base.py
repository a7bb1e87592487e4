"""Parameter schema and the Mechanism record every mechanism module exports.

lmfit-like vocabulary: each parameter has a name, unit, meaning, bounds and its source equation.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

DeltaG = Callable[[Any, Any, Any, Mapping[str, Any], ModuleType], Any]
#: field_term(H, params, xp): the field shift or factor of a field-separable mechanism.
FieldTerm = Callable[[Any, Mapping[str, Any], ModuleType], Any]


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
    #: ΔG is unchanged under value -> 2 mirror - value (kk's q: the contact's two sides):
    #: data fix only the distance from the mirror point, so the value is reported folded
    #: onto the side below it, mirror - |value - mirror|.
    mirror: float | None = None

    def contains(self, value: float) -> bool:
        """Whether `value` lies in the parameter's support."""
        return self.lower <= value <= self.upper

    def fold(self, value: Any, xp: ModuleType) -> Any:
        """The value as reported: folded below the mirror point, if the parameter has one."""
        return value if self.mirror is None else self.mirror - xp.abs(value - self.mirror)

    @property
    def reported_upper(self) -> float:
        """Upper bound of the reported (folded) values."""
        return self.upper if self.mirror is None else min(self.upper, self.mirror)


@dataclass(frozen=True)
class Mechanism:
    """A registered forward model ΔG(V [mV], T [K], H [T]; θ) in e²/h."""

    name: str
    title: str
    parameters: tuple[Parameter, ...]
    delta_g: DeltaG  # delta_g(V, T, H, params, xp) -> ΔG, one formula for both backends
    description: str
    #: For a mechanism whose field dependence is additive and independent of V and T:
    #: field_shift(H, params, xp) = ΔG(V, T, H) - ΔG(V, T, 0). Models then evaluate ΔG once
    #: per distinct (|V|, T) instead of (|V|, T, H). None: H enters ΔG in another way.
    field_shift: FieldTerm | None = None
    #: For a mechanism whose field dependence is a factor independent of V and T:
    #: field_factor(H, params, xp) = ΔG(V, T, H) / ΔG(V, T, 0) (kr: the amplitude halving).
    field_factor: FieldTerm | None = None
    #: The parameter ΔG is proportional to, apart from the field shift (B_Σ, A_KR, δG, A_W):
    #: the one whose prior may be placed on the ZBA span it produces (models/builder.py).
    amplitude: str | None = None

    @property
    def field_separable(self) -> bool:
        """Whether ΔG(V, T, H) follows from ΔG(V, T, 0) (apply_field): the models then
        evaluate ΔG once per distinct (|V|, T) of a field series."""
        return self.field_shift is not None or self.field_factor is not None

    def apply_field(
        self, zero_field: Any, H: Any, params: Mapping[str, Any], xp: ModuleType
    ) -> Any:
        """ΔG(V, T, H) = field_factor(H) ΔG(V, T, 0) + field_shift(H), for a field-separable
        mechanism (the absent one of the two left out)."""
        if self.field_factor is not None:
            zero_field = zero_field * self.field_factor(H, params, xp)
        if self.field_shift is not None:
            zero_field = zero_field + self.field_shift(H, params, xp)
        return zero_field

    def delta_g_at_points(
        self,
        conditions: tuple[Any, Any, Any],
        index: Any,
        H: Any,
        params: Mapping[str, Any],
        xp: ModuleType,
    ) -> Any:
        """ΔG at data points from its values at their distinct conditions: delta_g at
        `conditions` (V, T, H arrays), taken at each point's row `index`, with the field `H`
        of the points applied (apply_field) when the mechanism is field separable (its
        conditions then carry H = 0)."""
        values = self.delta_g(*conditions, params, xp)[index]
        return self.apply_field(values, H, params, xp) if self.field_separable else values

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)

    def parameter(self, name: str) -> Parameter:
        """The schema entry of parameter `name` (KeyError names the mechanism)."""
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(f"mechanism {self.name!r} has no parameter {name!r}")
