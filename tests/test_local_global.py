"""Local versus global (issue 11, item 8): a stopped run says what it stopped at (by the
Hessian, as the critical-point finder decides) and whether a lower minimum is known; the
lowest minimum found is marked; the critical points are listed, filtered and clickable."""
import math

import pytest
from PySide6.QtCore import Qt

from gd_explorer.core import descend, parse_function
from gd_explorer.core.analysis import critical_points
from gd_explorer.core.critical import critical_point_near
from gd_explorer.core.endpoint import end_words, stopped_at

RASTRIGIN = "20 + x^2 - 10*cos(2*pi*x) + y^2 - 10*cos(2*pi*y)"
R_WINDOW = ((-5.12, 5.12), (-5.12, 5.12))
# The preset's run, from (3.2, -2.3) with ε = 0.002, stops in the well at (3, -2). There
# f_x = 2x + 20π sin(2πx) = 0 near x = 3 - 3/(20π² + 1) = 2.98486 and y = -2 + 2/(20π² + 1) =
# -1.98991, f ≈ 2.98486² + 1.98991² + 10(2 - cos(0.0951) - cos(0.0634)) = 12.934, and the
# Hessian is diag(2 + 40π² cos(2π·0.01514), 2 + 40π² cos(2π·0.01009)) = diag(395.0, 396.0).
LOCAL = "stopped at a local minimum (Hessian eigenvalues 395, 396)"


@pytest.fixture(scope="module")
def rastrigin():
    return parse_function(RASTRIGIN)


@pytest.fixture(scope="module")
def rastrigin_points(rastrigin):
    return critical_points(rastrigin, *R_WINDOW)


def test_a_run_stuck_on_rastrigin_is_a_local_minimum_with_the_lower_one_named(rastrigin,
                                                                              rastrigin_points):
    run = descend(rastrigin, (3.2, -2.3), 0.002, max_steps=10000)
    assert run.status == "converged" and run.fun == pytest.approx(12.934, abs=1e-3)
    end = stopped_at(rastrigin, run.x, R_WINDOW)
    near = end.near
    assert (near.x, near.y) == pytest.approx((3 - 3 / (20 * math.pi ** 2 + 1),
                                              -2 + 2 / (20 * math.pi ** 2 + 1)), abs=1e-4)
    assert near.kind == "minimum" and near.eigenvalues == pytest.approx((395.0, 396.0), abs=0.05)
    assert end_words(end) == (f"stopped at a minimum (Hessian eigenvalues 395, 396): Find "
                              "critical points to see whether a lower minimum is in view")
    assert end_words(end, rastrigin_points.points) == (
        f"{LOCAL}: the lowest minimum found in view is f = 0 at (0, 0)")
    # from near the origin, the run ends at the lowest minimum found
    home = descend(rastrigin, (0.2, -0.3), 0.002, max_steps=10000)
    assert end_words(stopped_at(rastrigin, home.x, R_WINDOW), rastrigin_points.points) == (
        "stopped at the lowest minimum found in view (Hessian eigenvalues 396.8, 396.8)")


def test_saddles_maxima_and_degenerate_points_by_the_hessian():
    window = ((-3.0, 3.0), (-3.0, 3.0))
    saddle = parse_function("x^2 - y^2")
    end = stopped_at(saddle, (4e-7, 0.0), window)
    assert end_words(end, ()) == ("stopped at a saddle point, not a minimum (Hessian eigenvalues "
                                  "-2, 2); no minimum was found in view")
    peak = parse_function("-x^2 - 2*y^2")
    assert end_words(stopped_at(peak, (1e-8, 0.0), window)) == (
        "stopped at a maximum (Hessian eigenvalues -4, -2)")
    # x^4 + y^4: the Hessian is 0 at the origin; f on circles round it decides: a minimum
    quartic = parse_function("x^4 + y^4")
    assert critical_point_near(quartic, (0.0056, 0.0056), window).kind == "minimum"
    # x^3 + y^2 at the origin: f rises and falls on circles round it
    assert critical_point_near(parse_function("x^3 + y^2"), (1e-4, 0.0), window).kind == "saddle"
    # x^2 + 1e-8 y^2 at (0, 0.2): ‖∇f‖ = 4e-9, but the minimum is 0.2 away
    slow = stopped_at(parse_function("x^2 + 1e-8*y^2"), (0.0, 0.2), window)
    assert end_words(slow) == ("‖∇f‖ is small here, but the nearest critical point, a minimum "
                               "at (0, 0), is 0.2 away: a smaller tolerance gets closer")


def test_equal_minima_elsewhere_are_as_low():
    himmelblau = parse_function("(x^2 + y - 11)^2 + (x + y^2 - 7)^2")
    window = ((-5.0, 5.0), (-5.0, 5.0))
    known = critical_points(himmelblau, *window).points
    end = stopped_at(himmelblau, (3.0, 2.0), window)  # f = 0 at all four minima
    first = next(p for p in known if p.kind == "minimum")
    if math.hypot(first.x - 3, first.y - 2) < 1e-6:
        words = "stopped at the lowest minimum found in view"
    else:
        words = "stopped at a minimum as low as any found in view"
    assert end_words(end, known).startswith(words)


