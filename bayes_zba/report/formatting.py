"""Numbers and provenance as report text: digits set by the uncertainty, nested dicts flattened.

Pure string formatting shared by the fit and ranking reports.
"""

import math
import re
from collections.abc import Mapping
from typing import Any

SUPERSCRIPT = str.maketrans("0123456789-+/", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ᐟ")


#: Significant digits of the uncertainty that a reported value keeps.
SIGNIFICANT_DIGITS = 2


def decimals_for(uncertainty: float) -> int:
    """Decimal places that show SIGNIFICANT_DIGITS digits of a positive uncertainty."""
    return max(0, SIGNIFICANT_DIGITS - 1 - math.floor(math.log10(uncertainty)))


def number(value: float | None, uncertainty: float | None = None) -> str:
    """A value rounded to two significant digits of its uncertainty (4 significant without one).

    Very small or large magnitudes use scientific notation with the same precision.
    """
    if value is None or not math.isfinite(value):
        return "–"
    if uncertainty is None or not (math.isfinite(uncertainty) and uncertainty > 0):
        return f"{value:.4g}"
    magnitude = abs(value)
    if magnitude and (magnitude < 1e-3 or magnitude >= 1e6):
        digits = math.floor(math.log10(magnitude)) - math.floor(math.log10(uncertainty))
        return f"{value:.{max(0, digits + SIGNIFICANT_DIGITS - 1)}e}"
    return f"{value:.{decimals_for(uncertainty)}f}"


def as_float(value: float | None) -> float:
    """A JSON number as float: None (how rankings store NaN and ±inf) becomes NaN."""
    return float("nan") if value is None else float(value)


def fixed(value: float | None, digits: int) -> str:
    """Fixed-point text with `digits` decimals; "–" for None/NaN and "∞" for infinity."""
    number_ = as_float(value)
    if math.isnan(number_):
        return "–"
    if math.isinf(number_):
        return "∞" if number_ > 0 else "−∞"
    return f"{number_:.{digits}f}"


def superscript_powers(unit: str) -> str:
    """Unit text with ^-powers as superscripts: "e²/h K^-1/2" -> "e²/h K⁻¹ᐟ²"."""
    return re.sub(r"\^\(?([-+]?\d+(?:/\d+)?)\)?", lambda m: m[1].translate(SUPERSCRIPT), unit)


def flatten(mapping: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Nested provenance as "a.b" -> text; lists joined, multi-line text kept."""
    flat: dict[str, str] = {}
    for key, value in mapping.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat |= flatten(value, f"{name}.")
        elif isinstance(value, list | tuple):
            flat[name] = ", ".join(str(v) for v in value)
        elif isinstance(value, float):
            flat[name] = f"{value:.6g}"
        else:
            flat[name] = str(value)
    return flat
