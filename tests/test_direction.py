"""The direction dial and panel (issue 4): D_u f = ∇f·u = ‖∇f‖ cos θ, shown and proved."""
import math

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QScrollArea, QTableWidget

from gd_explorer.core.function import parse_function
from gd_explorer.gui.colors import U_COLOR
from gd_explorer.gui.direction_dial import DirectionDial
from gd_explorer.gui.direction_panel import DirectionPanel
from gd_explorer.gui.model import ExplorerModel

BOWL, SADDLE, WAVE, ROOT = "x^2 + 3*y^2", "x*y", "sin(x)*exp(y)", "sqrt(x)"
R = math.radians
SHOWN = 5e-4  # readouts have 4 significant digits: half a unit in the last place, relative


@pytest.fixture(scope="module")
def functions():
    return {text: parse_function(text) for text in (BOWL, SADDLE, WAVE, ROOT, "x + y")}


@pytest.fixture
def make(qtbot, functions):
    """A panel observing a model at function ``text``, point (x, y), angle phi in degrees."""

    def build(text, x, y, phi_deg=0.0):
        model = ExplorerModel()
        panel = DirectionPanel(model)  # built first: everything below arrives by signals
        qtbot.addWidget(panel)
        model.set_function(functions[text])
        model.set_start(x, y)
        model.set_angle(R(phi_deg))
        return model, panel

    return build


def text(panel, name):
    return panel.findChild(QLabel, name).text()


def shown_value(panel):
    return float(text(panel, "directionalDerivativeValue"))


def dial_of(panel):
    return panel.findChild(DirectionDial, "directionDial")


def angle_close(a, b, tol):
    return abs(math.remainder(a - b, 2 * math.pi)) <= tol


# ----- widget → model → readouts, and model → widget ---------------------------------------
def test_angle_from_the_dial_updates_model_and_readouts(qtbot, make):
    model, panel = make(BOWL, 1, 2)
    dial = dial_of(panel)
    dial.setAngle(R(30))
    with qtbot.waitSignal(model.angleChanged, timeout=15000):
        dial.angleChanged.emit(dial.angle())
    assert model.angle == pytest.approx(R(30))
    # grad f = (2x, 6y) = (2, 12) at (1, 2)
    assert text(panel, "phiValue") == "30°"
    assert text(panel, "uValue") == "(0.866, 0.5)"
    assert text(panel, "gradientValue") == "(2, 12)"
    assert text(panel, "gradNormValue") == "12.17"              # sqrt(148) = 12.1655…
    assert text(panel, "thetaValue") == "50.54°"                # atan2(12, 2) = 80.54°, minus 30°
    assert text(panel, "cosThetaValue") == "0.6356"             # 7.7320508 / 12.1655251
    assert text(panel, "directionalDerivativeValue") == "7.732"  # 2 cos 30° + 12 sin 30°
    assert text(panel, "directionalDerivativePolar") == "7.732"

    dial.setFocus()
    with qtbot.waitSignal(model.angleChanged, timeout=15000):
        qtbot.keyClick(dial, Qt.Key_Right)
    assert model.angle == pytest.approx(R(31))
    assert shown_value(panel) == pytest.approx(2 * math.cos(R(31)) + 12 * math.sin(R(31)), rel=SHOWN)


def test_angle_from_the_model_turns_the_dial_without_feedback(qtbot, make):
    model, panel = make(BOWL, 1, 2)
    dial = dial_of(panel)
    emitted = []
    dial.angleChanged.connect(lambda phi: emitted.append(("changed", phi)))
    dial.angleChanging.connect(lambda phi: emitted.append(("changing", phi)))
    model.set_angle(R(200))
    assert dial.angle() == pytest.approx(R(200))
    assert shown_value(panel) == pytest.approx(2 * math.cos(R(200)) + 12 * math.sin(R(200)), rel=SHOWN)
    settled = []
    model.angleChanged.connect(settled.append)
    model.preview_angle(R(100))
    assert dial.angle() == pytest.approx(R(100))
    assert shown_value(panel) == pytest.approx(2 * math.cos(R(100)) + 12 * math.sin(R(100)), rel=SHOWN)
    xs, ys = panel.marker.getData()
    assert xs[0] == pytest.approx(100) and ys[0] == pytest.approx(shown_value(panel), rel=SHOWN)
    assert emitted == [] and settled == []


# ----- D_u f against hand-computed values -------------------------------------------------
SQ = math.sqrt(2) / 2


