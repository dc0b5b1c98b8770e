"""core.fmt: tests that kill the mutants tools/mutate.py found surviving (issue 13)."""
import math

import pytest

from gd_explorer.core.fmt import fmt, fmt_point, read_number, round_significant


def test_zero_digits_is_refused_with_its_message():
    with pytest.raises(ValueError, match="digits must be at least 1"):
        fmt(1.0, 0)


def test_fmt_point_has_four_digits_by_default():
    assert fmt_point((1 / 3, -2 / 3)) == "(0.3333, -0.6667)"


@pytest.mark.parametrize("text, could_be", [("123,456", "123456 or 123.456"),
                                            ("-100,000", "-100000 or -100.000")])
def test_three_digits_each_side_of_a_comma_is_refused(text, could_be):
    with pytest.raises(ValueError, match=f"could be {could_be}: type it without the comma"):
        read_number(text)


def test_four_digits_before_a_comma_cannot_be_thousands():
    assert read_number("1234,567") == 1234.567


# ----- round_significant: round default values such as a step --------------------------------
@pytest.mark.parametrize("value, digits, want", [
    (0.48, 1, 0.5),          # one significant digit by default: log10(0.48) = -0.3, floor -1
    (0.048, 1, 0.05),
    (-0.48, 1, -0.5),
    (123.4, 2, 120.0),       # 2 - 1 - 2 = -1: to tens
    (9.96, 2, 10.0),         # rounds up into the next decade
    (0.0123, 3, 0.0123),
    (7.0, 1, 7.0),
])
def test_round_significant_keeps_that_many_significant_digits(value, digits, want):
    assert round_significant(value, digits) == want


def test_round_significant_keeps_one_digit_by_default():
    assert round_significant(0.48) == 0.5 and round_significant(2345) == 2000.0


@pytest.mark.parametrize("value", [0.0, -0.0, math.inf, -math.inf])
def test_round_significant_returns_zero_and_infinities_as_given(value):
    got = round_significant(value)
    assert got == value and math.copysign(1.0, got) == math.copysign(1.0, value)


def test_round_significant_returns_nan_as_given():
    assert math.isnan(round_significant(math.nan))
