"""Registry, parameter schema, symmetry, and agreement of NumPy with the sampler's node.

physics.md §6a (names, order) and §7 (symmetry, backends agree to 1e-9, finite gradients).
"""

from collections.abc import Callable
from functools import cache

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest
from pytensor.compile.executor import Function

from bayes_zba.models.mechanism_op import mechanism_delta_g
from bayes_zba.physics import delta_g
from bayes_zba.physics.mechanisms import REGISTRY, get_mechanism

#: physics.md §6a, in order.
PARAMETER_NAMES = {
    "2ck": ("B_sigma", "A", "a_geom", "T_K", "delta_med", "delta_width", "c_H"),
    "kr2": ("A_kr", "E_star", "E_b", "H_c"),
    "kr1": ("A_kr", "E_star", "E_b", "H_c"),
    "kk": ("dG", "delta_med", "delta_width", "q", "rho"),
    "wam": ("A_w", "w_Z"),
}
MODELS = tuple(PARAMETER_NAMES)

#: Physics-typical draw ranges (lower, upper, log-uniform?) from physics.md §3-§6 and paper I
#: Table I; where §3-§6 give a range it is the parameter's whole support.
TYPICAL_RANGES = {
    "2ck": {
        "B_sigma": (0.5, 50.0, True),
        "A": (0.05, 3.0, True),
        "a_geom": (0.0, 1.0, False),
        "T_K": (1.0, 20.0, True),
        "delta_med": (0.01, 5.0, True),
        "delta_width": (0.0, 1.5, False),
        "c_H": (-1.0, 1.0, False),
    },
    "kr2": {
        "A_kr": (1e-3, 1.0, True),
        "E_star": (0.3, 10.0, True),
        "E_b": (4.0, 40.0, True),
        "H_c": (0.3, 50.0, True),
    },
    "kr1": {
        "A_kr": (1e-2, 10.0, True),
        "E_star": (0.3, 10.0, True),
        "E_b": (4.0, 40.0, True),
        "H_c": (0.3, 50.0, True),
    },
    "kk": {
        "dG": (-30.0, 30.0, False),
        "delta_med": (0.01, 5.0, True),
        "delta_width": (0.0, 1.5, False),
        "q": (0.0, 1.0, False),
        "rho": (1e-4, 10.0, True),
    },
    "wam": {"A_w": (0.5, 50.0, True), "w_Z": (0.1, 2.0 / 3.0, False)},
}
N_DRAWS = 200

#: Data points: every sweep has V = 0; T and H across a measurement's range.
_V, _T, _H = np.meshgrid(
    [-5.0, -1.0, -0.1, 0.0, 0.05, 0.3, 2.0, 5.0], [0.05, 0.5, 5.0, 15.0], [0.0, 3.0]
)
V_GRID, T_GRID, H_GRID = _V.ravel(), _T.ravel(), _H.ravel()


def uniform_draw(rng: np.random.Generator, lo: float, hi: float, log: bool) -> float:
    """One value, uniform in [lo, hi] or in [log lo, log hi]."""
    return float(np.exp(rng.uniform(np.log(lo), np.log(hi))) if log else rng.uniform(lo, hi))


def parameter_draws(model: str, n: int, seed: int) -> list[dict[str, float]]:
    """`n` random draws across the typical ranges plus the all-lower and all-upper corners."""
    rng = np.random.default_rng(seed)
    ranges = TYPICAL_RANGES[model]
    draws = [{name: lo for name, (lo, _, _) in ranges.items()}]
    draws.append({name: hi for name, (_, hi, _) in ranges.items()})
    for _ in range(n - 2):
        draws.append({name: uniform_draw(rng, *bounds) for name, bounds in ranges.items()})
    return draws


@cache
def compiled_value_and_gradients(model: str) -> Function:
    """f(V, T, H, *params) -> [ΔG, ∂ΣΔG/∂θ_1, ...] of the PyTensor node the models sample
    (models.mechanism_op), compiled to JAX as nutpie runs it: one compilation per model."""
    mechanism = get_mechanism(model)
    V, T, H = pt.dvectors("V", "T", "H")
    symbols = {name: pt.dscalar(name) for name in mechanism.parameter_names}
    conditions = [V, T, pt.zeros_like(H) if mechanism.field_separable else H]
    dg = mechanism_delta_g(model, conditions, pt.arange(V.shape[0]), H, symbols)
    gradients = pytensor.grad(dg.sum(), list(symbols.values()))
    inputs = [V, T, H, *symbols.values()]
    return pytensor.function(inputs, [dg, *gradients], mode="JAX", on_unused_input="ignore")


