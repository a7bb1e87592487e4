"""The Bayesian scaling model: graph, points it sees, derived Table I numbers, and a real fit.

The fit (slow) runs on data that obey the Ansatz exactly, so α and Γ1 have known truths.
"""

import numpy as np
import pytest
from scaling_data import SAMPLE_ONE, scaling_dataset, window_truth

from bayes_zba.models import MODEL_CONDUCTANCE, load_config, select_fit_data
from bayes_zba.physics.tables import gamma_geometry
from bayes_zba.scaling.bayesian import (
    MEASUREMENT_REFERENCE,
    MECHANISM_POINTS,
    ScalingGeometry,
    ScalingModelSpec,
    build_scaling_model,
    derived_quantities,
    scaling_fit_data,
)
from bayes_zba.scaling.collapse import reduced_bias
from bayes_zba.scaling.fitting import SamplerSettings, fit_scaling, posterior_summary

#: The mechanism config whose measurement model and priors the scaling model shares.
CONFIG = load_config(MEASUREMENT_REFERENCE)
TEMPERATURES = (0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0, 1.4, 2.0)


def test_fit_points_respect_the_temperature_and_reduced_bias_limits():
    dataset = scaling_dataset(temperatures=TEMPERATURES)
    data = scaling_fit_data(dataset, CONFIG, ScalingModelSpec(t_max_K=1.0, v_fit_max=9.0))
    table = data.table
    assert table["T_K"].max() == pytest.approx(1.0)
    assert np.abs(reduced_bias(table["V_mV"], table["T_K"])).max() <= 9.0
    assert data.attrs["selections"][-1]["op"] == "reduced_bias_window"


def test_mechanism_points_spec_keeps_exactly_the_points_of_a_mechanism_fit():
    dataset = scaling_dataset(temperatures=TEMPERATURES)
    ours = scaling_fit_data(dataset, CONFIG, MECHANISM_POINTS).table
    theirs = select_fit_data(dataset, CONFIG).table
    assert ours.equals(theirs)


def test_model_has_the_contract_names_and_dims():
    model = build_scaling_model(scaling_dataset(temperatures=TEMPERATURES), CONFIG)
    free = {rv.name for rv in model.free_RVs}
    assert free == {"alpha", "b_ref", "Phi_rise", "G0", "tau_curve", "curve_offset", "sigma"}
    assert MODEL_CONDUCTANCE in model.named_vars
    assert model.named_vars_to_dims["Phi_rise"] == ("knot",)
    assert model.named_vars_to_dims["G_obs"] == ("point",)
    assert len(model.coords["curve"]) == len(TEMPERATURES)


def test_derived_numbers_of_the_true_scaling_function_are_its_window_truth():
    """Φ = B_Σ T_ref^½ Γ_a(A w²) put into the spline by least squares gives Table I's truth."""
    T_ref, B = 0.5, SAMPLE_ONE["B_sigma"]
    geometry = ScalingGeometry.of_points(np.array([0.0, 1.0]), np.array([T_ref, T_ref]), 0.5)
    spline = geometry.spline
    w = np.linspace(0.0, spline.w_end, 400)
    b_ref = B * T_ref**0.5
    target = b_ref * gamma_geometry(SAMPLE_ONE["A"] * w**2, SAMPLE_ONE["a_geom"], np) - b_ref
    columns = np.stack(
        [spline.evaluate(w, spline.coefficients(0.0, e, np), np) for e in np.eye(spline.n_free)],
        axis=1,
    )
    rise = np.linalg.lstsq(columns, target, rcond=None)[0]
    derived = derived_quantities(geometry, np.array([0.5]), np.array([b_ref]), rise[None, :])
    slope, gamma1 = window_truth()
    assert derived["B_sigma"][0] == pytest.approx(B)
    assert derived["Gamma1"][0] == pytest.approx(gamma1, abs=5e-3)
    assert derived["F0"][0] == pytest.approx(B * slope, rel=5e-3)
    assert derived["F1"][0] == pytest.approx(B * gamma1, rel=1e-2)


@pytest.mark.slow
def test_fit_recovers_alpha_and_gamma1_of_exact_scaling_data():
    """Sample-1 scaling (paper I Table I) with noise 0.07 and drift 0.3 e²/h, T <= 2 K."""
    dataset = scaling_dataset(temperatures=TEMPERATURES, noise=0.07, drift=0.3, seed=11)
    fit = fit_scaling(dataset, CONFIG, settings=SamplerSettings(seed=3, draws=500, tune=500))
    summary = posterior_summary(fit)
    _, gamma1 = window_truth()
    assert fit.diagnostics.n_divergent == 0
    assert fit.diagnostics.max_rhat <= 1.02
    assert summary["alpha"]["q05"] <= 0.5 <= summary["alpha"]["q95"]
    assert summary["Gamma1"]["q05"] <= gamma1 <= summary["Gamma1"]["q95"]
    assert summary["B_sigma"]["q05"] <= SAMPLE_ONE["B_sigma"] <= summary["B_sigma"]["q95"]
    log_likelihood = fit.tree["log_likelihood"]
    assert set(log_likelihood.data_vars) == {"G_obs", "G_curve"}
    assert log_likelihood["G_curve"].sizes["curve"] == len(TEMPERATURES)
    assert fit.model == "scaling"
