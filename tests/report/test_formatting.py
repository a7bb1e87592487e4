"""Report number formatting (digits from the uncertainty), unit superscripts, provenance.

Exact strings: these are what a reader sees in every table.
"""

import math

import pytest

from bayes_zba.report.formatting import (
    as_float,
    decimals_for,
    fixed,
    flatten,
    number,
    superscript_powers,
)


@pytest.mark.parametrize(
    ("value", "uncertainty", "text"),
    [
        (2500.12345, 0.05, "2500.123"),
        (0.0040012, 0.0001, "0.00400"),
        (11.9634, 0.35, "11.96"),
        (123456.0, 2000.0, "123456"),
        (1.2345e-5, 1e-6, "1.23e-05"),
        (-3.2e7, 1e5, "-3.200e+07"),
        (0.0, 0.01, "0.000"),
        (1.23456, None, "1.235"),
        (None, None, "–"),
        (float("nan"), 1.0, "–"),
    ],
)
def test_number_shows_two_significant_digits_of_the_uncertainty(value, uncertainty, text):
    assert number(value, uncertainty) == text


def test_without_a_usable_uncertainty_four_significant_digits_are_shown():
    assert number(2500.12345, 0.0) == "2500"
    assert number(0.012345, float("nan")) == "0.01235"


def test_decimals_for_counts_places_down_to_the_second_significant_digit():
    assert [decimals_for(u) for u in (0.05, 0.35, 3.5, 2000.0)] == [3, 2, 1, 0]


@pytest.mark.parametrize(
    ("unit", "pretty"),
    [
        ("e²/h K^-2", "e²/h K⁻²"),
        ("e²/h K^-1/2", "e²/h K⁻¹ᐟ²"),
        ("K^(-1/2)", "K⁻¹ᐟ²"),
        ("e²/h mV⁻²", "e²/h mV⁻²"),
        ("T", "T"),
    ],
)
def test_superscript_powers(unit, pretty):
    assert superscript_powers(unit) == pretty


def test_flatten_joins_nested_keys_and_keeps_text():
    flat = flatten(
        {"seed": 3, "versions": {"pymc": "6.4", "deep": {"x": 0.1234567891}}, "chains": [1, 2]}
    )
    assert flat == {
        "seed": "3",
        "versions.pymc": "6.4",
        "versions.deep.x": "0.123457",
        "chains": "1, 2",
    }


def test_fixed_survives_what_json_makes_of_non_finite_numbers():
    assert [fixed(v, 2) for v in (1.23456, None, float("nan"), float("inf"), -float("inf"))] == [
        "1.23",
        "–",
        "–",
        "∞",
        "−∞",
    ]
    assert math.isnan(as_float(None))
    assert as_float(3) == 3.0
