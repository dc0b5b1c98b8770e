"""Messages that tell the truth (issue 13, point 7): f that overflows is not "undefined", a
small gradient where f keeps falling is not "converged", and the curvature hint gives 2/λmax
only where the Hessian is positive definite."""
import math

import pytest

from gd_explorer.core import Descent, InputError, descend, parse_function
from gd_explorer.core.descent import still_falling
from gd_explorer.gui.descent_panel import curvature_hint

FALLING = "but f is still falling: no minimum nearby"


def test_overflow_at_the_start_has_its_own_message():
    with pytest.raises(InputError) as err:
        Descent(parse_function("x^2 + y^2"), (1e154, 1e154), 0.1)  # 2e308 > 1.8e308
    assert str(err.value) == ("f overflows at the start point (1e154, 1e154): its value is "
                              "beyond the largest number a float holds (about 1.8e308); start "
                              "nearer to where f is moderate")
    with pytest.raises(InputError, match="^f overflows at the start point"):
        Descent(parse_function("exp(x)"), (1000.0, 0.0), 0.1)
    # a pole is infinite at one point only: there f is not defined
    for text, start in (("1/x", (0.0, 1.0)), ("log(x^2 + y^2)", (0.0, 0.0))):
        with pytest.raises(InputError, match="^f is not defined at the start point"):
            Descent(parse_function(text), start, 0.1)
    Descent(parse_function("x^2 + y^2"), (1e153, 1e153), 0.1)  # 2e306: a number


def test_a_small_gradient_where_f_keeps_falling_is_not_convergence():
    fn = parse_function("exp(x)")
    result = descend(fn, (-26.0, 0.0), 0.1)  # ‖∇f‖ = e^-26 = 5.1e-12 < 1e-6 at the start
    assert result.status == "still_falling" and result.nit == 0 and not result.success
    assert result.message == f"‖∇f‖ fell below the tolerance (1e-6) after 0 steps {FALLING}"
    # from x = -5 with ε = 1 each step is x ← x - e^x: e^-x grows by about 1 a step, from
    # e^5 = 148 to 1/tol = 1000, so about 850 steps
    result = descend(fn, (-5.0, 0.0), 1.0, max_steps=5000, tol=1e-3)
    assert result.status == "still_falling" and 800 < result.nit < 900
    assert math.exp(result.x[0]) < 1e-3 <= math.exp(result.trajectory[-2, 1])
    assert result.message == (f"‖∇f‖ fell below the tolerance (0.001) after {result.nit} steps "
                              f"{FALLING}")
    both = descend(parse_function("exp(x) + exp(y)"), (-26.0, -26.0), 0.1)  # H > 0, tiny
    assert both.status == "still_falling"


@pytest.mark.parametrize("text, start", [("x^4", (0.5, 0.0)), ("x^4 + y^4", (0.5, 0.3)),
                                         ("x^2 + 10*y^2", (1.0, 1.0)),
                                         ("x^2 - y^2", (1.0, 0.0))])
def test_flat_minima_and_critical_points_still_converge(text, start):
    """x^4 stops where 4x³ < 1e-6 (x ≈ 0.0063); f rises again past 0 along −∇f."""
    result = descend(parse_function(text), start, 0.05, max_steps=200_000)
    assert result.status == "converged", result.message
    assert result.message == f"converged after {result.nit} steps (‖∇f‖ < 1e-6)"