def test_registry_holds_the_five_models_with_section_6a_parameters():
    assert set(REGISTRY) == set(MODELS)
    for model, names in PARAMETER_NAMES.items():
        assert get_mechanism(model).parameter_names == names


@pytest.mark.parametrize("model", MODELS)
def test_parameter_schema_is_complete_and_typical_ranges_lie_in_the_support(model):
    mechanism = get_mechanism(model)
    for parameter in mechanism.parameters:
        assert parameter.unit and parameter.meaning and parameter.source
        assert parameter.lower < parameter.upper
        if parameter.positive:
            assert parameter.lower >= 0.0
        lo, hi, _ = TYPICAL_RANGES[model][parameter.name]
        assert parameter.contains(lo) and parameter.contains(hi)


def test_numpy_entry_rejects_missing_and_unknown_parameters():
    with pytest.raises(TypeError, match="missing: \\['H_c'\\]"):
        delta_g("kr2", 0.0, 1.0, 0.0, A_kr=1.0, E_star=1.0, E_b=10.0)
    with pytest.raises(TypeError, match="unknown: \\['x'\\]"):
        delta_g("wam", 0.0, 1.0, 0.0, A_w=1.0, w_Z=0.3, x=1.0)


@pytest.mark.parametrize("model", MODELS)
def test_delta_g_is_even_in_bias(model):
    V = np.linspace(0.0, 5.0, 41)
    for params in parameter_draws(model, 20, seed=11):  # kk: any q, not only ½
        forward = delta_g(model, V, 0.7, 2.0, **params)
        backward = delta_g(model, -V, 0.7, 2.0, **params)
        np.testing.assert_allclose(forward, backward, rtol=1e-12, atol=0.0)


#: How the field enters where ΔG(V, T, H) follows from ΔG(V, T, 0) (physics.md §3: c_H |H|;
#: §5: not at all; §4: the amplitude A_KR(H)). wam's field shift depends on V and T.
FIELD_SEPARABLE = {"2ck": "shift", "kk": "shift", "kr2": "factor", "kr1": "factor"}


@pytest.mark.parametrize("model", MODELS)
def test_field_dependence_is_declared_exactly_where_it_separates(model):
    """Mechanism.field_shift(H) = ΔG(V, T, H) - ΔG(V, T, 0) and field_factor(H) =
    ΔG(V, T, H) / ΔG(V, T, 0) for every V and T: the models rely on them to evaluate ΔG
    once per (|V|, T) of a field series (Mechanism.apply_field)."""
    mechanism = get_mechanism(model)
    kind = FIELD_SEPARABLE.get(model)
    assert (mechanism.field_shift is not None) == (kind == "shift")
    assert (mechanism.field_factor is not None) == (kind == "factor")
    assert mechanism.field_separable == (kind is not None)
    V, T = np.linspace(-3.0, 3.0, 13)[:, None], np.array([0.1, 1.0, 6.0])[None, :]
    for params in parameter_draws(model, 20, seed=13):
        zero_field = delta_g(model, V, T, 0.0, **params)
        for H in (0.5, 2.0, 9.0):
            in_field = delta_g(model, V, T, H, **params)
            shift, ratio = in_field - zero_field, in_field / zero_field
            if kind is None:  # wam: neither the shift nor the ratio is uniform
                assert np.ptp(shift) > 1e-6 * np.max(np.abs(shift)), (model, params, H)
                assert np.ptp(ratio) > 1e-6 * np.max(np.abs(ratio)), (model, params, H)
                continue
            field = np.full_like(shift, H)
            expected = mechanism.apply_field(zero_field, field, params, np)
            scale = np.max(np.abs(in_field))
            np.testing.assert_allclose(in_field, expected, rtol=0, atol=1e-12 * scale)


