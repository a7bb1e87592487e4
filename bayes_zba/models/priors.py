"""The prior distributions a model config may name, their arguments, supports and PyMC form.

lmfit-like vocabulary: `LogNormal(median, sigma)`, `Uniform(lower, upper)`, `LogUniform(...)`.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from math import inf, log
from typing import Any

import pymc as pm
import pytensor.tensor as pt
from pymc.distributions.transforms import ChainedTransform, Interval, Transform
from pymc.distributions.transforms import log as log_transform

Arguments = Mapping[str, float]


@dataclass(frozen=True)
class Distribution:
    """A prior family as written in a config: argument names, checks, support, PyMC builder."""

    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]  # arguments that may be left out (TruncatedNormal's bounds)
    scaled: tuple[str, ...]  # arguments multiplied by the prior's data scale
    positive: tuple[str, ...]  # arguments that must be > 0 (after scaling)
    support: Callable[[Arguments], tuple[float, float]]
    make: Callable[[str, Arguments], pt.TensorVariable]
    symbolic: bool = True  # arguments may be tensors (LogUniform's transform needs numbers)
    #: For priors that are a location family in ln x and bounded (the only kind a bounded
    #: parameter such as delta_med accepts): (name, args, shift) -> a variable y = ln x +
    #: shift with exactly the prior ln x + shift has (shift may be symbolic).
    make_shifted_log: Callable[[str, Arguments, pt.TensorLike], pt.TensorVariable] | None = None
    #: For location families: (name, args, shift) -> a variable y = x + shift with exactly
    #: the prior x + shift has (shift may be symbolic).
    make_shifted: Callable[[str, Arguments, pt.TensorLike], pt.TensorVariable] | None = None

    @property
    def arguments(self) -> tuple[str, ...]:
        return self.required + self.optional


class SoftInterval(Transform):
    """(a, b) <- R by y = a + softplus(z - a) - softplus(z - b): the identity deep inside.

    For a Uniform whose bounds move with another parameter (make_shifted_log: ln E[Δ] given
    s_Δ). The interval transform logit((y - a)/(b - a)) would tie the sampler's coordinate
    to the moving bounds, so that a step in s_Δ at fixed z moves y by the bounds' shift and
    the sampler works in the very coordinates the shift was meant to remove; here, away
    from the bounds, z = y whatever they are. dy/dz = σ(z - a) - σ(z - b) > 0.
    """

    name = "softclip"  # one word: PyMC strips "_<name>__" from the value variable
    ndim_supp = 0

    def forward(self, value: Any, *inputs: Any) -> Any:
        a, b = _uniform_bounds(inputs)
        return a + pt.log(pt.expm1(value - a)) - pt.log(-pt.expm1(value - b))

    def backward(self, value: Any, *inputs: Any) -> Any:
        a, b = _uniform_bounds(inputs)
        return a + pt.softplus(value - a) - pt.softplus(value - b)

    def log_jac_det(self, value: Any, *inputs: Any) -> Any:
        """ln(σ(z - a) - σ(z - b)) = -softplus(a - z) - softplus(z - b) + ln(1 - e^(a - b))."""
        a, b = _uniform_bounds(inputs)
        return -pt.softplus(a - value) - pt.softplus(value - b) + pt.log(-pt.expm1(a - b))


def _uniform_bounds(rv_inputs: tuple[Any, ...]) -> tuple[Any, Any]:
    """(lower, upper) of a pm.Uniform from its RandomVariable inputs (rng, size, lower, upper)."""
    *_, lower, upper = rv_inputs
    return lower, upper


def _shifted_log_uniform(name: str, args: Arguments, shift: pt.TensorLike) -> pt.TensorVariable:
    """y = ln x + shift for x ~ LogUniform(lower, upper): Uniform on the shifted log bounds,
    sampled through SoftInterval so the sampler's coordinate is y itself, not its place
    between bounds that move with the shift."""
    lower, upper = log(args["lower"]) + shift, log(args["upper"]) + shift
    return pm.Uniform(name, lower=lower, upper=upper, default_transform=SoftInterval())


def _log_uniform(name: str, args: Arguments) -> pt.TensorVariable:
    """x = exp(u), u ~ Uniform(ln lower, ln upper); sampled on ln x mapped to an interval."""
    log_lower, log_upper = log(args["lower"]), log(args["upper"])

    def exp_of_uniform(lower, upper, size):
        return pt.exp(pm.Uniform.dist(pt.log(lower), pt.log(upper), size=size))

    transform = ChainedTransform([log_transform, Interval(log_lower, log_upper)])
    return pm.CustomDist(
        name, args["lower"], args["upper"], dist=exp_of_uniform, transform=transform
    )


def _truncated_bounds(args: Arguments) -> tuple[float, float]:
    return args.get("lower", -inf), args.get("upper", inf)


def _real_line(args: Arguments) -> tuple[float, float]:
    return -inf, inf


def _half_line(args: Arguments) -> tuple[float, float]:
    return 0.0, inf


def _unit_interval(args: Arguments) -> tuple[float, float]:
    return 0.0, 1.0


def _between_bounds(args: Arguments) -> tuple[float, float]:
    return args["lower"], args["upper"]


DISTRIBUTIONS: dict[str, Distribution] = {
    d.name: d
    for d in (
        Distribution(
            "Normal",
            ("mu", "sigma"),
            (),
            ("mu", "sigma"),
            ("sigma",),
            _real_line,
            lambda name, a: pm.Normal(name, mu=a["mu"], sigma=a["sigma"]),
            make_shifted=lambda name, a, shift: pm.Normal(
                name, mu=a["mu"] + shift, sigma=a["sigma"]
            ),
        ),
        Distribution(
            "StudentT",
            ("nu", "mu", "sigma"),
            (),
            ("mu", "sigma"),
            ("nu", "sigma"),
            _real_line,
            lambda name, a: pm.StudentT(name, nu=a["nu"], mu=a["mu"], sigma=a["sigma"]),
        ),
        Distribution(
            "HalfNormal",
            ("sigma",),
            (),
            ("sigma",),
            ("sigma",),
            _half_line,
            lambda name, a: pm.HalfNormal(name, sigma=a["sigma"]),
        ),
        Distribution(
            "LogNormal",
            ("median", "sigma"),
            (),
            ("median",),
            ("median", "sigma"),
            _half_line,
            lambda name, a: pm.LogNormal(name, mu=pt.log(a["median"]), sigma=a["sigma"]),
        ),
        Distribution(
            "Gamma",
            ("mu", "sigma"),
            (),
            ("mu", "sigma"),
            ("mu", "sigma"),
            _half_line,
            lambda name, a: pm.Gamma(name, mu=a["mu"], sigma=a["sigma"]),
        ),
        Distribution(
            "Uniform",
            ("lower", "upper"),
            (),
            ("lower", "upper"),
            (),
            _between_bounds,
            lambda name, a: pm.Uniform(name, lower=a["lower"], upper=a["upper"]),
        ),
        Distribution(
            "LogUniform",
            ("lower", "upper"),
            (),
            ("lower", "upper"),
            ("lower", "upper"),
            _between_bounds,
            _log_uniform,
            symbolic=False,
            make_shifted_log=_shifted_log_uniform,
        ),
        Distribution(
            "TruncatedNormal",
            ("mu", "sigma"),
            ("lower", "upper"),
            ("mu", "sigma", "lower", "upper"),
            ("sigma",),
            _truncated_bounds,
            lambda name, a: pm.TruncatedNormal(
                name,
                mu=a["mu"],
                sigma=a["sigma"],
                lower=a.get("lower"),
                upper=a.get("upper"),
            ),
        ),
        Distribution(
            "Beta",
            ("alpha", "beta"),
            (),
            (),
            ("alpha", "beta"),
            _unit_interval,
            lambda name, a: pm.Beta(name, alpha=a["alpha"], beta=a["beta"]),
        ),
    )
}


def argument_problems(distribution: Distribution, args: Arguments) -> list[tuple[str, str]]:
    """(argument, problem) pairs for impossible arguments: non-positive scales, empty supports."""
    problems = [
        (name, f"must be > 0 (got {args[name]!r})")
        for name in distribution.positive
        if name in args and not args[name] > 0
    ]
    lower, upper = distribution.support(args)
    if not lower < upper:
        problems.append(("upper", f"must be > lower (got lower={lower!r}, upper={upper!r})"))
    return problems
