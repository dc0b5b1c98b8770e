"""1-D mode, the core (issue 11, item 2): which functions depend on x alone, the secant
and its limit table, and the f range of the curve."""
import math

import numpy as np
import pytest

from gd_explorer import parse_function
from gd_explorer.core.calculus import STEPS_H, secant
from gd_explorer.core.curve import curve_range, hide_far, sample_curve
from gd_explorer.core.descent import descend
from gd_explorer.core.errors import InputError


@pytest.mark.parametrize("text, variables", [
    ("x^3 - 2*x", ("x",)),
    ("x^2 + 0*y", ("x",)),           # sympy drops 0*y
    ("x + y - y", ("x",)),           # and y - y
    ("3", ()),                       # a constant depends on neither: drawn as a flat curve
    ("x*y", ("x", "y")),
    ("y^2", ("y",)),                 # y alone stays 2-D
    ("x + sin(y)^2 + cos(y)^2", ("x", "y")),  # sympy does not simplify this: 2-D
])
def test_variables_are_what_sympy_keeps(text, variables):
    fn = parse_function(text)
    assert fn.variables == variables
    assert fn.depends_on_y == ("y" in variables)


def cubic_quotient(a, h):
    """(f(a + h) - f(a)) / h for f = x^3 - 2x, by hand: 3a^2 + 3ah + h^2 - 2."""
    return 3 * a * a + 3 * a * h + h * h - 2


def test_secant_of_the_cubic_against_hand_values():
    fn = parse_function("x^3 - 2*x")
    s = secant(fn, 1.5, 0.5)
    assert (s.a, s.h) == (1.5, 0.5)
    assert s.fa == pytest.approx(1.5 ** 3 - 3)
    assert s.fah == pytest.approx(8 - 4)
    assert s.slope == pytest.approx(cubic_quotient(1.5, 0.5))   # 7.25
    assert s.derivative == pytest.approx(3 * 1.5 ** 2 - 2)      # f'(a) = 4.75
    assert [h for h, _ in s.quotients] == list(STEPS_H)
    gaps = []
    for h, q in s.quotients:
        assert q == pytest.approx(cubic_quotient(1.5, h), rel=1e-6)
        gaps.append(abs(q - s.derivative))
    assert all(b < a for a, b in zip(gaps, gaps[1:]))  # the quotients tend to f'(a)
    assert gaps[-1] < 1e-5
    assert s.defined and s.differentiable


def test_secant_where_f_or_its_derivative_is_undefined():
    assert not secant(parse_function("1/x"), 0.0, 0.1).defined      # f(0) = inf
    assert not secant(parse_function("log(x)"), -1.0, 0.1).defined  # NaN
    s = secant(parse_function("sqrt(x)"), 0.0, 0.01)
    assert s.defined and not s.differentiable                        # vertical tangent
    assert s.slope == pytest.approx(10.0)


@pytest.mark.parametrize("h", [0.0, -0.1, math.nan, math.inf])
def test_secant_refuses_a_bad_h(h):
    with pytest.raises(InputError, match="h must be a positive number"):
        secant(parse_function("x^2"), 1.0, h)


def test_descent_on_a_function_of_x_stays_on_y_0():
    fn = parse_function("x^3 - 2*x")
    result = descend(fn, (1.5, 0.0), 0.01, max_steps=50)
    rows = result.trajectory
    assert np.all(rows[:, 2] == 0.0) and np.all(rows[:, 5] == 0.0)
    assert rows[1, 1] == pytest.approx(1.5 - 0.01 * 4.75)


def test_curve_range_shows_all_of_a_smooth_curve():
    xs, fs = sample_curve(parse_function("x^3 - 2*x"), (-3, 3))
    lo, hi = curve_range(fs)
    assert lo < -21 < 21 < hi  # f(±3) = ±21, padded
    assert hi - lo < 1.2 * 42


def test_curve_range_clips_a_pole():
    xs, fs = sample_curve(parse_function("1/x"), (-3, 3))
    assert np.isfinite(fs).all()  # no sample is at 0 exactly, but some are near it
    lo, hi = curve_range(fs)
    assert -10 < lo < -1 and 1 < hi < 10  # the 5th–95th percentile, not ±1/0.002
    shown = hide_far(fs, lo, hi)
    # the curve breaks at the pole: no segment joins the two branches through the view
    assert np.isnan(shown[np.abs(xs) < 0.05]).all()
    assert np.isfinite(shown[np.abs(xs) > 0.5]).all()


def test_curve_range_of_a_constant_and_of_nothing():
    lo, hi = curve_range(np.full(10, 3.0))
    assert lo < 3 < hi
    assert curve_range(np.full(10, np.nan)) is None
    xs, fs = sample_curve(parse_function("log(x)"), (-2, -1))
    assert np.isnan(fs).all()  # undefined: holes, not zeros