# ----- the window --------------------------------------------------------------------------
def rastrigin_window(qtbot, win):
    model = win.model
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.load_preset("Rastrigin")
    return model


def test_the_status_names_the_lower_minimum_once_critical_points_are_found(qtbot, shown_window):
    win = shown_window
    model = rastrigin_window(qtbot, win)
    model.step(100)
    status = win.descent.status
    assert model.run.status == "converged"
    assert status.text().endswith("; stopped at a minimum (Hessian eigenvalues 395, 396): Find "
                                  "critical points to see whether a lower minimum is in view")
    with qtbot.waitSignal(model.analysis.criticalPointsChanged, timeout=60000):
        model.analysis.find_critical_points()
    assert status.text() == (f"converged after {model.run.steps} steps (‖∇f‖ < 1e-6); {LOCAL}: "
                             "the lowest minimum found in view is f = 0 at (0, 0)")
    view = win.contour
    star = view.lowest.getData()
    assert (list(star[0]), list(star[1])) == ([0.0], [0.0])
    assert "lowest minimum found" in {label.text for _, label in view.legend.items}
    model.analysis.clear()
    assert len(view.lowest.getData()[0]) == 0
    assert "lowest minimum found" not in {label.text for _, label in view.legend.items}


def test_critical_table_lists_filters_and_sets_the_start(qtbot, shown_window):
    win = shown_window
    model = rastrigin_window(qtbot, win)
    table = win.findChild(type(win.analysis.critical_table.table), "criticalTable")
    kind_filter = win.findChild(type(win.descent.optimizer), "criticalKindFilter")
    assert table is not None and kind_filter is not None
    assert not win.analysis.critical_table.isVisible()  # nothing found yet
    with qtbot.waitSignal(model.analysis.criticalPointsChanged, timeout=60000):
        model.analysis.find_critical_points()
    found = model.analysis.critical
    rows = table.model()
    assert model.analysis.critical_total == 441  # 21 critical values of x times 21 of y
    assert rows.rowCount() == len(found) == 50
    assert [rows.data(rows.index(0, c)) for c in range(6)] == ["0", "0", "0", "minimum",
                                                               "396.8", "396.8"]
    count = win.analysis.critical_table.count
    assert count.text() == ("50 critical points listed; only the 50 lowest of the 441 found "
                            "are kept")
    kind_filter.setCurrentIndex(kind_filter.findData("saddle"))
    assert rows.rowCount() == 0  # the 50 lowest are all minima
    assert count.text().startswith("0 saddles listed")


def test_critical_table_filter_and_click_on_himmelblau(qtbot, shown_window):
    """Himmelblau on [-5, 5]²: 4 minima (f = 0), 4 saddles and 1 maximum, f = 181.6 at
    (-0.2708, -0.923)."""
    win = shown_window
    model = win.model
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.load_preset("Himmelblau")
    with qtbot.waitSignal(model.analysis.criticalPointsChanged, timeout=60000):
        model.analysis.find_critical_points()
    table, kind_filter = win.analysis.critical_table.table, win.analysis.critical_table.filter
    rows = table.model()
    assert rows.rowCount() == 9 and model.analysis.critical_total == 9
    assert win.analysis.critical_table.count.text() == "9 critical points listed"
    kind_filter.setCurrentIndex(kind_filter.findData("maximum"))
    assert rows.rowCount() == 1
    assert [rows.data(rows.index(0, c)) for c in range(4)] == ["-0.2708", "-0.923", "181.6",
                                                               "maximum"]
    assert win.analysis.critical_table.count.text() == "1 maximum listed"
    kind_filter.setCurrentIndex(kind_filter.findData("saddle"))
    assert rows.rowCount() == 4
    assert {rows.data(rows.index(r, 3)) for r in range(4)} == {"saddle"}
    assert all(float(rows.data(rows.index(r, 4))) < 0 < float(rows.data(rows.index(r, 5)))
               for r in range(4))
    target = rows.points[2]
    table.scrollTo(rows.index(2, 0))
    rect = table.visualRect(rows.index(2, 0))
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=rect.center())
    assert model.start == (target.x, target.y)
    assert model.point_state().kind == "flat"  # a critical point: ∇f ≈ 0 there


@pytest.mark.parametrize("text, start, kind", [("x^2", (0.7, 0.5), "minimum"),
                                               ("x^3 - 3*x", (1.5, 0.0), "minimum"),
                                               ("x^4", (0.5, 1.0), "minimum"),
                                               ("x^3", (1e-4, 0.0), "saddle"),
                                               ("-cos(x)", (0.3, 2.0), "minimum")])
def test_a_function_of_x_alone_has_the_kind_of_its_curve(text, start, kind):
    """f(x, y) = g(x) is critical on a whole line, so its Hessian is singular everywhere; the
    kind is g's: x^3 - 3x has its minimum at x = 1 (g'' = 6), x^3 has neither at 0."""
    fn = parse_function(text)
    run = descend(fn, start, 0.05, max_steps=100_000)
    near = critical_point_near(fn, run.x, ((-3.0, 3.0), (-3.0, 3.0)))
    assert near.kind == kind
    assert near.y == pytest.approx(start[1], abs=1e-3)  # the line x = x*: y does not move
