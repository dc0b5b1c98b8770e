"""What the map draws at little cost per frame: long curves whose data bounds survive a pan, a
path thinned to the view's pixels without losing its zig-zag, a long path drawn in fixed
chunks, so that one more step repaints only the last one, and the axes and the legend played
from pixmaps while they look the same."""
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QImage, QPainter, QPen, QPixmap, QTransform
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView, QStyleOptionGraphicsItem

from ..core.grid import BLOCK

CHUNK = 4096  # steps in each fixed piece of a long path


class PanCached:
    """Mixed into a layer of the map (before its pyqtgraph class): the layer is painted once
    into a pixmap of all of it at the view's scale, and a pan only moves that pixmap. (Qt's
    device cache keeps only the visible part of an item more than 1.2 times the viewport, as a
    map sampled beyond the view is: at each pan it builds a new pixmap, copies the old one
    into it and paints the strip that came into view.) The layers ``stack``ed on it are
    painted into the same pixmap, over it in their order, so a frame plays one pixmap for
    the whole map. The pixmap is painted again when a layer changes (pyqtgraph calls
    update()), moves, shows or hides, or the scale changes; the first frame of a new map or
    scale is painted directly (an edit, a zoom: a frame someone waits for; a zoom's frames
    differ from each other), the pixmap from the next one on, and then all of it is painted
    again from the pixmap (the first frame was clipped to the view, and a MapImage is scaled
    from the clip's corner: see there). A map much larger than the viewport (a zoom in, until
    it is sampled again) is painted directly."""

    MOST = 4.0  # viewport areas in one pixmap, at most
    renders = 0  # paints into the pixmap (tests count them)
    _pan_pixmap = _pan_key = _pan_at = _pan_base = _pan_seen = None
    _pan_stack = ()

    def stack(self, *layers):
        """Paint ``layers`` (PanCached, above this one in z, nothing between) into this one's
        pixmap; they paint nothing themselves."""
        self._pan_stack = layers
        for layer in layers:
            layer._pan_base = self
            layer.setFlag(QGraphicsItem.ItemHasNoContents, True)
        self.update()

    def update(self, *args):
        self._pan_pixmap = self._pan_seen = None
        if self._pan_base is not None:
            self._pan_base.update()
        super().update(*args)

    def _pan_layers(self):
        """(layer, its transform to this item) of the stacked layers shown."""
        return [(layer, layer.itemTransform(self)[0]) for layer in self._pan_stack
                if layer.isVisible() and layer.opacity() > 0
                and not layer.boundingRect().isEmpty()]

    def _pan_rect(self, layers):
        rect = self.boundingRect()
        for layer, to_self in layers:
            rect = rect.united(to_self.mapRect(layer.boundingRect()))
        return rect

    def paint(self, p, option, widget=None):
        if self._pan_base is not None:  # a stacked layer, painted by its base
            super().paint(p, option, widget)
            return
        to_device = QTransform(p.transform())  # a copy: PySide's is the painter's own
        layers = self._pan_layers()
        rect = self._pan_rect(layers)
        box = to_device.mapRect(rect)
        if widget is None or to_device.type().value > QTransform.TxScale.value \
                or box.isEmpty() or box.width() * box.height() > self.MOST * widget.width() \
                * widget.height():  # an export, a rotation, or too big for one pixmap
            self._pan_paint(p, option, widget, to_device, layers)
            return
        key = (to_device.m11(), to_device.m22(), rect, widget.devicePixelRatioF(),
               [(layer, to_self, layer.opacity()) for layer, to_self in layers])
        if self._pan_pixmap is None or key != self._pan_key:
            if key != self._pan_seen:  # its first frame: painted directly
                self._pan_seen = key
                self._pan_paint(p, option, widget, to_device, layers)
                return
            self._pan_render(p, option, widget, to_device, box, layers)
            self._pan_key = key
            widget.update(box.toAlignedRect())  # the first frame's pixels too, from the pixmap
        x, y = self._pan_at
        p.resetTransform()
        p.drawPixmap(QPointF(to_device.dx() + x, to_device.dy() + y), self._pan_pixmap)

    def _pan_paint(self, p, option, widget, to_device, layers):
        """This layer and the stacked ones, painted by their pyqtgraph classes."""
        p.setTransform(to_device)
        super().paint(p, option, widget)
        for layer, to_self in layers:
            p.save()
            p.setTransform(to_self * to_device)
            p.setOpacity(p.opacity() * layer.opacity())
            layer.paint(p, option, widget)
            p.restore()

    def _pan_render(self, p, option, widget, to_device, box, layers):
        self.renders += 1
        rect, ratio = box.toAlignedRect(), widget.devicePixelRatioF()  # sharp on a HiDPI screen
        pixmap = QPixmap(rect.size() * ratio)
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHints(p.renderHints())
        self._pan_paint(painter, option, widget,
                        to_device * QTransform.fromTranslate(-rect.x(), -rect.y()), layers)
        painter.end()
        self._pan_pixmap = pixmap
        self._pan_at = (rect.x() - to_device.dx(), rect.y() - to_device.dy())


