"""Monkey test (issue 6): 2,000 seeded random user actions, then the window must still work.

pytest-qt fails the test on any exception raised inside a Qt slot, and the project's
qt_log_level_fail setting fails it on any Qt warning.
"""
import math
import random

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QPushButton, QWidget

from gd_explorer.core.presets import PRESETS

SEED = 20261123
ACTIONS = 2000
FORMULAS = [
    "x^2 + y^2", "sin(x)*cos(y)", "x*y", "(1 - x)^2 + 100*(y - x^2)^2", "log(x) + y", "1/(x*y)",
    "exp(x^2 + y^2)", "sqrt(x^2 + y^2)", "abs(x) + abs(y)", "max(x, y)", "atan2(y, x)",
    "x +", "xy", "2x", "__import__('os')", "x.__class__", "9^9^9^9", "((((x", "sin(x, y)",
    "", "   ", "x^1e6", "lambda: 1", "x; y", "1/0", "tan(x)*y", "x^3 - 3*x*y^2", "e^x - y",
]
BUTTONS = ["stepButton", "step10Button", "step100Button", "playButton", "resetButton",
           "addRunButton", "removeRunButton", "keepOnlyRunButton", "snapAlong", "snapAgainst", "snapLevel",
           "criticalPointsButton", "basinsButton", "cancelAnalysisButton", "clearAnalysisButton",
           "resetViewButton"]


@pytest.fixture
def window(qtbot, shown_window):
    win = shown_window
    with qtbot.waitSignal(win.model.functionChanged, timeout=15000):
        win.model.load_default()
    return win


