"""Number fields (issue 13, point 2): a decimal comma is read as a decimal point, anything
ambiguous is refused visibly with the previous value kept, in any locale. Keys are typed into
the real widgets of the window and Enter is pressed; the model is checked."""
import numpy as np
import pytest
from pytestqt.qtbot import QtBot
from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel

from gd_explorer.gui.number_fields import ERROR_COLOR, NumberSpinBox, refusal

LOCALES = {"English": QLocale(QLocale.English, QLocale.UnitedStates),
           "German": QLocale(QLocale.German, QLocale.Germany)}


@pytest.fixture(scope="module", params=sorted(LOCALES))
def window(request, qapp):
    """One main window per locale, built while ``QLocale.setDefault`` is English or German
    (each test sets the values it starts from)."""
    from gd_explorer.gui.main_window import MainWindow

    before = QLocale()
    QLocale.setDefault(LOCALES[request.param])
    win = MainWindow()
    try:
        assert win.locale().language() == LOCALES[request.param].language()
        win.resize(1400, 900)
        win.show()
        assert QTest.qWaitForWindowExposed(win, 15000)
        with QtBot(request).waitSignal(win.model.functionChanged, timeout=15000):
            win.model.set_expression("x^2 + 3*y^2")
        yield win
    finally:
        win.close()
        win.deleteLater()
        QLocale.setDefault(before)


def type_into(qtbot, field, text, key=Qt.Key_Return):
    """Select all, type ``text`` key by key, then press ``key`` (Enter, or Tab to leave)."""
    edit = field.lineEdit() if hasattr(field, "lineEdit") else field
    field.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    assert edit.text().startswith(text)  # every key landed: none dropped silently
    qtbot.keyClick(edit, key)


def red_pixels(widget):
    """How many pixels of the widget are the error colour (its refused border)."""
    image = widget.grab().toImage().convertToFormat(QImage.Format_RGB888)
    w, h, stride = image.width(), image.height(), image.bytesPerLine()
    rgb = np.frombuffer(image.constBits(), np.uint8, stride * h).reshape(h, stride)[:, :3 * w]
    red = QColor(ERROR_COLOR)
    target = np.array([red.red(), red.green(), red.blue()])
    return int((np.abs(rgb.reshape(h, w, 3).astype(int) - target).max(axis=2) < 24).sum())


def descent_message(window):
    return window.findChild(QLabel, "descentFieldMessage")


@pytest.mark.parametrize("text, value", [("0,5", 0.5), ("0,05", 0.05), ("1e-3", 0.001),
                                         ("2.5e-6", 2.5e-6), ("0.123456789", 0.123456789)])
def test_learning_rate_reads_a_decimal_comma(qtbot, window, text, value):
    field = window.descent.lr
    type_into(qtbot, field, text)
    assert window.model.learning_rate == value  # exactly what was typed, never rounded
    assert not descent_message(window).isVisible() and refusal(field) == ""


@pytest.mark.parametrize("text, why", [("1,000.5", "both a comma and a point"),
                                       ("1,2,3", "several commas"), ("1,000", "could be 1000 or 1.000"),
                                       ("abc", "is not a number"), ("1e9", "outside")])
def test_learning_rate_refuses_ambiguous_text_visibly(qtbot, window, text, why):
    model, field = window.model, window.descent.lr
    type_into(qtbot, field, "0,02")
    assert model.learning_rate == 0.02
    clean = red_pixels(field)
    type_into(qtbot, field, text)
    assert model.learning_rate == 0.02          # the previous valid value is kept …
    assert field.value() == 0.02 and field.text() == "0.02"
    message = descent_message(window)
    assert message.isVisible() and why in message.text() and "kept 0.02" in message.text()
    assert red_pixels(field) > clean + 20       # … and the field is marked red
    assert field.toolTip() == message.text()
    type_into(qtbot, field, "0,04")             # typing a good value clears the cue
    assert model.learning_rate == 0.04
    assert not message.isVisible() and red_pixels(field) == clean
    assert field.toolTip().startswith("Learning rate ε")


def test_a_new_value_from_the_model_clears_a_refusal(qtbot, window):
    model, field = window.model, window.descent.lr
    type_into(qtbot, field, "0,02")
    clean = red_pixels(field)
    type_into(qtbot, field, "1,2,3")
    assert descent_message(window).isVisible() and red_pixels(field) > clean + 20
    model.set_learning_rate(0.3)  # e.g. a preset or a session
    assert field.text() == "0.3" and not descent_message(window).isVisible()
    assert red_pixels(field) == clean