class SteadyCurve(pg.PlotCurveItem):
    """A PlotCurveItem whose data bounds survive a pan or zoom: pyqtgraph recomputes them
    (a NaN-aware min and max over every point) at each change of the view, though they depend
    on the data and the pens alone; only the pixel padding around them is redone. The bounds
    of all the data with cosmetic pens (the map's paths: a long run's last steps, new at each
    step) are one NaN-skipping min and max, not numpy's nanmin and nanmax under a warnings
    filter."""

    def viewTransformChanged(self):
        self._boundingRect = None  # pyqtgraph's cache of the padded rectangle
        self.prepareGeometryChange()

    def dataBounds(self, ax, frac=1.0, orthoRange=None):
        cache = self._boundsCache[ax]
        if cache is not None and cache[0] == (frac, orthoRange):
            return cache[1]
        d = self.xData if ax == 0 else self.yData
        pens = (self.opts["pen"], self.opts["shadowPen"])
        if d is None or len(d) == 0 or frac < 1.0 or orthoRange is not None \
                or self.opts["fillLevel"] not in (None, "enclosed") \
                or not all(p is None or p.isCosmetic() for p in pens):
            return super().dataBounds(ax, frac, orthoRange)
        b = (float(np.fmin.reduce(d)), float(np.fmax.reduce(d)))  # NaN skipped unless all NaN
        if not (math.isfinite(b[0]) and math.isfinite(b[1])):  # all NaN, or an infinity
            return super().dataBounds(ax, frac, orthoRange)
        self._boundsCache[ax] = [(frac, orthoRange), b]
        return b


