"""The one R-hat bound every check uses, and R-hat as text that never rounds onto that bound.

A fit warns, a verdict refuses and a report highlights at the same RHAT_MAX.
"""

import math

#: Largest acceptable rank-normalised split R-hat (Vehtari et al. 2021).
RHAT_MAX = 1.01
#: Decimals R-hat is shown with unless that would round it onto RHAT_MAX.
RHAT_DECIMALS = 3
#: Most decimals rhat_text uses to separate a value from RHAT_MAX.
RHAT_DECIMALS_MAX = 6


def rhat_text(value: float | None) -> str:
    """R-hat to RHAT_DECIMALS decimals, with more when fewer would print it as RHAT_MAX.

    1.0104 is "1.0104", not "1.010": a value flagged as above the bound must not read as on
    it, nor a passing 1.00996 as 1.010. "–" for None/NaN, "∞" for infinity.
    """
    number = math.nan if value is None else float(value)
    if math.isnan(number):
        return "–"
    if math.isinf(number):
        return "∞"
    decimals = RHAT_DECIMALS
    while decimals < RHAT_DECIMALS_MAX and _on_bound(number, decimals):
        decimals += 1
    return f"{number:.{decimals}f}"


def _on_bound(number: float, decimals: int) -> bool:
    return number != RHAT_MAX and f"{number:.{decimals}f}" == f"{RHAT_MAX:.{decimals}f}"
