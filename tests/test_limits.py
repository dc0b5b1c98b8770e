"""Derivatives that sympy writes as 0/0 at points where f is smooth get their limits
(issue 13, point 3); where no limit exists, none is made up."""
import math

import pytest

from gd_explorer.core import descend, parse_function
from gd_explorer.core.limits import limit

DROPWAVE = "-(1 + cos(12*sqrt(x^2 + y^2)))/(0.5*(x^2 + y^2) + 2)"
SINE_ENVELOPE = "0.5 + (sin(sqrt(x^2 + y^2))^2 - 0.5)/(1 + 0.001*(x^2 + y^2))^2"


@pytest.mark.parametrize("text, hessian", [
    # DropWave = -(1 + cos 12r)/(r²/2 + 2) = -(2 - 72 r² + …)/(2 + r²/2) = -1 + 36.25 r² + …
    (DROPWAVE, 72.5),
    # Sine envelope = 0.5 + (r² - 0.5 + …)(1 - 0.002 r² + …) = 0 + 1.001 r² + …
    (SINE_ENVELOPE, 2.002),
    ("(x^2 + y^2)^sqrt(pi)", 0.0),   # r^3.54: the Hessian ~ r^1.54 → 0
    ("(x^2 + y^2)^1.5", 0.0),        # r^3
])
def test_gradient_and_hessian_at_the_origin(text, hessian):
    fn = parse_function(text)
    _, gx, gy = fn.value_and_gradient(0.0, 0.0)
    assert (gx, gy) == (0.0, 0.0)
    hxx, hxy, hyy = fn.hessian_scalars(0.0, 0.0)
    assert hxx == pytest.approx(hessian, rel=1e-6, abs=1e-9)
    assert hyy == pytest.approx(hessian, rel=1e-6, abs=1e-9)
    assert hxy == 0.0


def test_cube_of_abs_at_zero():
    fn = parse_function("abs(x)^3 + y^2")  # 3x|x| and 6|x|: both 0 at x = 0
    assert fn.value_and_gradient(0.0, 0.5) == (0.25, 0.0, 1.0)
    assert fn.hessian_scalars(0.0, 0.5) == (0.0, 0.0, 2.0)
    assert fn.numerical_at(0.0, 0.5) == (False, True)


def test_the_readouts_can_tell_a_limit_from_a_formula():
    fn = parse_function(DROPWAVE)
    assert fn.numerical_at(0.0, 0.0) == (True, True)
    assert fn.numerical_at(0.3, 0.2) == (False, False)


@pytest.mark.parametrize("text, point", [
    ("sqrt(x^2 + y^2)", (0.0, 0.0)),                  # a cone: each direction its own slope
    ("sqrt(x^2 + y^2) + 1000*(x^2 + y^2)", (0.0, 0.0)),  # a cone in a steep bowl
    ("abs(x) + abs(y)", (0.0, 0.0)),
])
def test_no_limit_is_made_up_at_a_kink(text, point):
    fn = parse_function(text)
    f, gx, gy = fn.value_and_gradient(*point)
    assert math.isfinite(f)
    if not (gx == 0.0 and gy == 0.0):  # sympy's sign(0) = 0 gives abs a 0 "slope" at 0
        assert math.isnan(gx) and math.isnan(gy)


def test_a_true_singularity_of_the_hessian_stays_infinite():
    fn = parse_function("abs(x) + y^2")  # f_xx = 2 δ(x): not 0 at the kink
    assert fn.hessian_scalars(0.0, 0.0)[0] == math.inf


def test_descent_starts_at_a_removable_singularity():
    fn = parse_function(DROPWAVE)
    run = descend(fn, (0.0, 0.0), 0.01, max_steps=10)
    assert run.status == "critical_start"  # ∇f = 0 there: not "f has a kink"
    near = descend(fn, (0.05, 0.0), 0.001, max_steps=5000)
    assert near.status == "converged" and abs(near.x[0]) < 1e-4


def test_limit_needs_agreement_from_every_direction():
    # a made-up formula whose value depends on the direction of approach: no limit
    assert limit(lambda a, b: (a / math.hypot(a, b),), 0.0, 0.0) is None
    # one that tends to 3 from everywhere
    assert limit(lambda a, b: (3 + a * a + b,), 0.0, 0.0) == (pytest.approx(3.0, abs=1e-12),)
