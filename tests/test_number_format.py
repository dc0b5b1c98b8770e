"""One number format in every pane (issue 12, point 6): no "-0" anywhere in the window,
round-off shown as 0, and no ad-hoc number formatting left in gui/."""
import math
import pathlib
import re

import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtWidgets import (QAbstractButton, QAbstractSpinBox, QGraphicsTextItem, QLabel,
                               QLineEdit, QTableView, QTableWidget, QWidget)

import gd_explorer.gui

# A minus sign, then a zero (0, 0., 0.000, .0, with any exponent) that is not part of a larger
# number: not after a letter, digit or point ("x-0", "10-0", "1e-05"), not before a digit or point.
NEG_ZERO = re.compile(r"(?<![\w.])[-−](?:0+(?:\.0*)?|\.0+)(?:[eE][-+]?\d+)?(?![\d.])")


@pytest.mark.parametrize("text", [
    "-0", "−0", "-0.0", "-0.000", "-0.", "-.0", "-00", "(-0, 1)", "∇f = (0, -0)", "D<sub>u</sub>f = -0",
    "f = -0<br>", "-0.00°", "-0e-5", "-0.0e+00", "θ = −0", "x = -0, y = 1", "ε = -0;",
])
def test_the_negative_zero_pattern_finds_signed_zeros(text):
    assert NEG_ZERO.search(text)


@pytest.mark.parametrize("text", [
    "0", "-0.5", "-0.05", "-0.0001", "-0.01", "1e-05", "2.5e-06", "x-0", "10-0",
    "−10", "-100", "x - 0.5", "-1.776e-14", "(0, 0)", "0.0", "h = 1e-1…1e-6", "−∇f", "-∞", "e-0",
    "step 10-0", "f(x, y) = x^2 - y^2",
])
def test_the_negative_zero_pattern_leaves_other_numbers_alone(text):
    assert not NEG_ZERO.search(text)


def _axis_texts(axis):
    """The tick labels an AxisItem draws now."""
    image = QImage(10, 10, QImage.Format_ARGB32)
    painter = QPainter(image)
    try:
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [] if specs is None else [text for _rect, _flags, text in specs[2]]


def _table_texts(view):
    model = view.model()
    return [model.data(model.index(r, c), role)
            for r in range(model.rowCount()) for c in range(model.columnCount())
            for role in (Qt.DisplayRole, Qt.ToolTipRole)]


def displayed_texts(window):
    """Every text a person can see in the window: labels, fields, buttons, tooltips, table
    cells, the status bar, and in the plots every text item and axis tick label."""
    texts = [window.statusBar().currentMessage()]
    if window.surface.available:  # the 3-D view's axis labels, where OpenGL works
        texts += window.surface.items.labels.texts()
    for w in window.findChildren(QWidget):
        texts += [w.toolTip(), w.accessibleDescription()]
        if isinstance(w, (QLabel, QLineEdit, QAbstractButton, QAbstractSpinBox)):
            texts.append(w.text())
        if isinstance(w, QTableWidget):
            texts += [w.item(r, c).text() for r in range(w.rowCount()) for c in range(w.columnCount())
                      if w.item(r, c) is not None]
        elif isinstance(w, QTableView):
            texts += _table_texts(w)
        if isinstance(w, pg.GraphicsView):
            for item in w.scene().items():
                if isinstance(item, QGraphicsTextItem):
                    texts.append(item.toPlainText())
                elif isinstance(item, pg.AxisItem):
                    texts += _axis_texts(item)
    return [t for t in texts if isinstance(t, str) and t]


def _signed_zeros(window):
    return [t for t in displayed_texts(window) if NEG_ZERO.search(t)]


def _load(qtbot, window, expression):
    with qtbot.waitSignal(window.model.functionChanged, timeout=15000):
        window.model.set_expression(expression)
    return window.model


def test_no_negative_zero_anywhere_at_a_saddle_and_along_a_run(qtbot, shown_window):
    window = shown_window
    model = _load(qtbot, window, "x^2 - y^2")
    model.set_window((-2.0, 2.0), (-2.0, 2.0))
    model.set_start(0.0, 0.0)  # a critical point: ∇f = (2x, -2y) = (0, -0.0), D_u f = 0
    model.set_angle(math.pi / 2)  # u = (cos 90°, sin 90°) = (6e-17, 1)
    qtbot.mouseMove(window.contour.viewport(), window.contour.data_to_viewport(0.0, 0.0))
    qtbot.wait(50)
    assert _signed_zeros(window) == []
    assert any("∇f = (0, 0)" in t for t in displayed_texts(window))  # the values were shown
    assert window.direction.u_label.text() == "(0, 1)"

    model.set_start(1.0, 0.0)  # along y = 0: ∂f/∂y = -2y = -0.0 on every step
    model.set_learning_rate(0.1)
    model.step(10)
    model.add_run()
    model.step(1000)  # converges: x shrinks by 0.8 a step
    assert model.run.status == "converged"
    table = window.table.model()
    assert table.rowCount() > 50 and table.value(3, 5) == 0.0 and math.copysign(1, table.value(3, 5)) < 0
    assert table.data(table.index(3, 5)) == "0"
    assert _signed_zeros(window) == []


