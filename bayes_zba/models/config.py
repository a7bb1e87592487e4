"""Model configs: priors and measurement options read from TOML (models/<model>.toml).

Parsed with tomllib only; every problem is a ConfigError naming the file and the key.
"""

import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from math import inf, isfinite
from pathlib import Path
from typing import Any, Literal, Self

from bayes_zba.models.priors import DISTRIBUTIONS, Distribution, argument_problems
from bayes_zba.models.scales import DataScales, ScaleExpressionError, scale_factors
from bayes_zba.physics.mechanisms import REGISTRY, Parameter, get_mechanism

NoiseModel = Literal["normal", "studentt"]
NOISE_MODELS = ("normal", "studentt")

#: Parameters of the measurement model (physics.md §1, names from §6a).
MEASUREMENT_PARAMETERS = {
    p.name: p
    for p in (
        Parameter("G0", "e²/h", "background (Sharvin) conductance", -inf, inf, "physics.md §1"),
        Parameter("b2", "e²/h mV⁻²", "smooth even background b2 V²", -inf, inf, "physics.md §1"),
        Parameter("tau_curve", "e²/h", "spread of curve offsets", 0.0, inf, "I Fig. 7", True),
        Parameter("sigma", "e²/h", "point noise", 0.0, inf, "physics.md §1", True),
        Parameter("nu", "1", "Student-t degrees of freedom", 0.0, inf, "physics.md §1", True),
    )
}
#: Informational keys of a prior table (shown in reports, not passed to the distribution).
PRIOR_TEXT_KEYS = ("unit", "why")
#: What a prior is placed on: the parameter's value, or the ZBA span it produces (a
#: parameter ΔG is proportional to; builder.py samples the span, physics.md §1 otherwise).
PRIOR_TARGETS = ("value", "span")
TOP_LEVEL_KEYS = ("model", "description", "measurement", "sampler", "priors")
#: NUTS target acceptance rate when a config has no [sampler] table: above PyMC's and
#: nutpie's 0.8 because every model carries the hierarchical curve offsets, whose τ_curve
#: tail gave a divergent transition at 0.8 (kr2, small design, fit seed 3: one, at
#: τ = 3.0 against a 95 % quantile of 1.2; models/README.md).
DEFAULT_TARGET_ACCEPT = 0.9
SAMPLER_KEYS = ("target_accept", "why")


class ConfigError(ValueError):
    """A model config that cannot be used; the message names the file and the key."""

    def __init__(self, source: str, key: str, problem: str):
        self.source, self.key, self.problem = source, key, problem
        super().__init__(f"{source}: {key}: {problem}")


@dataclass(frozen=True)
class MeasurementOptions:
    """How the measurement model of physics.md §1 is set up, and which points it sees."""

    vmax_mV: float = 5.0  # fit window |V| <= vmax_mV (inf: no window)
    mask_mV: tuple[tuple[float, float], ...] = ()  # bias intervals excluded (e.g. Cu.9 spikes)
    background_b2: bool = False  # add b2 V²
    drift: bool = True  # per-curve offsets c ~ ZeroSumNormal(tau_curve)
    noise: NoiseModel = "normal"  # "normal" or "studentt"

    def used_parameters(self) -> tuple[str, ...]:
        """Measurement parameters the model contains with these options."""
        optional = {"b2": self.background_b2, "tau_curve": self.drift, "nu": self.noise != "normal"}
        return tuple(n for n in MEASUREMENT_PARAMETERS if optional.get(n, True))

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form (for provenance)."""
        options = asdict(self)
        options["mask_mV"] = [list(interval) for interval in self.mask_mV]
        return options


@dataclass(frozen=True)
class PriorSpec:
    """One parameter's prior as written: distribution, arguments, optional data scale."""

    name: str
    dist: str
    args: Mapping[str, float]
    scale: Mapping[str, str] = field(default_factory=dict)  # argument -> scale expression
    on: str = "value"  # "span": the prior is on the ZBA span the parameter produces
    unit: str = ""
    why: str = ""

    @property
    def distribution(self) -> Distribution:
        return DISTRIBUTIONS[self.dist]

    def resolved(self, scales: DataScales) -> dict[str, float]:
        """The distribution's arguments with their data scales applied."""
        return {
            k: v * scales.evaluate(self.scale[k]) if k in self.scale else v
            for k, v in self.args.items()
        }


