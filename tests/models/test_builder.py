"""PyMC measurement model: dims, names, transforms, sigma floor, ZeroSumNormal offsets, options."""

import tomllib

import numpy as np
import pandas as pd
import pymc as pm
import pytensor
import pytensor.tensor as pt
import pytest
from pymc.distributions.transforms import ChainedTransform, LogTransform, ZeroSumTransform
from pytensor.graph import clone_replace
from scipy import stats

from bayes_zba.data import dataset_from_frame
from bayes_zba.models import (
    ConfigError,
    build_model,
    default_config_dir,
    load_config,
    model_structure,
    parse_config,
)
from bayes_zba.models.builder import distinct_conditions
from bayes_zba.physics import delta_g
from bayes_zba.physics.mechanisms import get_mechanism
from bayes_zba.simulate import DESIGN_PRESETS, simulate, typical_parameters


@pytest.fixture(scope="module")
def dataset():
    return simulate("kr1", typical_parameters("kr1"), DESIGN_PRESETS["small"], seed=11)


def with_sigma(dataset, sigma: float):
    frame = dataset.table.assign(sigma_e2h=sigma)
    return dataset_from_frame(frame, source="test", samples=dataset.samples)


def test_dims_coords_and_variable_names(dataset):
    model = build_model(dataset, "kr1")
    n_points, curves = len(dataset.table), sorted(dataset.table["curve"].unique())
    assert len(model.coords["point"]) == n_points
    assert list(model.coords["curve"]) == curves
    assert [rv.name for rv in model.free_RVs] == [
        "E_star",
        "E_b",
        "H_c",
        "A_kr_span",
        "G_zero_bias_cold",
        "tau_curve",
        "curve_offset",
        "sigma",
    ]
    assert model.named_vars_to_dims["G_obs"] == ("point",)
    assert model.named_vars_to_dims["curve_offset"] == ("curve",)
    assert [d.name for d in model.deterministics] == ["A_kr", "G0", "G_model"]
    assert not {"posterior", "log_likelihood", "prior", "observed_data"} & set(model.named_vars)


def test_positive_parameters_are_log_transformed_and_bounded_ones_interval(dataset):
    model = build_model(dataset, "kr1")
    transforms = {rv.name: model.rvs_to_transforms[rv] for rv in model.free_RVs}
    for name in ("A_kr_span", "E_star", "tau_curve", "sigma"):
        assert isinstance(transforms[name], LogTransform), name
    for name in ("E_b", "H_c"):  # LogUniform: log, then interval between the log bounds
        assert isinstance(transforms[name], ChainedTransform), name
    assert transforms["G_zero_bias_cold"] is None
    assert isinstance(transforms["curve_offset"], ZeroSumTransform)


def test_curve_offsets_sum_to_zero(dataset):
    model = build_model(dataset, "kr1")
    draws = pm.draw(model["curve_offset"], draws=20, random_seed=3)
    np.testing.assert_allclose(draws.sum(axis=1), 0.0, atol=1e-9)
    assert draws.std() > 0


def test_log_uniform_prior_density(dataset):
    model = build_model(dataset, "kr1")
    logp = pm.logp(model["H_c"], 2.0).eval()
    assert logp == pytest.approx(-np.log(2.0) - np.log(np.log(50.0 / 0.3)))


def _values_at(model, point):
    """Free variables and deterministics of `model` at `point` (value space), by name."""
    variables = [*model.free_RVs, *model.deterministics]
    outputs = model.replace_rvs_by_values(variables)
    computed = model.compile_fn(outputs, inputs=model.value_vars)(point)
    return {v.name: value for v, value in zip(variables, computed, strict=True)}


