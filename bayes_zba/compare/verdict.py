"""The verdict of a model comparison: the one place that turns elpd numbers into words.

A pure function of the comparison numbers and diagnostics; its rule table (VERDICT_RULES)
is rendered into every ranking report.

Rules, in order (the numbers are the constants below):

1. Contenders are the leader on the headline criterion, the runner-up, and every model
   the leader does not separate from (|Δelpd| < MIN_ELPD_DIFF or < INCONCLUSIVE_DSE·dSE).
2. "unreliable" when a contender's fit has divergent transitions or its chains disagree on
   the predictions the criteria use (R-hat of a curve's log-likelihood > RHAT_MAX),
   when the leader keeps headline units (curves, or points) with Pareto k̂ above the
   threshold that no exact refit replaced (beyond MAX_UNRESOLVED_HIGH_K), or when PSIS-LOO
   over points and leave-one-curve-out CV each separate their two winners, in opposite
   order. Unresolved high k̂ in any other model only adds a caveat: at high k̂ the PSIS
   elpd is typically optimistic (Vehtari et al. 2017, 2024; tests/compare shows it), so it
   cannot lift a model past the leader, only hide how far behind it is. Sampling problems
   of a trailing model are caveats too, and so are those of a runner-up that would lose
   decisively even at its best chain (see `beaten_at_best_chain`). A contender whose
   parameters have R-hat > RHAT_MAX while every curve log-likelihood has R-hat ≤ RHAT_MAX
   gets a caveat: the elpd is a functional of those log-likelihood draws only, and the
   chains agree on them (typically a weakly identified parameter that barely moves the
   predictions, such as the spread s_Δ of TLS splittings); its estimates still need
   longer chains, which the fit report says. A chain the fit ran again because it was
   stranded far below the others (inference.restarts) is a caveat of its model.
3. Otherwise the gap between leader and runner-up decides: "inconclusive" if
   |Δelpd| < MIN_ELPD_DIFF or |Δelpd| < INCONCLUSIVE_DSE·dSE (the winner is then the tied
   set); "decisive" if |Δelpd| ≥ MIN_ELPD_DIFF and |Δelpd| ≥ DECISIVE_DSE·dSE; "leaning"
   in between.

Why these numbers. Below |Δelpd| = 4 two models predict alike and dSE itself is unreliable
(Sivula et al. 2025, arXiv:2008.10296; ArviZ's compare flags the same). Within 2 dSE a
normal approximation still gives the runner-up a few per cent chance of being better.
The headline criterion has few units (about ten curves), where dSE is known to be
underestimated and the error distribution skewed; 4 dSE keeps the reversal probability at
about 2% even if dSE is too small by a factor of two, which is what "decisive" promises.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bayes_zba.rhat import RHAT_MAX, rhat_text

MIN_ELPD_DIFF = 4.0
INCONCLUSIVE_DSE = 2.0
DECISIVE_DSE = 4.0
#: Appended to a sampling problem of a model beaten even at its best chain.
OUTPACED_NOTE = (
    " (it trails by more than its best single chain could make up, so this cannot change "
    "the ranking unless its sampler missed a region of much better fit)"
)
MAX_DIVERGENT = 0
#: Largest tolerated fraction of units with unresolved high k̂, per criterion: every curve
#: is ~10% of a sample and must be exact; a few odd points among ~1000 bias little.
MAX_UNRESOLVED_HIGH_K = {"curve_cv": 0.0, "loo": 0.01}

CRITERION_TEXT = {
    "curve_cv": "leave-one-curve-out cross-validation",
    "loo": "PSIS-LOO over points",
}


def _tolerance(unit: str, criterion: str) -> str:
    fraction = MAX_UNRESOLVED_HIGH_K[criterion]
    return f"any {unit}" if fraction == 0 else f"more than {fraction:.0%} of {unit}s"


VERDICT_RULES: tuple[tuple[str, str], ...] = (
    (
        "unreliable",
        f"a contender (leader, runner-up, or a model tied with the leader) has divergent "
        f"transitions (> {MAX_DIVERGENT}) or a curve log-likelihood with R-hat > {RHAT_MAX} "
        f"(parameter R-hat alone is a caveat), unless the leader beats it "
        f"decisively even after crediting it log(chains) per unit (its best single chain); "
        f"or the leader has Pareto k̂ "
        f"above the threshold without an exact refit on the headline criterion "
        f"({_tolerance('curve', 'curve_cv')} for curve CV, {_tolerance('point', 'loo')} for "
        f"LOO over points); or LOO over points and curve CV each separate their two winners, "
        f"in opposite order",
    ),
    (
        "inconclusive",
        f"|Δelpd| between the best two < {MIN_ELPD_DIFF:g} or < {INCONCLUSIVE_DSE:g}·dSE; "
        f"every model within that band of the leader is named",
    ),
    (
        "leaning",
        f"|Δelpd| ≥ {MIN_ELPD_DIFF:g} and ≥ {INCONCLUSIVE_DSE:g}·dSE but < {DECISIVE_DSE:g}·dSE",
    ),
    ("decisive", f"|Δelpd| ≥ {MIN_ELPD_DIFF:g} and ≥ {DECISIVE_DSE:g}·dSE"),
)


@dataclass(frozen=True)
class Standing:
    """A model on one criterion, relative to that criterion's best model (elpd_diff ≤ 0)."""

    model: str
    elpd_diff: float
    dse: float


