"""Marks on the map that move at every step, at little cost per step: the current point and
the next step's ring (pyqtgraph's ScatterPlotItem rebuilds its record array, its bounds and its
symbol atlas for each new point), the arrows' shafts, the level tangent and the next step's
line (PlotCurveItem checks, bounds and paths for two points)."""
import math

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.ScatterPlotItem import drawSymbol
from PySide6.QtCore import QPointF, QRectF


def _finite(points):
    return points is not None and all(math.isfinite(v) for point in points for v in point)


def device_box(item, points, reach):
    """The rectangle, in ``item``'s coordinates, of what is painted within ``reach`` pixels of
    its ``points`` for the view as it is; empty while the item is not in a shown view."""
    to_device = item.deviceTransform_()
    if to_device is None:
        return QRectF()
    back, invertible = to_device.inverted()
    if not invertible:
        return QRectF()
    box = QRectF()
    for point in points:
        c = to_device.map(QPointF(*point))
        box = box.united(QRectF(c.x() - reach, c.y() - reach, 2 * reach, 2 * reach))
    return back.mapRect(box)


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
        if not _finite([self._xy] if self._xy else None):
            return QRectF()
        if self._rect is None:
            self._rect = device_box(self, [self._xy], self._reach())
        return self._rect

    def paint(self, p, *args):
        if not _finite([self._xy] if self._xy else None):
            return
        c = p.transform().map(QPointF(*self._xy))
        p.resetTransform()
        p.setRenderHint(p.RenderHint.Antialiasing, bool(self.opts["antialias"]))
        p.translate(c)
        drawSymbol(p, self.opts["symbol"], self.opts["size"], pg.mkPen(self.opts["pen"]),
                   pg.mkBrush(self.opts["brush"]))


class Segment(pg.PlotCurveItem):
    """A PlotCurveItem of one straight line, set with setData([x0, x1], [y0, y1]) or emptied
    with setData([], []); its pen and casing (shadowPen) as a PlotCurveItem's, for the legend
    and the presentation scale. Painted as PlotCurveItem paints it: the casing, then the pen."""

    def __init__(self, **opts):
        self._ends = None  # ((x0, y0), (x1, y1)), or None
        self._rect = None
        self.sets = 0      # lines set (tests count them)
        super().__init__(**opts)

    def setData(self, *args, **kwargs):
        if kwargs or len(args) != 2:  # styles, or another form: pyqtgraph's own, then ours
            super().setData(*args, **kwargs)
            x, y = super().getData()
            args = (x, y) if x is not None else ([], [])
        xs, ys = args
        if len(xs) not in (0, 2):
            raise ValueError("a Segment is one line: two points")
        self.prepareGeometryChange()
        self._ends = tuple((float(x), float(y)) for x, y in zip(xs, ys)) or None
        self._rect = None
        self.sets += 1
        self.update()

    def getData(self):
        if self._ends is None:
            return None, None
        return np.array([p[0] for p in self._ends]), np.array([p[1] for p in self._ends])

    def dataBounds(self, ax, frac=1.0, orthoRange=None):
        if self._ends is None:
            return None, None
        values = [p[ax] for p in self._ends]
        return min(values), max(values)

    def invalidateBounds(self):  # a new pen (a new width): a new rectangle
        self.prepareGeometryChange()
        self._rect = None
        super().invalidateBounds()

    def viewTransformChanged(self):
        self._rect = None
        super().viewTransformChanged()

    def _reach(self):
        pens = [pg.mkPen(self.opts[k]) for k in ("pen", "shadowPen") if self.opts.get(k)]
        return max([pen.widthF() for pen in pens] + [1]) + 2

    def boundingRect(self):
        if not _finite(self._ends):
            return QRectF()
        if self._rect is None:
            self._rect = device_box(self, self._ends, self._reach())
        return self._rect

    def paint(self, p, *args):
        if not _finite(self._ends):
            return
        a, b = (p.transform().map(QPointF(*point)) for point in self._ends)
        p.resetTransform()
        p.setRenderHint(p.RenderHint.Antialiasing, bool(self.opts.get("antialias")))
        for key in ("shadowPen", "pen"):
            pen = self.opts.get(key)
            if pen is not None:
                p.setPen(pg.mkPen(pen))
                p.drawLine(a, b)