def test_leaving_the_field_refuses_too(qtbot, window):
    field = window.descent.lr
    before = window.model.learning_rate
    type_into(qtbot, field, "1,2,3", key=Qt.Key_Tab)
    assert window.model.learning_rate == before and not field.hasFocus()
    assert "several commas" in descent_message(window).text()


@pytest.mark.parametrize("text, value", [("0,5", 0.5), ("0,05", 0.05), ("1e-3", 0.001)])
def test_tolerance_reads_a_decimal_comma(qtbot, window, text, value):
    type_into(qtbot, window.descent.tol, text)
    assert window.model.tol == value


def test_tolerance_refuses_garbage(qtbot, window):
    before = window.model.tol
    type_into(qtbot, window.descent.tol, "1,000.5")
    assert window.model.tol == before and "both a comma and a point" in descent_message(window).text()


@pytest.mark.parametrize("text, value, why", [("2500", 2500, None), ("1e4", 10000, None),
                                              ("1.000", None, "without a point or comma"),
                                              ("1,000", None, "without a point or comma"),
                                              ("2,5", None, "without a point or comma")])
def test_max_steps_takes_whole_numbers_only(qtbot, window, text, value, why):
    model = window.model
    type_into(qtbot, window.descent.steps, "700")
    assert model.max_steps == 700
    type_into(qtbot, window.descent.steps, text)
    if why is None:
        assert model.max_steps == value
    else:  # "1.000" is a thousand to a German reader and one to an English one: refused
        assert model.max_steps == 700 and why in descent_message(window).text()


@pytest.mark.parametrize("text, expected", [("-3,5", -3.5), ("-1e-3", -0.001), ("-2.25", -2.25)])
def test_window_fields_read_a_decimal_comma(qtbot, window, text, expected):
    model = window.model
    model.set_window((-2.0, 2.0), (-1.0, 1.0))
    type_into(qtbot, window.view_controls.fields["xMin"], text)
    assert model.window == ((expected, 2.0), (-1.0, 1.0))
    assert not window.view_controls.message.text()


def test_a_pasted_minus_sign_is_read(qtbot, window):
    # "−" (U+2212) comes from pasting, e.g. out of a document (QTest cannot type it)
    model = window.model
    model.set_window((-2.0, 2.0), (-1.0, 1.0))
    field = window.view_controls.fields["xMin"]
    QApplication.clipboard().setText("−4,5")
    field.setFocus()
    field.selectAll()
    qtbot.keyClick(field, Qt.Key_V, Qt.ControlModifier)
    assert field.text() == "−4,5"
    qtbot.keyClick(field, Qt.Key_Return)
    assert model.window == ((-4.5, 2.0), (-1.0, 1.0))


@pytest.mark.parametrize("text, why", [("1,000.5", "both a comma and a point"),
                                       ("1,2,3", "several commas"), ("zwei", "is not a number")])
def test_window_fields_refuse_ambiguous_text_visibly(qtbot, window, text, why):
    model = window.model
    model.set_window((-2.0, 2.0), (-1.0, 1.0))
    field = window.view_controls.fields["yMax"]
    clean = red_pixels(field)
    type_into(qtbot, field, text)
    assert model.window == ((-2.0, 2.0), (-1.0, 1.0))
    message = window.view_controls.message.text()
    assert message.startswith("y max: ") and why in message and "the window is kept" in message
    assert red_pixels(field) > clean + 20
    type_into(qtbot, field, "1,5")
    assert model.window == ((-2.0, 2.0), (-1.0, 1.5))
    assert not window.view_controls.message.text() and red_pixels(field) == clean


def test_a_spin_box_with_a_suffix(qtbot):
    # the 3-D height field (only built with OpenGL) is this class with the suffix " ×"
    box = NumberSpinBox(0.1, 10.0, objectName="zScale", singleStep=0.1, value=1.0, suffix=" ×")
    box.setKeyboardTracking(False)
    qtbot.addWidget(box)
    box.show()
    qtbot.waitExposed(box)
    seen = []
    box.valueChanged.connect(seen.append)
    type_into(qtbot, box, "0,25")
    assert box.value() == 0.25 and seen == [0.25] and box.text() == "0.25 ×"
    messages = []
    box.refused.connect(messages.append)
    type_into(qtbot, box, "20")
    assert box.value() == 0.25 and messages == ["20 is outside 0.1 … 10; kept 0.25"]