@pytest.mark.parametrize("model", MODELS)
def test_delta_g_minus_its_field_shift_is_proportional_to_the_amplitude(model):
    """ΔG - field_shift ∝ Mechanism.amplitude at every (V, T, H): the models sample the ZBA
    span and evaluate ΔG once at amplitude 1 (models/builder.py)."""
    mechanism = get_mechanism(model)
    shift = mechanism.field_shift or (lambda H, params, xp: np.zeros_like(H))
    V, T, H = (np.ravel(x) for x in np.meshgrid([0.0, 0.4, 3.0], [0.1, 1.0, 6.0], [0.0, 2.5]))
    for params in parameter_draws(model, 10, seed=14):
        scaled = params | {mechanism.amplitude: 2.5 * params[mechanism.amplitude]}
        base = delta_g(model, V, T, H, **params) - shift(H, params, np)
        scaled_delta_g = delta_g(model, V, T, H, **scaled) - shift(H, scaled, np)
        np.testing.assert_allclose(scaled_delta_g, 2.5 * base, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("model", MODELS)
def test_declared_mirror_symmetries_hold_and_fold_below_the_mirror(model):
    """Parameter.mirror: ΔG(x) = ΔG(2 mirror - x), so the models report x folded."""
    V, T, H = np.linspace(-4.0, 4.0, 17)[:, None], np.array([0.2, 1.0, 5.0])[None, :], 1.0
    for parameter in get_mechanism(model).parameters:
        if parameter.mirror is None:
            assert parameter.fold(0.37, np) == 0.37
            continue
        for params in parameter_draws(model, 10, seed=15):
            mirrored = params | {parameter.name: 2 * parameter.mirror - params[parameter.name]}
            np.testing.assert_allclose(
                delta_g(model, V, T, H, **params), delta_g(model, V, T, H, **mirrored), rtol=1e-12
            )
        values = np.array(
            [parameter.lower, parameter.mirror, parameter.upper, 0.8 * parameter.upper]
        )
        folded = parameter.fold(values, np)
        assert np.all(folded <= parameter.reported_upper) and folded[1] == parameter.mirror
        np.testing.assert_allclose(parameter.fold(2 * parameter.mirror - values, np), folded)


def test_kk_depends_on_q_only_through_q_times_one_minus_q():
    """W↑, W↓ of physics.md §5 weigh same-side terms by q² + (1-q)² and cross terms by
    q(1-q): q and 1 - q (the two contact sides swapped) give the same ΔG, so only q(1-q)
    is identified by data."""
    V, T = np.linspace(-5.0, 5.0, 41)[:, None], np.array([0.3, 1.0, 4.0])[None, :]
    for params in parameter_draws("kk", 20, seed=12):
        mirrored = params | {"q": 1.0 - params["q"]}
        np.testing.assert_allclose(
            delta_g("kk", V, T, 0.0, **params), delta_g("kk", V, T, 0.0, **mirrored), rtol=1e-12
        )


@pytest.mark.parametrize("model", MODELS)
def test_the_sampler_node_agrees_with_numpy_and_gradients_are_finite(model):
    compiled = compiled_value_and_gradients(model)
    for params in parameter_draws(model, N_DRAWS, seed=2024):
        reference = delta_g(model, V_GRID, T_GRID, H_GRID, **params)
        value, *gradients = compiled(V_GRID, T_GRID, H_GRID, *params.values())
        scale = np.max(np.abs(reference))
        np.testing.assert_allclose(value, reference, rtol=1e-9, atol=1e-9 * scale)
        assert np.all(np.isfinite(gradients)), (model, params, gradients)


def finite_difference_step(model: str, name: str, value: float) -> float:
    """1e-3 relative, and at most 1% of the distance to a finite support bound (a_geom -> 1).

    Richardson's O(h⁴) error is ~1e-12 there, while round-off (ε Σ|ΔG| / h) is not: at 1e-4,
    kk's ∂/∂ρ (~1e-2 against a sum of ~1e2) was off by 5e-6 relative from round-off alone.
    """
    parameter = get_mechanism(model).parameter(name)
    room = min(value - parameter.lower, parameter.upper - value)
    return min(1e-3 * max(abs(value), 1e-2), 0.01 * room)


def richardson_derivative(f: Callable[[float], float], x: float, step: float) -> float:
    """Central difference extrapolated from steps h and h/2 (error O(h⁴))."""

    def central(h: float) -> float:
        return (f(x + h) - f(x - h)) / (2 * h)

    return (4 * central(step / 2) - central(step)) / 3


@pytest.mark.parametrize("model", MODELS)
def test_the_sampler_gradient_matches_finite_differences(model):
    compiled = compiled_value_and_gradients(model)
    for params in parameter_draws(model, 6, seed=7)[2:]:
        _, *gradients = compiled(V_GRID, T_GRID, H_GRID, *params.values())
        for (name, value), gradient in zip(params.items(), gradients, strict=True):

            def total(x: float, name: str = name, params: dict = params) -> float:
                return delta_g(model, V_GRID, T_GRID, H_GRID, **{**params, name: x}).sum()

            step = finite_difference_step(model, name, value)
            expected = richardson_derivative(total, value, step)
            assert gradient == pytest.approx(expected, rel=1e-6, abs=1e-8), name