def test_per_point_sigma_is_a_floor_and_the_mean_is_g0_plus_delta_g(dataset):
    data = with_sigma(dataset, 0.3)
    model = build_model(data, "kr1")
    point = model.initial_point()
    loglik = model.compile_logp(vars=[model["G_obs"]], sum=False)(point)[0]
    values = _values_at(model, point)
    table = data.table
    mechanism = {k: float(values[k]) for k in ("A_kr", "E_star", "E_b", "H_c")}
    mean = values["G0"] + delta_g("kr1", table["V_mV"], table["T_K"], table["H_T"], **mechanism)
    np.testing.assert_allclose(values["G_model"], mean, rtol=1e-12)
    curve_index = pd.factorize(table["curve"], sort=True)[0]
    scale = np.sqrt(0.3**2 + values["sigma"] ** 2)
    expected = stats.norm.logpdf(table["G_e2h"], mean + values["curve_offset"][curve_index], scale)
    np.testing.assert_allclose(loglik, expected, rtol=1e-8)


#: Values away from the initial point (2ck's c_H starts at 0, where the field does nothing).
FIELD_POINT = {"2ck": {"c_H": np.array(0.37)}, "kr2": {}}


@pytest.mark.parametrize("model", sorted(FIELD_POINT))
def test_field_separable_mechanism_mean_is_g0_plus_delta_g_across_a_field_series(model):
    """2ck adds c_H |H| and kr2 multiplies by A_KR(H)/A_KR per point, both after evaluating
    ΔG once per (|V|, T) (Mechanism.apply_field): G_model must still be G0 + ΔG(V, T, H) at
    every point of a field series."""
    data = simulate(model, typical_parameters(model), DESIGN_PRESETS["small"], seed=5)
    built = build_model(data, model)
    point = built.initial_point() | FIELD_POINT[model]
    names = ("G0", "G_model", *get_mechanism(model).parameter_names)
    outputs = built.replace_rvs_by_values([built[n] for n in names])
    compute = built.compile_fn(outputs, inputs=built.value_vars, on_unused_input="ignore")
    values = dict(zip(names, compute(point), strict=True))
    table = data.table
    params = {n: float(values[n]) for n in get_mechanism(model).parameter_names}
    expected = values["G0"] + delta_g(model, table["V_mV"], table["T_K"], table["H_T"], **params)
    no_field = values["G0"] + delta_g(model, table["V_mV"], table["T_K"], 0.0, **params)
    assert table["H_T"].nunique() == 2 and np.ptp(expected - no_field) > 1e-3
    np.testing.assert_allclose(values["G_model"], expected, rtol=1e-12)
    n_conditions = model_structure(data, load_config(model))["n_conditions"]
    assert n_conditions == table["T_K"].nunique() * 26  # H does not multiply the conditions


