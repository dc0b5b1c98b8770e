"""The direction panel's moving marks at a dial tick: the φ marker and the slice's point are
light Dots (gui/light_marks), so a tick runs no pyqtgraph scatter paint and no PlotDataItem
update, and they are drawn where their numbers say (counted and looked at, never timed)."""
import math
from collections import Counter

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from gd_explorer.gui.colors import U_COLOR


def _shown(qtbot, direction_at, phi_deg):
    model, panel = direction_at("x^2 + 3*y^2", 1.0, 2.0, phi_deg)
    panel.resize(460, 900)
    panel.show()
    qtbot.waitExposed(panel)
    for _ in range(3):
        QApplication.processEvents()
    return model, panel


def test_a_dial_tick_runs_no_scatter_paint(qtbot, monkeypatch, direction_at):
    painted = Counter()
    for cls in (pg.ScatterPlotItem, pg.PlotCurveItem):
        original = cls.paint

        def counting(item, *args, _original=original, _cls=cls):
            view = item.getViewBox().parentItem().getViewWidget()
            painted[_cls.__name__, view.objectName()] += 1
            return _original(item, *args)

        monkeypatch.setattr(cls, "paint", counting)  # before the panel's items exist
    model, panel = _shown(qtbot, direction_at, 10.0)
    for k in range(4):
        painted.clear()
        model.set_angle(math.radians(40 + 9 * k))
        QApplication.processEvents()
        QApplication.processEvents()
        # the slice's curve changes with the angle (its tangent is a light Segment; on a busy
        # machine a tick may take two passes); no marker is a scatter item
        assert painted[("PlotCurveItem", "slicePlot")] >= 1, painted
        assert not any(kind == "ScatterPlotItem" for kind, _ in painted), painted
    xs, ys = panel.marker.getData()
    assert xs[0] == pytest.approx(67) and ys[0] == pytest.approx(
        2 * math.cos(math.radians(67)) + 12 * math.sin(math.radians(67)))
    assert np.array_equal(panel.slice_plot.point.getData()[0], [0.0])


def test_the_marks_are_drawn_at_their_values(qtbot, direction_at):
    model, panel = _shown(qtbot, direction_at, 10.0)
    for deg in (30.0, 200.0):
        model.set_angle(math.radians(deg))
        QApplication.processEvents()
        value = 2 * math.cos(math.radians(deg)) + 12 * math.sin(math.radians(deg))
        for plot, point, color in ((panel.curve_plot, (deg, value), QColor(U_COLOR)),
                                   (panel.slice_plot, (0.0, 13.0), QColor("black"))):
            at = plot.mapFromScene(plot.getViewBox().mapViewToScene(pg.Point(*point)))
            image = plot.grab().toImage()
            seen = QColor(image.pixel(at.x(), at.y()))
            assert max(abs(seen.red() - color.red()), abs(seen.green() - color.green()),
                       abs(seen.blue() - color.blue())) <= 40, (plot.objectName(), deg, seen.name())


@pytest.fixture
def map_scatter_paints(monkeypatch):
    """Python paints of pyqtgraph scatter items per view (patched before the window exists:
    list this fixture before shown_window)."""
    painted = Counter()
    original = pg.ScatterPlotItem.paint

    def counting(item, *args):
        painted[item.getViewBox().parentItem().getViewWidget().objectName()] += 1
        return original(item, *args)

    monkeypatch.setattr(pg.ScatterPlotItem, "paint", counting)
    return painted


def test_a_dial_tick_runs_no_scatter_paint_on_the_map(qtbot, map_scatter_paints, shown_window):
    """On the map u turns over the start: the point's marks and a short run's step markers
    (cached: they change with a step, not with the angle) are not painted again in Python."""
    painted, win = map_scatter_paints, shown_window
    with qtbot.waitSignal(win.model.functionChanged, timeout=15000):
        win.model.set_expression("x^2 + 3*y^2")
    win.model.set_start(1.0, 2.0)
    win.model.step(3)  # a short run: its step markers are shown
    win.tabs.setCurrentWidget(win.tabs.widget(1))
    for _ in range(5):
        QApplication.processEvents()
    assert len(win.contour.trajectory.scatter.data) == 4  # the markers are there
    for k in range(4):
        painted.clear()
        win.model.set_angle(math.radians(40 + 9 * k))
        QApplication.processEvents()
        QApplication.processEvents()
        assert painted["contourView"] == 0, painted
