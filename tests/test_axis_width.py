"""The map's y axis settles at every size. The aspect is locked, so the y range follows the
view's width, and the axis's width follows its labels: the two chased each other for ever at
some sizes (a window of ±2 at 444×480 here: labels -3…3 narrow the axis, which widens the
view, so the range shrinks to ±2.9, whose labels -2.5…2.5 widen the axis again), and the
window froze in that loop."""
import pytest
from PySide6.QtCore import QEvent, QObject

from gd_explorer.core.function import parse_function

ENDLESS = 40  # resizes of the axis for one resize of the view: it would never stop


class AxisResizes(QObject):
    """Counts the axis's resizes; at ENDLESS it fixes the axis's width, which ends the loop (so
    that a failing test fails instead of hanging)."""

    def __init__(self, axis):
        super().__init__()
        self.axis, self.count = axis, 0
        axis.installEventFilter(self)

    def eventFilter(self, obj, event):
        if obj is self.axis and event.type() == QEvent.GraphicsSceneResize:
            self.count += 1
            if self.count == ENDLESS:
                self.axis.setWidth(self.axis.width())
        return False


@pytest.fixture
def view(qtbot, lone_contour_view):
    model = lone_contour_view.model
    model.set_window((-2.0, 2.0), (-2.0, 2.0))
    model.set_function(parse_function("x^2 + y^2"))
    qtbot.wait(20)
    return lone_contour_view


def test_the_y_axis_settles_at_every_size(qtbot, view):
    from PySide6.QtWidgets import QApplication

    axis = view.getPlotItem().getAxis("left")
    resizes = AxisResizes(axis)
    endless = []
    for height in range(476, 486, 2):
        for width in range(436, 454):
            resizes.count = 0
            view.resize(width, height)
            for _ in range(5):
                QApplication.processEvents()
            if resizes.count >= ENDLESS:
                endless.append((width, height))
                axis.setWidth(None)  # free again for the next size
    assert endless == []


def test_the_y_axis_narrows_again_for_a_new_window(qtbot, view):
    axis = view.getPlotItem().getAxis("left")
    narrow = axis.width()
    view.model.set_window((-123456.5, 123456.5), (-123456.5, 123456.5))  # long labels
    qtbot.waitUntil(lambda: axis.width() > narrow + 15, timeout=15000)
    view.model.set_window((-2.0, 2.0), (-2.0, 2.0))
    qtbot.waitUntil(lambda: axis.width() < narrow + 5, timeout=15000)
