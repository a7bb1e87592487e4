"""Prior families' sampler transforms: the soft interval of shifted log-uniform priors."""

import numpy as np
import pymc as pm
import pytensor
import pytensor.tensor as pt
import pytest

from bayes_zba.models.priors import SoftInterval


@pytest.fixture(scope="module")
def soft_interval():
    """backward, forward and log|dy/dz| of SoftInterval on (a, b), compiled once."""
    z, y, a, b = pt.dscalars("z", "y", "a", "b")
    inputs = (None, None, a, b)  # a Uniform's RandomVariable inputs: rng, size, lower, upper
    transform = SoftInterval()
    return (
        pytensor.function([z, a, b], transform.backward(z, *inputs)),
        pytensor.function([y, a, b], transform.forward(y, *inputs)),
        pytensor.function([z, a, b], transform.log_jac_det(z, *inputs)),
    )


def test_soft_interval_maps_the_line_onto_the_interval_and_back(soft_interval):
    backward, forward, _ = soft_interval
    a, b = np.log(0.01) + 0.3, np.log(5.0) + 0.3
    z = np.concatenate([np.linspace(-24.0, 24.0, 81), [a, b, 0.5 * (a + b)]])
    y = np.array([backward(x, a, b) for x in z])
    assert np.all((y > a) & (y < b)) and np.all(np.diff(y[:81]) > 0)
    interior = (z > a + 2.0) & (z < b - 2.0)
    np.testing.assert_allclose(y[interior], z[interior], atol=0.25)
    inside = (y > a + 1e-6) & (y < b - 1e-6)  # farther out, y - a is below its rounding
    roundtrip = np.array([forward(v, a, b) for v in y[inside]])
    np.testing.assert_allclose(roundtrip, z[inside], rtol=0, atol=1e-8)


def test_soft_interval_log_jacobian_is_the_log_derivative(soft_interval):
    backward, _, log_jacobian = soft_interval
    a, b, h = -2.0, 4.5, 1e-6
    for z in (-9.0, -2.5, 0.0, 1.3, 4.4, 11.0):
        slope = (backward(z + h, a, b) - backward(z - h, a, b)) / (2 * h)
        assert float(log_jacobian(z, a, b)) == pytest.approx(np.log(slope), abs=1e-7)


def test_soft_interval_keeps_the_uniform_density():
    """Draws pushed through the density in z reproduce Uniform(a, b) (probability mass
    conservation: ∫ p(y(z)) |dy/dz| dz = 1)."""
    with pm.Model() as model:
        pm.Uniform("y", lower=-1.0, upper=2.0, default_transform=SoftInterval())
    logp = model.compile_logp()
    z = np.linspace(-40.0, 40.0, 200_001)
    density = np.exp([logp({"y_softclip__": v}) for v in z[::100]])
    mass = np.trapezoid(density, z[::100])
    assert mass == pytest.approx(1.0, abs=1e-4)
