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
        # the slice's curve and tangent change with the angle; no marker is a scatter item
        assert painted[("PlotCurveItem", "slicePlot")] == 2, painted
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
