"""A dial tick (issue 9, item 5): only what depends on the angle is updated and painted, no
axis range changes with the angle, and a drag reaches the model at most once a frame.
Work is counted (paints, signals, axis pictures), never timed."""
import math
from collections import Counter

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication


HIMMELBLAU = "(x^2 + y - 11)^2 + (x + y^2 - 7)^2"
R = math.radians


class PaintCounter(QObject):
    """Counts the Paint events each widget receives."""

    def __init__(self):
        super().__init__()
        self.paints = Counter()

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Paint:
            self.paints[obj] += 1
        return False


def settle(qtbot, counter, rounds=3):
    """Process events until ``rounds`` rounds in a row paint nothing (start-up animations,
    such as a line edit's clear button fading in, are over)."""
    quiet = 0
    for _ in range(200):
        counter.paints.clear()
        qtbot.wait(20)
        quiet = quiet + 1 if not counter.paints else 0
        if quiet >= rounds:
            return
    raise AssertionError(f"the window keeps painting: {counter.paints}")


def under(widget, ancestor):
    while widget is not None:
        if widget is ancestor:
            return True
        widget = widget.parentWidget()
    return False


@pytest.fixture
def cursor_still():
    """No blinking text cursor: it would repaint a field now and then."""
    before = QApplication.cursorFlashTime()
    QApplication.setCursorFlashTime(0)
    yield
    QApplication.setCursorFlashTime(before)


def test_a_tick_paints_only_what_depends_on_the_angle(qtbot, shown_window, cursor_still):
    win = shown_window
    with qtbot.waitSignal(win.model.functionChanged, timeout=15000):
        win.model.set_expression(HIMMELBLAU)
    win.model.set_start(1.0, 1.5)
    win.tabs.setCurrentWidget(win.tabs.widget(1))
    panel = win.direction
    assert panel.isVisible() and panel.slice_plot.isVisible()
    counter = PaintCounter()
    QApplication.instance().installEventFilter(counter)
    try:
        settle(qtbot, counter)
        depends = {panel.dial, panel.phi_label, panel.u_label, panel.theta_label, panel.cos_label,
                   panel.value_label, panel.polar_label, panel.chain_label,
                   panel.curve_plot.viewport(), panel.slice_plot.viewport()}
        for k in range(5):
            counter.paints.clear()
            win.model.set_angle(R(31 + 7 * k))
            QApplication.processEvents()
            QApplication.processEvents()
            painted = dict(counter.paints)
            # the map and the surface draw u: they may repaint, anything else may not
            others = {w.objectName() or type(w).__name__: n for w, n in painted.items()
                      if w not in depends and not under(w, win.contour) and not under(w, win.surface)}
            assert others == {}, f"tick {k}: painted though independent of the angle: {others}"
            assert all(n == 1 for n in painted.values()), f"tick {k}: painted twice: {painted}"
            for widget in (panel.dial, panel.value_label, panel.chain_label,
                           panel.curve_plot.viewport(), panel.slice_plot.viewport()):
                assert painted.get(widget) == 1, f"tick {k}: {widget.objectName()} not repainted"
            # ∇f and ‖∇f‖ do not depend on the angle
            assert panel.grad_label not in painted and panel.norm_label not in painted
    finally:
        QApplication.instance().removeEventFilter(counter)


def ranges(panel):
    return {name: tuple(map(tuple, plot.getViewBox().viewRange()))
            for name, plot in (("curve", panel.curve_plot), ("slice", panel.slice_plot),
                               ("traceX", panel.trace_x), ("traceY", panel.trace_y))}


@pytest.fixture
def panel_at(qtbot, direction_at):
    """A shown panel (see direction_at)."""
    def build(text, x, y, phi_deg=0.0):
        model, panel = direction_at(text, x, y, phi_deg)
        panel.resize(460, 900)
        panel.show()
        qtbot.waitExposed(panel)
        return model, panel

    return build


