"""Marks of one point on the map at little cost per step: the current point and the next
step's ring change at every step, and pyqtgraph's ScatterPlotItem rebuilds its record array,
its bounds and its symbol atlas for each one."""
import math

import pyqtgraph as pg
from pyqtgraph.graphicsItems.ScatterPlotItem import drawSymbol
from PySide6.QtCore import QPointF, QRectF


class Dot(pg.ScatterPlotItem):
    """A ScatterPlotItem (pxMode) of at most one point, set with setData([x], [y]) or emptied
    with setData([], []); pens, brush, symbol and size as a ScatterPlotItem's (legend samples
    and the presentation scale read and set them there). Painted as pyqtgraph paints a
    symbol without its atlas (drawSymbol at the point's pixel)."""

    def __init__(self, **opts):
        self._xy = None    # the point, or None
        self._rect = None  # its bounding rectangle for the view as it is
        self.sets = 0      # points set (tests count them)
        super().__init__(**opts)

    def setData(self, *args, **kwargs):
        if kwargs or len(args) != 2:  # styles, or another form: pyqtgraph's own, then ours
            super().setData(*args, **kwargs)
            x, y = super().getData()
            args = (x, y) if x is not None else ([], [])
        xs, ys = args
        if len(xs) > 1:
            raise ValueError("a Dot is one point")
        self.prepareGeometryChange()
        self._xy = (float(xs[0]), float(ys[0])) if len(xs) else None
        self._rect = None
        self.sets += 1
        self.update()

    def getData(self):
        if self._xy is None:
            return [], []
        return [self._xy[0]], [self._xy[1]]

    def dataBounds(self, ax, frac=1.0, orthoRange=None):
        if self._xy is None:
            return None, None
        return self._xy[ax], self._xy[ax]

    def invalidate(self):
        self.prepareGeometryChange()  # a new size or pen: a new rectangle
        self._rect = None
        super().invalidate()

    def viewTransformChanged(self):
        super().viewTransformChanged()
        self._rect = None

    def _reach(self):
        """Pixels from the point to the edge of what is painted."""
        pen = pg.mkPen(self.opts["pen"])
        return self.opts["size"] / 2 * math.sqrt(2) + max(pen.widthF(), 1) + 1

    def boundingRect(self):
        if self._xy is None or not all(map(math.isfinite, self._xy)):
            return QRectF()
        if self._rect is None:
            to_device = self.deviceTransform_()
            if to_device is None:
                return QRectF()
            back, invertible = to_device.inverted()
            if not invertible:
                return QRectF()
            c, r = to_device.map(QPointF(*self._xy)), self._reach()
            self._rect = back.mapRect(QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r))
        return self._rect

    def paint(self, p, *args):
        if self._xy is None or not all(map(math.isfinite, self._xy)):
            return
        c = p.transform().map(QPointF(*self._xy))
        p.resetTransform()
        p.setRenderHint(p.RenderHint.Antialiasing, bool(self.opts["antialias"]))
        p.translate(c)
        drawSymbol(p, self.opts["symbol"], self.opts["size"], pg.mkPen(self.opts["pen"]),
                   pg.mkBrush(self.opts["brush"]))
