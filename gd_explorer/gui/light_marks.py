"""Marks on the map that move at every step, at little cost per step: the current point and
the next step's ring (pyqtgraph's ScatterPlotItem rebuilds its record array, its bounds and its
symbol atlas for each new point), the arrows' shafts, the level tangent and the next step's
line (PlotCurveItem checks, bounds and paths for two points), and the arrows' heads
(ArrowItem builds its path, pen and brush again for each new angle)."""
import math

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.ScatterPlotItem import drawSymbol
from PySide6.QtCore import QLineF, QPointF, QRectF
from PySide6.QtGui import QBrush, QPainter, QPen

ANTIALIASING = QPainter.RenderHint.Antialiasing  # looked up once: marks paint at every frame


def pen(value):
    """``value`` (a pen option) as a QPen: itself when it is one (pg.mkPen copies it, and a
    mark reads its pens at each paint)."""
    return value if isinstance(value, QPen) else pg.mkPen(value)


def brush(value):
    return value if isinstance(value, QBrush) else pg.mkBrush(value)


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


def panned(item):
    """Whether the view's change that called ``item``'s viewTransformChanged was a pan: its
    scene transform changed only by a translation (and round-off in its scale) since the last
    change that was not. Then pyqtgraph's own hook has nothing to do but forget the view's
    rectangle; it is done here."""
    t = item.sceneTransform()
    linear = (t.m11(), t.m12(), t.m21(), t.m22())
    before, item._linear = getattr(item, "_linear", None), linear
    if before is not None and all(math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-300)
                                  for a, b in zip(linear, before)):
        item._linear = before  # round-off does not add up over many pans
        item._cachedView = None
        return True
    return False


class LightMark:
    """Mixed in before a pyqtgraph item: a mark of a few points (``SIZES``: how many it
    takes), set with setData(xs, ys) and kept as floats; its styles stay the pyqtgraph item's
    (legend samples and the presentation scale read and set them there)."""

    SIZES = ()

    def __init__(self, **opts):
        self._points = None  # ((x, y), ...), or None
        self._finite = False  # points, all finite: drawn
        self._rect = None    # the bounding rectangle for the view as it is
        self.boxes = 0       # rectangles worked out (tests count them)
        self.sets = 0        # data set (tests count them)
        super().__init__(**opts)

    def setData(self, *args, **kwargs):
        if kwargs or len(args) != 2:  # styles, or another form: pyqtgraph's own, then ours
            super().setData(*args, **kwargs)
            x, y = super().getData()
            args = (x, y) if x is not None else ([], [])
        xs, ys = args
        if len(xs) not in self.SIZES:
            raise ValueError(f"a {type(self).__name__} has {' or '.join(map(str, self.SIZES))} "
                             "points")
        self.prepareGeometryChange()
        self._points = tuple((float(x), float(y)) for x, y in zip(xs, ys)) or None
        self._finite = self._points is not None and all(
            math.isfinite(v) for point in self._points for v in point)
        self._rect = None
        self.sets += 1
        self.update()

    def dataBounds(self, ax, frac=1.0, orthoRange=None):
        if self._points is None:
            return None, None
        values = [point[ax] for point in self._points]
        return min(values), max(values)

    def viewTransformChanged(self):
        if panned(self):  # the same box around the points, in the item's coordinates
            return
        self._rect = None  # a zoom, a resize: a new box
        super().viewTransformChanged()

    def _restyled(self):
        """A new pen or size: a new rectangle."""
        self.prepareGeometryChange()
        self._rect = None

    def boundingRect(self):  # Qt asks for it several times a frame, from C++: kept short
        rect = self._rect
        if rect is None:
            if not self._finite:
                return QRectF()
            self.boxes += 1
            rect = self._rect = device_box(self, self._points, self._reach())
        return rect


class Dot(LightMark, pg.ScatterPlotItem):
    """A ScatterPlotItem (pxMode) of at most one point, set with setData([x], [y]) or emptied
    with setData([], []). Painted as pyqtgraph paints a symbol without its atlas (drawSymbol
    at the point's pixel)."""

    SIZES = (0, 1)

    def getData(self):
        if self._points is None:
            return [], []
        (x, y), = self._points
        return [x], [y]

    def invalidate(self):
        self._restyled()
        super().invalidate()

    def _reach(self):
        """Pixels from the point to the edge of what is painted."""
        return self.opts["size"] / 2 * math.sqrt(2) + max(pen(self.opts["pen"]).widthF(), 1) + 1

    def paint(self, p, *args):
        if not self._finite:
            return
        c = p.transform().map(QPointF(*self._points[0]))
        p.resetTransform()
        p.setRenderHint(ANTIALIASING, bool(self.opts["antialias"]))
        p.translate(c)
        drawSymbol(p, self.opts["symbol"], self.opts["size"], pen(self.opts["pen"]),
                   brush(self.opts["brush"]))


class Segment(LightMark, pg.PlotCurveItem):
    """A PlotCurveItem of one straight line, set with setData([x0, x1], [y0, y1]) or emptied
    with setData([], []). Painted as PlotCurveItem paints it: the casing (shadowPen), then the
    pen."""

    SIZES = (0, 2)

    def getData(self):
        if self._points is None:
            return None, None
        return np.array([p[0] for p in self._points]), np.array([p[1] for p in self._points])

    def invalidateBounds(self):
        self._restyled()
        super().invalidateBounds()

    def _reach(self):
        pens = [pen(self.opts[k]) for k in ("pen", "shadowPen") if self.opts.get(k)]
        return max([p.widthF() for p in pens] + [1]) + 2

    def paint(self, p, *args):
        if not self._finite:
            return
        (x0, y0), (x1, y1) = self._points
        line = p.transform().map(QLineF(x0, y0, x1, y1))  # in pixels
        p.resetTransform()
        p.setRenderHint(ANTIALIASING, bool(self.opts.get("antialias")))
        for key in ("shadowPen", "pen"):
            value = self.opts.get(key)
            if value is not None:
                p.setPen(pen(value))
                p.drawLine(line)


class Head(pg.ArrowItem):
    """An ArrowItem turned by its item rotation: a new angle (setStyle(angle=…)) turns the
    same path instead of building it, its pen and its brush again. The tip, at the item's
    origin, stays where setPos puts it."""

    def setStyle(self, **opts):
        angle = opts.pop("angle", None)
        if opts:
            super().setStyle(**opts, angle=0.0)  # the path, at angle 0
        if angle is not None:
            self.setRotation(float(angle))
