"""1-D mode in the window (issue 11, item 2): for f of x alone the curve f(x) with the
secant, the tangent, the limit table and the descent steps replaces the map and the surface."""
import re

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QLabel, QTableWidget

from gd_explorer.core.calculus import STEPS_H
from gd_explorer.core.fmt import fmt
from gd_explorer.gui.number_fields import ERROR_COLOR, refusal

CUBIC = "x^3 - 2*x"


def f(x):
    return x ** 3 - 2 * x


def df(x):
    return 3 * x ** 2 - 2  # f'(a) by hand


def quotient(a, h):
    return (f(a + h) - f(a)) / h  # = 3a^2 + 3ah + h^2 - 2


def load(qtbot, win, text):
    with qtbot.waitSignal(win.model.functionChanged, timeout=15000):
        win.model.set_expression(text)
    return win.model


def bold_number(label):
    """The number in bold in a readout, e.g. "... = <b>4.75</b>"."""
    return float(re.search(r"<b>([^<]+)</b>", label.text()).group(1))


def type_into(qtbot, field, text):
    edit = field.lineEdit()
    field.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key_Return)


@pytest.fixture
def cubic(qtbot, shown_window):
    win = shown_window
    model = load(qtbot, win, CUBIC)
    model.set_start(1.5, 0.0)
    return win


def widgets(win):
    find = win.findChild
    return (find(type(win.curve_pane.view), "curveView"), find(QLabel, "secantSlope"),
            find(QLabel, "tangentSlope"), find(QTableWidget, "secantTable"))


def test_switches_between_1d_and_2d(qtbot, shown_window):
    win = shown_window
    load(qtbot, win, "x^2 + 3*y^2")
    win.set_view_mode("contour")
    curve = win.findChild(type(win.curve_pane.view), "curveView")
    assert win.contour.isVisible() and not win.surface.isVisible()
    assert not curve.isVisible() and win.view_controls.mode.isEnabled()
    load(qtbot, win, CUBIC)
    assert curve.isVisible() and win.findChild(QTableWidget, "secantTable").isVisible()
    assert not win.contour.isVisible() and not win.surface.isVisible()
    for widget in (win.view_controls.mode, win.view_controls.spacing,
                   win.view_controls.fields["yMin"]):
        assert not widget.isEnabled() and "x alone" in widget.toolTip()
    assert win.view_controls.fields["xMin"].isEnabled()
    load(qtbot, win, "x^2 + 0*y")  # x alone, as sympy sees it
    assert curve.isVisible() and not win.contour.isVisible()
    load(qtbot, win, "x*y")
    assert not curve.isVisible() and win.contour.isVisible() and not win.surface.isVisible()
    assert win.view_mode == "contour" and win.view_controls.mode.isEnabled()
    assert "x alone" not in win.view_controls.mode.toolTip()


def test_secant_slope_tends_to_the_derivative(qtbot, cubic):
    view, secant_label, tangent_label, table = widgets(cubic)
    a = 1.5
    assert view.point.getData()[0][0] == a
    assert bold_number(tangent_label) == pytest.approx(df(a), rel=1e-3)  # 4.75
    errors = []
    for h in (0.5, *STEPS_H):
        type_into(qtbot, cubic.curve_pane.panel.h_field, fmt(h))
        assert view.h == h
        slope = bold_number(secant_label)
        assert slope == pytest.approx(quotient(a, h), rel=1e-3)  # 7.25 for h = 0.5
        errors.append(abs(slope - df(a)))
        # the secant drawn passes through (a, f(a)) and (a + h, f(a + h))
        assert view.secant_point.getData()[0][0] == pytest.approx(a + h)
        assert view.secant_point.getData()[1][0] == pytest.approx(f(a + h))
    assert all(later <= earlier for earlier, later in zip(errors, errors[1:]))
    assert errors[0] == pytest.approx(2.5, rel=1e-3) and errors[-1] < 1e-4
    # the table: one row per h, the quotient and its distance from f'(a)
    for row, h in enumerate(STEPS_H):
        assert float(table.item(row, 0).text()) == h
        assert float(table.item(row, 1).text()) == pytest.approx(quotient(a, h), rel=1e-3)
        gap = float(table.item(row, 2).text())
        assert gap == pytest.approx(3 * a * h + h * h, rel=2e-3)  # the quotient minus f'(a)
    # the tangent drawn has slope f'(a) through (a, f(a))
    xs, ys = view.tangent.getData()
    assert (ys[1] - ys[0]) / (xs[1] - xs[0]) == pytest.approx(df(a))
    assert np.interp(a, xs, ys) == pytest.approx(f(a))