def test_round_off_is_shown_as_zero_in_every_pane(qtbot, shown_window):
    window = shown_window
    model = _load(qtbot, window, "x^2 - y^2")
    model.set_start(1.0, 1.0)  # ∇f = (2, -2); along the level curve u = (cos 45°, sin 45°)
    model.set_angle(math.pi / 4)
    d = window.direction.result
    assert d.value != 0 and abs(d.value) < 1e-15  # 2 cos 45° − 2 sin 45° = 2.2e-16: round-off
    assert window.direction.value_label.text() == "0"
    assert window.direction.polar_label.text() == "0"
    assert window.direction.cos_label.text() == "0"
    assert window.direction.u_label.text() == "(0.7071, 0.7071)"


def test_a_partial_derivative_at_round_off_is_shown_as_zero_in_every_pane(qtbot, shown_window):
    window = shown_window
    model = _load(qtbot, window, "sin(x)*cos(y)")
    model.set_window((-3.0, 3.0), (-3.0, 3.0))
    model.set_start(math.pi / 2, 0.3)   # ∂f/∂x = cos(π/2) cos(0.3): 5.8e-17 in floats, truly 0
    state = model.point_state()
    assert 0 < state.gx < 1e-16
    texts = displayed_texts(window)
    assert any("∇f = (0, -0.2955)" in t for t in texts)                    # Function panel
    assert window.direction.grad_label.text() == "(0, -0.2955)"             # Directional tab
    table = window.table.model()
    assert table.value(0, 4) == state.gx and table.data(table.index(0, 4)) == "0"
    assert table.data(table.index(0, 5)) == "-0.2955"
    assert not any("5.85e-17" in t for t in texts)  # (the tooltip keeps the exact float)


def test_readouts_use_four_significant_digits_everywhere(qtbot, shown_window):
    window = shown_window
    model = _load(qtbot, window, "x^2 + 3*y^2")
    model.set_start(1 / 3, 2 / 3)  # f = 1/9 + 4/3 = 1.4444…, ∇f = (2/3, 4)
    model.set_angle(0.0)
    assert "(x, y) = (0.3333, 0.6667)" in window.editor.values.text()
    assert "f = 1.444" in window.editor.values.text()
    assert "∇f = (0.6667, 4)" in window.editor.values.text()
    assert window.direction.grad_label.text() == "(0.6667, 4)"
    assert window.direction.value_label.text() == "0.6667"
    table = window.table.model()
    assert [table.data(table.index(0, c)) for c in range(7)] == [
        "0", "0.3333", "0.6667", "1.444", "0.6667", "4", "4.055"]  # ‖∇f‖ = √(4/9 + 16) = 4.0552


@pytest.fixture
def gl_window(shown_window):
    platform = QGuiApplication.platformName()
    if platform != "xcb" or not shown_window.surface.available:
        pytest.skip(f"OpenGL test: run under Xvfb with QT_QPA_PLATFORM=xcb (not {platform!r})")
    return shown_window


@pytest.mark.opengl
def test_3d_caption_and_labels_share_the_format(qtbot, gl_window):
    window = gl_window
    model = _load(qtbot, window, "x^2 - y^2")
    model.set_window((-2.0, 2.0), (-2.0, 2.0))
    model.set_start(1.0, 1.0)
    model.set_angle(math.pi / 4)  # along the level curve: gx ux + gy uy = 2.2e-16, round-off
    caption = window.surface.caption.text()
    assert "at (1, 1): f = 0, ∇f = (2, -2), slope along u: D<sub>u</sub>f = ∇f·u = 0<br>" in caption
    assert window.direction.value_label.text() == "0"  # the panel says the same
    model.set_start(0.0, 0.0)
    model.set_angle(math.pi / 2)
    caption = window.surface.caption.text()
    assert "at (0, 0): f = 0, ∇f = (0, 0), slope along u: D<sub>u</sub>f = ∇f·u = 0" in caption
    surface = window.surface  # x, y from -2 to 2 (once resampled): ticks -2, -1, 0, 1, 2
    qtbot.waitUntil(lambda: "-1" in surface.items.labels.texts(), timeout=10_000)
    assert {"x", "y", "f", "-2", "-1", "0", "1", "2"} <= set(surface.items.labels.texts())
    assert _signed_zeros(window) == []


@pytest.mark.opengl
def test_3d_height_field_reads_a_decimal_comma(qtbot, gl_window):
    box = gl_window.surface.z_scale
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), "0,5")
    qtbot.keyClick(box.lineEdit(), Qt.Key_Return)
    assert box.value() == 0.5 and box.text() == "0.5 ×"


# ----- no ad-hoc number formatting in gui/ ----------------------------------------------------
# A format spec that writes a float (f"{v:.3g}", "{:g}", "%.2f", "{:,.0f}", .format with a spec).
AD_HOC = re.compile(r"\{[^{}]*:[^{}]*[eEfFgG%]\}|%[-+ 0#]*\d*(?:\.\d+)?[eEfFgG]\b")


def test_the_ad_hoc_pattern_finds_float_formats():
    for code in ('f"{v:.3g}"', 'f"{x:g}"', '"{:.4g}".format(v)', 'f"{v:,.0f} steps"', '"%.2f" % v',
                 'f"{h:.0e}"', 'f"{value + 0.0:.8g}"', 'f"{e:.2%}"'):
        assert AD_HOC.search(code), code
    for code in ('f"{fmt(v)}"', 'f"{deg}°"', 'f"{n:,}"', 'f"{count:d}"', '"{name}"'):
        assert not AD_HOC.search(code), code


def test_gui_formats_numbers_only_through_fmt():
    folder = pathlib.Path(gd_explorer.gui.__file__).parent
    found = [f"{path.name}:{i}: {line.strip()}"
             for path in sorted(folder.glob("*.py"))
             for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if AD_HOC.search(line)]
    assert found == []
