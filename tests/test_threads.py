"""Tests of the thread budget: chains sampled at once, capped by study workers' environment."""

import pytest

from bayes_zba.threads import CHAIN_THREADS_ENV, chain_threads, usable_cores


def test_without_a_cap_a_fit_samples_one_chain_per_usable_core(monkeypatch):
    monkeypatch.delenv(CHAIN_THREADS_ENV, raising=False)
    assert usable_cores() >= 1
    assert chain_threads(64) == min(64, usable_cores())
    assert chain_threads(1) == 1


@pytest.mark.parametrize(("cap", "chains", "expected"), [("1", 4, 1), ("3", 4, 3), ("8", 4, 4)])
def test_the_environment_caps_the_chains_sampled_at_once(monkeypatch, cap, chains, expected):
    monkeypatch.setenv(CHAIN_THREADS_ENV, cap)
    assert chain_threads(chains) == expected


@pytest.mark.parametrize("cap", ["0", "two", "-1", ""])
def test_a_cap_that_is_not_a_positive_whole_number_is_refused(monkeypatch, cap):
    monkeypatch.setenv(CHAIN_THREADS_ENV, cap)
    with pytest.raises(ValueError, match=CHAIN_THREADS_ENV):
        chain_threads(4)
