"""Rank statistics of simulation-based calibration: ranks, uniformity tests, ECDF bands.

Ranks after Talts et al. (2018, arXiv:1804.06788); simultaneous ECDF bands after Säilynoja,
Bürkner & Vehtari (2022, Stat. Comput. 32:32), computed by arviz_stats.ecdf_utils.
"""

from dataclasses import asdict, dataclass

import numpy as np
from arviz_stats.ecdf_utils import ecdf_pit
from scipy import stats

#: Posterior draws kept per replication (fewer when the ESS is smaller): ranks in 0..L.
RANK_DRAWS_TARGET = 100
#: Probability of the simultaneous ECDF band drawn around uniform ranks.
BAND_PROB = 0.99
#: Simulations that calibrate the simultaneous band (Säilynoja et al. 2022, §2.2).
BAND_SIMULATIONS = 2000
#: A quantity passes when the chi-square p-value of its ranks is at least this and its ECDF
#: stays inside the BAND_PROB simultaneous band (two 1% tests: about 2% false alarms).
PASS_P_VALUE = 0.01
#: Expected replications per chi-square bin (and bounds on the bin count).
REPLICATIONS_PER_BIN = 5
MIN_BINS, MAX_BINS = 2, 20


def thinning_indices(n_total: int, ess: float, target: int = RANK_DRAWS_TARGET) -> np.ndarray:
    """Evenly spaced indices of min(target, ⌊ess⌋, n_total) draws: about one per ESS unit."""
    keep = int(max(1, min(target, np.floor(ess), n_total)))
    return np.linspace(0, n_total - 1, keep).round().astype(int)


def rank_of_truth(draws: np.ndarray, truth: float, rng: np.random.Generator) -> int:
    """Number of draws below `truth`; ties (discrete quantities) broken uniformly at random."""
    below = int(np.sum(draws < truth))
    ties = int(np.sum(draws == truth))
    return below + int(rng.integers(0, ties + 1))


def fractional_ranks(
    ranks: np.ndarray, n_draws: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """(rank + U)/(L + 1) with U ~ Uniform(0, 1): exactly Uniform(0, 1) under calibration.

    Makes replications with different L comparable and the values continuous, as the
    band and KS computations assume.
    """
    ranks = np.asarray(ranks, dtype=float)
    return (ranks + rng.uniform(size=ranks.shape)) / (np.asarray(n_draws, dtype=float) + 1.0)


def chi_square_bins(n_replications: int) -> int:
    """Bins for the chi-square test: about REPLICATIONS_PER_BIN expected per bin."""
    return int(np.clip(n_replications // REPLICATIONS_PER_BIN, MIN_BINS, MAX_BINS))


@dataclass(frozen=True)
class Uniformity:
    """Uniformity of one parameter's fractional ranks: tests, band check and pass flag."""

    statistic: float  # chi-square of binned fractional ranks
    p_value: float
    n_bins: int
    ks_statistic: float
    ks_p_value: float
    ecdf_in_band: bool  # ECDF inside the BAND_PROB simultaneous band everywhere
    passed: bool  # p_value >= PASS_P_VALUE and ecdf_in_band
    mean_rank: float  # ½ if calibrated; below ½ the posterior sits above the truth
    rank_spread: float  # 12 var(u): 1 if calibrated; > 1 posterior too narrow, < 1 too wide

    def as_dict(self) -> dict[str, float | int | bool]:
        record = asdict(self)
        record["pass"] = record.pop("passed")
        return record


@dataclass(frozen=True)
class EcdfBand:
    """ECDF minus the uniform CDF at `x`, with the simultaneous band (also minus x)."""

    x: np.ndarray
    difference: np.ndarray
    lower: np.ndarray
    upper: np.ndarray

    def contains_ecdf(self) -> bool:
        return bool(np.all((self.difference >= self.lower) & (self.difference <= self.upper)))


@dataclass(frozen=True)
class OutsideDraws:
    """Truths outside every kept draw: posteriors that exclude the truth, counted per end.

    Under calibration rank 0 and rank L each have probability 1/(L + 1), so the counts are
    Poisson-binomial. A χ² of 20 bins or a band over the whole ECDF sees an excess here only
    when it is large; the count sees it directly (2ck chains that agreed on a wrong basin gave
    203 such truths of 1,500 against 84 expected, docs/calibration/README.md). A diagnostic,
    not a pass rule.
    """

    below: int  # rank 0: every kept draw above the truth
    above: int  # rank L: every kept draw below the truth
    expected: float  # expected count at each end if calibrated: Σ 1/(L_i + 1)
    p_value: float  # P(below + above >= observed) if calibrated

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def outside_draws(ranks: np.ndarray, n_draws: np.ndarray) -> OutsideDraws:
    """Count truths at rank 0 and rank L_i, with the exact tail probability of their sum."""
    ranks, n_draws = np.asarray(ranks), np.asarray(n_draws)
    below, above = int(np.sum(ranks == 0)), int(np.sum(ranks == n_draws))
    per_end = 1.0 / (n_draws + 1.0)
    return OutsideDraws(
        below=below,
        above=above,
        expected=float(per_end.sum()),
        p_value=poisson_binomial_tail(np.minimum(2.0 * per_end, 1.0), below + above),
    )


def poisson_binomial_tail(probabilities: np.ndarray, count: int) -> float:
    """P(Σ_i B_i >= count) for independent B_i ~ Bernoulli(probabilities[i]), exactly."""
    pmf = np.ones(1)
    for p in probabilities:
        pmf = np.convolve(pmf, [1.0 - p, p])
    return float(min(1.0, pmf[count:].sum()))


def ecdf_difference_band(u: np.ndarray, seed: int, prob: float = BAND_PROB) -> EcdfBand:
    """ECDF-difference of fractional ranks `u` with a simultaneous `prob` band.

    Reuses arviz_stats.ecdf_utils.ecdf_pit (the simulation method of Säilynoja et al.):
    it assumes continuous Uniform(0, 1) values under the null, which fractional ranks are.
    """
    x, ecdf, lower, upper = ecdf_pit(
        np.asarray(u, dtype=float), prob, BAND_SIMULATIONS, rng=np.random.default_rng(seed)
    )
    return EcdfBand(x=x, difference=ecdf - x, lower=lower - x, upper=upper - x)


def uniformity(u: np.ndarray, seed: int) -> Uniformity:
    """Chi-square (binned), KS and simultaneous-band checks of Uniform(0, 1) for ranks `u`."""
    u = np.asarray(u, dtype=float)
    n_bins = chi_square_bins(u.size)
    counts, _ = np.histogram(u, bins=n_bins, range=(0.0, 1.0))
    chi_square = stats.chisquare(counts)
    ks = stats.kstest(u, "uniform")
    in_band = ecdf_difference_band(u, seed).contains_ecdf()
    return Uniformity(
        statistic=float(chi_square.statistic),
        p_value=float(chi_square.pvalue),
        n_bins=n_bins,
        ks_statistic=float(ks.statistic),
        ks_p_value=float(ks.pvalue),
        ecdf_in_band=in_band,
        passed=bool(chi_square.pvalue >= PASS_P_VALUE and in_band),
        mean_rank=float(u.mean()),
        rank_spread=float(12.0 * u.var()),
    )
