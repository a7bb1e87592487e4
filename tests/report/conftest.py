"""Session fixtures for report tests: simulated kr2 data, Fits over fake trees, rankings, reports.

Everything is built once per session (reports take seconds); no sampler runs here.
"""

import warnings
from dataclasses import replace

import pytest
from report_fixtures import fixture_fit, simulated_table

from bayes_zba.compare import rank
from bayes_zba.compare.verdict import Health, Standing, decide
from bayes_zba.data import dataset_from_frame
from bayes_zba.report.fit_report import sample_sweeps, write_fit_report
from bayes_zba.report.ranking_report import write_ranking_report
from bayes_zba.report.views import predictive_from_fit

#: Bias window of the fixture fits [mV]; the dataset extends beyond it.
FIT_WINDOW_MV = 2.5
RANKED_MODELS = ("kr2", "kr1", "kk")


@pytest.fixture(scope="session")
def dataset():
    """Simulated kr2 data: seven temperatures at H = 0 and two field curves, |V| ≤ 3 mV."""
    return dataset_from_frame(simulated_table("kr2", seed=11), source="report test fixture")


@pytest.fixture(scope="session")
def fits(dataset):
    """Fits of three models on the windowed data over fake posteriors (kr2 near the truth)."""
    table = dataset.window(FIT_WINDOW_MV).table
    return {model: fixture_fit(table, model, seed=20 + i) for i, model in enumerate(RANKED_MODELS)}


@pytest.fixture(scope="session")
def ranking(fits):
    """rank() of the fixture fits (their fake posteriors make PSIS k̂ high: "unreliable").

    The fake posteriors' extreme log-likelihood spreads make ArviZ's Pareto fits overflow;
    those RuntimeWarnings say nothing about the reports and are silenced here only.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return rank(fits)


@pytest.fixture(scope="session")
def decisive_ranking(ranking):
    """The same scores judged with healthy fits: compare's own decide() gives "decisive"."""
    standings = [Standing(s.model, s.elpd_diff, s.dse) for s in ranking.scores]
    health = {
        m: Health(m, 0, 1.001, {"curve_cv": (0, 9), "loo": (0, 300)}, 4, 1.002)
        for m in RANKED_MODELS
    }
    verdict = decide(standings, standings, health, criterion="curve_cv", crosscheck_criterion="loo")
    return replace(ranking, verdict=verdict)


@pytest.fixture(scope="session")
def data(dataset):
    """The dataset's sweeps as the reports draw them."""
    return sample_sweeps(dataset, dataset.sample_names()[0])


@pytest.fixture(scope="session")
def predictions(fits):
    """Posterior-predictive views of the three fixture fits."""
    return [predictive_from_fit(fit) for fit in fits.values()]


@pytest.fixture(scope="session")
def fit_report_files(fits, dataset, tmp_path_factory):
    return write_fit_report(fits["kr2"], tmp_path_factory.mktemp("fit-report"), dataset=dataset)


@pytest.fixture(scope="session")
def ranking_report_files(decisive_ranking, fits, dataset, tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("ranking-report")
    return write_ranking_report(decisive_ranking, fits, dataset, out_dir)
