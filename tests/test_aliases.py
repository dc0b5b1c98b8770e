"""Function aliases (log10, cbrt, arcsin, sec, pow, hypot, ...): values, derivatives, bounds."""
import math

import numpy as np
import pytest

from gd_explorer.core import ExpressionError, parse_function
from gd_explorer.core.parser import parse_ir

SQ3 = math.sqrt(3.0)


@pytest.fixture(scope="module", autouse=True)
def warm_worker():
    parse_function("x")  # the first call starts the symbolic worker


def values(text, xs, y=0.0):
    fn = parse_function(text)
    return fn.value(np.asarray(xs, dtype=float), y)


# name, points x, the values written out by hand (or by math for irrational ones)
VALUE_CASES = [
    ("log10(x)", [1000.0, 0.01, 1.0, 2.0], [3.0, -2.0, 0.0, math.log10(2.0)]),
    ("log2(x)", [8.0, 0.25, 1.0, 3.0], [3.0, -2.0, 0.0, math.log2(3.0)]),
    ("cbrt(x)", [-8.0, 27.0, 0.0, -0.001, 2.0], [-2.0, 3.0, 0.0, -0.1, 2.0 ** (1 / 3)]),
    ("arcsin(x)", [0.5, -1.0, 0.0], [math.pi / 6, -math.pi / 2, 0.0]),
    ("arccos(x)", [0.5, -1.0, 1.0], [math.pi / 3, math.pi, 0.0]),
    ("arctan(x)", [1.0, -1.0, 0.0], [math.pi / 4, -math.pi / 4, 0.0]),
    ("asinh(x)", [1.0, 0.0, -1.0], [math.log(1 + math.sqrt(2)), 0.0, -math.log(1 + math.sqrt(2))]),
    ("acosh(x)", [1.0, 2.0], [0.0, math.log(2 + SQ3)]),
    ("atanh(x)", [0.5, 0.0, -0.5], [0.5 * math.log(3.0), 0.0, -0.5 * math.log(3.0)]),
    ("sec(x)", [0.0, math.pi / 3, math.pi], [1.0, 2.0, -1.0]),
    ("csc(x)", [math.pi / 6, math.pi / 2, -math.pi / 2], [2.0, 1.0, -1.0]),
    ("cot(x)", [math.pi / 4, math.pi / 2, -math.pi / 4], [1.0, 0.0, -1.0]),
]


@pytest.mark.parametrize("text, xs, expected", VALUE_CASES)
def test_alias_values(text, xs, expected):
    got = values(text, xs)
    assert got == pytest.approx(expected, rel=1e-14, abs=1e-15)


def test_cbrt_is_the_real_cube_root():
    fn = parse_function("cbrt(x)")
    assert float(fn.value(-8.0, 0.0)) == -2.0
    assert float(fn.value(-1.0, 0.0)) == -1.0
    assert float(parse_function("cbrt(-8)").value(3.0, 4.0)) == -2.0  # folded constant
    # x^(1/3) is not real for x < 0; cbrt is the odd function
    assert math.isnan(float(parse_function("x^(1/3)").value(-8.0, 0.0)))
    xs = np.array([-5.0, -0.3, 0.3, 5.0])
    assert fn.value(xs, 0.0) == pytest.approx(np.cbrt(xs), rel=1e-15)


@pytest.mark.parametrize("text, point, expected", [
    ("pow(x, y)", (2.0, 3.0), 8.0),
    ("pow(x, 0.5)", (9.0, 0.0), 3.0),
    ("pow(2, y)", (0.0, -2.0), 0.25),
    ("hypot(x, y)", (3.0, 4.0), 5.0),
    ("hypot(x, y)", (-5.0, 12.0), 13.0),
    ("hypot(x, 0)", (-2.0, 7.0), 2.0),
])
def test_two_argument_aliases(text, point, expected):
    assert float(parse_function(text).value(*point)) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("text, point, gradient", [
    # d log10(x) = 1/(x ln 10)
    ("log10(x)", (10.0, 0.0), (1 / (10 * math.log(10)), 0.0)),
    ("log2(y)", (0.0, 4.0), (0.0, 1 / (4 * math.log(2)))),
    # d cbrt(x) = (1/3)|x|^(-2/3): 1/12 at -8, 1/27 at 27
    ("cbrt(x)", (-8.0, 0.0), (1 / 12, 0.0)),
    ("cbrt(y)", (1.0, 27.0), (0.0, 1 / 27)),
    # cbrt(x*y) at (2, -4): u = -8, d/du = 1/12, du = (y, x) = (-4, 2)
    ("cbrt(x*y)", (2.0, -4.0), (-4 / 12, 2 / 12)),
    # d asin = 1/sqrt(1 - x^2), d acos = -that, d atan = 1/(1 + x^2)
    ("arcsin(x)", (0.5, 0.0), (2 / SQ3, 0.0)),
    ("arccos(x)", (0.5, 0.0), (-2 / SQ3, 0.0)),
    ("arctan(x)", (1.0, 0.0), (0.5, 0.0)),
    # d asinh = 1/sqrt(x^2 + 1), d acosh = 1/sqrt(x^2 - 1), d atanh = 1/(1 - x^2)
    ("asinh(x)", (1.0, 0.0), (1 / math.sqrt(2), 0.0)),
    ("acosh(x)", (2.0, 0.0), (1 / SQ3, 0.0)),
    ("atanh(x)", (0.5, 0.0), (4 / 3, 0.0)),
    # d sec = sec tan: 2*sqrt(3) at pi/3; d csc = -csc cot: -2*sqrt(3) at pi/6; d cot = -csc^2
    ("sec(x)", (math.pi / 3, 0.0), (2 * SQ3, 0.0)),
    ("csc(x)", (math.pi / 6, 0.0), (-2 * SQ3, 0.0)),
    ("cot(x)", (math.pi / 4, 0.0), (-2.0, 0.0)),
    # pow(x, y) = x^y: (y x^(y-1), x^y ln x) = (12, 8 ln 2) at (2, 3)
    ("pow(x, y)", (2.0, 3.0), (12.0, 8 * math.log(2))),
    # hypot = sqrt(x^2 + y^2): (x, y)/r = (0.6, 0.8) at (3, 4)
    ("hypot(x, y)", (3.0, 4.0), (0.6, 0.8)),
])
def test_alias_gradients(text, point, gradient):
    _, gx, gy = parse_function(text).value_and_gradient(*point)
    assert (gx, gy) == pytest.approx(gradient, rel=1e-13, abs=1e-15)


