"""Diagnostics: good chains pass, each failure mode is flagged, JSON round trip."""

import numpy as np
import xarray as xr

from bayes_zba.inference.diagnostics import Diagnostics, diagnose


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
