"""One-point markers painted by Qt (gui/dot_item.Dot): where they show, when they hide, their
size at the presentation scale, and that a dial tick runs no Python paint of a marker in the
direction panel (counted, never timed)."""
import math
from collections import Counter

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from gd_explorer.gui.colors import U_COLOR
from gd_explorer.gui.dot_item import Dot


def test_set_data_shows_one_finite_point_and_hides_otherwise(qtbot):
    dot = Dot(10, "r")
    assert not dot.isVisible() and [list(a) for a in dot.getData()] == [[], []]
    dot.setData([2.5], [-1.0])
    assert dot.isVisible() and (dot.pos().x(), dot.pos().y()) == (2.5, -1.0)
    assert [list(a) for a in dot.getData()] == [[2.5], [-1.0]]
    for xs, ys in (([], []), ([math.nan], [1.0]), ([1.0], [math.inf]), ([1.0, 2.0], [3.0, 4.0])):
        dot.setData([2.5], [-1.0])
        dot.setData(xs, ys)
        assert not dot.isVisible(), (xs, ys)
        assert [list(a) for a in dot.getData()] == [[], []]


def _pixel(widget, x, y):
    return QColor(widget.grab().toImage().pixel(round(x), round(y)))


def test_a_dot_is_drawn_at_its_point_with_its_size_in_pixels(qtbot):
    plot = pg.PlotWidget(background="w")
    qtbot.addWidget(plot)
    plot.resize(300, 300)
    plot.setXRange(0, 10, padding=0)
    plot.setYRange(0, 10, padding=0)
    plot.getPlotItem().hideAxis("left")
    plot.getPlotItem().hideAxis("bottom")
    dot = Dot(12, U_COLOR)
    plot.addItem(dot)
    dot.setData([3.0], [7.0])
    plot.show()
    qtbot.waitExposed(plot)
    vb = plot.getViewBox()
    at = plot.mapFromScene(vb.mapViewToScene(pg.Point(3.0, 7.0)))
    assert _pixel(plot, at.x(), at.y()).name() == QColor(U_COLOR).name()
    # 12 px across whatever the zoom: 4 px off the centre is inside, 9 px is outside
    plot.setXRange(0, 1000, padding=0)
    at = plot.mapFromScene(vb.mapViewToScene(pg.Point(3.0, 7.0)))
    assert _pixel(plot, at.x() + 4, at.y()).name() == QColor(U_COLOR).name()
    assert _pixel(plot, at.x() + 9, at.y()).name() == "#ffffff"
    dot.setData([math.nan], [7.0])
    assert _pixel(plot, at.x(), at.y()).name() == "#ffffff"


def test_the_presentation_scale_sizes_a_dot_and_its_outline(qtbot):
    from gd_explorer.gui.scaled_items import sync_item

    dot = Dot(10, "r", pg.mkPen("k", width=1.5))
    sync_item(dot, 1.5, 1.0, 9.0)
    assert dot.rect().width() == pytest.approx(15) and dot.pen().widthF() == pytest.approx(2.25)
    sync_item(dot, 1.0, 1.5, 9.0)
    assert dot.rect().width() == pytest.approx(10) and dot.pen().widthF() == pytest.approx(1.5)


def test_a_dial_tick_runs_no_python_paint_of_a_marker(qtbot, monkeypatch, direction_at):
    """The φ marker and the slice's point are painted by Qt: a tick repaints them without a
    pyqtgraph scatter paint (about 0.15 ms of Python each)."""
    painted = Counter()
    for cls in (pg.ScatterPlotItem, pg.PlotCurveItem):
        original = cls.paint

        def counting(item, *args, _original=original, _cls=cls):
            painted[_cls.__name__, item.getViewBox().parentItem().getViewWidget().objectName()] += 1
            return _original(item, *args)

        monkeypatch.setattr(cls, "paint", counting)  # before the panel's items exist
    model, panel = direction_at("x^2 + 3*y^2", 1.0, 2.0, 10.0)
    panel.resize(460, 900)
    panel.show()
    qtbot.waitExposed(panel)
    for _ in range(3):
        QApplication.processEvents()
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