class Monkey:
    def __init__(self, qtbot, win, tmp_path, rng):
        self.qtbot, self.win, self.tmp, self.rng = qtbot, win, tmp_path, rng
        win.direction  # its tab's panel is built on first use: the dial and snaps are targets
        self.buttons = [win.findChild(QPushButton, name) for name in BUTTONS]
        assert all(self.buttons), [n for n, b in zip(BUTTONS, self.buttons) if b is None]
        self.dial = win.findChild(QWidget, "directionDial")
        assert self.dial is not None
        self.counts = {}

    def act(self):
        actions = [self.type_formula, self.click_plot, self.drag, self.pan, self.zoom, self.turn_dial,
                   self.press_button, self.press_button, self.menu, self.settings, self.switch_tab]
        action = self.rng.choice(actions)
        self.counts[action.__name__] = self.counts.get(action.__name__, 0) + 1
        action()

    def type_formula(self):
        edit = self.win.editor.edit
        text = self.rng.choice(FORMULAS)
        if self.rng.random() < 0.3:
            edit.selectAll()
            self.qtbot.keyClicks(edit, text[:12])
        else:
            edit.setText(text)
        if self.rng.random() < 0.5:
            edit.returnPressed.emit()

    def click_plot(self):
        vp = self.win.contour.viewport()
        if not self.win.contour.isVisible() or vp.width() < 1 or vp.height() < 1:
            return  # the contour view is hidden in "surface only" mode
        pos = QPoint(self.rng.randrange(vp.width()), self.rng.randrange(vp.height()))
        self.qtbot.mouseClick(vp, Qt.LeftButton, pos=pos)

    def drag(self):
        """A real mouse drag on the map: pans the view, or moves the start marker."""
        from PySide6.QtCore import QEvent, QPointF
        from PySide6.QtGui import QMouseEvent
        from PySide6.QtWidgets import QApplication

        view = self.win.contour
        vp = view.viewport()
        if not view.isVisible() or vp.width() < 2 or vp.height() < 2:
            return
        if self.rng.random() < 0.5:
            a = view.data_to_viewport(*self.win.model.start)  # grab the marker
        else:
            a = QPoint(self.rng.randrange(vp.width()), self.rng.randrange(vp.height()))
        b = QPoint(self.rng.randrange(vp.width()), self.rng.randrange(vp.height()))

        def send(kind, pos, buttons):
            local = QPointF(pos)
            button = Qt.NoButton if kind == QEvent.MouseMove else Qt.LeftButton
            QApplication.sendEvent(vp, QMouseEvent(kind, local, vp.mapToGlobal(local), button,
                                                   buttons, Qt.NoModifier))

        send(QEvent.MouseButtonPress, a, Qt.LeftButton)
        for k in range(1, 6):
            send(QEvent.MouseMove, a + (b - a) * (k / 5), Qt.LeftButton)
        send(QEvent.MouseButtonRelease, b, Qt.NoButton)

    def pan(self):
        vb = self.win.contour.getViewBox()
        (x0, x1), (y0, y1) = vb.viewRange()
        vb.translateBy(x=self.rng.uniform(-0.3, 0.3) * (x1 - x0), y=self.rng.uniform(-0.3, 0.3) * (y1 - y0))
        vb.sigRangeChangedManually.emit(vb.state["mouseEnabled"])

    def zoom(self):
        vb = self.win.contour.getViewBox()
        factor = math.exp(self.rng.uniform(-1.0, 1.0))
        vb.scaleBy((factor, factor))
        vb.sigRangeChangedManually.emit(vb.state["mouseEnabled"])

    def turn_dial(self):
        key = self.rng.choice([Qt.Key_Left, Qt.Key_Right, Qt.Key_Up, Qt.Key_Down, Qt.Key_PageUp,
                               Qt.Key_PageDown])
        self.qtbot.keyClick(self.dial, key)

    def press_button(self):
        button = self.rng.choice(self.buttons)
        if button.isVisible() and button.isEnabled():
            button.click()

    def menu(self):
        choice = self.rng.randrange(6)
        win = self.win
        if choice == 0:
            win.model.load_preset(self.rng.choice(PRESETS))
        elif choice == 1:
            win.set_view_mode(self.rng.choice(["contour", "surface", "both"]))
        elif choice == 2:
            target = self.rng.choice([self.tmp / "run.csv", self.tmp / "no" / "run.csv"])
            win.export_csv(str(target))
        elif choice == 3:
            win.save_session(str(self.tmp / "s.gdx.json"))
        elif choice == 4:
            win.open_session(str(self.tmp / self.rng.choice(["s.gdx.json", "missing.gdx.json"])))
        else:
            win.model.reset_window()

    def settings(self):
        d = self.win.descent
        choice = self.rng.randrange(4)
        if choice == 0:
            d.lr.setValue(10 ** self.rng.uniform(-6, 1))
        elif choice == 1:
            d.steps.setValue(self.rng.choice([1, 10, 1000, 100000]))
        elif choice == 2:
            d.optimizer.setCurrentIndex(self.rng.randrange(d.optimizer.count()))
        else:
            self.win.model.set_speed(10 ** self.rng.uniform(0, 4))

    def switch_tab(self):
        self.win.tabs.setCurrentIndex(self.rng.randrange(self.win.tabs.count()))


def close_dialogs(win):
    from PySide6.QtWidgets import QMessageBox

    for box in win.findChildren(QMessageBox):
        box.close()
        box.deleteLater()


@pytest.mark.timeout(900)  # 4 s on a quiet machine, 100 s seen on a busy one: not a hang
def test_two_thousand_random_actions(qtbot, window, tmp_path):
    monkey = Monkey(qtbot, window, tmp_path, random.Random(SEED))
    for i in range(ACTIONS):
        monkey.act()
        if i % 50 == 49:
            qtbot.wait(2)
            close_dialogs(window)
    assert sum(monkey.counts.values()) == ACTIONS
    assert len(monkey.counts) == 10  # every kind of action happened
    model = window.model
    model.pause()
    model.analysis.cancel()
    qtbot.waitUntil(lambda: not model.compiling, timeout=15000)
    close_dialogs(window)
    # the window still works: a preset loads and a step is exact
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.load_preset("Quadratic bowl")
    combo = window.descent.optimizer
    combo.setCurrentIndex(combo.findData("gd"))
    x, y = model.start
    window.descent.step_btn.click()
    lr = model.learning_rate
    assert model.current_point == (x - lr * 2 * x, y - lr * 2 * y)
    assert window.table.model().rowCount() == 2
