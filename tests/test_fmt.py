"""The one number format (core.fmt.fmt) and the one number reader (read_number, read_count),
against hand-written strings."""
import math
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gd_explorer.core.fmt import fmt, fmt_point, read_count, read_number

NAN, INF = math.nan, math.inf


@pytest.mark.parametrize("value, text", [
    # zero never has a sign
    (0, "0"), (0.0, "0"), (-0.0, "0"), (np.float64(-0.0), "0"), (np.float32(-0.0), "0"),
    # 4 significant digits, trailing zeros dropped
    (1, "1"), (-1, "-1"), (0.5, "0.5"), (-0.25, "-0.25"), (2 / 3, "0.6667"), (-2 / 3, "-0.6667"),
    (3.14159, "3.142"), (12.345678, "12.35"), (123.456, "123.5"), (100, "100"), (0.1 + 0.2, "0.3"),
    (np.float32(0.5), "0.5"), (np.int64(-7), "-7"),
    # integer parts are never rounded away below 1e6
    (1234.56, "1235"), (12345.678, "12346"), (123456.7, "123457"), (1e5, "100000"),
    (-99999.4, "-99999"),
    # scientific from 1e6 on, short exponents
    (999999.4, "1e6"), (1e6, "1e6"), (1234567, "1.235e6"), (-2.5e6, "-2.5e6"), (1e300, "1e300"),
    (-1.797e308, "-1.797e308"),
    # fixed down to 1e-4, scientific below
    (0.001, "0.001"), (0.0001, "0.0001"), (0.000123456, "0.0001235"), (9.99996e-5, "0.0001"),
    (9.9e-5, "9.9e-5"), (-4e-5, "-4e-5"), (1e-6, "1e-6"), (-2.5e-6, "-2.5e-6"),
    (1.776e-14, "1.776e-14"), (-1.7763568394002505e-15, "-1.776e-15"), (5e-324, "4.941e-324"),
    (-5e-324, "-4.941e-324"),
    # what is not a number
    (NAN, "undefined"), (INF, "∞"), (-INF, "-∞"), (None, "undefined"), ("x", "undefined"),
])
def test_fmt_writes_numbers_as_people_read_them(value, text):
    assert fmt(value) == text


@pytest.mark.parametrize("value, digits, text", [
    (2 / 3, 2, "0.67"), (123456.7, 2, "123457"), (1 / 3, 10, "0.3333333333"), (1e-7, 1, "1e-7"),
    (0.96, 1, "1"), (9.96, 2, "10"), (-0.0, 1, "0"), (0.1, 17, "0.10000000000000001"),
    (1 / 3, 6, "0.333333"), (2.5e-6, 6, "2.5e-6"),
])
def test_fmt_digits(value, digits, text):
    assert fmt(value, digits) == text


def test_fmt_needs_a_digit():
    with pytest.raises(ValueError):
        fmt(1.0, 0)


@pytest.mark.parametrize("value, scale, text", [
    (-1.776e-14, 4.0, "0"),          # gx ux + gy uy with |gx| + |gy| = 4: round-off
    (2.220446049250313e-16, 4.0, "0"),
    (-1.776e-14, 1e-3, "-1.776e-14"),  # tiny terms: the value is real
    (1e-12, 1.0, "0"), (1.01e-12, 1.0, "1.01e-12"), (-1e-12, -1.0, "0"),
    (1e-5, 1.0, "1e-5"), (0.5, 1.0, "0.5"), (-0.0, 0.0, "0"),
    (NAN, 1.0, "undefined"), (1e-20, NAN, "1e-20"), (1e-20, INF, "1e-20"), (-INF, 1.0, "-∞"),
])
def test_fmt_scale_shows_round_off_as_zero(value, scale, text):
    assert fmt(value, scale=scale) == text


def test_fmt_point():
    assert fmt_point((0.0, -0.0)) == "(0, 0)"
    assert fmt_point((1.5, -2)) == "(1.5, -2)"
    assert fmt_point((6.123233995736766e-17, 1.0), scale=1) == "(0, 1)"  # (cos 90°, sin 90°)
    assert fmt_point((NAN, INF)) == "(undefined, ∞)"
    assert fmt_point(np.array([1 / 3, -2e-7]), digits=2) == "(0.33, -2e-7)"


@given(st.floats(min_value=-1e308, max_value=1e308))  # 1.7976e308 rounds past the largest float
def test_fmt_reads_back_within_its_digits(value):
    text = fmt(value)
    assert not re.fullmatch(r"-0\.?0*(e-?\d+)?", text)  # never a signed zero
    back = read_number(text)  # plain "-": what is shown can be typed back
    assert back == pytest.approx(value, rel=5e-4, abs=0)
    assert read_number(fmt(value, 17)) == value  # 17 digits are exact


# ----- reading typed numbers ---------------------------------------------------------------------
@pytest.mark.parametrize("text, value", [
    ("0,5", 0.5), ("0,05", 0.05), ("-0,5", -0.5), ("1e-3", 0.001), ("1E3", 1000.0), (" 2.5 ", 2.5),
    (".5", 0.5), ("5.", 5.0), ("+3", 3.0), ("−2", -2.0), ("1,5e-3", 0.0015), ("0,500", 0.5),
    ("1234,567", 1234.567), ("1,0000", 1.0), ("1,000e3", 1000.0), ("12,5", 12.5), ("0", 0.0),
    ("-0", 0.0), ("1e308", 1e308),
])
def test_read_number_takes_a_point_or_a_decimal_comma(text, value):
    assert read_number(text) == value


@pytest.mark.parametrize("text, why", [
    ("", "type a number"), ("   ", "type a number"),
    ("1,000.5", "both a comma and a point"), ("1.000,5", "both a comma and a point"),
    ("1,2,3", "several commas"), ("1,000", "could be 1000 or 1.000"),
    ("-12,345", "could be -12345 or -12.345"), (",5", "between digits"), ("5,", "between digits"),
    ("1,e5", "between digits"), ("abc", "“abc” is not a number"), ("1_000", "not a number"),
    ("0x10", "not a number"), ("inf", "not a number"), ("nan", "not a number"),
    ("Infinity", "not a number"), ("1e999", "too large"), ("1 000", "not a number"),
    ("1..2", "not a number"), ("--1", "not a number"), ("1e", "not a number"), ("e5", "not a number"),
])
def test_read_number_refuses_what_could_mean_two_numbers(text, why):
    with pytest.raises(ValueError, match=why):
        read_number(text)


@pytest.mark.parametrize("text, value", [("1000", 1000), ("1e4", 10000), ("+7", 7), (" 12 ", 12)])
def test_read_count(text, value):
    assert read_count(text) == value and isinstance(read_count(text), int)


@pytest.mark.parametrize("text, why", [
    ("1.000", "without a point or comma"), ("1,000", "without a point or comma"),
    ("2.5", "without a point or comma"), ("1e-3", "not a whole number"), ("abc", "not a number"),
])
def test_read_count_refuses_separators_and_fractions(text, why):
    with pytest.raises(ValueError, match=why):
        read_count(text)


def test_a_factor_in_a_product_puts_a_negative_number_in_parentheses():
    from gd_explorer.core.fmt import fmt_factor

    assert fmt_factor(-2.5) == "(-2.5)" and fmt_factor(3.0) == "3"
    assert fmt_factor(-1e-17, scale=1.0) == "0" and fmt_factor(-0.0) == "0"  # never "(-0)"