def test_clicking_the_curve_sets_a(qtbot, cubic):
    view = widgets(cubic)[0]
    model = cubic.model
    (x0, x1), _ = view.getViewBox().viewRange()
    target = -1.0
    pixel = view.data_to_viewport(target, f(target))
    with qtbot.waitSignal(model.startChanged, timeout=15000):
        qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=pixel)
    px = (x1 - x0) / view.getViewBox().width()
    assert abs(model.start[0] - target) <= px and model.start[1] == 0.0
    a = model.start[0]
    assert view.point.getData()[0][0] == a
    assert view.point.getData()[1][0] == pytest.approx(f(a))
    assert view.a_line.value() == a
    tangent = widgets(cubic)[2]
    assert bold_number(tangent) == pytest.approx(df(a), rel=1e-3)


def test_descent_steps_move_the_point_along_the_curve(qtbot, cubic):
    view = widgets(cubic)[0]
    model = cubic.model
    eps = model.run.learning_rate
    a = 1.5
    # before the step: the arrow −ε f′(a) along the x axis from a to the next point
    xs, _ = view.step_shaft.getData()
    assert xs[0] == a and xs[1] == pytest.approx(a - eps * df(a))
    step_label = cubic.findChild(QLabel, "descentStepLabel")
    assert bold_number(step_label) == pytest.approx(-eps * df(a), rel=1e-3)
    points = [a]
    for _ in range(5):
        model.step(1)
        points.append(points[-1] - eps * df(points[-1]))
        px, py = view.point.getData()
        assert px[0] == pytest.approx(points[-1]) and py[0] == pytest.approx(f(points[-1]))
    assert np.all(model.run.view()[:, 2] == 0.0)  # the run stays on y = 0: ∂f/∂y = 0
    sx, sy = view.steps.getData()
    np.testing.assert_allclose(sx, points)
    np.testing.assert_allclose(sy, [f(p) for p in points])
    xs, _ = view.step_shaft.getData()
    assert xs[0] == pytest.approx(points[-1])
    assert xs[1] == pytest.approx(points[-1] - eps * df(points[-1]))


def test_h_field_refuses_bad_input_visibly(qtbot, cubic):
    panel = cubic.curve_pane.panel
    view, secant_label = widgets(cubic)[:2]
    field, message = panel.h_field, cubic.findChild(QLabel, "secantHMessage")
    type_into(qtbot, field, "0,1")  # a decimal comma is read
    assert view.h == 0.1 and refusal(field) == "" and not message.isVisible()
    shown = secant_label.text()
    for text, why in (("abc", "not a number"), ("0", "outside"), ("-0.1", "outside"),
                      ("1,000", "could be")):
        type_into(qtbot, field, text)
        assert why in refusal(field) and why in message.text() and message.isVisible()
        assert ERROR_COLOR in field.styleSheet()
        assert "kept 0.1" in message.text() and field.text() == "0.1"
        assert view.h == 0.1 and secant_label.text() == shown  # nothing changed
    type_into(qtbot, field, "1e-3")
    assert view.h == 0.001 and not message.isVisible() and refusal(field) == ""


def test_slider_sets_h_on_a_log_scale(qtbot, cubic):
    panel = cubic.curve_pane.panel
    view = widgets(cubic)[0]
    slider = panel.h_slider
    slider.setValue(slider.minimum())
    assert view.h == pytest.approx(1e-6)
    slider.setValue(slider.maximum())
    assert view.h == pytest.approx(6.0)  # the window's width
    slider.setValue(500)  # 5 decades above 1e-6
    assert view.h == pytest.approx(0.1)


