"""Readouts filled with the colour behind them (gui/backdrop.py): a step repaints the labels
whose text changed and not the panels under them, and the window shows the same pixels as with
transparent labels. Work is counted (paint events, backdrops rendered), never timed."""
import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QGroupBox, QLabel, QVBoxLayout, QWidget

from gd_explorer.gui.backdrop import Backdrop, keep_backdrop

ROSENBROCK = "(1 - x)^2 + 100*(y - x^2)^2"
READOUTS = ("statusLabel", "nextStepLabel", "pointValues")


class Paints(QObject):
    """Counts the Paint events of the widgets it is installed on, by widget."""

    def __init__(self, widgets):
        super().__init__()
        self.counts = {w: 0 for w in widgets}
        for w in widgets:
            w.installEventFilter(self)

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Paint:
            self.counts[obj] += 1
        return False


@pytest.fixture
def running(qtbot, shown_window):
    """The window with Rosenbrock and a run of 50 steps, settled."""
    model = shown_window.model
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.set_expression(ROSENBROCK)
    model.set_tol(0.0)
    model.set_max_steps(10 ** 6)
    model.set_learning_rate(1e-4)
    model.set_start(-1.2, 1.0)
    model.step(50)
    qtbot.wait(400)
    qtbot.waitUntil(lambda: not shown_window.contour.map_pending(), timeout=15000)
    shown_window.contour.viewport().repaint()
    return shown_window


def readouts(win):
    return [win.findChild(QLabel, name) for name in READOUTS] + [win.statusBar()]


def backdrop_of(widget):
    return next(c for c in widget.children() if isinstance(c, Backdrop))


def ancestors(widget):
    out, parent = [], widget.parentWidget()
    while parent is not None:
        out.append(parent)
        parent = parent.parentWidget()
    return out


def test_a_step_paints_the_readouts_and_not_the_panels_under_them(running):
    win, model = running, running.model
    frame = win.contour.viewport().repaint  # paints every widget a step made dirty (bench)
    labels = readouts(win)
    under = {a for w in labels for a in ancestors(w)}
    paints = Paints(labels + sorted(under, key=id))
    renders = [backdrop_of(w).renders for w in labels]
    for _ in range(3):
        model.step(1)
        frame()
    status, bar = win.findChild(QLabel, "statusLabel"), win.statusBar()
    assert paints.counts[status] == 3 and paints.counts[bar] == 3  # new texts, repainted
    assert {w.objectName() or type(w).__name__: n for w, n in paints.counts.items()
            if w in under and n} == {}
    assert [backdrop_of(w).renders for w in labels] == renders  # nothing rendered again


def screen(win):
    return QApplication.primaryScreen().grabWindow(win.winId()).toImage()


def repaint_all(win):
    for widget in win.findChildren(QWidget):
        widget.update()
    win.repaint()


def test_the_readouts_show_the_pixels_they_showed_transparent(running):
    """Filled with the one colour behind each (the tab pane's, a group box's, the window's),
    the window looks as with transparent labels: before and after a step, and after the
    status's new style sheet."""
    win, model = running, running.model
    labels = readouts(win)
    fills = {backdrop_of(w).colour.name() for w in labels}
    assert len(fills) >= 2  # not one palette colour for all
    status = win.findChild(QLabel, "statusLabel")
    for step, sheet in ((0, None), (1, None), (0, "color: #b00020; font-weight: bold;")):
        model.step(step)
        if sheet:  # the colour of a stopped run's status: a new style sheet re-polishes it
            status.setStyleSheet(sheet)
            QApplication.processEvents()
        repaint_all(win)
        filled = screen(win)
        assert all(w.autoFillBackground() for w in labels)
        for w in labels:
            w.setAutoFillBackground(False)
        repaint_all(win)
        assert screen(win) == filled
        for w in labels:
            w.setAutoFillBackground(True)


@pytest.fixture
def box(qtbot):
    """A group box with a label inside its frame, shown."""
    outer = QWidget()
    qtbot.addWidget(outer)
    outer.resize(300, 200)
    group = QGroupBox("values", outer)
    group.setGeometry(20, 20, 260, 160)
    label = QLabel("f = 1.5", group)
    QVBoxLayout(group).addStretch()  # the label keeps the place it is given
    label.setGeometry(30, 40, 120, 20)
    backdrop = keep_backdrop(label)
    outer.show()
    qtbot.waitExposed(outer)
    return outer, label, backdrop


def test_a_label_on_one_colour_is_filled_with_it_and_across_an_edge_stays_clear(box):
    outer, label, backdrop = box
    assert label.autoFillBackground()
    inside = backdrop.colour
    corner = label.mapTo(outer, label.rect().topLeft())
    label.hide()
    behind = outer.grab().toImage().pixelColor(corner)
    label.show()
    assert inside == behind
    label.move(-10, 40)  # across the group box's left edge: two colours behind it
    QApplication.processEvents()
    assert backdrop.colour is None and not label.autoFillBackground()
    label.move(30, 40)
    QApplication.processEvents()
    assert backdrop.colour == inside and label.autoFillBackground()


def test_a_moved_parent_renders_the_backdrop_again(box):
    """A move of an ancestor alone sends the label no event: its next paint looks again."""
    outer, label, backdrop = box
    before = backdrop.renders
    group = label.parentWidget()
    group.move(group.x() + 5, group.y())
    outer.repaint()
    assert backdrop.renders == before + 1
    outer.repaint()
    assert backdrop.renders == before + 1