@dataclass(frozen=True)
class Health:
    """What the verdict needs to know about one model's fit and its elpd estimates."""

    model: str
    n_divergent: int
    max_rhat: float
    #: criterion -> (units with k̂ above threshold and not refit, units in total)
    unresolved_high_k: Mapping[str, tuple[int, int]]
    n_chains: int
    #: largest R-hat of the curve log-likelihoods (the draws every elpd is computed from)
    max_rhat_predictive: float
    #: stranded chains the fit ran again (inference.restarts): a caveat, never a reason
    restarts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verdict:
    """Label, winner (one model, the tied set, or none when unreliable) and a plain sentence."""

    label: str
    winner: tuple[str, ...]
    leader: str
    sentence: str
    reasons: tuple[str, ...] = ()
    caveats: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {
            "label": self.label,
            "winner": list(self.winner),
            "leader": self.leader,
            "sentence": self.sentence,
            "reasons": list(self.reasons),
            "caveats": list(self.caveats),
        }

    @classmethod
    def from_json(cls, data: Mapping) -> "Verdict":
        return cls(
            label=data["label"],
            winner=tuple(data["winner"]),
            leader=data["leader"],
            sentence=data["sentence"],
            reasons=tuple(data["reasons"]),
            caveats=tuple(data["caveats"]),
        )


def separation(elpd_diff: float, dse: float) -> str:
    """Rule 3: "inconclusive", "leaning" or "decisive" for a gap elpd_diff ± dse."""
    gap = abs(elpd_diff)
    if gap < MIN_ELPD_DIFF or gap < INCONCLUSIVE_DSE * dse:
        return "inconclusive"
    return "decisive" if gap >= DECISIVE_DSE * dse else "leaning"


def contenders(standings: Sequence[Standing]) -> list[str]:
    """Leader, runner-up and every model tied with the leader (rule 1), best first."""
    tied = [s.model for s in standings[2:] if separation(s.elpd_diff, s.dse) == "inconclusive"]
    return [s.model for s in standings[:2]] + tied


def decide(
    headline: Sequence[Standing],
    crosscheck: Sequence[Standing],
    health: Mapping[str, Health],
    *,
    criterion: str,
    crosscheck_criterion: str,
) -> Verdict:
    """The verdict from both criteria's standings (best first) and each model's health."""
    leader, runner_up = headline[0], headline[1]
    contending = contenders(headline)
    ordered = [s.model for s in headline]
    sampling = {m: _sampling_problems(health[m]) for m in ordered}
    advisory = {m: _parameter_rhat_caveat(health[m]) for m in ordered}
    high_k = {m: _high_k_problem(health[m], criterion) for m in ordered}
    outpaced = [
        s.model for s in headline[1:] if beaten_at_best_chain(s, health[s.model], criterion)
    ]
    at_stake = [m for m in contending if m not in outpaced]
    reasons = [p for m in at_stake for p in sampling[m]] + high_k[leader.model]
    reasons += _crosscheck_conflict(headline, crosscheck, criterion, crosscheck_criterion)
    caveats = [
        p + (OUTPACED_NOTE if m in outpaced else "")
        for m in ordered
        if m not in at_stake
        for p in sampling[m]
    ]
    caveats += [p for m in ordered for p in advisory[m]]
    caveats += [f"{m}: {restart}" for m in ordered for restart in health[m].restarts]
    caveats += [p for m in ordered if m != leader.model for p in high_k[m]]
    caveats += [p for m in contending for p in _high_k_problem(health[m], crosscheck_criterion)]
    if reasons:
        label, winner = "unreliable", ()
    else:
        label = separation(runner_up.elpd_diff, runner_up.dse)
        winner = tuple(contending) if label == "inconclusive" else (leader.model,)
    sentence = _sentence(label, winner, leader, runner_up, criterion, reasons)
    return Verdict(label, winner, leader.model, sentence, tuple(reasons), tuple(caveats))