@dataclass(frozen=True)
class ModelConfig:
    """A parsed config: model name, priors by parameter, measurement options, TOML source."""

    model: str
    priors: Mapping[str, PriorSpec]
    measurement: MeasurementOptions
    text: str
    source: str
    description: str = ""
    overrides: Mapping[str, Any] = field(default_factory=dict)  # changed after parsing
    target_accept: float = DEFAULT_TARGET_ACCEPT  # NUTS step-size target ([sampler])

    @property
    def span_parameter(self) -> str | None:
        """The amplitude whose prior is placed on the ZBA span it produces, if any."""
        return next((p.name for p in self.priors.values() if p.on == "span"), None)

    def with_measurement(self, **changes: Any) -> Self:
        """A copy with some measurement options changed (e.g. the CLI's --vmax)."""
        return replace(
            self,
            measurement=replace(self.measurement, **changes),
            overrides={**self.overrides, **changes},
        )

    def resolved_priors(self, scales: DataScales) -> dict[str, dict[str, float]]:
        """Arguments of every used prior with the data scales applied, checked against bounds.

        Raises ConfigError when a scaled prior leaves its parameter's support or degenerates.
        """
        parameters = model_parameters(self.model)
        used = (*get_mechanism(self.model).parameter_names, *self.measurement.used_parameters())
        resolved = {}
        for name in used:
            prior = self.priors[name]
            args = prior.resolved(scales)
            _check_arguments(self.source, prior, args)
            _check_support(self.source, prior, parameters[name], args)
            resolved[name] = args
        return resolved


def model_parameters(model: str) -> dict[str, Parameter]:
    """Schema of every parameter a config for `model` can set: mechanism, then measurement."""
    mechanism = get_mechanism(model)
    return {**{p.name: p for p in mechanism.parameters}, **MEASUREMENT_PARAMETERS}


def default_config_dir() -> Path:
    """The repository's models/ directory holding one <model>.toml per mechanism."""
    return Path(__file__).resolve().parents[2] / "models"


def load_config(path_or_model_name: str | Path) -> ModelConfig:
    """Parse a config file, or the shipped config of a model name ('kr2' -> models/kr2.toml)."""
    path = Path(path_or_model_name)
    if str(path_or_model_name) in REGISTRY and not path.exists():
        path = default_config_dir() / f"{path_or_model_name}.toml"
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(source, "file", f"cannot read ({error.strerror or error})") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(source, "file", f"not valid TOML ({error})") from None
    return parse_config(document, text=text, source=source)


def parse_config(document: Mapping[str, Any], *, text: str, source: str) -> ModelConfig:
    """Validate a parsed TOML document into a ModelConfig."""
    _reject_unknown(source, "", document, TOP_LEVEL_KEYS)
    model = _model_name(source, document)
    measurement = _measurement(
        source, _typed(source, "measurement", document.get("measurement", {}), dict)
    )
    if "priors" not in document:
        raise ConfigError(source, "priors", "missing; every parameter needs a prior")
    priors = {
        name: _prior(source, name, spec)
        for name, spec in _typed(source, "priors", document["priors"], dict).items()
    }
    _check_prior_names(source, model, priors, measurement)
    return ModelConfig(
        model=model,
        priors=priors,
        measurement=measurement,
        text=text,
        source=source,
        description=_typed(source, "description", document.get("description", ""), str),
        target_accept=_target_accept(
            source, _typed(source, "sampler", document.get("sampler", {}), dict)
        ),
    )


def _target_accept(source: str, table: Mapping[str, Any]) -> float:
    """[sampler] target_accept: NUTS adapts its step size to this mean acceptance rate."""
    _reject_unknown(source, "sampler.", table, SAMPLER_KEYS)
    key = "sampler.target_accept"
    value = float(
        _typed(source, key, table.get("target_accept", DEFAULT_TARGET_ACCEPT), (int, float))
    )
    if not 0.5 <= value < 1.0:
        raise ConfigError(source, key, f"must be in [0.5, 1) (got {value:g})")
    return value