def test_undefined_at_a_draws_no_secant(qtbot, shown_window):
    win = shown_window
    model = load(qtbot, win, "1/x")
    model.set_start(0.0, 0.0)
    view, secant_label, tangent_label, _ = widgets(win)
    message = win.findChild(QLabel, "secantMessage")
    assert view.secant is None and message.isVisible() and "undefined" in message.text()
    for item in (view.tangent, view.secant_line, view.point):
        xs = item.getData()[0]
        assert xs is None or len(xs) == 0
    assert "undefined" in tangent_label.text()
    model.set_start(0.5, 0.0)
    assert not message.isVisible() and bold_number(tangent_label) == pytest.approx(-4.0)


def test_window_sets_the_x_range_and_fits_f(qtbot, cubic):
    view = widgets(cubic)[0]
    assert cubic.model.set_window((0.0, 2.0), (-3.0, 3.0))
    (x0, x1), (y0, y1) = view.getViewBox().viewRange()
    assert (x0, x1) == pytest.approx((0.0, 2.0))
    low, high = -4 / (3 * 6 ** 0.5), 4.0  # min of x^3 - 2x on [0, 2] at sqrt(2/3), f(2)
    assert y0 < low and y1 > high and y1 - y0 < 1.3 * (high - low)


def test_zooming_the_curve_sets_the_x_window_and_fits_f(qtbot, cubic):
    view = widgets(cubic)[0]
    model = cubic.model
    vp = view.viewport()
    centre = view.data_to_viewport(1.0, 0.0)
    pos = QPointF(centre)
    event = QWheelEvent(pos, vp.mapToGlobal(pos), QPoint(), QPoint(0, 360), Qt.NoButton,
                        Qt.NoModifier, Qt.NoScrollPhase, False)
    with qtbot.waitSignal(model.windowChanged, timeout=10000):
        QApplication.sendEvent(vp, event)
    (x0, x1), (y0, y1) = model.window
    assert x1 - x0 < 6 and x0 < 1.0 < x1       # zoomed in around x = 1
    assert (y0, y1) == (-3.0, 3.0)              # the y window (for 2-D functions) is kept
    assert tuple(view.getViewBox().viewRange()[0]) == pytest.approx((x0, x1))
    xs = np.linspace(x0, x1, 1001)
    fmin, fmax = f(xs).min(), f(xs).max()
    _, (v0, v1) = view.getViewBox().viewRange()  # f fitted to the new x range
    assert v0 < fmin and v1 > fmax and v1 - v0 < 1.3 * (fmax - fmin)


def test_a_out_of_view_is_said(qtbot, cubic):
    view = widgets(cubic)[0]
    assert not view.away.isVisible()
    cubic.model.set_window((-1.0, 1.0), (-3.0, 3.0))  # a = 1.5 is right of it
    assert view.away.isVisible() and view.away.toPlainText() == "a = 1.5 is right of the view ▶"
    cubic.model.set_window((-1.0, 2.0), (-3.0, 3.0))
    assert not view.away.isVisible()


def test_a_narrow_pane_puts_the_secant_panel_under_the_curve(qtbot, shown_window):
    from gd_explorer.gui.curve_view import CURVE_MIN_WIDTH, PANEL_WIDTH, CurvePane

    pane = CurvePane(shown_window.model)
    qtbot.addWidget(pane)
    pane.resize(PANEL_WIDTH + CURVE_MIN_WIDTH + 100, 700)
    pane.show()
    qtbot.waitUntil(lambda: pane.side.x() > pane.view.x(), timeout=15000)     # beside
    assert pane.side.width() == PANEL_WIDTH and pane.view.width() >= CURVE_MIN_WIDTH
    pane.resize(PANEL_WIDTH + CURVE_MIN_WIDTH - 100, 700)
    qtbot.waitUntil(lambda: pane.side.y() > pane.view.y(), timeout=15000)     # under
    assert pane.view.width() == pane.width() and pane.side.width() == pane.width()
    assert pane.view.height() >= 700 - pane.side.height() - 10
