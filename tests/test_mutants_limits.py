"""core.limits: tests that kill the mutants tools/mutate.py found surviving (issue 13).

Each formula below is handed to ``limit`` as a compiled derivative would be: a function of
the point that is undefined (NaN) where the formula is 0/0."""
import math

import pytest

from gd_explorer.core.limits import limit

NAN = math.nan


def quadrant(sx, sy):
    """1 in the open quadrant with these signs, 0 elsewhere: a jump seen from one side only."""
    return lambda a, b: (1.0 if (a > 0) == (sx > 0) and (b > 0) == (sy > 0) else 0.0,)


@pytest.mark.parametrize("values_at", [
    lambda a, b: (a / abs(a),),        # the slope of |x|: +1 from the right, -1 from the left
    lambda a, b: (b / abs(b),),        # the same across the x axis
    quadrant(1, 1), quadrant(-1, 1), quadrant(-1, -1), quadrant(1, -1),
])
def test_a_jump_seen_from_any_side_means_no_limit(values_at):
    assert limit(values_at, 0.0, 0.0) is None


def test_a_tilted_cone_has_no_slope_at_its_tip():
    # ∂/∂x of sqrt(x² + y²) + 10x is 10 + x/r: 9 to 11 by direction, no limit, though the
    # directions differ by less than the value itself
    assert limit(lambda a, b: (10 + a / math.hypot(a, b),), 0.0, 0.0) is None


def test_four_directions_of_eight_are_enough():
    # ∂/∂x of x^2.5 + y² written as 2.5 x^2.5 / x: defined for x > 0 only, which four of the
    # eight directions reach
    def values_at(a, b):
        return (2.5 * a ** 2.5 / a if a > 0 else NAN, 2 * b)

    assert limit(values_at, 0.0, 0.0) == (0.0, 0.0)


def test_a_derivative_that_is_zero_everywhere_has_the_limit_zero():
    assert limit(lambda a, b: (0 * a / a,), 0.0, 0.0) == (0.0,)


def test_a_small_limit_is_not_taken_for_zero():
    # 5e-4 sin(r)/r → 5e-4: small, but the values near the point are all about that size
    def values_at(a, b):
        r = math.hypot(a, b)
        return (5e-4 * math.sin(r) / r,)

    (value,) = limit(values_at, 0.0, 0.0)
    assert value == pytest.approx(5e-4, rel=1e-9)


def test_the_step_grows_with_the_point_far_from_the_origin():
    # ((x - X)² + (y - X)²)^1.5 has ∂/∂x = 3 (x - X) r³/r², 0/0 at (X, X); at X = 1e10 a step
    # of 1e-4 would not move off the point (doubles there are 2e-6 apart): the step is 1e-4·X
    X = 1e10

    def values_at(a, b):
        r = math.hypot(a - X, b - X)
        return (3 * (a - X) * r ** 3 / r ** 2 if r else NAN,)

    assert limit(values_at, X, X) == (0.0,)