def _reject_unknown(source: str, prefix: str, table: Mapping[str, Any], known: tuple) -> None:
    for key in table:
        if key not in known:
            raise ConfigError(source, prefix + key, f"unknown key; known keys: {', '.join(known)}")


def _typed(source: str, key: str, value: Any, kind: type | tuple[type, ...]) -> Any:
    """`value` if it is of `kind` (a bool is not a number here), else a ConfigError."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        expected = " or ".join(k.__name__ for k in kinds)
        raise ConfigError(source, key, f"expected {expected}, got {value!r}")
    return value


def _model_name(source: str, document: Mapping[str, Any]) -> str:
    if "model" not in document:
        raise ConfigError(source, "model", "missing; name the mechanism, e.g. model = 'kr2'")
    model = _typed(source, "model", document["model"], str)
    if model not in REGISTRY:
        raise ConfigError(source, "model", f"unknown model {model!r}; known: {sorted(REGISTRY)}")
    return model


def _measurement(source: str, table: Mapping[str, Any]) -> MeasurementOptions:
    known = tuple(f.name for f in fields(MeasurementOptions))
    _reject_unknown(source, "measurement.", table, known)
    default = MeasurementOptions()
    key = "measurement.vmax_mV"
    vmax = float(_typed(source, key, table.get("vmax_mV", default.vmax_mV), (int, float)))
    if not vmax > 0:
        raise ConfigError(source, key, f"must be > 0 (got {vmax:g}); use inf for no window")
    noise = _typed(source, "measurement.noise", table.get("noise", default.noise), str)
    if noise not in NOISE_MODELS:
        raise ConfigError(source, "measurement.noise", f"must be one of {', '.join(NOISE_MODELS)}")
    return MeasurementOptions(
        vmax_mV=vmax,
        mask_mV=_mask(source, table.get("mask_mV", [])),
        background_b2=_flag(source, table, "background_b2", default.background_b2),
        drift=_flag(source, table, "drift", default.drift),
        noise=noise,
    )


def _flag(source: str, table: Mapping[str, Any], key: str, default: bool) -> bool:
    return _typed(source, f"measurement.{key}", table.get(key, default), bool)


def _mask(source: str, value: Any) -> tuple[tuple[float, float], ...]:
    key = "measurement.mask_mV"
    intervals = []
    for interval in _typed(source, key, value, list):
        if not (isinstance(interval, list) and len(interval) == 2):
            raise ConfigError(source, key, f"each interval is [low, high] in mV, got {interval!r}")
        low, high = (_finite(source, key, x) for x in interval)
        if not low < high:
            raise ConfigError(source, key, f"interval {interval!r} needs low < high")
        intervals.append((low, high))
    return tuple(intervals)


def _prior(source: str, name: str, spec: Any) -> PriorSpec:
    key = f"priors.{name}"
    spec = _typed(source, key, spec, dict)
    if "dist" not in spec:
        raise ConfigError(source, f"{key}.dist", f"missing; one of {', '.join(DISTRIBUTIONS)}")
    dist = _typed(source, f"{key}.dist", spec["dist"], str)
    if dist not in DISTRIBUTIONS:
        known = ", ".join(DISTRIBUTIONS)
        raise ConfigError(source, f"{key}.dist", f"unknown distribution {dist!r}; known: {known}")
    distribution = DISTRIBUTIONS[dist]
    _reject_unknown(
        source, f"{key}.", spec, ("dist", "scale", "on", *PRIOR_TEXT_KEYS, *distribution.arguments)
    )
    target = _typed(source, f"{key}.on", spec.get("on", "value"), str)
    if target not in PRIOR_TARGETS:
        raise ConfigError(source, f"{key}.on", f"must be one of {', '.join(PRIOR_TARGETS)}")
    for argument in distribution.required:
        if argument not in spec:
            needed = ", ".join(distribution.required)
            raise ConfigError(source, f"{key}.{argument}", f"missing; {dist} needs {needed}")
    args = {a: _finite(source, f"{key}.{a}", spec[a]) for a in distribution.arguments if a in spec}
    prior = PriorSpec(
        name=name,
        dist=dist,
        args=args,
        scale=_scale(source, f"{key}.scale", spec.get("scale"), distribution, args),
        on=target,
        **{k: _typed(source, f"{key}.{k}", spec.get(k, ""), str) for k in PRIOR_TEXT_KEYS},
    )
    _check_arguments(source, prior, args)
    return prior


def _finite(source: str, key: str, value: Any) -> float:
    number = float(_typed(source, key, value, (int, float)))
    if not isfinite(number):
        raise ConfigError(source, key, f"must be finite (got {value!r})")
    return number


def _scale(
    source: str, key: str, scale: Any, distribution: Distribution, args: Mapping[str, float]
) -> dict[str, str]:
    """{argument: expression}: one expression for all scaled arguments, or a table per argument."""
    if scale is None:
        return {}
    if not distribution.scaled:
        raise ConfigError(source, key, f"{distribution.name} takes no data scale")
    if isinstance(scale, str):
        _check_expression(source, key, scale)
        return {argument: scale for argument in distribution.scaled if argument in args}
    for argument, expression in _typed(source, key, scale, dict).items():
        if argument not in distribution.scaled:
            known = ", ".join(distribution.scaled)
            raise ConfigError(source, f"{key}.{argument}", f"not a scaled argument ({known})")
        _check_expression(source, f"{key}.{argument}", expression)
    return scale


def _check_expression(source: str, key: str, expression: Any) -> None:
    try:
        scale_factors(_typed(source, key, expression, str))
    except ScaleExpressionError as error:
        raise ConfigError(source, key, str(error)) from None


def _check_prior_names(
    source: str, model: str, priors: Mapping[str, PriorSpec], measurement: MeasurementOptions
) -> None:
    """Every used parameter has a prior, no prior names an unknown parameter, supports fit."""
    parameters = model_parameters(model)
    for name, prior in priors.items():
        if name not in parameters:
            known = ", ".join(parameters)
            raise ConfigError(source, f"priors.{name}", f"unknown parameter; {model} has {known}")
        if not prior.scale:
            _check_support(source, prior, parameters[name], prior.args)
        elif _outside_for_any_scale(prior, parameters[name]):
            raise ConfigError(source, f"priors.{name}", _outside_message(prior, parameters[name]))
    for name in (*get_mechanism(model).parameter_names, *measurement.used_parameters()):
        if name not in priors:
            raise ConfigError(source, f"priors.{name}", "missing; every parameter needs a prior")
    amplitude = get_mechanism(model).amplitude
    on_span = [name for name, prior in priors.items() if prior.on == "span"]
    misplaced = [n for n in on_span if n != amplitude]
    if misplaced:
        message = f"only the amplitude ΔG is proportional to ({amplitude}) can take its prior "
        raise ConfigError(source, f"priors.{misplaced[0]}.on", message + "on the span")


def _check_arguments(source: str, prior: PriorSpec, args: Mapping[str, float]) -> None:
    for argument, problem in argument_problems(prior.distribution, args):
        raise ConfigError(source, f"priors.{prior.name}.{argument}", problem)


def _check_support(
    source: str, prior: PriorSpec, parameter: Parameter, args: Mapping[str, float]
) -> None:
    lower, upper = prior.distribution.support(args)
    if lower < parameter.lower or upper > parameter.upper:
        message = _outside_message(prior, parameter, f" [{lower:g}, {upper:g}]")
        raise ConfigError(source, f"priors.{prior.name}", message)


def _outside_for_any_scale(prior: PriorSpec, parameter: Parameter) -> bool:
    """True if no positive data scale brings the prior's support inside the bounds."""
    lower, upper = prior.distribution.support(prior.args)
    too_low = lower < 0 <= parameter.lower or lower == -inf < parameter.lower
    too_high = upper > 0 >= parameter.upper or upper == inf > parameter.upper
    return too_low or too_high


def _outside_message(prior: PriorSpec, parameter: Parameter, support: str = "") -> str:
    return (
        f"{prior.dist} prior support{support} leaves the parameter's bounds "
        f"[{parameter.lower:g}, {parameter.upper:g}] {parameter.unit}"
    )
