"""The map's arrow heads (gui/light_marks.Head) turn by their item rotation: a new angle keeps
their path, and they paint the pixels pyqtgraph's ArrowItem paints with the angle built into
its path, tip where setPos puts it (looked at, never timed)."""
import math

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QGraphicsScene

from gd_explorer.gui.app import make_app
from gd_explorer.gui.light_marks import Head

STYLE = dict(headLen=15, tipAngle=34, tailLen=0, pen=pg.mkPen("k", width=1.5), brush="#d62728")


def _painted(item):
    scene = QGraphicsScene(0, 0, 80, 80)
    scene.addItem(item)
    item.setPos(40, 40)
    image = QImage(80, 80, QImage.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    scene.render(painter)
    painter.end()
    scene.removeItem(item)
    return image


@pytest.mark.parametrize("angle", [0.0, 37.0, -150.0, 225.0, 310.8])
def test_a_head_paints_what_an_arrow_item_paints(angle):
    make_app()
    head = Head(**STYLE)
    head.setStyle(angle=angle)
    reference = pg.ArrowItem(**STYLE, angle=angle)
    mine, theirs = _painted(head), _painted(reference)
    inked = sum(mine.pixel(x, y) != 0xFFFFFFFF for x in range(80) for y in range(80))
    assert inked > 40                      # a head was drawn
    assert mine == theirs


def test_a_new_angle_turns_the_same_path_about_the_tip():
    make_app()
    head = Head(**STYLE)
    path = head.path
    head.setPos(3.0, 4.0)
    for angle in (10.0, 190.0):
        head.setStyle(angle=angle)
        assert head.path is path and head.rotation() == angle
        assert head.mapToParent(QPointF(0, 0)) == QPointF(3.0, 4.0)  # the tip stays put
        # the head's base, headLen behind the tip, turned with it
        base = head.mapToParent(QPointF(15, 0))
        assert base.x() == pytest.approx(3 + 15 * math.cos(math.radians(angle)))
        assert base.y() == pytest.approx(4 + 15 * math.sin(math.radians(angle)))
    head.setStyle(headLen=20)           # a new size (the presentation scale) builds the path
    assert head.path is not path and head.rotation() == 190.0
