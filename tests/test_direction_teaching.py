"""The ideas behind D_u f, shown in the Directional derivative tab (issue 11): the chain rule
written out with the numbers at the point, ∇f's projection onto u on the dial (the proof of
steepest ascent), and the traces whose slopes are the partial derivatives. And the tab fits
the screen (issue 12, item 7)."""
import math

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QSplitter

from gd_explorer.core.function import parse_function
from gd_explorer.gui.direction_dial import GRAD_LENGTH, PROJECTION_COLOR, DirectionDial
from gd_explorer.gui.math_view import MathView

BOWL, SADDLE, WAVE, ROOT = "x^2 + 3*y^2", "x*y", "sin(x)*exp(y)", "sqrt(x)"
R = math.radians


@pytest.fixture
def make(direction_at):
    return direction_at


# ----- the chain rule -------------------------------------------------------------------------
@pytest.mark.parametrize("fn, point, phi, expected", [
    # ∇f = (2x, 6y) = (2, 12), u = (cos 30°, sin 30°): √3 + 6 = 7.7320508
    (BOWL, (1, 2), 30, "= (2)(0.866) + (12)(0.5) = 7.732"),
    # ∇f = (y, x) = (-3, 2), u = (-1/√2, -1/√2): 3/√2 - 2/√2 = 0.70710678
    (SADDLE, (2, -3), 225, "= (-3)(-0.7071) + (2)(-0.7071) = 0.7071"),
    # ∇f = (cos x eʸ, sin x eʸ) = (e, 0) at (0, 1); u = (0, -1): cos 270° = -1.8e-16 is
    # round-off, and so is D_u f = e · (-1.8e-16)
    (WAVE, (0, 1), 270, "= (2.718)(0) + (0)(-1) = 0"),
    # a critical point: ∇f = (0, 0), every D_u f is 0
    (BOWL, (0, 0), 40, "= (0)(0.766) + (0)(0.6428) = 0"),
])
def test_chain_rule_written_out_with_the_numbers(make, fn, point, phi, expected):
    model, panel = make(fn, *point, phi)
    chain = panel.findChild(QLabel, "chainRuleValue").text()
    assert chain == expected
    # the same value as the D_u f readout, in the same format
    assert chain.rsplit("= ", 1)[1] == panel.findChild(QLabel, "directionalDerivativeValue").text()
    # the factors f_x and f_y are the ∇f readout's
    gx, gy = panel.findChild(QLabel, "gradientValue").text().strip("()").split(", ")
    assert chain.startswith(f"= ({gx})(") and f" + ({gy})(" in chain
    assert panel.findChild(MathView, "chainRuleFormula").text() == "g′(0) = f_x u_x + f_y u_y"


def test_chain_rule_follows_the_dial_and_says_where_it_is_undefined(make):
    model, panel = make(BOWL, 1, 2, 0)
    assert panel.chain_label.text() == "= (2)(1) + (12)(0) = 2"
    model.set_angle(R(90))
    assert panel.chain_label.text() == "= (2)(0) + (12)(1) = 12"
    model.set_start(-1, 0)  # bowl: ∇f = (-2, 0)
    assert panel.chain_label.text() == "= (-2)(0) + (0)(1) = 0"
    model.set_function(parse_function(ROOT))
    model.set_start(-1, 1)  # √x is undefined there
    assert panel.chain_label.text() == "= undefined here"


# ----- ∇f's projection onto u on the dial ----------------------------------------------------
def dial_with(qtbot, grad_deg, phi_deg):
    dial = DirectionDial()
    qtbot.addWidget(dial)
    dial.resize(200, 200)
    dial.setGradient(math.cos(R(grad_deg)), math.sin(R(grad_deg)))
    dial.setAngle(R(phi_deg))
    return dial


def along(dial, angle_deg, dist, side=0.0):
    """The widget point at ``dist`` from the centre along ``angle_deg``, moved ``side`` pixels
    to its left (screen y points down)."""
    c, a = dial.center(), R(angle_deg)
    return QPointF(c.x() + dist * math.cos(a) - side * math.sin(a),
                   c.y() - dist * math.sin(a) - side * math.cos(a))


def is_projection_colour(image, pt):
    """The pixel at ``pt`` is the leg's green (the translucent band on white, or the line)."""
    c = image.pixelColor(QPoint(round(pt.x()), round(pt.y())))
    return c.green() > c.red() + 40 and c.green() > c.blue() + 20


@pytest.mark.parametrize("grad_deg, phi_deg", [(0, 60), (0, 120), (30, 30), (200, 110), (45, 300),
                                               (100, 250)])
