"""Each mechanism recovers its own simulated truth (kr1 is checked in test_fit.py).

Fixed seeds; the small CI design and the shipped 1,500-point examples; all slow.
"""

import pytest

from bayes_zba.data import load_dataset
from bayes_zba.inference import fit
from bayes_zba.simulate import DESIGN_PRESETS, simulate, typical_parameters

EXAMPLES = "data"


@pytest.mark.slow
@pytest.mark.parametrize("model", ["2ck", "kr2", "kk", "wam"])
def test_recovery_on_the_small_design(model, recovery_check):
    dataset = simulate(model, typical_parameters(model), DESIGN_PRESETS["small"], seed=20240502)
    result = fit(dataset, model, seed=3, chains=4, draws=1000, tune=1000, progress=False)
    recovery_check(result, dataset)


@pytest.mark.slow
@pytest.mark.parametrize("model", ["2ck", "kr2", "kr1", "kk", "wam"])
def test_recovery_on_the_shipped_examples(model, recovery_check, request):
    dataset = load_dataset(request.config.rootpath / EXAMPLES / f"{model}.csv")
    result = fit(dataset, model, seed=4, chains=4, draws=1000, tune=1000, progress=False)
    recovery_check(result, dataset)