@pytest.mark.parametrize("text, point", [(HIMMELBLAU, (1.0, 1.5)), ("x^2 + 3*y^2", (1, 2)),
                                          ("sin(x)*exp(y)", (0.3, -0.4)), ("sqrt(x^2 + y^2)", (0, 0))])
def test_turning_the_dial_keeps_every_range_and_fits_every_slice(qtbot, panel_at, text, point):
    model, panel = panel_at(text, *point)
    for index in range(panel.details.count()):  # the axes of every details page are drawn
        panel.details.setCurrentIndex(index)
        QApplication.processEvents()
    panel.details.setCurrentIndex(0)
    QApplication.processEvents()
    before = ranges(panel)
    axes = {name: plot.getPlotItem().getAxis(side)
            for name, plot in (("curve", panel.curve_plot), ("slice", panel.slice_plot))
            for side in ("left", "bottom")}
    pictures = {name: axis.picture for name, axis in axes.items()}
    assert all(p is not None for p in pictures.values())
    (_, _), (lo, hi) = before["slice"]
    for deg in range(0, 360, 9):
        (model.preview_angle if deg % 2 else model.set_angle)(R(deg))
        QApplication.processEvents()
        assert ranges(panel) == before, f"a range changed at φ = {deg}°"
        # the fixed range holds this direction's slice and its tangent
        for item in (panel.slice_curve, panel.tangent_line):
            _, gs = item.getData()
            if gs is not None and len(gs):
                gs = np.asarray(gs)[np.isfinite(gs)]
                assert lo <= gs.min() and gs.max() <= hi, f"φ = {deg}°: the slice leaves the plot"
    # the axes were not drawn again: the same pictures are played
    assert {name: axis.picture for name, axis in axes.items()} == pictures


def test_the_slice_range_follows_the_point_and_the_window(qtbot, panel_at):
    model, panel = panel_at("x^2 + 3*y^2", 1, 2, 30)
    before = ranges(panel)
    model.set_start(0.5, -1)
    moved = ranges(panel)
    assert moved["slice"][1] != before["slice"][1]      # f(p) changed: so did the y range
    assert moved["traceX"][0] != before["traceX"][0]    # the x trace is centred on a
    model.set_window((-10, 10), (-5, 5))
    assert ranges(panel)["slice"][0] == pytest.approx((-2.08, 2.08), rel=1e-6)  # ±2, padded 2 % of 4


def test_dragging_reaches_the_model_once_a_frame(qtbot, panel_at):
    model, panel = panel_at("x^2 + 3*y^2", 1, 2, 0)
    dial = panel.dial
    previews, settled = [], []
    model.angleChanging.connect(previews.append)
    model.angleChanged.connect(settled.append)
    for deg in range(1, 41):  # 40 mouse moves before the event loop runs again
        dial.setAngle(R(deg))
        dial.angleChanging.emit(dial.angle())
    assert dial.angle() == pytest.approx(R(40))    # the needle itself follows at once
    assert previews == [] and model.angle == 0.0   # the rest waits for the frame
    qtbot.waitUntil(lambda: len(previews) == 1, timeout=15000)
    assert previews == [pytest.approx(R(40))] and model.angle == pytest.approx(R(40))
    value = 2 * math.cos(R(40)) + 12 * math.sin(R(40))  # ∇f = (2, 12)
    assert float(panel.value_label.text()) == pytest.approx(value, rel=5e-4)
    assert panel.marker.getData()[0][0] == pytest.approx(40)
    # the release settles at once, and a preview still pending is dropped
    dial.setAngle(R(41))
    dial.angleChanging.emit(dial.angle())
    dial.setAngle(R(42))
    dial.angleChanged.emit(dial.angle())
    assert settled == [pytest.approx(R(42))] and model.angle == pytest.approx(R(42))
    qtbot.wait(100)
    assert len(previews) == 1 and model.angle == pytest.approx(R(42))
