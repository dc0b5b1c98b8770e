"""core.point: tests that kill the mutants tools/mutate.py found surviving (issue 13)."""
import dataclasses
import math

import pytest

from gd_explorer import parse_function
from gd_explorer.core.point import FLAT, GRAD_UNDEFINED, SLOPED, gradient_floor, point_state


def test_gradient_floor_is_1e_9_of_the_99th_percentile_on_21_by_21_samples():
    # x² + y² on [-3, 3]²: samples 0.3 apart, ‖∇f‖ = 2r. The 441 norms, largest first: the
    # 4 corners (2·√18), then the 8 points (±3, ±2.7), (±2.7, ±3) at 2·√16.29. The 99th
    # percentile sits at sorted index 0.99·440 = 435.6, between indices 435 and 436, both of
    # which are among the 8: 2·√16.29 = 8.0722…
    floor = gradient_floor(parse_function("x^2 + y^2"), (-3.0, 3.0), (-3.0, 3.0))
    assert floor == pytest.approx(1e-9 * 2 * math.sqrt(3 ** 2 + 2.7 ** 2), rel=1e-12)


def test_gradient_floor_follows_an_off_centre_window():
    # x² on [1, 3] × [0, 1]: ‖∇f‖ = 2x; x = 3 is one column of 21 samples in 441: the 99th
    # percentile is in it (sorted index 435.6 > 441 - 21 - 1)
    floor = gradient_floor(parse_function("x^2 + 0*y"), (1.0, 3.0), (0.0, 1.0))
    assert floor == pytest.approx(6e-9, rel=1e-12)


def test_without_a_floor_any_slope_counts():
    state = point_state(parse_function("x^2 + 3*y^2"), (0.25, 0.0))  # ∇f = (0.5, 0)
    assert state.kind == SLOPED and state.has_gradient and state.has_direction


def test_a_flat_point_has_a_gradient_but_no_direction():
    state = point_state(parse_function("x^2 + 3*y^2"), (0.0, 0.0))
    assert state.kind == FLAT and state.has_gradient and not state.has_direction
    assert state.words == "∇f ≈ 0 (critical point)"


def test_one_infinite_partial_derivative_is_enough_to_make_the_gradient_undefined():
    state = point_state(parse_function("x + sqrt(y)"), (1.0, 0.0))  # ∂f/∂x = 1, ∂f/∂y = ∞
    assert state.f == 1.0 and state.gx == 1.0
    assert state.kind == GRAD_UNDEFINED and not state.has_gradient


def test_a_point_state_cannot_be_changed_by_a_pane():
    state = point_state(parse_function("x*y"), (1.0, 2.0))
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.kind = FLAT


def test_gradient_floor_is_zero_where_the_gradient_is_nowhere_defined():
    # sqrt(x) for x < 0: ∂f/∂x = 1/(2 sqrt(x)) is NaN everywhere in the window, so there is
    # no ‖∇f‖ to take a size from, and no round-off level either
    assert gradient_floor(parse_function("sqrt(x)"), (-2.0, -1.0), (0.0, 1.0)) == 0.0
