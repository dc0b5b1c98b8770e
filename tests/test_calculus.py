"""Directional derivatives: D_u f = grad f . u = |grad f| cos(theta), and the limit definition."""
import math
import warnings

import numpy as np
import pytest

from gd_explorer.core import InputError, parse_function
from gd_explorer.core.calculus import (STEPS_H, angle_between, derivative_curve,
                                       directional_derivative, slice_values,
                                       total_differential, unit_vector)

BOWL = "x^2 + y^2"
HIMMELBLAU = "(x^2 + y - 11)^2 + (x + y^2 - 7)^2"
ROSENBROCK = "(1 - x)^2 + 100*(y - x^2)^2"

# point -> gradient worked out by hand
#   bowl (2x, 2y) at (1, 2): (2, 4)
#   Himmelblau at (1, 1): (4*1*(1+1-11) + 2*(1+1-7), 2*(1+1-11) + 4*1*(1+1-7)) = (-46, -38)
#   Rosenbrock at (0.5, 0.5): (-2*0.5 - 400*0.5*(0.5-0.25), 200*(0.5-0.25)) = (-51, 50)
CASES = [
    (BOWL, (1.0, 2.0), (2.0, 4.0), 5.0),
    (HIMMELBLAU, (1.0, 1.0), (-46.0, -38.0), 106.0),
    (ROSENBROCK, (0.5, 0.5), (-51.0, 50.0), 6.5),
]
ANGLES = [0.0, math.pi / 6, math.pi / 4, math.pi / 2, 2 * math.pi / 3, math.pi, -math.pi / 3, 5.0]


@pytest.fixture(scope="module")
def fns():
    return {text: parse_function(text) for text, *_ in CASES}


@pytest.mark.parametrize("text, point, grad, f0", CASES)
@pytest.mark.parametrize("phi", ANGLES)
def test_value_is_gradient_dot_u(fns, text, point, grad, f0, phi):
    d = directional_derivative(fns[text], point, phi)
    gx, gy = grad
    norm = math.hypot(gx, gy)
    ux, uy = math.cos(phi), math.sin(phi)
    want = gx * ux + gy * uy
    assert d.point == point
    assert d.u == pytest.approx((ux, uy), abs=1e-16)
    assert d.f == f0
    assert d.gradient == (gx, gy)
    assert d.grad_norm == pytest.approx(norm, rel=1e-15)
    assert d.value == pytest.approx(want, rel=1e-12, abs=1e-12)
    # |grad| cos(theta) is the same number, with theta the unsigned angle in [0, pi]
    assert d.value_polar == pytest.approx(want, rel=1e-9, abs=1e-9)
    assert 0.0 <= d.theta <= math.pi
    assert d.cos_theta == pytest.approx(want / norm, rel=1e-9, abs=1e-12)
    assert d.theta_deg == pytest.approx(math.degrees(d.theta))
    assert d.defined


def test_bowl_values_by_hand(fns):
    fn = fns[BOWL]
    assert directional_derivative(fn, (1, 2), 0.0).value == 2.0
    assert directional_derivative(fn, (1, 2), math.pi / 2).value == pytest.approx(4.0, rel=1e-15)
    assert directional_derivative(fn, (1, 2), math.pi).value == pytest.approx(-2.0, rel=1e-15)
    # 45 degrees: (2 + 4)/sqrt(2) = 3 sqrt(2)
    assert directional_derivative(fn, (1, 2), math.pi / 4).value == pytest.approx(
        3 * math.sqrt(2), rel=1e-15)
    # at (3, -4) the gradient is (6, -8), |grad| = 10; 270 degrees is u = (0, -1): D = 8
    d = directional_derivative(fn, (3, -4), 3 * math.pi / 2)
    assert d.grad_norm == 10.0
    assert d.value == pytest.approx(8.0, rel=1e-15)
    assert d.cos_theta == pytest.approx(0.8, rel=1e-12)
    assert d.theta_deg == pytest.approx(math.degrees(math.acos(0.8)), rel=1e-12)


@pytest.mark.parametrize("text, point, grad, f0", CASES)
def test_special_angles(fns, text, point, grad, f0):
    fn = fns[text]
    norm = math.hypot(*grad)
    along = math.atan2(grad[1], grad[0])
    d = directional_derivative(fn, point, along)
    assert d.theta == pytest.approx(0.0, abs=1e-12)
    assert d.cos_theta == pytest.approx(1.0, rel=1e-12)
    assert d.value == pytest.approx(norm, rel=1e-12)  # steepest ascent

    d = directional_derivative(fn, point, along + math.pi)
    assert d.theta == pytest.approx(math.pi, abs=1e-12)
    assert d.cos_theta == pytest.approx(-1.0, rel=1e-12)
    assert d.value == pytest.approx(-norm, rel=1e-12)  # steepest descent

    for side in (+1, -1):
        d = directional_derivative(fn, point, along + side * math.pi / 2)
        assert d.theta == pytest.approx(math.pi / 2, abs=1e-12)
        assert d.theta_deg == pytest.approx(90.0, abs=1e-10)
        assert d.value == pytest.approx(0.0, abs=1e-12 * norm)  # along the level curve
        assert d.cos_theta == pytest.approx(0.0, abs=1e-12)


def test_quadratic_quotients_are_exact_in_h(fns):
    # f(p + h u) - f(p) = h grad.u + h^2 |u|^2 for the bowl, so the quotient is D + h exactly
    fn = fns[BOWL]
    for phi in ANGLES:
        d = directional_derivative(fn, (1.0, 2.0), phi)
        assert [h for h, _ in d.quotients] == list(STEPS_H)
        for h, q in d.quotients:
            assert q - d.value == pytest.approx(h, abs=1e-8)


