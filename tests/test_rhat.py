"""R-hat's bound and text: a value beside the bound never prints as the bound itself."""

import math

from hypothesis import given
from hypothesis import strategies as st

from bayes_zba.compare.verdict import Health, _sampling_problems
from bayes_zba.inference.diagnostics import _warnings
from bayes_zba.rhat import RHAT_DECIMALS, RHAT_MAX, rhat_text


def test_three_decimals_away_from_the_bound() -> None:
    assert rhat_text(1.0) == "1.000"
    assert rhat_text(1.2345) == "1.234"
    assert rhat_text(1.0049) == "1.005"


def test_the_bound_itself_prints_as_the_bound() -> None:
    assert rhat_text(RHAT_MAX) == f"{RHAT_MAX:.{RHAT_DECIMALS}f}"


def test_values_just_beside_the_bound_show_which_side_they_are_on() -> None:
    assert rhat_text(1.0104) == "1.0104"
    assert rhat_text(1.0096) == "1.0096"
    assert rhat_text(1.00996) == "1.00996"


def test_missing_and_infinite_values() -> None:
    assert rhat_text(None) == "–"
    assert rhat_text(math.nan) == "–"
    assert rhat_text(math.inf) == "∞"


@given(st.floats(min_value=0.9, max_value=3.0))
def test_text_reads_on_the_same_side_of_the_bound_as_the_value(value: float) -> None:
    shown = float(rhat_text(value))
    if value > RHAT_MAX + 1e-6:
        assert shown > RHAT_MAX
    if value < RHAT_MAX - 1e-6:
        assert shown < RHAT_MAX


def test_fit_warning_shows_a_flagged_rhat_above_the_bound() -> None:
    warnings = _warnings(1.0104, 1000.0, 1000.0, 0, [1.0], 0, 4)
    assert warnings == [f"max R-hat 1.0104 > {RHAT_MAX}: chains disagree"]


def test_verdict_shows_a_curve_rhat_above_the_bound() -> None:
    health = Health("kk", 0, 1.0, {}, 4, 1.0104)
    assert _sampling_problems(health)[0].startswith(f"kk: R-hat 1.0104 > {RHAT_MAX} of a curve")
