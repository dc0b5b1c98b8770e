"""What a point allows the views to draw (core.point): undefined f or ∇f, ∇f ≈ 0, a slope."""
import math

import pytest

from gd_explorer import parse_function
from gd_explorer.core.point import (F_UNDEFINED, FLAT, GRAD_UNDEFINED, ROUNDOFF, SLOPED,
                                    gradient_floor, point_state)


def test_f_undefined_even_where_the_formula_for_the_gradient_gives_numbers():
    f = parse_function("log(x*y)")
    state = point_state(f, (-1.2, 1.0))
    # ∂f/∂x = 1/x is a number at x = -1.2, but f = log(-1.2) is not: nothing may be drawn
    assert state.kind == F_UNDEFINED and state.words == "f is undefined here"
    assert not state.has_gradient and not state.has_direction
    assert state.gx == pytest.approx(-1 / 1.2)


def test_gradient_undefined_where_f_is_defined():
    state = point_state(parse_function("sqrt(x^2 + y^2)"), (0.0, 0.0))
    assert state.f == 0.0  # the cone's tip: f = 0, ∂f/∂x = x/sqrt(x² + y²) = 0/0
    assert state.kind == GRAD_UNDEFINED and state.words == "∇f is undefined here"
    assert not state.has_gradient


def test_flat_and_sloped_against_the_floor():
    f = parse_function("x^2 + 3*y^2")
    assert point_state(f, (0.0, 0.0)).kind == FLAT  # ∇f = (0, 0) exactly, floor 0
    # ∇f = (2x, 6y) = (8e-7, 0): below a tolerance of 1e-6, above 1e-7
    assert point_state(f, (4e-7, 0.0), floor=1e-6).kind == FLAT
    state = point_state(f, (4e-7, 0.0), floor=1e-7)
    assert state.kind == SLOPED and state.has_direction and state.words == ""
    assert state.norm == pytest.approx(8e-7)
    assert point_state(f, (1.0, 1.0), floor=1e-6).words == ""


def test_gradient_floor_is_the_tolerance_or_round_off_for_the_window():
    f = parse_function("x^2 + y^2")
    # on [-3, 3]² the largest ‖∇f‖ = ‖(2x, 2y)‖ is 6√2 at the corners; its 99th percentile
    # over the 21 × 21 samples is a little below that
    floor = gradient_floor(f, (-3.0, 3.0), (-3.0, 3.0))
    assert 0.9 * ROUNDOFF * 6 * math.sqrt(2) < floor <= ROUNDOFF * 6 * math.sqrt(2)
    assert gradient_floor(f, (-3.0, 3.0), (-3.0, 3.0), tol=1e-6) == 1e-6
    # a point 1e-12 from the minimum has ‖∇f‖ = 2e-12: round-off in this window
    assert point_state(f, (1e-12, 0.0), floor).kind == FLAT
    # the floor scales with the window: zoomed in to ±1e-9, 2e-12 is a slope
    small = gradient_floor(f, (-1e-9, 1e-9), (-1e-9, 1e-9))
    assert point_state(f, (1e-12, 0.0), small).kind == SLOPED


def test_gradient_floor_of_a_constant_and_of_an_undefined_window():
    assert gradient_floor(parse_function("3"), (-1.0, 1.0), (-1.0, 1.0)) == 0.0
    assert gradient_floor(parse_function("log(x)"), (-2.0, -1.0), (0.0, 1.0), tol=1e-6) == 1e-6