@pytest.mark.parametrize("fn, point, phi_deg, expected", [
    (BOWL, (1, 2), 30, 2 * math.cos(R(30)) + 12 * 0.5),   # ∇f = (2, 12): √3 + 6 = 7.7320508…
    (BOWL, (-1, 0.5), 135, -2 * -SQ + 3 * SQ),            # ∇f = (-2, 3): 5/√2 = 3.5355339…
    (BOWL, (1, 2), 260.5376777919744, -math.sqrt(148)),   # against ∇f: −‖∇f‖
    (SADDLE, (2, 3), 90, 2.0),                            # ∇f = (y, x) = (3, 2)
    (SADDLE, (2, 3), 225, -3 * SQ - 2 * SQ),              # −5/√2 = −3.5355339…
    (WAVE, (0, 0), 60, 0.5),                              # ∇f = (cos x eʸ, sin x eʸ) = (1, 0)
    (WAVE, (math.pi / 2, 1), 90, math.e),                 # ∇f = (0, e)
    (WAVE, (math.pi / 2, 1), 0, 0.0),                     # along the level curve
])
def test_directional_derivative_matches_hand_values(make, fn, point, phi_deg, expected):
    model, panel = make(fn, *point, phi_deg)
    assert shown_value(panel) == pytest.approx(expected, rel=SHOWN, abs=1e-9)
    assert text(panel, "directionalDerivativePolar") == text(panel, "directionalDerivativeValue")
    assert panel.result.value == pytest.approx(expected, rel=1e-12, abs=1e-12)
    table = panel.findChild(QTableWidget, "limitTable")
    assert [table.item(r, 0).text() for r in range(6)] == ["0.1", "0.01", "0.001", "0.0001", "1e-5",
                                                           "1e-6"]
    assert float(table.item(5, 1).text()) == pytest.approx(expected, rel=SHOWN, abs=1e-4)


# ----- the curve D_u f(φ) -------------------------------------------------------------------
@pytest.mark.parametrize("fn, point", [(BOWL, (1, 2)), (BOWL, (1, -2)), (SADDLE, (2, 3)),
                                       (WAVE, (0.3, -0.4))])
def test_curve_peaks_along_the_gradient(make, functions, fn, point):
    model, panel = make(fn, *point, 10)
    _, gx, gy = functions[fn].value_and_gradient(*point)
    norm, top = math.hypot(gx, gy), math.degrees(math.atan2(gy, gx)) % 360
    xs, ys = panel.curve.getData()
    assert xs[0] == 0 and xs[-1] == 360 and np.all(np.diff(xs) == 1.0)
    step = 1.0
    assert abs(math.remainder(xs[np.argmax(ys)] - top, 360)) <= step / 2 + 1e-9
    assert abs(math.remainder(xs[np.argmin(ys)] - (top + 180), 360)) <= step / 2 + 1e-9
    assert ys.max() == pytest.approx(norm, rel=1e-4) and ys.min() == pytest.approx(-norm, rel=1e-4)
    crossings = xs[:-1][np.sign(ys[:-1]) != np.sign(ys[1:])]
    assert any(abs(math.remainder(c - (top + 90), 360)) <= step for c in crossings)
    assert any(abs(math.remainder(c - (top - 90), 360)) <= step for c in crossings)
    labels = panel.curve_labels
    assert labels["max"].textItem.toPlainText() == "max: along ∇f"
    assert labels["max"].pos().x() == pytest.approx(top) and labels["max"].isVisible()
    assert labels["min"].textItem.toPlainText() == "min: against ∇f"
    assert labels["min"].pos().x() == pytest.approx((top + 180) % 360)
    zeros = sorted(labels[k].pos().x() for k in ("zero1", "zero2"))
    assert zeros == pytest.approx(sorted([(top + 90) % 360, (top + 270) % 360]))
    assert labels["zero1"].textItem.toPlainText() == "0: level curve"
    mx, my = panel.marker.getData()
    assert mx[0] == pytest.approx(10) and my[0] == pytest.approx(shown_value(panel), rel=SHOWN)


# ----- snap buttons -------------------------------------------------------------------------
@pytest.mark.parametrize("button, theta, sign", [("snapAlong", "0°", 1), ("snapAgainst", "180°", -1),
                                                 ("snapLevel", "90°", 0)])
def test_snap_buttons(qtbot, make, button, theta, sign):
    model, panel = make(BOWL, 1, 2, 17)
    with qtbot.waitSignal(model.angleChanged, timeout=15000):
        qtbot.mouseClick(panel.findChild(QPushButton, button), Qt.LeftButton)
    offset = {1: 0.0, -1: math.pi, 0: math.pi / 2}[sign]
    assert angle_close(model.angle, math.atan2(12, 2) + offset, 1e-12)
    assert angle_close(dial_of(panel).angle(), model.angle, 1e-12)
    assert text(panel, "thetaValue") == theta
    assert shown_value(panel) == pytest.approx(sign * math.sqrt(148), rel=SHOWN)
    assert panel.result.value == pytest.approx(sign * math.sqrt(148), abs=1e-12)