def test_delta_g_is_evaluated_once_per_distinct_abs_bias_temperature_and_field(dataset):
    table = dataset.table.sample(frac=1.0, random_state=0)  # any point order
    conditions, index = distinct_conditions(table)
    n_curves = table["curve"].nunique()
    assert len(conditions) == n_curves * 26  # 51 symmetric biases including 0 -> 26 |V|
    np.testing.assert_allclose(conditions[index, 0], np.abs(table["V_mV"]), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(conditions[index, 1], table["T_K"])
    np.testing.assert_array_equal(conditions[index, 2], table["H_T"])


def test_span_prior_amplitude_is_span_over_unit_span(dataset):
    model = build_model(dataset, "kr1")
    point = model.initial_point()
    outputs = model.replace_rvs_by_values(
        [model[n] for n in ("A_kr", "A_kr_span", "E_star", "E_b", "H_c")]
    )
    compute = model.compile_fn(outputs, inputs=model.value_vars, on_unused_input="ignore")
    amplitude, span, *shape = compute(point)
    table = dataset.table
    V = [0.0, table["V_mV"].abs().max()]
    T = [table["T_K"].min(), table["T_K"].max()]
    unit = delta_g(
        "kr1", V, T, 0.0, A_kr=1.0, **dict(zip(("E_star", "E_b", "H_c"), shape, strict=True))
    )
    assert amplitude * (unit[1] - unit[0]) == pytest.approx(span, rel=1e-10)


def test_options_change_the_measurement_model(dataset):
    config = load_config("kr1")
    plain = build_model(dataset, "kr1", config.with_measurement(drift=False))
    assert {"curve_offset", "tau_curve"}.isdisjoint(plain.named_vars)
    studentt = build_model(
        dataset, "kr1", config.with_measurement(noise="studentt", background_b2=True)
    )
    assert {"nu", "b2"} <= set(studentt.named_vars)
    point = studentt.initial_point()
    values = _values_at(studentt, point)
    curve_index = pd.factorize(dataset.table["curve"], sort=True)[0]
    mean = values["G_model"] + values["curve_offset"][curve_index]
    expected = stats.t.logpdf(dataset.table["G_e2h"], values["nu"], mean, values["sigma"])
    loglik = studentt.compile_logp(vars=[studentt["G_obs"]], sum=False)(point)[0]
    np.testing.assert_allclose(loglik, expected, rtol=1e-10)


def test_a_single_curve_has_no_offset(dataset):
    one = dataset.select(T_range=(0.1, 0.3), H_range=(0.0, 0.0))
    assert one.table["curve"].nunique() == 1
    assert "curve_offset" not in build_model(one, "kr1").named_vars


def test_bias_window_and_mask_select_the_points(dataset):
    config = load_config("kr1").with_measurement(vmax_mV=1.0, mask_mV=((0.5, 0.7),))
    model = build_model(dataset, "kr1", config)
    V = dataset.table["V_mV"]
    expected = ((V.abs() <= 1.0) & ~((V >= 0.5) & (V <= 0.7))).sum()
    assert len(model.coords["point"]) == expected


def test_config_of_another_model_is_refused(dataset):
    with pytest.raises(ConfigError, match="kr2"):
        build_model(dataset, "kr1", load_config("kr2"))


def test_several_samples_are_refused(dataset):
    frame = pd.concat([dataset.table, dataset.table.assign(sample="other")])
    two = dataset_from_frame(frame, source="test")
    with pytest.raises(ValueError, match="one sample"):
        build_model(two, "kr1")


def _training_subset(dataset, heldout):
    rows = ~dataset.table["curve"].isin(heldout).to_numpy()
    return dataset_from_frame(dataset.table[rows], source="test", samples=dataset.samples)


def test_heldout_curves_leave_the_joint_density_exactly(dataset):
    """Without drift, weighting held-out curves to zero gives the model of the other curves."""
    config = load_config("kr1").with_measurement(drift=False)
    heldout = sorted(dataset.table["curve"].unique())[1:3]
    weighted = build_model(dataset, "kr1", config, heldout_curves=heldout)
    dropped = build_model(_training_subset(dataset, heldout), "kr1", config)
    assert [v.name for v in weighted.free_RVs] == [v.name for v in dropped.free_RVs]
    rng = np.random.default_rng(3)
    for _ in range(3):
        point = {k: v + rng.normal(0, 0.3, np.shape(v)) for k, v in dropped.initial_point().items()}
        assert weighted.compile_logp()(point) == pytest.approx(
            dropped.compile_logp()(point), rel=1e-12
        )
        grad_w, grad_d = weighted.compile_dlogp()(point), dropped.compile_dlogp()(point)
        np.testing.assert_allclose(grad_w, grad_d, rtol=1e-9, atol=1e-9)


def test_heldout_curves_keep_the_full_graph_and_structure(dataset):
    config = load_config("kr1")
    heldout = [sorted(dataset.table["curve"].unique())[0]]
    full = build_model(dataset, "kr1", config)
    refit = build_model(dataset, "kr1", config, heldout_curves=heldout)
    assert [v.name for v in refit.free_RVs] == [v.name for v in full.free_RVs]
    assert len(refit.coords["point"]) == len(full.coords["point"])
    weights = refit["likelihood_weight"].get_value()
    held = dataset.table["curve"].isin(heldout).to_numpy()
    assert np.all(weights[held] == 0) and np.all(weights[~held] == 1)
    # the weights change no constant of the graph: same structure key, one compiled model
    assert model_structure(dataset, config, heldout) == model_structure(dataset, config)
    # the weights sit inside G_obs's density: no potential that would build ΔG a second time
    assert full.potentials == [] and refit.potentials == []


def test_unknown_or_all_heldout_curves_are_refused(dataset):
    with pytest.raises(ValueError, match="no curve"):
        build_model(dataset, "kr1", heldout_curves=["T=99K"])
    with pytest.raises(ValueError, match="leaves no curve"):
        build_model(dataset, "kr1", heldout_curves=list(dataset.table["curve"].unique()))


@pytest.fixture(scope="module")
def splitting_data():
    return simulate("2ck", typical_parameters("2ck"), DESIGN_PRESETS["small"], seed=2)


def _with_delta_med_prior(model_name: str, prior_toml: str):
    """The shipped config of `model_name` with another [priors.delta_med] table."""
    text = (default_config_dir() / f"{model_name}.toml").read_text()
    head, rest = text.split("[priors.delta_med]", 1)
    text = head + "[priors.delta_med]\n" + prior_toml + "\n\n[" + rest.split("\n[", 1)[1]
    return parse_config(tomllib.loads(text), text=text, source="test.toml")


def _splitting_log_density(model):
    """log p(ln E[Δ] = m, signed s_Δ = s) of the model, as a function of plain numbers."""
    mean_rv, width_rv = model["delta_mean_log"], model["delta_width_signed"]
    mean, width = pt.dscalar(), pt.dscalar()
    conditional = clone_replace(pm.logp(mean_rv, mean), {width_rv: width})
    return pytensor.function([mean, width], conditional + pm.logp(width_rv, width))


def test_splitting_mean_keeps_the_configured_prior_of_delta_med(splitting_data):
    """(ln Δ_med, s) -> (ln Δ_med + s²/2, s) has unit Jacobian: the density is the configured
    density of ln Δ_med times that of s, Uniform(0, 1.5) on |s| = ½ Uniform(-1.5, 1.5) on
    the signed s that is sampled, at every point and both signs."""
    model = build_model(splitting_data, "2ck", load_config("2ck"))  # LogUniform(0.01, 5 K)
    assert model["delta_med"] in model.deterministics
    assert model["delta_width"] in model.deterministics
    density = _splitting_log_density(model)
    rng = np.random.default_rng(0)
    for log_median, width in zip(
        rng.uniform(-5.5, 2.5, 40), rng.uniform(0.05, 1.45, 40), strict=True
    ):
        inside = np.log(0.01) < log_median < np.log(5.0)
        expected = -np.log(np.log(500.0)) - np.log(3.0) if inside else -np.inf
        for signed in (width, -width):
            assert float(density(log_median + width**2 / 2, signed)) == pytest.approx(
                expected, rel=1e-10
            )
    draws = pm.draw([model["delta_med"], model["delta_width"]], draws=4000, random_seed=1)
    log_median, width = np.log(draws[0]), draws[1]
    assert abs(np.corrcoef(log_median, width)[0, 1]) < 0.05  # independent, as configured


def test_splitting_mean_is_the_sampler_coordinate_whatever_the_width(splitting_data):
    """The bounds of ln E[Δ] move with s_Δ²/2; its SoftInterval keeps the unconstrained
    coordinate equal to ln E[Δ] inside them, so a step in s_Δ does not move ln E[Δ] (an
    interval transform would: ln E[Δ] - s_Δ²/2, i.e. ln Δ_med, would be held fixed)."""
    model = build_model(splitting_data, "2ck", load_config("2ck"))
    names = [v.name for v in model.value_vars]
    constrained = dict(zip(names, model.unobserved_value_vars, strict=False))
    mean_log = model.compile_fn(
        constrained["delta_mean_log_softclip__"],
        inputs=model.value_vars,
        on_unused_input="ignore",
    )
    point = model.initial_point()
    width_key = model.rvs_to_values[model["delta_width_signed"]].name
    for z in (-3.0, -1.0, 0.5):
        values = [
            float(
                mean_log(point | {"delta_mean_log_softclip__": np.array(z), width_key: np.array(w)})
            )
            for w in (0.0, 0.8, 1.6)  # s_Δ = 0, 0.57, 0.99
        ]
        np.testing.assert_allclose(values, z, atol=1e-3)


def test_other_delta_med_priors_sample_delta_med_itself(splitting_data):
    model = build_model(
        splitting_data,
        "2ck",
        _with_delta_med_prior("2ck", 'dist = "Uniform"\nlower = 0.01\nupper = 2.0'),
    )
    assert "delta_mean_log" not in model.named_vars
    assert model["delta_med"] in model.free_RVs


def test_zero_bias_anchor_keeps_the_configured_prior_of_g0(dataset):
    """G0 -> G0 + ΔG(0, T_min, 0) has unit Jacobian: given the mechanism parameters, the
    anchor's log density is the configured Normal density of the G0 it implies."""
    model = build_model(dataset, "kr1")
    assert model["G0"] in model.deterministics
    mu, sigma = (float(model[f"prior_G0_{a}"].get_value()) for a in ("mu", "sigma"))
    anchor_logp = model.compile_logp(vars=[model["G_zero_bias_cold"]])
    g0_at = model.compile_fn(
        model.replace_rvs_by_values([model["G0"]])[0],
        inputs=model.value_vars,
        on_unused_input="ignore",
    )
    rng = np.random.default_rng(3)
    point = model.initial_point()
    for _ in range(5):
        point = {
            name: value + rng.normal(0.0, 0.3, np.shape(value)) for name, value in point.items()
        }
        point["G_zero_bias_cold"] = np.float64(mu + rng.normal(0.0, 2.0) * sigma)
        g0 = float(g0_at(point))
        assert g0 != pytest.approx(float(point["G_zero_bias_cold"]), abs=1e-6)  # a real shift
        assert float(anchor_logp(point)) == pytest.approx(
            stats.norm.logpdf(g0, mu, sigma), rel=1e-10
        )
    draws = pm.draw([model["G0"], model["A_kr_span"]], draws=4000, random_seed=2)
    assert abs(np.mean(draws[0]) - mu) < 4 * sigma / np.sqrt(4000)
    assert np.std(draws[0]) == pytest.approx(sigma, rel=0.05)
    assert (
        abs(np.corrcoef(draws[0], np.log(draws[1]))[0, 1]) < 0.05
    )  # G0 independent, as configured


def test_the_model_is_even_in_the_signed_splitting_width(splitting_data):
    """The physics sees s_Δ only through ±s_Δ nodes and s_Δ²/2: flipping the sampled sign
    leaves the whole log density and its other gradients unchanged, and delta_width = |s|."""
    model = build_model(splitting_data, "2ck", load_config("2ck"))
    logp, dlogp = model.compile_logp(), model.compile_dlogp()
    width_at = model.compile_fn(
        model.replace_rvs_by_values([model["delta_width"]])[0],
        inputs=model.value_vars,
        on_unused_input="ignore",
    )
    key = model.rvs_to_values[model["delta_width_signed"]].name
    point = model.initial_point()
    rng = np.random.default_rng(4)
    for _ in range(3):
        point = {k: v + rng.normal(0.0, 0.2, np.shape(v)) for k, v in point.items()}
        mirrored = {**point, key: -point[key]}
        assert float(logp(mirrored)) == pytest.approx(float(logp(point)), rel=1e-12)
        assert float(width_at(point)) == pytest.approx(float(width_at(mirrored)), rel=1e-12)
        assert float(width_at(point)) > 0
        gradient, mirrored_gradient = np.asarray(dlogp(point)), np.asarray(dlogp(mirrored))
        names = [v.name for v in model.value_vars]
        index = sum(np.size(point[n]) for n in names[: names.index(key)])
        others = np.arange(gradient.size) != index
        np.testing.assert_allclose(mirrored_gradient[others], gradient[others], rtol=1e-9)
        assert mirrored_gradient[index] == pytest.approx(-gradient[index], rel=1e-9)
