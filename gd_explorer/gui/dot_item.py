"""A one-point marker that Qt paints itself. A pyqtgraph ScatterPlotItem of one spot costs
about 0.15 ms of Python at every paint; a marker that moves at each dial tick is this."""
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsItem


class Dot(QGraphicsEllipseItem):
    """A round marker of ``size`` pixels at one point in data coordinates, with the
    ``setData``/``getData`` of pyqtgraph's items: ``setData([x], [y])`` shows it there,
    ``setData([], [])`` (or a point that is not finite) hides it."""

    def __init__(self, size, brush, pen=None):
        super().__init__()
        self.setFlag(QGraphicsItem.ItemIgnoresTransformations)  # its size is in pixels
        self.opts = {}  # as pyqtgraph's items: the pen and size given (the presentation scale)
        self.setBrush(pg.mkBrush(brush))
        self.setPen(pg.mkPen(pen) if pen is not None else QPen(Qt.NoPen))
        self.setSize(size)
        self._data = (np.array([]), np.array([]))
        self.hide()

    def setPen(self, pen):
        self.opts["pen"] = pen
        super().setPen(pen)

    def setSize(self, size):
        self.opts["size"] = size
        self.setRect(QRectF(-size / 2, -size / 2, size, size))

    def setData(self, xs, ys):
        xs, ys = np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)
        if xs.size != 1 or ys.size != 1 or not (math.isfinite(xs[0]) and math.isfinite(ys[0])):
            self._data = (np.array([]), np.array([]))
            self.hide()
            return
        self._data = (xs.copy(), ys.copy())
        self.setPos(float(xs[0]), float(ys[0]))
        self.show()

    def getData(self):
        return self._data