@pytest.mark.parametrize("fn, point", [(BOWL, (1, 2)), (SADDLE, (2, -3)), (WAVE, (0.7, 0.2))])
def test_level_curve_direction_is_perpendicular_to_the_gradient(qtbot, make, functions, fn, point):
    model, panel = make(fn, *point, 3)
    qtbot.mouseClick(panel.findChild(QPushButton, "snapLevel"), Qt.LeftButton)
    _, gx, gy = functions[fn].value_and_gradient(*point)
    ux, uy = math.cos(model.angle), math.sin(model.angle)
    assert abs(gx * ux + gy * uy) <= 1e-12 * math.hypot(gx, gy)
    shown_u = [float(v) for v in text(panel, "uValue").strip("()").split(",")]
    assert abs(gx * shown_u[0] + gy * shown_u[1]) <= SHOWN * (abs(gx) + abs(gy))
    assert angle_close(model.angle, math.atan2(gy, gx) + math.pi / 2, 1e-12)
    assert text(panel, "directionalDerivativeValue") == "0"


# ----- mouse, keys and wheel on the dial -----------------------------------------------------
def test_dragging_the_needle(qtbot, make):
    model, panel = make(BOWL, 1, 2, 0)
    panel.show()
    qtbot.waitExposed(panel)
    dial = dial_of(panel)
    changing, changed, previews = [], [], []
    dial.angleChanging.connect(changing.append)
    dial.angleChanged.connect(changed.append)
    model.angleChanging.connect(previews.append)
    c, r = dial.center(), 0.9 * dial.radius()

    def at(deg):
        return QPoint(round(c.x() + r * math.cos(R(deg))), round(c.y() - r * math.sin(R(deg))))

    qtbot.mousePress(dial, Qt.LeftButton, pos=at(200))
    assert changing and angle_close(changing[-1], R(200), R(1.5))
    assert changed == []
    qtbot.mouseMove(dial, at(160))
    qtbot.mouseMove(dial, at(120))
    assert angle_close(changing[-1], R(120), R(1.5)) and changed == []
    assert angle_close(dial.angle(), R(120), R(1.5))  # the needle follows at once
    # the model previews the angle at the next frame
    qtbot.waitUntil(lambda: bool(previews) and angle_close(model.angle, R(120), R(1.5)), timeout=15000)
    assert angle_close(previews[-1], R(120), R(1.5))
    with qtbot.waitSignal(model.angleChanged, timeout=15000):
        qtbot.mouseRelease(dial, Qt.LeftButton, pos=at(120))
    assert len(changed) == 1 and angle_close(changed[0], R(120), R(1.5))
    assert model.angle == pytest.approx(changed[0]) and dial.angle() == pytest.approx(changed[0])
    phi = model.angle
    assert shown_value(panel) == pytest.approx(2 * math.cos(phi) + 12 * math.sin(phi), rel=SHOWN)


def test_keys_and_wheel_turn_the_dial(qtbot, make):
    model, panel = make(BOWL, 1, 2, 10)
    dial = dial_of(panel)
    for key, expected in ((Qt.Key_Right, 11), (Qt.Key_Up, 12), (Qt.Key_Left, 11), (Qt.Key_Down, 10),
                          (Qt.Key_PageUp, 25), (Qt.Key_PageDown, 10), (Qt.Key_PageDown, 355)):
        with qtbot.waitSignal(dial.angleChanged, timeout=15000):
            qtbot.keyClick(dial, key)
        assert math.degrees(model.angle) == pytest.approx(expected)
        assert math.degrees(dial.angle()) == pytest.approx(expected)

    def wheel(delta):
        event = QWheelEvent(QPointF(50, 50), QPointF(50, 50), QPoint(), QPoint(0, delta),
                            Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase, False)
        QApplication.sendEvent(dial, event)

    with qtbot.waitSignal(dial.angleChanged, timeout=15000):
        wheel(120)
    assert math.degrees(model.angle) == pytest.approx(356)
    with qtbot.waitSignal(dial.angleChanged, timeout=15000):
        wheel(-240)
    assert math.degrees(model.angle) == pytest.approx(354)
    wheel(60)  # half a notch: nothing yet
    assert math.degrees(model.angle) == pytest.approx(354)
    with qtbot.waitSignal(dial.angleChanged, timeout=15000):
        wheel(60)
    assert math.degrees(model.angle) == pytest.approx(355)


