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


def test_the_point_is_approached_from_eight_directions_off_the_axes_at_h_2h_4h():
    # h = 1e-4 · max(1, |x|, |y|) = 3e-4 at (3, -1); the directions are 0.3 + k·45°
    seen = []

    def values_at(a, b):
        seen.append((a - 3.0, b + 1.0))
        return (1.0,)

    assert limit(values_at, 3.0, -1.0) == (1.0,)
    got = sorted((round(math.hypot(dx, dy) / 3e-4, 6), round(math.atan2(dy, dx) % (2 * math.pi), 6))
                 for dx, dy in seen)
    want = sorted((k, round((0.3 + j * math.pi / 4) % (2 * math.pi), 6))
                  for j in range(8) for k in (1, 2, 4))
    assert got == want


def tilted(c):
    """1 + c·cos(θ) near the origin: a cone of height c on a plateau at 1."""
    return lambda a, b: (1.0 + c * a / math.hypot(a, b),)


def test_directions_that_agree_to_1e_4_of_the_value_give_their_mean():
    # the eight estimates are 1 + 1e-5·cos(0.3 + k·45°): they sum to 8 exactly, with no
    # direction counted twice
    (value,) = limit(tilted(1e-5), 0.0, 0.0)
    assert value == pytest.approx(1.0, abs=1e-12)


def test_directions_that_differ_by_more_than_1e_4_of_the_value_give_no_limit():
    # 1 + 1.5e-4·cos(θ): the estimates are up to 1.43e-4 from their mean 1, more than
    # 1e-4·1 + 1e-6·(1 + 1.5e-4)
    assert limit(tilted(1.5e-4), 0.0, 0.0) is None


def test_round_off_beside_a_large_value_is_zero():
    # a gradient (1000, 1e-8·cos θ): the second part is noise next to the first; directions
    # agree to 1e-6 of the largest value, so its limit is 0
    def values_at(a, b):
        return (1000.0, 1e-8 * a / math.hypot(a, b))

    assert limit(values_at, 0.0, 0.0) == (1000.0, 0.0)


def small_beside_one(value, c):
    """(1, value + c·cos θ): the directions of the second part differ by up to 0.955·c."""
    return lambda a, b: (1.0, value + c * a / math.hypot(a, b))


def test_a_value_within_twice_the_directions_spread_is_zero():
    # spread 0.955·0.9e-6 = 0.86e-6, agreeing within 1e-6·1: 1.5e-6 <= 2·0.86e-6 + 1e-6
    assert limit(small_beside_one(1.5e-6, 0.9e-6), 0.0, 0.0) == (1.0, 0.0)


def test_a_value_beyond_twice_the_directions_spread_is_kept():
    # 3.5e-6 > 2·0.86e-6 + 1e-6 = 2.72e-6
    got = limit(small_beside_one(3.5e-6, 0.9e-6), 0.0, 0.0)
    assert got[0] == 1.0 and got[1] == pytest.approx(3.5e-6, rel=1e-9)


def test_a_small_limit_of_a_formula_that_moves_fast_near_the_point_is_kept():
    # 3e-4 + x: the samples move by up to 4h·cos(0.3) = 3.82e-4 from the limit 3e-4, but the
    # extrapolation takes the slope out exactly; 3e-4 > half of that move, so it is not 0
    (value,) = limit(lambda a, b: (3e-4 + a,), 0.0, 0.0)
    assert value == pytest.approx(3e-4, rel=1e-9)
