"""The comparison table of several models on one criterion: elpd differences and weights.

Wraps arviz_stats.compare twice (stacking, BB-pseudo-BMA) on our precomputed estimates.
"""

import pandas as pd
from arviz_stats import compare

from bayes_zba.compare.elpd import ElpdEstimate

#: One paragraph for reports: why the two weights can disagree.
WEIGHTS_EXPLANATION = (
    "Stacking weights (Yao et al. 2018) are the mixture of the models' predictive "
    "distributions that best predicts held-out data: they reward what a model adds to the "
    "others, so a good model that predicts the same as a better one can get weight 0, and two "
    "models that fit different parts of the data can share the weight. Pseudo-BMA weights "
    "(with Bayesian-bootstrap stabilisation) weigh each model by exp(elpd) on its own: similar "
    "models share the weight and a redundant model keeps its share. Neither is the probability "
    "that a mechanism is true; large disagreement between them says the models predict "
    "different curves best."
)

COLUMNS = ("elpd", "se", "elpd_diff", "dse", "weight_stacking", "weight_pseudo_bma")


def compare_models(estimates: dict[str, ElpdEstimate]) -> pd.DataFrame:
    """Models ranked best first with elpd, se, elpd_diff, dse (vs the best) and both weights.

    elpd_diff and dse come from ArviZ (paired pointwise differences); se is the estimate's own.
    """
    if len(estimates) < 2:
        raise ValueError(f"need at least two models to compare, got {sorted(estimates)}")
    elpd_data = {name: estimate.to_elpd_data() for name, estimate in estimates.items()}
    stacking = compare(elpd_data, method="stacking", round_to="none")
    pseudo_bma = compare(elpd_data, method="BB-pseudo-BMA", round_to="none")
    table = pd.DataFrame(
        {
            "elpd": stacking["elpd"],
            "se": pd.Series({name: estimate.se for name, estimate in estimates.items()}),
            "elpd_diff": stacking["elpd_diff"],
            "dse": stacking["dse"],
            "weight_stacking": stacking["weight"],
            "weight_pseudo_bma": pseudo_bma["weight"],
        }
    )
    return table.loc[stacking.index, list(COLUMNS)].astype(float)