def test_needle_is_drawn_in_the_math_convention(qtbot):
    dial = DirectionDial()
    qtbot.addWidget(dial)
    dial.resize(180, 180)
    dial.setAngle(R(90))  # straight up
    image = dial.grab().toImage()
    c, r = dial.center(), dial.radius()
    above = QColor(image.pixel(round(c.x()), round(c.y() - 0.5 * r)))
    below = QColor(image.pixel(round(c.x()), round(c.y() + 0.5 * r)))
    orange = QColor(U_COLOR)
    assert abs(above.red() - orange.red()) < 40 and abs(above.green() - orange.green()) < 40
    assert abs(below.green() - orange.green()) > 40 or abs(below.blue() - orange.blue()) > 40


# ----- slice, limit table, total differential ------------------------------------------------
def test_slice_and_its_tangent(make):
    model, panel = make(BOWL, 1, 2, 30)
    c, s = math.cos(R(30)), math.sin(R(30))
    zs, gs = panel.slice_curve.getData()
    assert zs[0] == pytest.approx(-0.6) and zs[-1] == pytest.approx(0.6)  # a tenth of the 6-wide view
    for z, g in zip(zs[::20], gs[::20]):
        assert g == pytest.approx((1 + z * c) ** 2 + 3 * (2 + z * s) ** 2)
    tz, tg = panel.tangent_line.getData()
    assert (tg[1] - tg[0]) / (tz[1] - tz[0]) == pytest.approx(2 * c + 12 * s)
    assert np.interp(0.0, tz, tg) == pytest.approx(13.0)  # g(0) = f(1, 2)
    model.set_window((-10, 10), (-5, 5))
    zs, _ = panel.slice_curve.getData()
    assert zs[0] == pytest.approx(-2.0) and zs[-1] == pytest.approx(2.0)


def test_wheel_over_a_plot_scrolls_the_panel(qtbot, make):
    model, panel = make(BOWL, 1, 2, 30)
    area = QScrollArea()
    qtbot.addWidget(area)
    area.setWidgetResizable(True)
    area.setWidget(panel)
    area.resize(400, 600)
    area.show()
    qtbot.waitExposed(area)
    before = panel.curve_plot.getViewBox().viewRange()
    bar = area.verticalScrollBar()
    for x in (150, 20):  # over the data, then over the y axis
        pos = panel.curve_plot.mapTo(area, QPoint(x, 60))
        assert area.childAt(pos) is panel.curve_plot.viewport()
        scrolled = bar.value()
        QTest.wheelEvent(area.windowHandle(), QPointF(pos), QPoint(0, -120))
        qtbot.waitUntil(lambda: bar.value() > scrolled, timeout=15000)
    assert panel.curve_plot.getViewBox().viewRange() == before
    area.takeWidget()  # the panel is the make fixture's: the area must not delete it


def test_limit_table_converges(make):
    model, panel = make(BOWL, 1, 2, 30)
    table = panel.findChild(QTableWidget, "limitTable")
    exact = 2 * math.cos(R(30)) + 12 * math.sin(R(30))
    quotients = [float(table.item(r, 1).text()) for r in range(6)]
    errors = [float(table.item(r, 2).text()) for r in range(6)]
    # g(h) = g(0) + D h + (cos² + 3 sin²) h², so the quotient is off by 1.5 h
    assert quotients[0] == pytest.approx(exact + 0.15, rel=SHOWN)
    assert quotients[-1] == pytest.approx(exact, rel=SHOWN)
    for h, error in zip((1e-1, 1e-2, 1e-3, 1e-4, 1e-5), errors):
        assert error == pytest.approx(1.5 * h, rel=SHOWN)
    assert abs(errors[-1]) < 1e-5


def test_total_differential(make):
    model, panel = make(BOWL, 1, 2, 30)
    label = text(panel, "differentialLabel")
    # df = 0.1 · 7.7320508; Δf = g(0.1) − g(0) = 0.77320508 + 1.5 · 0.01
    assert "df = ∇f · ds = <b>0.7732</b>" in label and "Δf = f(p + ds) − f(p) = <b>0.7882</b>" in label
    assert "Δf − df = 0.015," in label


