"""Model comparison: PSIS-LOO, leave-one-curve-out CV, WAIC, stacking weights and verdicts.

`rank(fits)` is the entry point; verdict.py holds the only rules that turn numbers into words.
"""

from bayes_zba.compare.curve_cv import DEFAULT_MAX_REFITS, curve_cv, curve_psis
from bayes_zba.compare.elpd import ElpdEstimate
from bayes_zba.compare.loo import point_loo
from bayes_zba.compare.ranking import (
    ModelScore,
    Ranking,
    load_ranking,
    rank,
    save_ranking,
)
from bayes_zba.compare.verdict import CRITERION_TEXT, VERDICT_RULES, Verdict
from bayes_zba.compare.waic import waic
from bayes_zba.compare.weights import WEIGHTS_EXPLANATION, compare_models

__all__ = [
    "CRITERION_TEXT",
    "DEFAULT_MAX_REFITS",
    "VERDICT_RULES",
    "WEIGHTS_EXPLANATION",
    "ElpdEstimate",
    "ModelScore",
    "Ranking",
    "Verdict",
    "compare_models",
    "curve_cv",
    "curve_psis",
    "load_ranking",
    "point_loo",
    "rank",
    "save_ranking",
    "waic",
]