@pytest.mark.parametrize("text, point", [
    ("cbrt(x)", (0.0, 1.0)),  # the tangent is vertical at 0: no derivative
    ("cbrt(x*y)", (0.0, 1.0)),
    ("hypot(x, y)", (0.0, 0.0)),  # the cone's tip
])
def test_no_derivative_where_there_is_none(text, point):
    _, gx, _ = parse_function(text).value_and_gradient(*point)
    assert not math.isfinite(gx)


def test_cbrt_derivative_is_defined_everywhere_but_zero():
    fn = parse_function("cbrt(x)")
    xs = np.array([-1e6, -2.0, -1e-6, 1e-6, 3.0, 1e6])
    gx, _ = fn.gradient(xs, 0.0)
    assert gx == pytest.approx(np.abs(xs) ** (-2 / 3) / 3, rel=1e-12)
    (hxx, _), _ = fn.hessian_at(-8.0, 0.0)
    # d2/dx2 x^(1/3) = -(2/9) x^(-5/3); for x < 0 the odd root gives +(2/9)|x|^(-5/3) = 1/144
    assert float(hxx) == pytest.approx(2 / 9 / 32, rel=1e-12)


@pytest.mark.parametrize("alias, canonical", [("arcsin", "asin"), ("arccos", "acos"),
                                              ("arctan", "atan")])
def test_arc_names_are_the_same_function(alias, canonical):
    assert parse_ir(f"{alias}(x)") == parse_ir(f"{canonical}(x)")


@pytest.mark.parametrize("text, message", [
    ("log10(0)", "constant is not a real number (complex or undefined)"),
    ("log2(-1)", "constant is not a real number (complex or undefined)"),
    ("acosh(0.5)", "constant is not a real number (complex or undefined)"),
    ("atanh(1)", "constant is not a real number (complex or undefined)"),
    ("cot(0)", "division by zero"),
    ("csc(0)", "division by zero"),
    ("pow(0, -1)", "division by zero"),
    ("pow(-8, 1/3)", "constant is not a real number (complex or undefined)"),
    ("pow(10, 301)", "constant is too large (at most 1e+150)"),
    ("pow(x, 1001)", "exponent is too large (at most 1000)"),
    ("pow(-2, x)", "a negative number to a variable power is not a real number"),
    ("hypot(1e150, 1e150)", "constant is too large (at most 1e+150)"),
    ("pow(x)", "pow() takes 2 arguments, got 1"),
    ("hypot(x, y, 1)", "hypot() takes 2 arguments, got 3"),
    ("cbrt(x, y)", "cbrt() takes 1 argument, got 2"),
    # folded values are used by later checks, so they must be right
    ("cbrt(-8)^x", "a negative number to a variable power is not a real number"),
    ("pow(arctan(-1), y)", "a negative number to a variable power is not a real number"),
    ("log(x, log10(0.1))", "the base of log(x, b) must be a positive number other than 1"),
    ("log(x, sec(0))", "the base of log(x, b) must be a positive number other than 1"),
    ("log(x, hypot(0.6, 0.8))", "the base of log(x, b) must be a positive number other than 1"),
    ("log(x, log2(2))", "the base of log(x, b) must be a positive number other than 1"),
])
def test_constant_aliases_are_still_bounded(text, message):
    with pytest.raises(ExpressionError) as info:
        parse_ir(text)
    assert info.value.message == message