def test_total_differential_along_the_level_line_shows_round_off_as_zero(make):
    from gd_explorer.core.calculus import differential

    model, panel = make("x + y", -0.02, -0.2, -45)     # u = (1, -1)/√2: f does not change
    ux, uy = math.cos(math.radians(-45)), math.sin(math.radians(-45))
    d = differential(model.function, (-0.02, -0.2), (0.1 * ux, 0.1 * uy))
    assert d.actual != 0 and abs(d.actual) < 1e-15       # round-off in floats
    label = text(panel, "differentialLabel")
    assert "Δf = f(p + ds) − f(p) = <b>0</b>" in label and "df = ∇f · ds = <b>0</b>" in label
    assert "Δf − df = 0," in label


# ----- where D_u f is special or undefined ---------------------------------------------------
@pytest.mark.parametrize("fn", [BOWL, SADDLE])
def test_zero_gradient(make, fn):
    model, panel = make(fn, 1, 2, 40)
    assert panel.findChild(QPushButton, "snapAlong").isEnabled()
    model.set_start(0, 0)
    assert "undefined" in text(panel, "thetaValue")
    assert text(panel, "gradientValue") == "(0, 0)"
    assert text(panel, "directionalDerivativeValue") == "0"
    assert text(panel, "directionalDerivativePolar") == "0"
    message = panel.findChild(QLabel, "directionMessage")
    assert not message.isHidden() and "θ is undefined" in message.text()
    assert dial_of(panel).gradientAngle() is None
    for name in ("snapAlong", "snapAgainst", "snapLevel"):
        assert not panel.findChild(QPushButton, name).isEnabled()
    _, ys = panel.curve.getData()
    assert len(ys) == 361 and np.all(ys == 0)
    assert not panel.curve_labels["max"].isVisible()
    assert not panel.grab().isNull()


def test_undefined_point_says_so_and_recovers(qtbot, make):
    model, panel = make(ROOT, 4, 1, 0)
    assert shown_value(panel) == pytest.approx(0.25)  # ∂/∂x √x = 1/(2√x) = 1/4
    model.set_start(-1, 1)  # √x is undefined: the run cannot start, no pointChanged follows
    assert model.run is None
    for name in ("directionalDerivativeValue", "directionalDerivativePolar", "gradientValue",
                 "thetaValue"):
        assert text(panel, name) == "undefined here"
    assert "undefined" in panel.findChild(QLabel, "directionMessage").text()
    for item in (panel.curve, panel.slice_curve):
        xs, _ = item.getData()
        assert xs is None or len(xs) == 0
    assert dial_of(panel).gradientAngle() is None
    assert not panel.grab().isNull()
    model.set_angle(R(45))  # turning the dial there is harmless
    assert text(panel, "directionalDerivativeValue") == "undefined here"
    model.set_start(1, 3)
    assert shown_value(panel) == pytest.approx(0.5 * math.cos(R(45)), rel=SHOWN)
    assert dial_of(panel).gradientAngle() == pytest.approx(0.0)


@pytest.mark.parametrize("formula, point", [("exp(x)", (709, 0)), ("1e-300*x + 1e-300*y", (1, 1)),
                                            ("1e150*x*y", (1e150, 1)), ("1e15 + x", (0.5, 0.5)),
                                            ("abs(x) + y^3", (0, 0))])
def test_extreme_values_stay_finite_safe(qtbot, formula, point):
    model = ExplorerModel()
    panel = DirectionPanel(model)
    qtbot.addWidget(panel)
    model.set_function(parse_function(formula))
    model.set_start(*point)
    for deg in (0, 37, 90, 200):
        model.preview_angle(R(deg))
        model.set_angle(R(deg))
        value = text(panel, "directionalDerivativeValue")
        assert value == "undefined here" or math.isfinite(float(value))
    assert not panel.grab().isNull()


def test_undefined_gradient_keeps_the_difference_quotients(qtbot):
    # the cone √(x² + y²) has no gradient at its tip, but every one-sided quotient is 1
    model = ExplorerModel()
    panel = DirectionPanel(model)
    qtbot.addWidget(panel)
    model.set_function(parse_function("sqrt(x^2 + y^2)"))
    model.set_start(0, 0)
    model.set_angle(R(70))
    assert text(panel, "directionalDerivativeValue") == "undefined here"
    assert text(panel, "gradientValue") == "undefined here"
    assert "∇f is undefined" in panel.findChild(QLabel, "directionMessage").text()
    table = panel.findChild(QTableWidget, "limitTable")
    assert all(float(table.item(r, 1).text()) == pytest.approx(1.0) for r in range(6))
    zs, gs = panel.slice_curve.getData()
    assert gs == pytest.approx(np.abs(zs))  # the slice is |z|
    xs, _ = panel.tangent_line.getData()
    assert xs is None or len(xs) == 0
    assert "undefined" in text(panel, "differentialLabel")
    assert not panel.findChild(QPushButton, "snapLevel").isEnabled()