@pytest.mark.parametrize("text, point, phi", [
    (HIMMELBLAU, (1.0, 1.0), math.pi / 4),
    (HIMMELBLAU, (1.0, 1.0), 2.0),
    (ROSENBROCK, (0.5, 0.5), 1.2),
    (ROSENBROCK, (0.5, 0.5), math.pi),
    ("sin(x)*exp(y)", (0.7, -0.4), 1.0),
])
def test_limit_quotients_converge_linearly(text, point, phi):
    d = directional_derivative(parse_function(text), point, phi)
    errors = [abs(q - d.value) for _, q in d.quotients]
    assert len(errors) == 6
    # first-order convergence: each tenfold smaller h gives about tenfold smaller error
    for big, small in zip(errors[:4], errors[1:4]):
        assert 0.05 < small / big < 0.2
    scale = max(1.0, abs(d.value))
    assert errors[3] < 1e-2 * scale
    assert errors[5] < 1e-4 * scale
    assert errors[0] > errors[3]


def test_zero_gradient_gives_nan_theta_and_zero_value():
    fn = parse_function(BOWL)
    d = directional_derivative(fn, (0.0, 0.0), 0.7)
    assert d.grad_norm == 0.0
    assert math.isnan(d.theta) and math.isnan(d.cos_theta) and math.isnan(d.theta_deg)
    assert d.value == 0.0 and d.value_polar == 0.0
    assert not d.defined
    # f(h u) = h^2, so the quotients are h and tend to D = 0
    for h, q in d.quotients:
        assert q == pytest.approx(h, rel=1e-12)
    d = directional_derivative(parse_function(ROSENBROCK), (1.0, 1.0), 2.0)
    assert d.grad_norm == 0.0 and math.isnan(d.theta) and d.value == 0.0


def test_no_warnings_at_a_singular_point():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = directional_derivative(parse_function("sqrt(x) + y"), (0.0, 0.0), math.pi)
        assert math.isnan(d.quotients[0][1])  # f is not defined left of x = 0
        d = directional_derivative(parse_function("log(x)"), (-1.0, 0.0), 0.0)
        assert math.isnan(d.f)
        # f = 1/y is +inf on the whole line y = 0: moving along it, inf - inf used to
        # raise "invalid value encountered in scalar subtract"
        d = directional_derivative(parse_function("1/y"), (0.0, 0.0), 0.0)
        assert d.f == math.inf
        assert all(math.isnan(q) for _, q in d.quotients)
        d = directional_derivative(parse_function("1/y"), (0.0, 0.0), math.pi / 2)
        assert all(q == -math.inf for _, q in d.quotients)  # (1/h - inf)/h


@pytest.mark.parametrize("point, phi", [
    ((math.nan, 0.0), 0.0), ((0.0, math.inf), 0.0), ((1.0,), 0.0), ("ab", 0.0),
    (None, 0.0), ((0.0, 0.0), math.nan), ((0.0, 0.0), math.inf),
])
def test_bad_input(point, phi):
    with pytest.raises(InputError):
        directional_derivative(parse_function(BOWL), point, phi)


def test_helpers():
    assert unit_vector(0.0) == (1.0, 0.0)
    assert angle_between((1.0, 0.0), (0.0, 1.0)) == pytest.approx(math.pi / 2)
    assert angle_between((1.0, 0.0), (0.0, -1.0)) == pytest.approx(math.pi / 2)
    assert angle_between((1.0, 1.0), (-1.0, -1.0)) == pytest.approx(math.pi)
    assert math.isnan(angle_between((0.0, 0.0), (1.0, 0.0)))
    # D(phi) = 2 cos(phi) + 4 sin(phi) for gradient (2, 4)
    phis = np.array([0.0, math.pi / 2, math.pi])
    np.testing.assert_allclose(derivative_curve((2.0, 4.0), phis), [2.0, 4.0, -2.0], atol=1e-14)
    fn = parse_function(BOWL)
    # along u = (1, 0) from (1, 2): g(z) = (1 + z)^2 + 4
    np.testing.assert_allclose(slice_values(fn, (1, 2), 0.0, [-1.0, 0.0, 2.0]), [4.0, 5.0, 13.0])
    # df = grad . (h u) = 2*0.1 = 0.2; the actual change is (1.1)^2 - 1 = 0.21
    df, actual = total_differential(fn, (1, 2), 0.0, 0.1)
    assert df == pytest.approx(0.2, rel=1e-15)
    assert actual == pytest.approx(0.21, rel=1e-12)


@pytest.mark.parametrize("text,point,low,high", [
    ("x^2 + 10*y^2", (0.3, -2.0), 2.0, 20.0),                # H = diag(2, 20)
    ("x^2 - y^2", (1.0, 1.0), -2.0, 2.0),                     # saddle
    ("x*y", (0.0, 0.0), -1.0, 1.0),                           # H = [[0, 1], [1, 0]]
    ("(1 - x)^2 + 100*(y - x^2)^2", (1.0, 1.0),               # H = [[802, -400], [-400, 200]]
     501 - math.sqrt(301**2 + 400**2), 501 + math.sqrt(301**2 + 400**2)),
])
def test_curvature_and_stable_learning_rate(text, point, low, high):
    from gd_explorer.core.calculus import curvature

    lo, hi, bound = curvature(parse_function(text), point)
    assert lo == pytest.approx(low) and hi == pytest.approx(high)
    assert bound == pytest.approx(2 / high)


def test_no_bound_without_positive_curvature():
    from gd_explorer.core.calculus import curvature

    assert curvature(parse_function("-x^2 - y^2"), (1.0, 2.0)) == (-2.0, -2.0, None)