def beaten_at_best_chain(standing: Standing, health: Health, criterion: str) -> bool:
    """Whether the leader beats this model decisively even if its best chain were right.

    Chains stuck in different modes pool into a predictive density that is, at every unit,
    at least 1/C of any single chain's (C chains), so no chain alone scores more than
    n_units·log C above the pooled elpd. A model still decisively behind after that credit
    cannot overtake the leader by mixing better among the modes its chains found; its R-hat
    and divergences are then caveats (an unexplored region of its posterior is not bounded
    by this, which the caveat says).
    """
    n_units = health.unresolved_high_k.get(criterion, (0, 0))[1]
    credit = n_units * math.log(max(health.n_chains, 1))
    credited = Standing(standing.model, min(standing.elpd_diff + credit, 0.0), standing.dse)
    return separation(credited.elpd_diff, credited.dse) == "decisive"


def _sampling_problems(health: Health) -> list[str]:
    problems = []
    if health.n_divergent > MAX_DIVERGENT:
        problems.append(f"{health.model}: {health.n_divergent} divergent transitions")
    if not health.max_rhat_predictive <= RHAT_MAX:
        rhat = rhat_text(health.max_rhat_predictive)
        problems.append(
            f"{health.model}: R-hat {rhat} > {RHAT_MAX} of a curve "
            f"log-likelihood (the chains predict differently)"
        )
    return problems


def _parameter_rhat_caveat(health: Health) -> list[str]:
    """Parameter R-hat above the bound while the curve log-likelihoods converged."""
    if health.max_rhat <= RHAT_MAX or not health.max_rhat_predictive <= RHAT_MAX:
        return []
    predictive = rhat_text(health.max_rhat_predictive)
    return [
        f"{health.model}: parameter R-hat {rhat_text(health.max_rhat)} > {RHAT_MAX}, but every "
        f"curve log-likelihood has R-hat ≤ {predictive}: the chains agree "
        f"on the predictions compared here; the parameter estimates need longer chains"
    ]


def _high_k_problem(health: Health, criterion: str) -> list[str]:
    unresolved, total = health.unresolved_high_k.get(criterion, (0, 0))
    if total == 0 or unresolved / total <= MAX_UNRESOLVED_HIGH_K[criterion]:
        return []
    unit = "curves" if criterion == "curve_cv" else "points"
    return [
        f"{health.model}: {unresolved} of {total} {unit} have Pareto k̂ above the threshold "
        f"and no exact refit ({CRITERION_TEXT[criterion]} unreliable there)"
    ]


def _crosscheck_conflict(
    headline: Sequence[Standing],
    crosscheck: Sequence[Standing],
    criterion: str,
    crosscheck_criterion: str,
) -> list[str]:
    """A reason when both criteria separate their (different) winners in opposite order."""
    winner, other_winner = headline[0].model, crosscheck[0].model
    if winner == other_winner:
        return []
    on_headline = next(s for s in headline if s.model == other_winner)
    on_crosscheck = next(s for s in crosscheck if s.model == winner)
    if "inconclusive" in (
        separation(on_headline.elpd_diff, on_headline.dse),
        separation(on_crosscheck.elpd_diff, on_crosscheck.dse),
    ):
        return []
    return [
        f"{CRITERION_TEXT[criterion]} prefers {winner} over {other_winner} "
        f"(Δelpd = {-on_headline.elpd_diff:.1f} ± {on_headline.dse:.1f}) but "
        f"{CRITERION_TEXT[crosscheck_criterion]} prefers {other_winner} "
        f"(Δelpd = {-on_crosscheck.elpd_diff:.1f} ± {on_crosscheck.dse:.1f})"
    ]


def _sentence(
    label: str,
    winner: Sequence[str],
    leader: Standing,
    runner_up: Standing,
    criterion: str,
    reasons: Sequence[str],
) -> str:
    gap = f"Δelpd = {-runner_up.elpd_diff:.1f} ± {runner_up.dse:.1f}"
    how = CRITERION_TEXT[criterion]
    if label == "unreliable":
        return (
            f"No verdict: {reasons[0]}"
            + (f" (and {len(reasons) - 1} more problem(s))" if len(reasons) > 1 else "")
            + f". The nominal leader is {leader.model}; fix the problems before trusting it."
        )
    if label == "inconclusive":
        return (
            f"The data cannot tell {_join(winner)} apart ({gap} between the best two by "
            f"{how}); none of them should be preferred."
        )
    if label == "leaning":
        return (
            f"The data lean towards {leader.model} over {runner_up.model} ({gap} by {how}), "
            f"but not decisively: more curves (other temperatures and fields) would settle it."
        )
    return (
        f"The data clearly favour {leader.model}: it predicts held-out data better than "
        f"the runner-up {runner_up.model} by {gap} ({how})."
    )


def _join(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


__all__ = [
    "CRITERION_TEXT",
    "VERDICT_RULES",
    "Health",
    "Standing",
    "Verdict",
    "beaten_at_best_chain",
    "contenders",
    "decide",
    "separation",
]
