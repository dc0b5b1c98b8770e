"""The map's contour lines while they are worked out: the view's part on a thread as the colour
map is set and painted (the painting takes over the bands not yet started), the margins' part
after that, on a thread of lower priority."""
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QPainterPath
from PySide6.QtWidgets import QGraphicsItem

from ..core.grid import contour_points, margin_points
from .cached_curves import PanCached, SteadyCurve, cache_as_painted


def _lower_priority():
    """Let the window's thread go first: Linux gives each thread its own nice value (elsewhere
    a thread's id is no process id, and the thread keeps the priority it has)."""
    if sys.platform.startswith("linux"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        except OSError:
            pass


# the view's lines (and two thirds of the sampling of an edited formula's map)
lines_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gd-explorer-contours")
_margin_lines = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gd-explorer-margins",
                                   initializer=_lower_priority)


BANDS = 4  # the view's part of the grid is worked out in this many bands of rows


def drawn(points):
    """(points, the QPainterPath that draws them)."""
    return points, pg.arrayToQPath(points[:, 0], points[:, 1], connect="finite")


def _band(grid, levels, rows, cols):
    return drawn(contour_points(grid, levels, rows, cols))


class LinesInProgress:
    """The contour lines over ``layers.box``, in BANDS bands of rows (neighbours share a row
    of samples, so their lines meet) queued on a thread. result() is drawn(all the points):
    it works out itself the bands the thread has not started and waits for the others;
    cancel() drops the bands not started."""

    def __init__(self, layers):
        rows, cols = layers.box
        first, stop, _ = rows.indices(len(layers.grid.ys))
        edges = np.linspace(first, stop - 1, BANDS + 1).round().astype(int)
        self._bands = [(layers.grid, layers.levels, slice(a, b + 1), cols)
                       for a, b in zip(edges[:-1], edges[1:]) if b > a]
        self._futures = [lines_pool.submit(_band, *band) for band in self._bands]
        self._lock = threading.Lock()
        self._result = None

    def result(self):
        with self._lock:  # the painting and the margins' thread may both ask
            if self._result is None:
                # every band the thread has not started is worked out here, meanwhile the
                # thread finishes the one it is on (cancelled one by one, in turn, the thread
                # would take the next one while this one waits)
                mine = [future.cancel() for future in self._futures]
                parts = [_band(*band) if here else None
                         for band, here in zip(self._bands, mine)]
                parts = [part if here else future.result()
                         for part, here, future in zip(parts, mine, self._futures)]
                path = QPainterPath()
                for _, part in parts:
                    path.addPath(part)
                points = np.concatenate([points for points, _ in parts] or [np.empty((0, 2))])
                self._result = points, path
            return self._result

    def cancel(self):
        for future in self._futures:
            future.cancel()


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
    so that lines still being worked out can be handed over (LinesInProgress): painting (or
    getData) waits for them, and their arrival changes no geometry.

    Painted from a cached pixmap (cache_as_painted), except lines still being worked out:
    someone waits for those, and drawing them straight into the view costs about a third of
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
        if self._pending is not None:
            self._pending.cancel()  # never painted: what is not started is dropped
        self.extent, self._pending = extent, None
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
        if self._pending is not None:
            self._pending.cancel()
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
