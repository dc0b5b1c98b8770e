"""The map's contour lines while they are worked out: the view's part on a thread as the colour
map is set and painted, the margins' part after that, on a thread of lower priority."""
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsItem

from ..core.grid import contour_points, margin_points
from .cached_curves import SteadyCurve, cache_as_painted


def _lower_priority():
    """Let the window's thread go first (Linux gives each thread its own nice value)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):
        pass


_view_lines = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gd-explorer-contours")
_margin_lines = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gd-explorer-margins",
                                   initializer=_lower_priority)


def drawn(points):
    """(points, the QPainterPath that draws them): the path is built where the points are
    worked out, off the window's thread."""
    return points, pg.arrayToQPath(points[:, 0], points[:, 1], connect="finite")


def start_lines(layers):
    """The Future of drawn(the contour points over ``layers.box``)."""
    return _view_lines.submit(lambda: drawn(contour_points(layers.grid, layers.levels,
                                                           *layers.box)))


def start_margins(layers, lines, on_margins, wanted):
    """While wanted() holds, work out the margins' lines (outside ``layers.box``) and call
    on_margins(drawn(all of the grid's points)) on a thread; ``lines`` is start_lines's."""
    def margins():
        if wanted():
            rest = margin_points(layers.grid, layers.levels, layers.box)
            on_margins(drawn(np.concatenate([lines.result()[0], rest])))

    _margin_lines.submit(margins)


class ContourCurve(SteadyCurve):
    """Contour lines (points with NaN between lines) bounded by the sampled grid's rectangle,
    so that lines still being worked out can be handed over as a Future: painting (or
    getData) waits for them, and their arrival changes no geometry.

    Painted from a cached pixmap (cache_as_painted), except lines handed over as a Future:
    someone waits for those, and drawing them straight into the view costs a third of
    drawing them into a new pixmap and that onto the view; the next lines (the margins')
    bring the cache back."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        cache_as_painted(self)
        self.extent = None    # ((x0, x1), (y0, y1)) of the grid
        self._pending = None   # a Future of the points

    def show_lines(self, lines, extent):
        """Draw ``lines`` inside ``extent``: (N, 2) points, drawn(points), or a Future of
        drawn(points)."""
        self.extent, self._pending = extent, None
        if isinstance(lines, Future):
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
        future, self._pending = self._pending, None
        try:
            points, path = future.result()
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