def test_projection_leg_has_length_norm_cos_theta_along_u(qtbot, grad_deg, phi_deg):
    dial = dial_with(qtbot, grad_deg, phi_deg)
    cos_theta = math.cos(R(phi_deg - grad_deg))
    length = GRAD_LENGTH * dial.radius()  # the ∇f arrow's length stands for ‖∇f‖
    foot, tip = dial.projection()
    expected_foot = along(dial, phi_deg, length * cos_theta)  # signed: behind u if cos θ < 0
    assert foot.x() == pytest.approx(expected_foot.x(), abs=1e-9)
    assert foot.y() == pytest.approx(expected_foot.y(), abs=1e-9)
    tip_expected = along(dial, grad_deg, length)
    assert (tip.x(), tip.y()) == pytest.approx((tip_expected.x(), tip_expected.y()), abs=1e-9)
    # the perpendicular from ∇f's tip meets u's line at a right angle
    ux, uy = math.cos(R(phi_deg)), -math.sin(R(phi_deg))
    assert (tip.x() - foot.x()) * ux + (tip.y() - foot.y()) * uy == pytest.approx(0, abs=1e-9)


@pytest.mark.parametrize("phi_deg", [60, 120])
def test_projection_leg_is_drawn_on_the_side_of_its_sign(qtbot, phi_deg):
    dial = dial_with(qtbot, 0, phi_deg)  # cos θ = 0.5 at 60°, -0.5 at 120°
    image = dial.grab().toImage()
    length = GRAD_LENGTH * dial.radius()
    sign = 1 if phi_deg < 90 else -1
    # beside u's line (outside u's arrow, inside the leg's band), halfway along the leg
    on_leg = [along(dial, phi_deg, sign * 0.5 * 0.5 * length, side) for side in (-4.5, 4.5)]
    off_leg = [along(dial, phi_deg, -sign * 0.5 * 0.5 * length, side) for side in (-4.5, 4.5)]
    assert all(is_projection_colour(image, pt) for pt in on_leg)
    assert not any(is_projection_colour(image, pt) for pt in off_leg)


def test_projection_is_longest_along_the_gradient(qtbot):
    lengths = {}
    for phi in range(0, 360, 15):
        dial = dial_with(qtbot, 75, phi)
        foot, _ = dial.projection()
        c = dial.center()
        signed = (foot.x() - c.x()) * math.cos(R(phi)) - (foot.y() - c.y()) * math.sin(R(phi))
        lengths[phi] = signed
    assert max(lengths, key=lengths.get) == 75       # θ = 0: the leg is all of ∇f
    assert lengths[75] == pytest.approx(GRAD_LENGTH * dial.radius())
    assert min(lengths, key=lengths.get) == 255      # θ = 180°: all of it, backwards
    assert abs(lengths[165]) < 1e-9                  # θ = 90°: nothing


@pytest.mark.parametrize("fn, point", [(ROOT, (-1, 1)), (BOWL, (0, 0)), ("sqrt(x^2 + y^2)", (0, 0))])
def test_no_projection_where_the_gradient_has_no_direction(make, fn, point):
    model, panel = make(fn, *point, 30)
    assert panel.dial.projection() is None
    image = panel.dial.grab().toImage()
    greens = sum(is_projection_colour(image, QPointF(x, y))
                 for y in range(image.height()) for x in range(image.width()))
    assert greens == 0


def test_projection_colour_in_the_legend(make):
    model, panel = make(BOWL, 1, 2, 30)
    legend = panel.findChild(QLabel, "dialLegend").text().replace("&nbsp;", " ")
    assert PROJECTION_COLOR in legend and "‖∇f‖ cos θ" in legend


# ----- partial derivatives as slices ----------------------------------------------------------
def slope_of(item):
    xs, ys = item.getData()
    return (ys[1] - ys[0]) / (xs[1] - xs[0])


@pytest.mark.parametrize("fn, point, fx, fy, f", [
    (BOWL, (1, 2), 2.0, 12.0, lambda x, y: x ** 2 + 3 * y ** 2),     # (2x, 6y)
    (SADDLE, (2, -3), -3.0, 2.0, lambda x, y: x * y),                # (y, x)
    (WAVE, (0.3, -0.4), math.cos(0.3) * math.exp(-0.4), math.sin(0.3) * math.exp(-0.4),
     lambda x, y: np.sin(x) * np.exp(y)),
])
def test_trace_slopes_are_the_partial_derivatives(make, fn, point, fx, fy, f):
    model, panel = make(fn, *point, 10)
    a, b = point
    f0 = f(a, b)
    for plot, partial, origin, trace in ((panel.trace_x, fx, a, lambda t: f(t, b)),
                                         (panel.trace_y, fy, b, lambda t: f(a, t))):
        xs, ys = plot.curve.getData()
        assert xs[0] < origin < xs[-1]
        assert ys == pytest.approx(trace(xs), rel=1e-12, abs=1e-12)   # the trace itself
        assert slope_of(plot.tangent) == pytest.approx(partial, rel=1e-9)
        tx, ty = plot.tangent.getData()
        assert np.interp(origin, tx, ty) == pytest.approx(f0, rel=1e-9)  # through (a, b, f)
        mid = len(xs) // 2                                             # the curve's own slope
        assert xs[mid] == pytest.approx(origin)
        centred = (ys[mid + 1] - ys[mid - 1]) / (xs[mid + 1] - xs[mid - 1])
        assert centred == pytest.approx(partial, rel=1e-3, abs=1e-3)
        px, py = plot.point.getData()
        assert (px[0], py[0]) == pytest.approx((origin, f0))
    assert "f<sub>x</sub> = " in panel.trace_x_caption.text()
    assert "f<sub>y</sub> = " in panel.trace_y_caption.text()


