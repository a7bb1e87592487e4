"""Model configs: shipped files parse and cover every parameter; every error path names file+key."""

import math
from pathlib import Path

import numpy as np
import pytest

from bayes_zba.models import ConfigError, DataScales, load_config
from bayes_zba.models.config import (
    DEFAULT_TARGET_ACCEPT,
    MEASUREMENT_PARAMETERS,
    default_config_dir,
    model_parameters,
)
from bayes_zba.physics.mechanisms import REGISTRY

SHIPPED = sorted(p.stem for p in default_config_dir().glob("*.toml"))
SCALES = DataScales(g_median=2800.0, zba_depth=20.0, noise=0.05, bias_max=5.0, energy_max=58.0)

GOOD = """
model = "kr1"
description = "test"

[measurement]
vmax_mV = 3.0
mask_mV = [[-2.0, -1.5], [1.5, 2.0]]
background_b2 = true
drift = false
noise = "studentt"

[priors.A_kr]
on = "span"
dist = "LogNormal"
median = 0.2
sigma = 1.0
scale = "zba_depth / energy_max^0.5"
unit = "e²/h K⁻¹"
why = "test"

[priors.E_star]
dist = "TruncatedNormal"
mu = 2.0
sigma = 1.0
lower = 0.1

[priors.E_b]
dist = "Uniform"
lower = 4.0
upper = 40.0

[priors.H_c]
dist = "LogUniform"
lower = 0.3
upper = 50.0

[priors.G0]
dist = "Normal"
mu = 1.0
sigma = 2.0
scale = { mu = "g_median", sigma = "zba_depth" }

[priors.b2]
dist = "Normal"
mu = 0.0
sigma = 1.0
scale = { sigma = "zba_depth / bias_max^2" }

[priors.sigma]
dist = "HalfNormal"
sigma = 3.0
scale = "noise"

[priors.nu]
dist = "Gamma"
mu = 20.0
sigma = 14.0
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "custom.toml"
    path.write_text(text, encoding="utf-8")
    return path


def edited(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


@pytest.mark.parametrize("model", sorted(REGISTRY))
def test_every_registered_mechanism_has_a_shipped_config(model):
    assert model in SHIPPED


@pytest.mark.parametrize("model", SHIPPED)
def test_shipped_config_covers_every_parameter_with_unit_and_reason(model):
    config = load_config(model)
    assert config.model == model
    assert set(config.priors) == set(model_parameters(model))
    for prior in config.priors.values():
        assert prior.unit and prior.why, prior.name
    resolved = config.resolved_priors(SCALES)
    assert set(resolved) == set(REGISTRY[model].parameter_names) | {"G0", "tau_curve", "sigma"}


@pytest.mark.parametrize("model", SHIPPED)
def test_shipped_defaults_follow_physics_md(model):
    options = load_config(model).measurement
    assert (options.vmax_mV, options.background_b2, options.drift, options.noise) == (
        5.0,
        False,
        True,
        "normal",
    )


def test_good_file_parses_options_and_scaled_priors(tmp_path):
    config = load_config(write(tmp_path, GOOD))
    assert config.measurement.mask_mV == ((-2.0, -1.5), (1.5, 2.0))
    assert config.measurement.used_parameters() == ("G0", "b2", "sigma", "nu")
    assert config.text == GOOD
    resolved = config.resolved_priors(SCALES)
    assert resolved["A_kr"]["median"] == pytest.approx(0.2 * 20.0 / math.sqrt(58.0))
    assert resolved["G0"] == {"mu": 2800.0, "sigma": 40.0}
    assert resolved["b2"]["sigma"] == pytest.approx(20.0 / 25.0)
    assert resolved["E_star"] == {"mu": 2.0, "sigma": 1.0, "lower": 0.1}
    assert "tau_curve" not in resolved
    assert config.span_parameter == "A_kr"


def test_sampler_table_sets_target_accept(tmp_path):
    assert load_config(write(tmp_path, GOOD)).target_accept == DEFAULT_TARGET_ACCEPT == 0.9
    table = '[sampler]\ntarget_accept = 0.97\nwhy = "curved ridge"\n\n[priors.A_kr]'
    assert load_config(write(tmp_path, edited("[priors.A_kr]", table))).target_accept == 0.97


def test_with_measurement_overrides_and_records(tmp_path):
    config = load_config(write(tmp_path, GOOD)).with_measurement(vmax_mV=1.0)
    assert config.measurement.vmax_mV == 1.0
    assert config.overrides == {"vmax_mV": 1.0}


BAD = [
    ("file", "model = ", "model = = "),
    ("nope", "model = ", "nope = 1\nmodel = "),
    ("model", 'model = "kr1"', ""),
    ("model", 'model = "kr1"', 'model = "kr9"'),
    ("model", 'model = "kr1"', "model = 1"),
    ("measurement.vmax", "vmax_mV = 3.0", "vmax = 3.0"),
    ("measurement.vmax_mV", "vmax_mV = 3.0", "vmax_mV = -1.0"),
    ("measurement.vmax_mV", "vmax_mV = 3.0", "vmax_mV = true"),
    ("measurement.noise", 'noise = "studentt"', 'noise = "cauchy"'),
    ("measurement.drift", "drift = false", 'drift = "no"'),
    ("measurement.mask_mV", "mask_mV = [[-2.0, -1.5], [1.5, 2.0]]", "mask_mV = [[1.0]]"),
    ("measurement.mask_mV", "mask_mV = [[-2.0, -1.5], [1.5, 2.0]]", "mask_mV = [[2.0, 1.0]]"),
    ("priors.E_b.dist", 'dist = "Uniform"', 'dist = "Cauchy"'),
    ("priors.E_b.dist", 'dist = "Uniform"', ""),
    ("priors.E_b.mu", "lower = 4.0\nupper = 40.0", "lower = 4.0\nupper = 40.0\nmu = 1.0"),
    ("priors.E_b.upper", "lower = 4.0\nupper = 40.0", "lower = 4.0"),
    ("priors.E_b.upper", "lower = 4.0\nupper = 40.0", "lower = 5.0\nupper = 5.0"),
    ("priors.E_b.upper", "lower = 4.0\nupper = 40.0", "lower = 4.0\nupper = nan"),
    ("priors.E_b", "lower = 4.0\nupper = 40.0", "lower = 1.0\nupper = 40.0"),
    ("priors.H_c.lower", "lower = 0.3\nupper = 50.0", "lower = -1.0\nupper = 50.0"),
    ("priors.sigma.sigma", "sigma = 3.0\nscale", "sigma = -3.0\nscale"),
    ("priors.nu.sigma", "sigma = 14.0", "sigma = 0.0"),
    ("priors.A_kr.scale", 'scale = "zba_depth / energy_max^0.5"', 'scale = "depth"'),
    ("priors.A_kr.scale", 'scale = "zba_depth / energy_max^0.5"', 'scale = "zba_depth //"'),
    (
        "priors.A_kr.scale.sigma",
        'scale = "zba_depth / energy_max^0.5"',
        'scale = {sigma = "noise"}',
    ),
    ("priors.A_kr", 'dist = "LogNormal"\nmedian = 0.2', 'dist = "Normal"\nmu = 0.2'),
    ("priors.A_kr.unit", 'unit = "e²/h K⁻¹"', "unit = 1"),
    (
        "priors.nu.scale",
        'dist = "Gamma"\nmu = 20.0\nsigma = 14.0',
        'dist = "Beta"\nalpha = 2.0\nbeta = 2.0\nscale = "noise"',
    ),
    ("priors.G0.sigma", "mu = 1.0\nsigma = 2.0", "mu = 1.0\nsigma = 0"),
    ("priors.sigmas", "[priors.sigma]\n", "[priors.sigmas]\n"),
    ("prior", "[priors.A_kr]", "[prior.A_kr]"),
    ("sampler.target_accept", "[priors.A_kr]", "[sampler]\ntarget_accept = 1.0\n\n[priors.A_kr]"),
    (
        "sampler.target_accept",
        "[priors.A_kr]",
        '[sampler]\ntarget_accept = "high"\n\n[priors.A_kr]',
    ),
    ("sampler.step", "[priors.A_kr]", "[sampler]\nstep = 0.1\n\n[priors.A_kr]"),
    ("priors.A_kr.on", 'on = "span"', 'on = "amplitude"'),
    (
        "priors.sigma.on",
        'dist = "HalfNormal"\nsigma = 3.0',
        'on = "span"\ndist = "HalfNormal"\nsigma = 3.0',
    ),
    (
        "priors.H_c.on",
        'dist = "LogUniform"\nlower = 0.3',
        'on = "span"\ndist = "LogUniform"\nlower = 0.3',
    ),
]


@pytest.mark.parametrize(
    ("key", "old", "new"), BAD, ids=[f"{k}-{i}" for i, (k, _, _) in enumerate(BAD)]
)
def test_bad_config_names_file_and_key(tmp_path, key, old, new):
    path = write(tmp_path, edited(old, new))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.source == str(path)
    assert caught.value.key == key, str(caught.value)
    assert str(path) in str(caught.value) and key in str(caught.value)


def without_prior(name: str) -> str:
    start = GOOD.index(f"[priors.{name}]")
    end = GOOD.find("[priors.", start + 1)
    return GOOD[:start] + (GOOD[end:] if end >= 0 else "")


@pytest.mark.parametrize("name", ["E_star", "G0", "sigma", "b2", "nu"])
def test_a_used_parameter_without_prior_is_an_error(tmp_path, name):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, without_prior(name)))
    assert caught.value.key == f"priors.{name}"


def test_unused_measurement_parameters_need_no_prior(tmp_path):
    text = without_prior("b2").replace("background_b2 = true", "background_b2 = false")
    assert "b2" not in load_config(write(tmp_path, text)).priors


def test_a_config_without_priors_is_an_error(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, 'model = "kr1"\n'))
    assert caught.value.key == "priors"


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "absent.toml")


def test_scaled_prior_leaving_its_bounds_fails_when_resolved(tmp_path):
    text = edited("lower = 4.0\nupper = 40.0", 'lower = 0.5\nupper = 1.5\nscale = "zba_depth"')
    config = load_config(write(tmp_path, text))
    assert config.resolved_priors(SCALES)["E_b"] == {"lower": 10.0, "upper": 30.0}
    with pytest.raises(ConfigError) as caught:
        config.resolved_priors(DataScales(2800.0, 100.0, 0.05, 5.0, 58.0))
    assert caught.value.key == "priors.E_b"


def test_measurement_parameters_have_bounds_for_their_priors():
    assert MEASUREMENT_PARAMETERS["sigma"].lower == 0.0
    assert MEASUREMENT_PARAMETERS["G0"].lower == -math.inf


@pytest.mark.parametrize("model", SHIPPED)
def test_shipped_priors_cover_the_whole_physics_support(model):
    config = load_config(model)
    resolved = config.resolved_priors(SCALES)
    for parameter in REGISTRY[model].parameters:
        prior = config.priors[parameter.name]
        if prior.on == "span":
            continue
        lower, upper = prior.distribution.support(resolved[parameter.name])
        assert lower <= parameter.lower or np.isclose(lower, parameter.lower, rtol=1e-6), parameter
        assert upper >= parameter.upper or np.isclose(upper, parameter.upper, rtol=1e-6), parameter


@pytest.mark.parametrize("model", SHIPPED)
def test_span_priors_are_on_the_amplitude_delta_g_is_proportional_to(model):
    """tests/physics checks ΔG ∝ Mechanism.amplitude; the shipped configs use it."""
    assert load_config(model).span_parameter == REGISTRY[model].amplitude