def test_the_falling_probe_by_hand():
    fn = parse_function("x^4")
    # at x = 0.0063 (f' = 1e-6): f falls to 0 at x = 0 and rises beyond it
    assert not still_falling(fn, (0.0063, 0.0), 0.0063 ** 4, (4 * 0.0063 ** 3, 0.0))
    # x^4 - 0.01 x^6 rises from its minimum at 0 up to |x| = 8.2, and only then falls below
    # f(p): a minimum lies between, so f is not "still falling" here
    hump = parse_function("x^4 - 0.01*x^6")
    x = 0.0063
    assert not still_falling(hump, (x, 0.0), x ** 4 - 0.01 * x ** 6, (4 * x ** 3 - 0.06 * x ** 5, 0.0))
    exp = parse_function("exp(x)")
    g = math.exp(-26.0)
    assert still_falling(exp, (-26.0, 0.0), g, (g, 0.0))
    # along +∇f exp rises: nothing falls that way
    assert not still_falling(exp, (-26.0, 0.0), g, (-g, 0.0))
    # a quadratic bowl: the Hessian's minimum is at the point; nothing is probed
    bowl = parse_function("x^2 + y^2")
    assert not still_falling(bowl, (1e-7, 0.0), 1e-14, (2e-7, 0.0))
    tanh = parse_function("tanh(x)")  # falls forever to the left, flattening out
    assert still_falling(tanh, (-10.0, 0.0), math.tanh(-10.0), (1 - math.tanh(-10.0) ** 2, 0.0))


@pytest.mark.parametrize("low, high, words", [
    (2.0, 20.0, "curvature here: λ = 2, 20; stable for ε < 2/λmax ≈ 0.1"),
    (-2.0, 2.0, "curvature here: λ = -2, 2; near a saddle there is no stable rate from curvature"),
    (-2.0, -1.0, "curvature here: λ = -2, -1; no positive curvature, so no step-size limit from it"),
    (0.0, 2.0, "curvature here: λ = 0, 2; flat along one direction; across it stable for "
               "ε < 2/λmax ≈ 1"),
    (1e-15, 4.0, "curvature here: λ = 0, 4; flat along one direction; across it stable for "
                 "ε < 2/λmax ≈ 0.5"),
    (math.nan, math.nan, "curvature here: undefined"),
])
def test_curvature_hint_gives_two_over_lambda_only_where_the_hessian_is_positive(low, high, words):
    bound = 2 / high if high > 0 else None
    assert curvature_hint(low, high, bound) == words


def test_curvature_hint_at_a_saddle_in_the_window(qtbot, shown_window):
    win = shown_window
    with qtbot.waitSignal(win.model.functionChanged, timeout=15000):
        win.model.set_expression("x^2 - 3*y^2")
    win.model.set_start(1.0, 1.0)
    assert win.descent.curvature.text() == ("curvature here: λ = -6, 2; near a saddle there is "
                                            "no stable rate from curvature")
    win.model.set_start(50.0, 0.0)  # far from the saddle too
    assert "no stable rate" in win.descent.curvature.text()


def test_the_window_shows_the_true_messages(qtbot, shown_window):
    win = shown_window
    model = win.model
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.set_expression("x^2 + y^2")
    model.set_start(1e154, 1e154)
    assert win.descent.status.text().startswith("f overflows at the start point (1e154, 1e154)")
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.set_expression("exp(x) + y^2")
    model.set_start(-26.0, 0.0)
    assert win.descent.status.text() == (f"‖∇f‖ fell below the tolerance (1e-6) after 0 steps "
                                         f"{FALLING}")
    assert "#8a6d00" in win.descent.status.styleSheet()  # not the green of convergence


def test_a_minimum_narrower_than_the_first_probe_is_found_by_the_hessian():
    """0.001 x² − x³ + y²: a local minimum at 0 (curvature 0.002 and 2), a maximum at
    x = 0.00067, then f falls for ever. At p = (-1e-7, 0) Newton's step to the minimum is
    1e-7 long, shorter than the first probe (1/256): p is at a minimum, not on a slope."""
    fn = parse_function("0.001*x^2 - x^3 + y^2")
    p = -1e-7
    g = 0.002 * p - 3 * p * p
    assert not still_falling(fn, (p, 0.0), 0.001 * p * p - p ** 3, (g, 0.0))
    result = descend(fn, (p, 0.0), 0.1)
    assert result.status == "converged" and result.nit == 0
