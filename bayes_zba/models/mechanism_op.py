"""A mechanism's ΔG at the data points as one PyTensor node: the physics formula itself, run as
jax.numpy inside the compiled log density (JAX differentiates it), instead of a long graph of
elementwise ops that PyTensor would have to rewrite on every compile.

The node's inputs are the distinct conditions (V, T, H), each point's row among them, the
points' field and the mechanism's parameters in physics.md §6a order; its output is ΔG per
point (Mechanism.delta_g_at_points). PyTensor's own linkers run the same JAX function; its
gradient is a second node that applies JAX's vector-Jacobian product.
"""

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytensor.tensor as pt
from pytensor.gradient import DisconnectedType
from pytensor.graph.basic import Apply
from pytensor.graph.op import Op
from pytensor.link.jax.dispatch import jax_funcify

from bayes_zba.physics.mechanisms import get_mechanism

jax.config.update("jax_enable_x64", True)  # the physics is double precision throughout

#: Inputs before the parameters: distinct V, T, H, each point's row, the points' H.
DATA_INPUTS = 5


def _points_function(model: str) -> Callable[..., Any]:
    """(V, T, H, index, H_points, *params) -> ΔG per point, on jax.numpy arrays."""
    mechanism = get_mechanism(model)
    names = mechanism.parameter_names

    def delta_g(V: Any, T: Any, H: Any, index: Any, H_points: Any, *params: Any) -> Any:
        values = dict(zip(names, params, strict=True))
        return mechanism.delta_g_at_points((V, T, H), index, H_points, values, jnp)

    return delta_g


def _vjp_function(model: str) -> Callable[..., tuple[Any, ...]]:
    """(V, T, H, index, H_points, *params, cotangent) -> the parameters' cotangents."""
    points = _points_function(model)

    def vjp(*inputs: Any) -> tuple[Any, ...]:
        data, params, cotangent = inputs[:DATA_INPUTS], inputs[DATA_INPUTS:-1], inputs[-1]
        _, pullback = jax.vjp(lambda *p: points(*data, *p), *params)
        return pullback(cotangent)

    return vjp


@cache
def _jitted(model: str, gradient: bool) -> Callable[..., Any]:
    return jax.jit(_vjp_function(model) if gradient else _points_function(model))


class MechanismDeltaG(Op):
    """ΔG of mechanism `model` at the data points (see the module docstring)."""

    __props__ = ("model",)

    def __init__(self, model: str):
        self.model = model
        self.n_params = len(get_mechanism(model).parameter_names)

    def make_node(self, *inputs: Any) -> Apply:
        if len(inputs) != DATA_INPUTS + self.n_params:
            raise TypeError(f"{self.model}: expected {DATA_INPUTS + self.n_params} inputs")
        tensors = _as_inputs(inputs)
        return Apply(self, tensors, [pt.dvector()])

    def perform(self, node: Apply, inputs: Sequence[Any], outputs: list[list[Any]]) -> None:
        outputs[0][0] = np.asarray(_jitted(self.model, False)(*inputs), dtype=float)

    def infer_shape(self, node: Apply, shapes: list[tuple[Any, ...]]) -> list:
        return [shapes[3]]  # one value per point (index)

    def connection_pattern(self, node: Apply) -> list[list[bool]]:
        return [[False]] * DATA_INPUTS + [[True]] * self.n_params

    def pullback(
        self, inputs: Sequence[Any], outputs: Sequence[Any], cotangents: Sequence[Any]
    ) -> list[Any]:
        parameters = MechanismVJP(self.model)(*inputs, cotangents[0])
        if self.n_params == 1:
            parameters = [parameters]
        return [DisconnectedType()() for _ in range(DATA_INPUTS)] + list(parameters)


class MechanismVJP(Op):
    """The parameters' gradient of Σ cotangent · ΔG (the gradient of MechanismDeltaG)."""

    __props__ = ("model",)

    def __init__(self, model: str):
        self.model = model
        self.n_params = len(get_mechanism(model).parameter_names)

    def make_node(self, *inputs: Any) -> Apply:
        tensors = _as_inputs(inputs)
        return Apply(self, tensors, [pt.dscalar() for _ in range(self.n_params)])

    def perform(self, node: Apply, inputs: Sequence[Any], outputs: list[list[Any]]) -> None:
        for output, value in zip(outputs, _jitted(self.model, True)(*inputs), strict=True):
            output[0] = np.asarray(value, dtype=float)

    def infer_shape(self, node: Apply, shapes: list[tuple[Any, ...]]) -> list:
        return [()] * self.n_params


def _as_inputs(inputs: Sequence[Any]) -> list[Any]:
    """Float64 tensors, except the point-to-condition index (int64)."""
    tensors = [pt.as_tensor_variable(x) for x in inputs]
    return [t if k == 3 else pt.cast(t, "float64") for k, t in enumerate(tensors)]


@jax_funcify.register(MechanismDeltaG)
def _jax_delta_g(op: MechanismDeltaG, **kwargs: Any) -> Callable[..., Any]:
    return _points_function(op.model)


@jax_funcify.register(MechanismVJP)
def _jax_vjp(op: MechanismVJP, **kwargs: Any) -> Callable[..., Any]:
    vjp = _vjp_function(op.model)
    return vjp if op.n_params > 1 else (lambda *inputs: vjp(*inputs)[0])


def mechanism_delta_g(
    model: str,
    conditions: Sequence[Any],
    index: Any,
    H_points: Any,
    params: dict[str, Any],
) -> Any:
    """The PyTensor variable of ΔG per point of mechanism `model` (Mechanism.delta_g_at_points):
    distinct `conditions` (V, T, H), each point's row `index`, the points' field `H_points`,
    `params` by name (numbers or PyTensor variables).

    Examples
    --------
    >>> import numpy as np
    >>> values = mechanism_delta_g(
    ...     "wam", [np.array([0.0, 1.0]), np.array([0.5, 0.5]), np.zeros(2)],
    ...     np.array([0, 1, 1]), np.zeros(3), {"A_w": 4.0, "w_Z": 0.4},
    ... ).eval()
    >>> values.shape, bool(values[1] == values[2])
    ((3,), True)
    """
    names = get_mechanism(model).parameter_names
    return MechanismDeltaG(model)(*conditions, index, H_points, *(params[n] for n in names))
