"""Diagnostics: good chains pass, each failure mode is flagged, JSON round trip."""

from types import SimpleNamespace

import numpy as np
import xarray as xr

from bayes_zba.inference.diagnostics import Diagnostics, diagnose, truth_coverage


def chains(seed: int, shift: float = 0.0, draws: int = 1000) -> xr.Dataset:
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(4, draws)) + shift * np.arange(4)[:, None]
    return xr.Dataset({"x": (("chain", "draw"), values)})


def stats(
    seed: int, divergent: int = 0, depth_hits: int = 0, energy_scale: float = 1.0
) -> xr.Dataset:
    rng = np.random.default_rng(seed)
    shape = (4, 1000)
    diverging = np.zeros(shape, bool)
    diverging.flat[:divergent] = True
    hits = np.zeros(shape, bool)
    hits.flat[:depth_hits] = True
    energy = (
        np.cumsum(rng.normal(size=shape), axis=1) if energy_scale < 1 else rng.normal(size=shape)
    )
    return xr.Dataset(
        {
            "diverging": (("chain", "draw"), diverging),
            "reached_max_treedepth": (("chain", "draw"), hits),
            "energy": (("chain", "draw"), energy),
        }
    )


def test_independent_chains_pass():
    result = diagnose(chains(1), stats(2))
    assert result.ok and result.warnings == []
    assert result.max_rhat < 1.01 and result.min_ess_bulk > 400 and len(result.bfmi) == 4


def test_every_failure_is_a_warning():
    result = diagnose(chains(1, shift=1.0, draws=60), stats(2, 3, 5, energy_scale=0.1))
    text = " ".join(result.warnings)
    for word in ("R-hat", "bulk ESS", "tail ESS", "3 divergent", "E-BFMI", "5 draws hit"):
        assert word in text
    assert not result.ok


def test_json_round_trip():
    result = diagnose(chains(3, shift=1.0), stats(4, 1))
    assert Diagnostics.from_json(result.to_json()) == result


def test_truth_coverage_uses_a_one_sided_interval_at_a_bound_of_the_prior():
    rng = np.random.default_rng(5)
    q = 0.5 - np.abs(rng.normal(0.0, 0.05, (4, 500)))  # piled against the bound ½
    centred = rng.normal(2.0, 0.1, (4, 500))
    tree = xr.DataTree.from_dict(
        {
            "posterior": xr.Dataset(
                {"q": (("chain", "draw"), q), "E_star": (("chain", "draw"), centred)}
            )
        }
    )
    priors = {
        "q": {"dist": "TruncatedNormal", "mu": 0.5, "sigma": 0.2, "lower": 0.0, "upper": 0.5},
        "E_star": {"dist": "LogNormal", "median": 2.0, "sigma": 0.5},
    }
    fit = SimpleNamespace(tree=tree, provenance={"priors": priors})
    assert truth_coverage(fit, {"q": 0.5, "E_star": 2.05}) == {"q": True, "E_star": True}
    assert truth_coverage(fit, {"q": 0.2, "E_star": 2.5}) == {"q": False, "E_star": False}
    assert np.quantile(q, 0.95) < 0.5  # the central interval alone would miss the truth ½
    # E_star ~ N(2, 0.1): 2.2 is 2 sd out, outside the 90 % interval (±1.64 sd), inside 99 % (±2.58)
    assert truth_coverage(fit, {"E_star": 2.2}) == {"E_star": False}
    assert truth_coverage(fit, {"E_star": 2.2}, mass=0.99) == {"E_star": True}
    assert truth_coverage(fit, {"E_star": 2.3}, mass=0.99) == {"E_star": False}
