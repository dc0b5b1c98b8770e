"""The map's contour lines while they are worked out: the view's part by the painting (in tiles,
each with only its own levels), the margins' part after that, on a thread of lower priority."""
import atexit
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from pyqtgraph.functions import create_qpolygonf, ndarray_from_qpolygonf
from PySide6.QtGui import QPainterPath
from PySide6.QtWidgets import QGraphicsItem

from ..core.grid import TILE, contour_tiles, joined, margin_points, tile_lines
from ..core.lines_worker import LinesProcess, encode_request
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


FIRST_WAIT = 0.002  # seconds the painting waits for the process's part before working it out


class LinesInProgress:
    """The contour lines over ``layers.box``, worked out when first asked for, on the thread
    that asks (the painting, or the margins' thread): result() is drawn(all the points), in
    contour_tiles' tiles (each with only its own levels; neighbours share their edge samples,
    so their lines meet), the same points as contour_points(..., TILE).

    Made on the window's thread with a ``process`` (core.lines_worker.LinesProcess), the
    first tiles (SHARE of the work) are sent to it at once, and worked out there while this
    thread sets and paints the colour map; the painting then works out the rest and takes
    the process's part once it has come, working its tiles out here meanwhile (all of them
    when the process is not there, is slow or fails: nothing waits for it). Not on
    a second thread: its generators take the interpreter lock back after each tile, and
    while the window's thread runs Python that waits out the switch interval (5 ms); an edit
    painted no sooner with a thread sharing the tiles."""

    SHARE = 0.7  # of the tiles' work, to the process: both parts are done at about one time

    def __init__(self, layers, process=None, start=False):
        self._layers = layers
        self._lock = threading.Lock()
        self._result = None
        self._tiles = contour_tiles(layers.grid, layers.levels, *layers.box, TILE)
        self._sent, self._process = None, process
        if process is not None and self._tiles \
                and threading.current_thread() is threading.main_thread():
            count = _share(self._tiles, self.SHARE)
            rid = process.submit(_request(layers.grid, self._tiles[:count]), start)
            if rid is not None:
                self._sent = (rid, count)

    def result(self):
        with self._lock:  # the painting and the margins' thread may both ask
            if self._result is None:
                grid, tiles = self._layers.grid, self._tiles
                # the window's thread keeps the lock (letting it go in each tile only lets
                # another thread make it wait to take it back)
                hold = threading.current_thread() is threading.main_thread()
                rid, count = self._sent or (None, 0)
                mine = joined(tile_lines(grid, tiles[count:], hold))
                theirs, here = None, []
                for tile in tiles[:count]:  # until its part comes, the process's tiles here
                    theirs = self._process.poll(rid, 0.0 if here else FIRST_WAIT)
                    if theirs is not None:
                        break
                    here += tile_lines(grid, [tile], hold)
                else:
                    theirs = self._process.poll(rid) if count else None
                first = joined(here) if theirs is None else \
                    np.frombuffer(theirs, dtype=np.float64).reshape(-1, 2)
                points = np.concatenate([first, mine])
                self._result = drawn(points)
            return self._result


def _share(tiles, share):
    """How many of the first tiles make about ``share`` of the work (samples x (levels + the
    generator's own cost, about 2.5 levels' worth))."""
    cost = np.cumsum([_samples(rows) * _samples(cols) * (len(levels) + 2.5)
                      for rows, cols, levels in tiles])
    return int(np.searchsorted(cost, share * cost[-1])) + 1


def _samples(part):
    return part.stop - part.start


def _request(grid, tiles):
    """lines_worker.encode_request's parts for ``tiles`` of ``grid``: only the samples they
    cover, the tiles' slices moved to match."""
    r0, r1 = min(t[0].start for t in tiles), max(t[0].stop for t in tiles)
    c0, c1 = min(t[1].start for t in tiles), max(t[1].stop for t in tiles)
    moved = [(slice(rows.start - r0, rows.stop - r0), slice(cols.start - c0, cols.stop - c0),
              levels) for rows, cols, levels in tiles]
    return encode_request(grid.xs[c0:c1], grid.ys[r0:r1], grid.z[r0:r1, c0:c1], moved)


_process = None


def lines_process():
    """The one LinesProcess of this window process (started when a map first asks for it)."""
    global _process
    if _process is None:
        _process = LinesProcess()
        atexit.register(_process.stop)
    return _process


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
