"""The map's contour lines while they are worked out: the view's part by the painting (in tiles,
each with only its own levels), the margins' part after that, on a thread of lower priority."""
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from pyqtgraph.functions import create_qpolygonf, ndarray_from_qpolygonf
from PySide6.QtGui import QPainterPath
from PySide6.QtWidgets import QGraphicsItem

from ..core.grid import TILE, contour_points, margin_points
from .cached_curves import PanCached, SteadyCurve, cache_as_painted


def _lower_priority():
    """Let the window's thread go first: Linux gives each thread its own nice value (elsewhere
    a thread's id is no process id, and the thread keeps the priority it has)."""
    if sys.platform.startswith("linux"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        except OSError:
            pass


_margin_lines = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gd-explorer-margins",
                                   initializer=_lower_priority)


def drawn(points):
    """(points, the QPainterPath that draws them): the path of pyqtgraph's
    arrayToQPath(connect="finite") for lines with one NaN row after each (each line a polygon
    ending on its last point twice), with a quarter of its Python a line (tiles cut the lines
    into ~300 pieces: 1 ms there, 0.4 here)."""
    path = QPainterPath()
    if len(points) == 0:
        return points, path
    gaps = np.flatnonzero(np.isnan(points[:, 0]))
    filled = points.copy()
    filled[gaps] = filled[gaps - 1]  # a line's NaN row: its last point again
    bounds = [0, *(gaps + 1).tolist(), len(points)]
    polygon = create_qpolygonf(max(np.diff(bounds)))  # one polygon, resized for each line
    room = ndarray_from_qpolygonf(polygon)
    for start, stop in zip(bounds[:-1], bounds[1:]):
        if stop - start > 1:
            polygon.resize(stop - start)
            room[:stop - start] = filled[start:stop]
            path.addPolygon(polygon)
    return points, path


class LinesInProgress:
    """The contour lines over ``layers.box``, worked out when first asked for, on the thread
    that asks (the painting, or the margins' thread): result() is drawn(all the points), in
    contour_tiles' tiles (each with only its own levels; neighbours share their edge samples,
    so their lines meet). Not on a second thread meanwhile: its generators take the
    interpreter lock back after each tile, and while the window's thread runs Python that
    waits out the switch interval (5 ms); the window's thread was slowed as much as the
    thread gained (measured: an edit painted no sooner with a thread sharing the tiles)."""

    def __init__(self, layers):
        self._layers = layers
        self._lock = threading.Lock()
        self._result = None

    def result(self):
        with self._lock:  # the painting and the margins' thread may both ask
            if self._result is None:
                layers = self._layers
                # the window's thread keeps the lock (letting it go in each tile only lets
                # another thread make it wait to take it back)
                hold = threading.current_thread() is threading.main_thread()
                self._result = drawn(contour_points(layers.grid, layers.levels, *layers.box,
                                                    TILE, hold))
            return self._result


def start_margins(layers, lines, on_margins, wanted):
    """While wanted() holds, work out the margins' lines (outside ``layers.box``) and call
    on_margins(drawn(all of the grid's points)) on a thread; ``lines``: LinesInProgress."""
    def margins():
        if wanted():
            rest = margin_points(layers.grid, layers.levels, layers.box)
            on_margins(drawn(np.concatenate([lines.result()[0], rest])))

    _margin_lines.submit(margins)


class ContourCurve(PanCached, SteadyCurve):
    """Contour lines (points with NaN between lines) bounded by the sampled grid's rectangle,
    so that lines not worked out yet can be handed over (LinesInProgress): painting (or
    getData) works them out, and their arrival changes no geometry.

    Painted from a cached pixmap (cache_as_painted), except lines not worked out yet: the
    painting works those out, and drawing them straight into the view costs about a third of
    drawing them into a new pixmap and that onto the view; the next lines (the margins')
    bring the cache back. (Stacked on the colour map, PanCached.stack, they are painted into
    the map's one pixmap instead, which a new map paints again anyway.)"""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        cache_as_painted(self)
        self.extent = None    # ((x0, x1), (y0, y1)) of the grid
        self._pending = None   # the LinesInProgress to draw, until painting takes them

    def show_lines(self, lines, extent):
        """Draw ``lines`` inside ``extent``: (N, 2) points, drawn(points), or
        LinesInProgress."""
        self.extent, self._pending = extent, None  # lines never painted are dropped
        if isinstance(lines, LinesInProgress):
            self.setCacheMode(QGraphicsItem.NoCache)
            self.setData(np.empty(0), np.empty(0))  # never the old lines meanwhile
            self._pending = lines
            return
        cache_as_painted(self)
        if isinstance(lines, tuple):
            self.setData(lines[0][:, 0], lines[0][:, 1])
            self.path = lines[1]
        else:
            self.setData(lines[:, 0], lines[:, 1])

    def clear_lines(self):
        self.extent, self._pending = None, None
        self.setData([], [])

    def _take(self):
        if self._pending is None:
            return
        lines, self._pending = self._pending, None
        try:
            points, path = lines.result()
        except Exception:  # nothing to draw rather than a failed paint
            points, path = np.empty((0, 2)), None
        # inside the extent: the bounds stay, only the data and the path are new
        self.xData, self.yData = points[:, 0], points[:, 1]
        self.path, self.fillPath, self._mouseShape = path, None, None

    def getData(self):
        self._take()
        return super().getData()

    def paint(self, p, *args):
        self._take()
        super().paint(p, *args)

    def dataBounds(self, ax, frac=1.0, orthoRange=None):
        if self.extent is None:
            return None, None
        return self.extent[ax]
