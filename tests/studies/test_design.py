"""Tests of study designs: frozen (data-independent) priors and prior-predictive datasets.

The frozen config must reproduce the data-scaled priors exactly, whatever data it later sees.
"""

import numpy as np
import pytest

from bayes_zba.data import load_dataset
from bayes_zba.data.dataset import round_significant
from bayes_zba.models import DataScales, data_scales, load_config, select_fit_data
from bayes_zba.models.config import DEFAULT_TARGET_ACCEPT, parse_config
from bayes_zba.studies.design import (
    design_dataset,
    fixed_prior_config_text,
    prior_predictive_replications,
    save_replications,
    write_fixed_prior_config,
)
from bayes_zba.studies.recovery import plan_recovery
from bayes_zba.studies.sbc import plan_sbc
from bayes_zba.studies.tasks import SamplerSettings

SCALES = DataScales(g_median=950.0, zba_depth=2.5, noise=0.04, bias_max=5.0, energy_max=58.0)


@pytest.fixture(scope="module")
def small_design():
    return design_dataset("kr2", "small", seed=3)


def test_frozen_config_has_the_scaled_priors_and_no_scales():
    config = load_config("kr2")
    frozen = parse_config_text(fixed_prior_config_text(config, SCALES))
    assert frozen.model == "kr2"
    assert frozen.measurement == config.measurement
    for name, prior in config.priors.items():
        assert frozen.priors[name].dist == prior.dist
        assert frozen.priors[name].on == prior.on  # keys the writer does not know survive
        assert not frozen.priors[name].scale
        assert frozen.priors[name].args == pytest.approx(prior.resolved(SCALES), rel=1e-15)
    assert frozen.resolved_priors(SCALES) == frozen.resolved_priors(
        DataScales(g_median=1.0, zba_depth=1.0, noise=1.0, bias_max=1.0, energy_max=1.0)
    )


def parse_config_text(text: str):
    import tomllib

    return parse_config(tomllib.loads(text), text=text, source="<frozen>")


@pytest.mark.parametrize("model", ["2ck", "kk"])
def test_frozen_config_keeps_the_sampler_table(model):
    """2ck and kk ship a [sampler] table; the frozen config of a study must keep it."""
    config = load_config(model)
    frozen = parse_config_text(fixed_prior_config_text(config, SCALES))
    assert frozen.target_accept == config.target_accept > DEFAULT_TARGET_ACCEPT


def test_frozen_config_keeps_an_infinite_window():
    config = load_config("kr2").with_measurement(vmax_mV=float("inf"), mask_mV=((6.0, 9.0),))
    frozen = parse_config_text(fixed_prior_config_text(config, SCALES))
    assert frozen.measurement.vmax_mV == float("inf")
    assert frozen.measurement.mask_mV == ((6.0, 9.0),)


def test_written_config_uses_the_scales_of_the_fitted_points(tmp_path, small_design):
    config = load_config("kr2")
    path = write_fixed_prior_config(config, small_design, tmp_path / "frozen.toml")
    scales = data_scales(select_fit_data(small_design, config).table)
    assert load_config(path).resolved_priors(SCALES) == config.resolved_priors(scales)


def test_replications_come_from_distinct_prior_draws(tmp_path, small_design):
    config = load_config("kr2")
    replications = prior_predictive_replications(small_design, "kr2", config, n=3, seed=7)
    again = prior_predictive_replications(small_design, "kr2", config, n=3, seed=7)
    fitted = select_fit_data(small_design, config).table
    assert len(replications) == 3
    assert {"A_kr", "E_star", "E_b", "H_c", "G0", "sigma"} <= set(replications[0].truth)
    assert replications[0].truth != replications[1].truth
    assert [r.truth for r in replications] == [r.truth for r in again]
    # by name and to FINGERPRINT_DIGITS, so a study's task specs do not depend on the
    # process's hash seed or on the last bit of a deterministic parameter
    assert list(replications[0].truth) == sorted(replications[0].truth)
    truth = list(replications[0].truth.values())
    assert np.array_equal(round_significant(truth), truth)
    for replication in replications:
        table = replication.dataset.table
        assert np.array_equal(table["V_mV"].to_numpy(), fitted["V_mV"].to_numpy())
        assert replication.dataset.attrs["simulation"]["params"] == replication.truth
        noise = np.std(table["G_e2h"] - replication.truth["G0"])
        assert noise > 0
    paths = save_replications(replications, tmp_path / "data", prefix="kr2")
    assert [p.name for p in paths] == ["kr2-0000.nc", "kr2-0001.nc", "kr2-0002.nc"]
    reloaded = load_dataset(paths[1])
    assert np.allclose(reloaded.table["G_e2h"], replications[1].dataset.table["G_e2h"])


def _sbc_plan(n: int, out):
    return plan_sbc("kr2", n, "small", out, config=None, seed=11, sampler=SamplerSettings())


def _recovery_plan(n: int, out):
    fits, rankings = plan_recovery(["kr2"], n, "small", out, seed=11, sampler=SamplerSettings())
    return fits + rankings


@pytest.mark.parametrize("plan", [_sbc_plan, _recovery_plan], ids=["sbc", "recovery"])
def test_a_study_grown_to_more_datasets_keeps_the_tasks_it_had(tmp_path, plan):
    """Rerunning a study with a larger --n / --n-per-model reuses every finished fit: the
    first datasets, their seeds and so every task spec are those of the smaller study."""
    smaller = plan(2, tmp_path)
    larger = plan(3, tmp_path)
    by_id = {spec["task_id"]: spec for spec in larger}
    assert len(larger) > len(smaller)
    assert all(by_id[spec["task_id"]] == spec for spec in smaller)