def test_traces_follow_the_point_not_the_angle(make):
    model, panel = make(BOWL, 1, 2, 10)
    before = panel.trace_x.curve.getData()[1].copy()
    model.set_angle(R(100))
    assert np.array_equal(panel.trace_x.curve.getData()[1], before)
    model.set_start(-1, 0.5)  # ∇f = (-2, 3)
    assert slope_of(panel.trace_x.tangent) == pytest.approx(-2.0)
    assert slope_of(panel.trace_y.tangent) == pytest.approx(3.0)
    assert panel.trace_x_caption.text().startswith("f(x, 0.5) against x")
    assert panel.trace_y_caption.text().startswith("f(-1, y) against y")


def test_no_tangent_on_the_traces_where_the_gradient_is_undefined(make):
    model, panel = make("sqrt(x^2 + y^2)", 0, 0, 10)  # a cone: f is 0, ∇f is undefined
    for plot in (panel.trace_x, panel.trace_y):
        xs, ys = plot.curve.getData()
        assert ys == pytest.approx(np.abs(xs))  # the trace is |x| (or |y|)
        tx, _ = plot.tangent.getData()
        assert tx is None or len(tx) == 0
    assert "slope f<sub>x</sub> = undefined" in panel.trace_x_caption.text()
    model.set_function(parse_function(ROOT))
    model.set_start(-1, 1)  # f is undefined: no trace at all
    for plot in (panel.trace_x, panel.trace_y):
        xs, _ = plot.curve.getData()
        assert xs is None or len(xs) == 0


# ----- the tab fits the screen ---------------------------------------------------------------
@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)])
@pytest.mark.parametrize("point", [(-0.2712, -0.9231), (3, 2)])  # long numbers; a minimum
def test_dial_readouts_and_sinusoid_fit_without_scrolling(qtbot, shown_window, size, point):
    win = shown_window
    win.resize(*size)
    with qtbot.waitSignal(win.model.functionChanged, timeout=15000):
        win.model.set_expression("(x^2 + y - 11)^2 + (x + y^2 - 7)^2")
    win.model.set_start(*point)  # at (3, 2) ∇f = 0: a message takes two more lines
    win.model.set_angle(R(-123.4))
    win.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: win.width() == size[0] and win.direction.isVisible(), timeout=15000)
    panel = win.direction
    area = win.tabs.currentWidget()
    # the layouts have followed the new size: the panel is as wide as the area shows
    qtbot.waitUntil(lambda: panel.width() == area.viewport().width(), timeout=15000)
    viewport = area.viewport().rect()
    assert area.verticalScrollBar().value() == 0
    must_show = [panel.dial, panel.snap_along, panel.snap_level, panel.phi_label, panel.u_label,
                 panel.grad_label, panel.norm_label, panel.theta_label, panel.cos_label,
                 panel.value_label, panel.polar_label, panel.chain_label, panel.curve_plot]
    for widget in must_show:
        rect = widget.rect().translated(widget.mapTo(area.viewport(), QPoint(0, 0)))
        assert viewport.contains(rect), f"{widget.objectName()} needs scrolling at {size}"
    assert_nothing_clipped(panel)
    # the side panel at its narrowest: the panel is as narrow as the area, and still whole
    split = win.findChild(QSplitter, "mainSplitter")
    split.setSizes([sum(split.sizes()) - 1, 1])  # the side keeps its minimum width
    qtbot.waitUntil(lambda: area.viewport().width() < 360, timeout=15000)
    qtbot.waitUntil(lambda: panel.width() == area.viewport().width(), timeout=15000)
    assert_nothing_clipped(panel)


def assert_nothing_clipped(panel):
    for label in (panel.phi_label, panel.u_label, panel.theta_label, panel.cos_label,
                  panel.value_label, panel.polar_label):
        needed = label.fontMetrics().horizontalAdvance(label.text())
        assert needed <= label.width(), f"{label.objectName()} is clipped: {label.text()!r}"
    for label in (panel.grad_label, panel.norm_label, panel.chain_label):  # these may wrap
        box = label.fontMetrics().boundingRect(QRect(0, 0, label.width(), 1000), Qt.TextWordWrap,
                                               label.text())
        assert box.width() <= label.width() and box.height() <= label.height(), label.text()
