"""The log-normal distribution of TLS splittings Δ shared by the "2ck" and "kk" models.

Its two parameters (physics.md §3, §5) and the expectation E_Δ[·] over log Δ.
"""

from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

from bayes_zba.physics import kernels
from bayes_zba.physics.mechanisms.base import Parameter

SPLITTING_PARAMETERS = (
    Parameter(
        name="delta_med",
        unit="K",
        meaning="median TLS splitting Δ_med",
        lower=0.01,
        upper=5.0,
        source="I-29, physics.md §3 and §5",
        positive=True,
    ),
    Parameter(
        name="delta_width",
        unit="1",
        meaning="standard deviation s_Δ of log Δ",
        lower=0.0,
        upper=1.5,
        source="physics.md §3 and §5",
    ),
)


def splitting_expectation(
    f: Callable[[Any], Any], params: Mapping[str, Any], xp: ModuleType, log_break: Any = None
) -> Any:
    """E_Δ[f(Δ)] over log Δ ~ Normal(log delta_med, delta_width); f puts Δ on the last axis.

    Gauss-Hermite for a smooth f; with `log_break`, the rule split at the step f has at
    Δ = e^log_break (`kernels.split_lognormal_expectation`).
    """
    log_median, width = xp.log(params["delta_med"]), params["delta_width"]
    if log_break is None:
        return kernels.lognormal_expectation(f, log_median, width, xp)
    return kernels.split_lognormal_expectation(f, log_median, width, log_break, xp)