class MapImage(PanCached, pg.ImageItem):
    """The colour map: an ImageItem painted from one pixmap through a pan. A 2-D float image
    with levels and a colour table of at most 256 colours is rendered to ARGB32, which Qt
    draws as it is (pyqtgraph's Indexed8 is converted at each paint: 1 ms of an edit's
    frame), with pyqtgraph's colours: the same index per value, NaN transparent. With every
    colour opaque (the map's colour maps, the basins') the same bits are premultiplied
    ARGB32, which Qt scales by its fast path, 4 times faster (1.2 ms of an edit's first
    frame, painted directly). That path steps from the clip's corner, so a few cell edges
    painted with another clip may lie a pixel apart (a neighbouring cell's colour): the
    first frame, clipped to the view, is painted again from the pixmap once that is made
    (PanCached), so no frame shows the two side by side for longer than a frame. (A map too
    large for a pixmap, a zoom in until it is sampled again, is painted directly at each
    frame; its partial frames may too, until it is sampled.)"""

    def render(self):
        image, lut, levels = self.image, self.lut, self.levels
        if image is None or image.ndim != 2 or image.dtype.kind != "f" or levels is None \
                or np.ndim(levels) != 1 or not isinstance(lut, np.ndarray) \
                or lut.dtype != np.uint8 or lut.ndim != 2 or lut.shape[1] not in (3, 4) \
                or not 0 < len(lut) <= 256 or self.autoDownsample or self.axisOrder != "row-major":
            return super().render()
        lo, hi = (float(v) for v in levels)
        scale = len(lut) / (hi - lo if hi != lo else 1.0)  # as pyqtgraph's rescaleData
        table, pixels = _argb_table(lut), np.empty(image.shape, dtype=np.uint32)
        step = max(1, BLOCK // max(image.shape[1], 1))  # a block of rows stays in the cache
        with np.errstate(invalid="ignore"):  # NaN: made transparent below
            for a in range(0, image.shape[0], step):
                index = np.subtract(image[a:a + step], lo, dtype=np.float64)
                index *= scale
                np.clip(index, 0, len(lut) - 1, out=index)
                table.take(index.astype(np.uint8), out=pixels[a:a + step])  # 3 times [ ]'s speed
        if np.isnan(image.min()):
            pixels[np.isnan(image)] = 0
        self._argb = pixels  # the QImage shares this memory
        opaque = bool((table >> 24 == 255).all())  # then premultiplied is the same bits
        fmt = QImage.Format_ARGB32_Premultiplied if opaque else QImage.Format_ARGB32
        self.qimage = QImage(pixels.data, pixels.shape[1], pixels.shape[0], fmt)
        self._renderRequired = self._unrenderable = False


def _argb_table(lut):
    """(N,) uint32 ARGB of an (N, 3) or (N, 4) uint8 RGB(A) colour table."""
    rgba = np.full((len(lut), 4), 255, dtype=np.uint32)
    rgba[:, :lut.shape[1]] = lut
    r, g, b, a = rgba.T
    return (a << 24) | (r << 16) | (g << 8) | b


def cache_as_painted(item):
    """Paint ``item`` from a pixmap while it and the view's scale stay the same (a pan scrolls
    the pixmap and paints only what comes into view). A PanCached item keeps its own."""
    if not isinstance(item, PanCached):
        item.setCacheMode(QGraphicsItem.DeviceCoordinateCache)


def plain_background(view):
    """Fill ``view``'s (a GraphicsView's) background instead of replaying pyqtgraph's cached
    one, a pixmap of the whole viewport read again for each repainted region. Its background
    brush, opaque, fills every region it repaints, so Qt does not fill the viewport with the
    palette's colour first (a quarter of a millisecond a frame for the map)."""
    view.setCacheMode(QGraphicsView.CacheNone)
    if view.backgroundBrush().isOpaque():
        port = view.viewport()
        port.setAutoFillBackground(False)
        port.setAttribute(Qt.WA_OpaquePaintEvent, True)


def descendants(item):
    """Every item under ``item``, at any depth."""
    return [d for child in item.childItems() for d in (child, *descendants(child))]


def cache_axes(plot, names=None):
    """Paint the axes ``names`` (all by default) of ``plot`` (a PlotItem) and their titles
    from pixmaps: an axis paints again when its range, ticks, font or size change (pyqtgraph
    calls update() then), not for a new step. (Not a colour bar's top and bottom: their lines,
    the bar's ends, lie on the edge of the pixmap.)"""
    for name in names or plot.axes:
        axis = plot.getAxis(name)
        for part in (axis, *descendants(axis)):
            cache_as_painted(part)


class MeasuredAxis(pg.AxisItem):
    """An AxisItem that measures each tick label's text once (at each new range, a pan,
    pyqtgraph measures the labels of every tick level, most only to find them too crowded to
    draw, and the same texts come back as the view moves) and sets its title only when the
    title changes."""

    KEPT = 1024  # texts remembered, at most
    _label_html = None  # the title's HTML as last set
    titles_set = 0      # titles set (tests count them)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sizes = {}  # (font, rectangle, flags, text) → the text's rectangle
        self.measured = 0  # texts measured (tests count them)

    def _updateLabel(self):
        """pyqtgraph sets the title's HTML again and lays the axis out again at each new range
        (each frame of a pan), though the title changes only with a new SI prefix or style."""
        html = self.labelString()
        if html == self._label_html:
            self.picture = None  # the ticks are drawn again
            self.update()
            return
        self._label_html = html
        self.titles_set += 1
        super()._updateLabel()

    def generateDrawSpecs(self, p):
        return super().generateDrawSpecs(_MeasuringPainter(p, self))


class _MeasuringPainter:
    """The painter pyqtgraph measures tick labels with; its boundingRect is remembered."""

    def __init__(self, painter, axis):
        self._painter, self._axis, self._font = painter, axis, painter.font().key()

    def boundingRect(self, rect, flags, text):
        sizes = self._axis.sizes
        key = (self._font, rect.getRect(), flags, text)
        size = sizes.get(key)
        if size is None:
            if len(sizes) >= MeasuredAxis.KEPT:
                sizes.clear()
            self._axis.measured += 1
            size = sizes[key] = self._painter.boundingRect(rect, flags, text)
        return QRectF(size)  # a copy: pyqtgraph shortens it

    def __getattr__(self, name):
        return getattr(self._painter, name)


def thin_to_pixels(xs, ys, pixel):
    """The polyline (xs, ys) as it shows with pixels of size ``pixel`` (pw, ph): a run of
    points in one pixel keeps only its first, and a segment between two pixels already joined
    by the line is not drawn again, so an oscillation keeps both sides of its zig-zag however
    long it goes on. NaN breaks the line (in the input and in the result)."""
    pw, ph = pixel
    with np.errstate(invalid="ignore"):
        qx, qy = np.floor(xs / pw) + 0.0, np.floor(ys / ph) + 0.0  # + 0.0: no -0.0
    keep = np.ones(len(xs), dtype=bool)
    keep[1:-1] = (qx[1:-1] != qx[:-2]) | (qy[1:-1] != qy[:-2])  # NaN gaps stay
    xs, ys, qx, qy = xs[keep], ys[keep], qx[keep], qy[keep]
    if len(xs) < 3:
        return xs, ys
    ends = np.column_stack([qx[:-1], qy[:-1], qx[1:], qy[1:]])
    index = np.flatnonzero(np.isfinite(ends).all(axis=1))  # segments, not gaps
    keys = np.ascontiguousarray(ends[index]).view(np.dtype((np.void, ends.itemsize * 4)))
    _, first = np.unique(keys.ravel(), return_index=True)
    return _polyline(xs, ys, index[np.sort(first)])


def _polyline(xs, ys, segments):
    """The segments (i, i + 1), i in ``segments`` (ascending), as one polyline: NaN between
    two that do not join."""
    if len(segments) == 0:
        return xs[:0], ys[:0]
    new = np.ones(len(segments), dtype=bool)
    new[1:] = segments[1:] != segments[:-1] + 1
    ends = np.cumsum(1 + 2 * new) - 1        # where each segment's end goes
    index = np.empty(ends[-1] + 1, dtype=np.intp)
    index[ends] = segments + 1
    index[ends[new] - 1] = segments[new]     # a piece's first point
    index[ends[new] - 2] = -1                # and a gap before it (the first one dropped)
    index = index[1:]
    gap = index < 0
    out_x, out_y = xs[index], ys[index]
    out_x[gap] = out_y[gap] = np.nan
    return out_x, out_y


class ChunkedPath:
    """The complete chunks of CHUNK steps of a run's path, thinned once for the view and
    painted by ``head`` from its cache; the steps after them are the caller's to draw."""

    def __init__(self, head):
        self.head = head
        cache_as_painted(head)
        self._key = None     # (run, view) the pieces were thinned for
        self._pieces = []    # (xs, ys) of each complete chunk, as drawn
        self.head_points = 0  # points passed to the head's setData (tests count them)

    def draw(self, run, rows, view, thin):
        """Draw the complete chunks of ``rows`` (run's, for the view described by ``view``)
        with ``thin(rows)`` → (xs, ys); returns the first row of the open chunk."""
        complete = max(len(rows) - 1, 0) // CHUNK
        changed = False
        if self._key is None or self._key[0] is not run or self._key[1] != view \
                or complete < len(self._pieces):
            self._key, self._pieces, changed = (run, view), [], True
        while len(self._pieces) < complete:
            k = len(self._pieces)
            self._pieces.append(thin(rows[k * CHUNK:(k + 1) * CHUNK + 1]))
            changed = True
        if changed:
            gap = np.array([np.nan])  # the pieces do not join: each may end before its last row
            xs = np.concatenate([a for x, _ in self._pieces for a in (gap, x)][1:] or [gap[:0]])
            ys = np.concatenate([a for _, y in self._pieces for a in (gap, y)][1:] or [gap[:0]])
            self.head_points += len(xs)
            self.head.setData(xs, ys)
        return complete * CHUNK

    def clear(self):
        self._key, self._pieces = None, []
        self.head.setData([], [])


LOOK = ("pen", "shadowPen", "symbol", "fillLevel", "fillBrush", "antialias")
SYMBOL_LOOK = ("pen", "brush", "size")


def _look(item):
    """What a legend entry's sample draws of ``item`` (CasedSample: shown or hidden alike): its
    pens, symbol, fill (the item's own objects: compare with a ``_kept`` look)."""
    opts = item.opts
    scatter = getattr(item, "scatter", None)
    symbol = opts if scatter is None else scatter.opts
    return (*map(opts.get, LOOK), *map(symbol.get, SYMBOL_LOOK))


def _kept(look):
    """``look`` with its QPens and QBrushes copied: compared by value, never changed under the
    copy (copied only when the look changed, not at each frame)."""
    return tuple(QPen(v) if isinstance(v, QPen) else QBrush(v) if isinstance(v, QBrush) else v
                 for v in look)


class CachedLegend(pg.LegendItem):
    """A LegendItem painted as one pixmap: its box, then each sample and each label, which
    paint nothing themselves (Qt visits each item of a scene at every frame, asks Python for
    its bounds and plays its pixmap: 25 items for 8 entries). Before each frame (``refresh``,
    on the scene's sigPrepareForPaint) the legend paints again if a sample's item looks
    different from when it was painted (a pen, a symbol), an entry was
    placed elsewhere (laid out again for a new font) or the legend moved (Qt plays a pixmap
    at a new place, shifted by the fraction of a pixel between the two); it paints again when
    a label's text changes, an entry comes or goes, or its layout asks for a new layout (which
    moves its entries, but their moves alone ask for no paint: they paint nothing themselves)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        cache_as_painted(self)
        self._looks = {}  # sample → the look of its item when it was last painted
        self._placed = []  # its place, each entry's geometry, when it was last painted
        self.repainted = 0  # paints for a new look or place (tests count them)

    def addItem(self, item, name):
        super().addItem(item, name)
        sample, label = self.items[-1]
        for part in self._parts(sample, label):
            part.setFlag(QGraphicsItem.ItemHasNoContents, True)
        label.item.document().contentsChanged.connect(self.update)
        self._looks[sample] = _kept(_look(sample.item))
        self.update()

    def set_entry(self, item, text):
        """``item``'s entry reads ``text`` (None: no entry), at the end when it is new; one that
        reads so already is left as it is (removed and added again, it would be laid out and
        painted again)."""
        label = self.getLabel(item)
        if (None if label is None else label.text) != text:
            self.removeItem(item)
            if text is not None:
                self.addItem(item, text)

    def removeItem(self, item):
        super().removeItem(item)
        kept = {sample for sample, _ in self.items}
        self._looks = {s: look for s, look in self._looks.items() if s in kept}
        self.update()

    def event(self, event):
        handled = super().event(event)
        if event.type() == QEvent.LayoutRequest:  # the entries placed again (a new font)
            self.update()
        return handled

    @staticmethod
    def _parts(sample, label):
        return (sample, label, *descendants(label))

    def paint(self, p, option, widget=None):
        super().paint(p, option, widget)  # the box
        part_option = QStyleOptionGraphicsItem(option)
        for sample, label in self.items:
            for part in self._parts(sample, label):
                if not part.isVisible():
                    continue
                part_option.exposedRect = part.boundingRect()
                p.save()
                p.setTransform(part.itemTransform(self)[0], True)
                part.paint(p, part_option, widget)
                p.restore()

    def refresh(self):
        changed = False
        for sample, _label in self.items:
            look = _look(sample.item)
            if look != self._looks.get(sample):  # by value: a QPen's == compares its settings
                self._looks[sample] = _kept(look)
                changed = True
        # its place in the scene too: a pixmap painted at x.3 and played at x.0 is 0.3 px off
        placed = [self.scenePos(), *((s.geometry(), label.geometry()) for s, label in self.items)]
        if placed != self._placed:  # laid out again (a font, a size), moved to another corner
            self._placed = placed
            changed = True
        if changed:
            self.repainted += 1
            self.update()
