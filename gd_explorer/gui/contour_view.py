"""The contour view: colour map of f, contour lines, start point, arrows and trajectory."""
import math
import threading

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.ScatterPlotItem import drawSymbol
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel

from ..core.errors import InputError
from ..core.fmt import fmt
from ..core.grid import map_layers
from .colors import (CASING_COLOR, COLORMAP_NAME, CRITICAL_COLORS, CURRENT_COLOR, GRAD_COLOR,
                     LOWEST_COLOR, NEG_GRAD_COLOR, START_COLOR, TANGENT_COLOR, TRAJ_COLOR,
                     U_COLOR)
from .arrow_layer import ArrowLayer
from .cached_curves import (CachedLegend, ChunkedPath, MapImage, MeasuredAxis, SteadyCurve,
                            cache_as_painted, cache_axes, descendants, plain_background,
                            thin_to_pixels)
from .contour_lines import ContourCurve, LinesInProgress, lines_process, start_margins
from .ds_handle import DsHandle
from .light_marks import Dot, Head, Segment, brush, pen
from .observing import data_to_viewport, observe, stop_observing
from .plot_scales import fmt_ticks
from .relay import hand_over
from .step_preview import StepPreview

RESOLUTION = 400   # samples per side of the map (with its margins)
MARGIN = 0.15          # sample this much beyond the visible window on each side
LEVEL_COUNT = 20
MAX_MARKERS = 400      # draw step markers for at most this many points
DIRECT_DRAW = 2000     # runs shorter than this are redrawn on every change
REDRAW_MS = 100
VIEW_LIMIT = 1e9       # pan and zoom stay within ±1e9, with a width of at least 1e-8
BASIN_COLORS = ("#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#ffff33", "#a65628",
                "#f781bf")
ARROW_FRACTION = 0.14  # arrow length as a fraction of the visible width
CORNERS = ((0, 0), (1, 0), (0, 1), (1, 1))  # the legend's, in the order it prefers them
SETTLE_MS = 250        # recompute the grid this long after a pan or zoom ends
CASING_EXTRA = 2.5     # a casing is this much wider than its line
MOST_TICKS = 7         # on the colour bar of a log scale
# critical points by kind: ▼ minimum, ▲ maximum, × saddle, ◆ degenerate
CRITICAL_SYMBOLS = {"minimum": "t", "maximum": "t1", "saddle": "x", "degenerate": "d"}
REACH = 100.0          # paths are cut this many view sizes around the view: Qt paints nothing
                       # of a path with a point a hundred million screens away


def _has_points(xs):
    """Whether a curve's data (None or an array) holds any point."""
    return xs is not None and len(xs) > 0


def cut_to_box(xs, ys, box):
    """The polyline through (xs, ys) with each segment cut to ``box`` ((x0, x1), (y0, y1))
    (Liang–Barsky): the pieces as points with NaN between them, or the polyline itself when
    all of it is inside."""
    (bx0, bx1), (by0, by1) = box
    if np.all((xs >= bx0) & (xs <= bx1) & (ys >= by0) & (ys <= by1)):
        return xs, ys
    x0, y0, dx, dy = xs[:-1], ys[:-1], np.diff(xs), np.diff(ys)
    lo, hi = np.zeros(dx.size), np.ones(dx.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        for p, q in ((-dx, x0 - bx0), (dx, bx1 - x0), (-dy, y0 - by0), (dy, by1 - y0)):
            r = q / p
            lo = np.where(p < 0, np.maximum(lo, r), lo)
            hi = np.where(p > 0, np.minimum(hi, r), hi)
            hi = np.where((p == 0) & (q < 0), -1.0, hi)  # parallel to that side, outside it
    keep = lo <= hi
    pieces = np.full((3, int(keep.sum()), 2), np.nan)  # start, end, NaN for each segment
    for row, t in ((0, lo[keep]), (1, hi[keep])):
        pieces[row] = np.column_stack([x0[keep] + t * dx[keep], y0[keep] + t * dy[keep]])
    points = pieces.transpose(1, 0, 2).reshape(-1, 2)
    return points[:, 0], points[:, 1]


def casing(width=1.5):
    """The dark pen under (or around) every coloured mark: see colors.py."""
    return pg.mkPen(CASING_COLOR, width=width)


def cased_line(color, width, style=Qt.SolidLine):
    """pen and shadowPen for a coloured line on its casing."""
    return {"pen": pg.mkPen(color, width=width, style=style),
            "shadowPen": casing(width + CASING_EXTRA)}


class CasedSample(pg.ItemSample):
    """A legend glyph drawn as the item is, shown or hidden: the casing (shadowPen) first,
    then the line and the symbol (pyqtgraph's sample leaves out the casing)."""

    def boundingRect(self):
        # the casing's round ends stick out of the 20 px square (the legend paints it whole)
        return super().boundingRect().adjusted(-4, -4, 4, 4)

    def mouseClickEvent(self, event):
        # a key, not a switch: pyqtgraph's sample hid its item (the ∇f arrow's shaft, say)
        event.ignore()

    def paint(self, p, *args):
        # the item's look, shown or hidden (a typed formula hides the run's marks until its
        # derivatives arrive): pyqtgraph draws a hidden item as an eye, the mark of a switch
        opts = self.item.opts
        line = not isinstance(self.item, pg.ScatterPlotItem)
        if line and opts.get("shadowPen") is not None:
            p.setPen(pen(opts["shadowPen"]))
            p.drawLine(0, 11, 20, 11)
        if opts.get("antialias"):
            p.setRenderHint(QPainter.Antialiasing)
        if line:
            p.setPen(pen(opts["pen"]))
            p.drawLine(0, 11, 20, 11)
        symbol = opts.get("symbol")
        if symbol is not None:
            if isinstance(self.item, pg.PlotDataItem):
                opts = self.item.scatter.opts
            p.translate(10, 10)
            drawSymbol(p, symbol, opts["size"], pen(opts["pen"]), brush(opts["brush"]))


def log_ticks(scale, most=MOST_TICKS):
    """Colour-bar ticks [(position, label)] for a log ColorScale: at round values of f (1, 10,
    100…, or 1, 2, 5, 10… when fewer than 3 decades fit), each where the bar shows that f;
    at least 3, at most ``most``, none crowding another or an end of the bar."""
    gap = 0.06 * (scale.hi - scale.lo)
    lo, hi = scale.lo + gap / 2, scale.hi - gap / 2  # a label at an end would stick out
    f_lo, f_hi = scale.value_at(lo), scale.value_at(hi)
    top = math.ceil(math.log10(max(abs(f_lo), abs(f_hi), 1e-300))) + 1
    for mantissas in ((1.0,), (1.0, 2.0, 5.0), (1.0, 1.5, 2.0, 3.0, 5.0, 7.0)):
        rounds = {0.0} | {sign * m * 10.0 ** k for sign in (1, -1) for m in mantissas
                          for k in range(top - 14, top)}
        ticks = []
        for value in sorted((v for v in rounds if f_lo <= v <= f_hi), reverse=True):
            t = float(scale.transform(value))  # from the top, where ticks are far apart
            if not ticks or ticks[-1][0] - t >= gap:
                ticks.append((t, value))
        if len(ticks) >= 3:
            break
    else:  # a narrow bar: three even steps
        ticks = [(t, scale.value_at(t)) for t in np.linspace(hi, lo, 3)]
    stride = math.ceil(len(ticks) / most)
    return [(t, fmt(value)) for t, value in ticks[::stride]][::-1]


class ContourView(pg.PlotWidget):
    """PlotWidget (objectName "contourView") that observes an ExplorerModel."""

    hovered = Signal(str)  # "x = …, y = …, f = …" for the status bar

    def __init__(self, model, parent=None):
        # all four: the hidden top and right axes follow the range too (and set their titles)
        super().__init__(parent=parent, background="w", axisItems={
            name: MeasuredAxis(name) for name in ("bottom", "left", "top", "right")})
        for name in ("top", "right"):  # given axes are shown: these two stay hidden
            self.getPlotItem().hideAxis(name)
        self.setObjectName("contourView")
        plain_background(self)  # the map covers it anyway
        self.model = model
        self.grid = None
        self.levels = np.array([])
        self.scale = None  # the ColorScale of the image
        self._drawn = None  # what the image and contours were last drawn for
        self.recomputes = 0  # samplings of f done (tests count them)
        self._job = 0  # the latest sampling; a thread's older result is dropped
        self._panned = False  # the window changes because the user panned or zoomed
        self._background_job = None  # the job of a sampling running on a thread
        self._margins_job = None  # the job whose margins' lines are being worked out
        self._closed = False
        self._arrows_drawn = None  # what the arrows, the tangent and the note were drawn for
        self._build_items()
        self.message = QLabel(self, objectName="contourMessage")
        self.message.setStyleSheet("background: rgba(255, 255, 255, 220); color: #b00020; "
                                   "padding: 4px 8px; border-radius: 4px;")
        self.message.hide()
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._settle.timeout.connect(self._on_view_settled)
        self._traj_timer = QTimer(self, singleShot=True, interval=REDRAW_MS)
        self._traj_timer.timeout.connect(self._redraw_paths)
        self._margins_todo = None  # (job, layers, the view's lines) until the margins start
        self._margin_timer = QTimer(self, singleShot=True, interval=0)
        self._margin_timer.timeout.connect(self._start_margins)
        vb = self.getViewBox()
        vb.sigRangeChanged.connect(self._on_range_changed)
        vb.sigRangeChangedManually.connect(self._on_range_changed_manually)
        self._manual = False
        self.scene().sigMouseClicked.connect(self._on_mouse_clicked)
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self._subscriptions = observe([
            (model.functionChanged, self._on_function_changed),
            (model.windowChanged, self._on_window_changed),
            (model.spacingChanged, self._on_spacing_changed),
            (model.startChanged, self._on_start_changed),
            (model.trajectoryChanged, self._on_trajectory_changed),
            (model.pointChanged, self._on_point_changed),
            (model.angleChanged, self._on_angle_changed),
            (model.angleChanging, self._on_angle_changed),
            (model.runsChanged, self._on_runs_changed),
            (model.previewChanged, self._on_preview_changed),
            (model.analysis.criticalPointsChanged, self._on_critical_points_changed),
            (model.analysis.basinsChanged, self._on_basins_changed),
        ])
        # after the view's own observers, so they see the view's new range
        self.arrows = ArrowLayer(self, ARROW_FRACTION)  # arrows to scale, the field overlay
        self.arrows.changed.connect(self._update_arrows)
        self.step_preview = StepPreview(self, cased_line)
        self.ds_handle = DsHandle(self, model)  # the step ds of the total differential
        self._apply_window(model.window)
        if model.function is not None:
            self._on_function_changed(model.function)

    def close(self):
        """pyqtgraph drops the plot item on close: stop timers and stop observing first
        (once: a second close has nothing left to stop)."""
        if self._closed:
            return True
        self._closed = True
        for timer in (self._settle, self._traj_timer, self._margin_timer):
            timer.stop()
        stop_observing(self._subscriptions + self.ds_handle.subscriptions)
        self._job += 1  # a map still being sampled on a thread is dropped when it arrives
        self._background_job = self._margins_job = None
        self.arrows.close()
        self.step_preview.close()
        return super().close()

    # ----- construction -----------------------------------------------------------
    def _build_items(self):
        plot = self.getPlotItem()
        plot.setLabel("bottom", "x")
        plot.setLabel("left", "y")
        plot.showGrid(x=False, y=False)
        plot.setMenuEnabled(False)
        self.setAspectLocked(True)
        # the locked aspect makes the y range follow the view's width, which follows the y
        # axis's width, which follows its labels: the axis may widen but not narrow, or the
        # two can chase each other for ever; it narrows again for a new window
        plot.getAxis("left").setStyle(autoReduceTextSpace=False)
        # two levels of ticks, as the colour bar: the labelled ones and one level between
        # (pyqtgraph's third level, a ruler of small unlabelled ticks, was 40 of the 50 ticks
        # the x axis drew again at each frame of a pan)
        for name in ("bottom", "left"):
            plot.getAxis(name).setStyle(maxTickLevel=1)
        plot.getViewBox().setLimits(xMin=-VIEW_LIMIT, xMax=VIEW_LIMIT, yMin=-VIEW_LIMIT,
                                    yMax=VIEW_LIMIT, minXRange=1e-8, minYRange=1e-8)
        self.image = MapImage(axisOrder="row-major")
        self.image.setZValue(-10)
        cache_as_painted(self.image)  # the map changes far less often than what is over it
        plot.addItem(self.image)
        cmap = pg.colormap.get(COLORMAP_NAME)
        self.colorbar = pg.ColorBarItem(values=(0, 1), colorMap=cmap, interactive=False,
                                        label="f(x, y)", width=14)
        self.colorbar.setImageItem(self.image, insert_in=plot)
        # a label that would stick out at an end of the bar is left out, never cut off; two
        # levels of ticks (a third level's 40 small unlabelled ones took a third of the bar's
        # 1.6 ms, worked out again at each edit)
        self.colorbar.axis.setStyle(hideOverlappingLabels=True, maxTickLevel=1)
        # the tick axis has no title (the bar's is on its left axis), so no SI prefix would
        # show; pyqtgraph still set its empty title's HTML and measured it at each new scale
        self.colorbar.axis.enableAutoSIPrefix(False)
        self.colorbar.axis.tickStrings = fmt_ticks  # its log ticks are set with fmt's labels
        cache_axes(self.colorbar, ("left", "right"))  # its title, its ticks
        self.basins = MapImage(axisOrder="row-major")
        self.basins.setZValue(-8)
        self.basins.setOpacity(0.45)
        cache_as_painted(self.basins)
        plot.addItem(self.basins)
        self.contours = ContourCurve(pen=pg.mkPen(255, 255, 255, 150, width=1), connect="finite")
        self.contours.setZValue(-5)
        plot.addItem(self.contours)
        self.image.stack(self.basins, self.contours)  # one pixmap for the three
        self.legend = plot.legend = CachedLegend(offset=(8, 8), labelTextSize="8pt",
                                                 sampleType=CasedSample,
                                                 brush=pg.mkBrush(255, 255, 255, 190))
        self.legend.setParentItem(plot.vb)  # as plot.addLegend does
        self.scene().sigPrepareForPaint.connect(self.legend.refresh)
        self.trajectory = pg.PlotDataItem(**cased_line(TRAJ_COLOR, 2.0), name="path",
                                          symbol="o", symbolSize=6, symbolBrush=TRAJ_COLOR,
                                          symbolPen=casing(1.0), connect="finite")
        self.trajectory.setZValue(5)
        # a short run's step markers change with a step, not with the angle or a pan
        cache_as_painted(self.trajectory.scatter)
        self.other_items = []  # (path, end marker) of every other visible run
        plot.addItem(self.trajectory)
        # a long run's complete chunks; self.trajectory draws the steps after them
        self.trajectory_head = SteadyCurve(**cased_line(TRAJ_COLOR, 2.0), connect="finite")
        self.trajectory_head.setZValue(5)
        plot.addItem(self.trajectory_head)
        self.chunks = ChunkedPath(self.trajectory_head)
        # a long run's steps after its chunks: a plain curve (no markers to keep, and a
        # PlotDataItem's setData adds its own bounds and dataset to each step's)
        self.trajectory_tail = SteadyCurve(**cased_line(TRAJ_COLOR, 2.0), connect="finite")
        self.trajectory_tail.setZValue(5)
        plot.addItem(self.trajectory_tail)
        self.grad_shaft, self.grad_head = self._arrow(GRAD_COLOR, "∇f (uphill)")
        self.neg_shaft, self.neg_head = self._arrow(NEG_GRAD_COLOR, "−∇f (downhill)")
        self.u_shaft, self.u_head = self._arrow(U_COLOR, "u (dial)", style=Qt.DashLine)
        self.tangent = Segment(**cased_line(TANGENT_COLOR, 2.0, Qt.DotLine), name="level tangent")
        self.tangent.setZValue(6)
        plot.addItem(self.tangent)
        self.critical = {}  # kind → ScatterPlotItem, in the legend while it has points
        for kind, symbol in CRITICAL_SYMBOLS.items():
            item = pg.ScatterPlotItem(size=13, symbol=symbol, pen=casing(1.5), pxMode=True,
                                      brush=pg.mkBrush(CRITICAL_COLORS[kind]))
            item.setZValue(8)
            plot.addItem(item)
            self.critical[kind] = item
            item.setVisible(False)  # until there are some
        # the lowest minimum found: a gold star behind its ▼
        self.lowest = pg.ScatterPlotItem(size=30, symbol="star", pen=casing(1.5), pxMode=True,
                                         brush=pg.mkBrush(LOWEST_COLOR))
        self.lowest.setZValue(7.9)
        self.lowest.setVisible(False)
        plot.addItem(self.lowest)
        self.current = Dot(size=11, brush=pg.mkBrush(CURRENT_COLOR), pen=casing(2),
                           name="current point")
        self.current.setZValue(11)  # above the start marker: at step 0 both are drawn
        plot.addItem(self.current)
        self.start_marker = pg.TargetItem(pos=(0, 0), size=16, movable=True, symbol="o",
                                          pen=casing(1.5), brush=pg.mkBrush(START_COLOR),
                                          label="start", labelOpts={
                                              "color": "#111111", "offset": (10, -10),
                                              "fill": pg.mkBrush(255, 255, 255, 200)})
        self.start_marker.setZValue(10)
        self.start_marker.sigPositionChangeFinished.connect(self._on_marker_dragged)
        for part in (self.start_marker, *descendants(self.start_marker)):  # moved, not redrawn
            if not isinstance(part, pg.TextItem):  # (its label's fill is painted outside it)
                cache_as_painted(part)
        plot.addItem(self.start_marker)
        self.start_sample = pg.PlotDataItem(symbol="o", symbolSize=12, pen=None,
                                            symbolBrush=self.start_marker.brush,
                                            symbolPen=self.start_marker.pen)
        self.start_sample.setData([0.0], [0.0])  # the legend draws its symbol from the data's
        self.legend.addItem(self.start_sample, "start (drag)")
        # what the point allows ("f is undefined here", "∇f ≈ 0 (critical point)")
        self.point_note = pg.TextItem("", color="#111111", anchor=(-0.06, 1.6),
                                      fill=pg.mkBrush(255, 255, 255, 225),
                                      border=pg.mkPen("#555555"))
        self.point_note.setZValue(12)
        self.point_note.setVisible(False)
        plot.addItem(self.point_note)
        cache_axes(plot)

    def _arrow(self, color, name, style=Qt.SolidLine):
        shaft = Segment(**cased_line(color, 3.0, style), name=name)
        head = Head(headLen=15, tipAngle=34, tailLen=0, pen=casing(1.5), brush=color)
        for item in (shaft, head):
            item.setZValue(7)
            self.getPlotItem().addItem(item)
        return shaft, head

    # ----- model → view -----------------------------------------------------------
    def _on_function_changed(self, fn):
        self._recompute()
        self._arrows_drawn = None  # shown again below: drawn again
        for item in self._derived_items():  # shown again after a preview; the updates below
            item.setVisible(True)            # hide what has nothing to show
        self._on_start_changed(*self.model.start)
        self._on_trajectory_changed()
        self._on_point_changed(*self.model.current_point)

    def _on_spacing_changed(self, _spacing):
        self._recompute()

    def _on_window_changed(self, xrange, yrange):
        if not self._panned:
            self.getPlotItem().getAxis("left").textWidth = 0  # as wide as its new labels
        self._apply_window((xrange, yrange))
        self._recompute(background=self._panned)  # after a pan: off the GUI thread
        self._redraw_paths()

    def _apply_window(self, window):
        (x0, x1), (y0, y1) = window
        (vx0, vx1), (vy0, vy1) = self.getViewBox().viewRange()
        tol = 1e-9 * max(x1 - x0, y1 - y0)
        inside = vx0 <= x0 + tol and vx1 >= x1 - tol and vy0 <= y0 + tol and vy1 >= y1 - tol
        tight = abs((vx1 - vx0) - (x1 - x0)) < 1e-6 * (x1 - x0) or abs((vy1 - vy0) - (y1 - y0)) < 1e-6 * (y1 - y0)
        if not (inside and tight):
            self._programmatic = True
            self.getViewBox().setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
            self._programmatic = False

    def _on_start_changed(self, x, y):
        self.start_marker.blockSignals(True)
        self.start_marker.setPos(x, y)
        self.start_marker.blockSignals(False)

    def _on_trajectory_changed(self):
        run = self.model.run
        long = run is not None and run.steps >= DIRECT_DRAW
        if not (self.model.playing and (long or self.other_items)):
            self._redraw_paths()
        elif not self._traj_timer.isActive():
            self._traj_timer.start()  # while playing: redraw at most every REDRAW_MS

    def _path_view(self):
        """What a drawn path depends on besides its rows: the view range and pixel size."""
        vb = self.getViewBox()
        return tuple(map(tuple, vb.viewRange())), tuple(vb.viewPixelSize())

    def _path_data(self, rows, view=None):
        """(xs, ys) of a run's rows as drawn: cut REACH view sizes around the view, and thinned
        to its pixels (a converging run piles thousands of points into a few pixels, an
        oscillating one draws the same segments again and again; each costs paint time)."""
        ((x0, x1), (y0, y1)), (pw, ph) = view or self._path_view()
        rx, ry = REACH * (x1 - x0), REACH * (y1 - y0)
        xs, ys = cut_to_box(rows[:, 1], rows[:, 2], ((x0 - rx, x1 + rx), (y0 - ry, y1 + ry)))
        if len(xs) > 2 and pw > 0 and ph > 0 and math.isfinite(pw) and math.isfinite(ph):
            xs, ys = thin_to_pixels(xs, ys, (pw, ph))
        return xs, ys

    def _redraw_paths(self):
        """Every visible run's path, cut around the view: the selected one with its points,
        the others as lines that end in a dot where each run is now."""
        self._draw_trajectory()
        for (path, end), run in zip(self.other_items, self._others()):
            if run.descent is None:
                path.setData([], [])
                end.setData([], [])
                continue
            path.setData(*self._path_data(run.descent.view()))
            end.setData(*([v] for v in run.current_point))

    def _others(self):
        selected = self.model.selected_run
        return [r for r in self.model.runs if r.visible and r is not selected]

    def _draw_trajectory(self):
        """The selected run: its complete chunks from their cache, then the steps after them
        (with their markers while the run is short)."""
        run, selected = self.model.run, self.model.selected_run
        if run is None or not selected.visible:
            self.trajectory.setData([], [])
            self.trajectory_tail.setData([], [])
            self.chunks.clear()
            return
        rows, view = run.view(), self._path_view()
        first = self.chunks.draw(run, rows, view, lambda part: self._path_data(part, view))
        xs, ys = self._path_data(rows[first:], view)
        if run.steps < MAX_MARKERS:  # a short run: its points with their markers
            self.trajectory.setData(xs, ys, symbol="o")
            if _has_points(self.trajectory_tail.xData):
                self.trajectory_tail.setData([], [])
            return
        if self.trajectory.opts["symbol"] is not None or _has_points(self.trajectory.xData):
            self.trajectory.setData([], [], symbol=None)  # its look (the legend's) without markers
        self.trajectory_tail.setData(xs, ys)

    def _on_runs_changed(self):
        """New colours and names: the selected run's path takes its run's colour, and each other
        visible run gets a path and an end dot in its own."""
        plot = self.getPlotItem()
        selected = self.model.selected_run
        color = selected.color if selected is not None else TRAJ_COLOR
        self.trajectory.setPen(pg.mkPen(color, width=2.0))
        self.trajectory_head.setPen(pg.mkPen(color, width=2.0))
        self.trajectory_tail.setPen(pg.mkPen(color, width=2.0))
        self.trajectory.setSymbolBrush(color)
        self.legend.set_entry(self.trajectory,
                             None if selected is None else f"{selected.name} (selected)")
        for path, end in self.other_items:
            self.legend.removeItem(path)
            plot.removeItem(path)
            plot.removeItem(end)
        self.other_items = []
        for run in self._others():
            path = pg.PlotDataItem(**cased_line(run.color, 2.0), connect="finite", name=run.name)
            path.setZValue(4)
            end = pg.ScatterPlotItem(size=9, brush=pg.mkBrush(run.color), pen=casing(1.5))
            end.setZValue(4.5)
            plot.addItem(path)
            plot.addItem(end)
            self.other_items.append((path, end))
        self._redraw_paths()

    def _on_critical_points_changed(self):
        points = self.model.analysis.critical or []
        for kind, item in self.critical.items():
            xy = [(p.x, p.y) for p in points if p.kind == kind]
            item.setData(pos=np.array(xy, dtype=np.float64).reshape(-1, 2))
            item.setVisible(bool(xy))  # an empty item still costs paint time
            self.legend.removeItem(item)  # listed only while there are some
            if xy:
                self.legend.addItem(item, kind)  # the glyph is the marker
        low = next((p for p in points if p.kind == "minimum"), None)
        self.lowest.setData(pos=np.array([(low.x, low.y)] if low else [],
                                         dtype=np.float64).reshape(-1, 2))
        self.lowest.setVisible(low is not None)
        self.legend.removeItem(self.lowest)
        if low is not None:
            self.legend.addItem(self.lowest, "lowest minimum found")

    def _on_basins_changed(self):
        basins = self.model.analysis.basins
        if basins is None:
            self.basins.clear()
            return
        labels = basins.labels.astype(np.float64)
        labels[labels < 0] = np.nan
        count = max(len(basins.ends), 1)
        lut = np.array([pg.mkColor(BASIN_COLORS[i % len(BASIN_COLORS)]).getRgb()
                        for i in range(count)], dtype=np.ubyte)
        self.basins.setImage(labels, lut=lut, levels=(0, count - 1 if count > 1 else 1),
                             autoLevels=False)
        xs, ys = basins.xs, basins.ys
        dx, dy = (xs[1] - xs[0]), (ys[1] - ys[0])
        self.basins.setRect(QRectF(xs[0] - dx / 2, ys[0] - dy / 2, xs[-1] - xs[0] + dx,
                                   ys[-1] - ys[0] + dy))

    def _on_point_changed(self, x, y):
        self.current.setData([x], [y])
        self._update_arrows()

    def _on_angle_changed(self, _phi):
        """Only u turns: the other arrows are left alone, so only u's part of the map repaints."""
        state = self.model.point_state()
        if state is not None:
            self._set_u_arrow(state)

    # ----- grid and contours ------------------------------------------------------
    def _sample_window(self):
        (x0, x1), (y0, y1) = self.getViewBox().viewRange()
        mx, my = (x1 - x0) * MARGIN, (y1 - y0) * MARGIN
        return (x0 - mx, x1 + mx), (y0 - my, y1 + my)

    def _recompute(self, force=False, background=False):
        """Sample f and redraw the image and contours, unless nothing they depend on changed
        (one model change arrives as several signals; the function of a formula whose preview
        is already drawn draws nothing again). In the background (after a pan) the sampling
        runs on a thread and the old map stays until the new one is ready."""
        m = self.model
        fn, spacing = (m.preview, m.preview.spacing) if m.preview is not None else (m.function,
                                                                                 m.spacing)
        if fn is None:
            return
        xr, yr = self._sample_window()
        key = (fn.text, spacing, m.window, xr, yr)
        if key == self._drawn and not force:
            return
        self._drawn = key
        self.recomputes += 1
        self._job += 1
        # in the foreground, the view's lines first and the margins' after them
        first = None if background else self.getViewBox().viewRange()
        args = (fn, xr, yr, RESOLUTION, spacing, m.window, LEVEL_COUNT, first)
        if not background:
            self._background_job = None  # one on its way is older: it will be dropped
            self._apply_layers(self._job, self._layers(args))
            return
        job = self._background_job = self._job
        threading.Thread(target=self._sample_in_background, args=(job, args), daemon=True,
                         name="gd-explorer-map").start()

    def _sample_in_background(self, job, args):
        hand_over(self._apply_layers, job, self._layers(args))  # dropped if the view is gone

    @staticmethod
    def _layers(args):
        try:
            return map_layers(*args)
        except InputError as exc:  # a window too far out or too small to sample
            return f"cannot draw this window: {exc}"

    def map_pending(self):
        """Whether the map is about to change: a view change settling, or a sampling on a
        thread (for scripts that grab the window, such as --screenshot)."""
        return self._settle.isActive() or self._background_job is not None or \
            self._margins_job is not None

    def settle_now(self):
        """End a pending view change now instead of after SETTLE_MS (for scripts)."""
        if self._settle.isActive():
            self._settle.stop()
            self._on_view_settled()

    def _apply_layers(self, job, layers):
        if job == self._background_job:
            self._background_job = None
        if job != self._job:
            return  # a newer map is on its way
        self._margins_job = None  # an older map's margins are dropped when they arrive
        if isinstance(layers, str):
            self._show_message(layers)
            return
        self.grid, self.levels = layers.grid, layers.levels
        if layers.scale is None:
            self.image.clear()
            self.contours.clear_lines()
            self._show_message("f is undefined everywhere in this window")
            return
        self._show_message("")
        lines = layers.lines
        if layers.box is not None:  # the view's lines when painted, partly in the lines
            # process meanwhile (started by the first typed formula); the margins' once idle
            lines = LinesInProgress(layers, lines_process(), start=self.model.preview is not None)
            self._margins_job, self._margins_todo = job, (job, layers, lines)
            self._margin_timer.start()
        self.scale = scale = layers.scale
        grid = layers.grid
        gx, gy = (grid.xs[0], grid.xs[-1]), (grid.ys[0], grid.ys[-1])
        self.image.setImage(scale.transform(grid.z), autoLevels=False, levels=(scale.lo, scale.hi))
        self.image.setRect(QRectF(gx[0], gy[0], gx[1] - gx[0], gy[1] - gy[0]))
        self.colorbar.setLevels((scale.lo, scale.hi))
        self._label_colorbar(scale)
        self.contours.show_lines(lines, (gx, gy))

    def _start_margins(self):
        todo, self._margins_todo = self._margins_todo, None
        if todo is None or todo[0] != self._job:
            return
        job, layers, lines = todo
        start_margins(layers, lines, lambda drawn: hand_over(self._apply_margins, job, drawn),
                      lambda: job == self._job)

    def _apply_margins(self, job, lines):
        """All the lines, the margins' with the view's (one path: one cached pixmap to paint)."""
        if job == self._margins_job:
            self._margins_job = None
            self.contours.show_lines(lines, self.contours.extent)

    def _on_preview_changed(self, preview):
        """A typed formula's f is drawn at once; its runs and arrows follow with the function
        (none of the old function's are drawn over it meanwhile)."""
        self._recompute()
        self._arrows_drawn = None  # shown or hidden here: drawn again
        for item in self._derived_items():
            item.setVisible(preview is None)

    def _derived_items(self):
        """What belongs to the function's derivatives and runs, not to f alone."""
        return [self.trajectory, self.trajectory_head, self.trajectory_tail, self.current,
                self.start_marker, self.tangent, self.grad_shaft, self.grad_head,
                self.neg_shaft, self.neg_head, self.u_shaft, self.u_head,
                *(i for pair in self.other_items for i in pair),
                self.step_preview.shaft, self.step_preview.casing_ring, self.step_preview.ring]

    def _label_colorbar(self, scale):
        axis = self.colorbar.axis
        if scale.spacing != "log":
            axis.setTicks(None)
            return
        axis.setTicks([log_ticks(scale)])

    def _show_message(self, text):
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self.message.adjustSize()
        self.message.move(max(0, (self.width() - self.message.width()) // 2), 12)

    # ----- arrows -----------------------------------------------------------------
    def _update_arrows(self):
        """∇f, −∇f and the tangent where ∇f has a direction (else a note in words), and u."""
        state = self.model.point_state()
        if state is None:
            return
        px, py = state.x, state.y
        length = self._arrow_length()
        grad = self.arrows.arrow_length(state.norm, length)  # ‖∇f‖ × the view's factor
        drawn = self._arrows_drawn
        # a pan moves none of them in the data's coordinates (its width may differ by round-off)
        if drawn is None or drawn[:2] != (state, self.model.angle) or not all(
                math.isclose(a, b, rel_tol=1e-9) for a, b in zip(drawn[2:], (length, grad))):
            self._arrows_drawn = (state, self.model.angle, length, grad)
            self._draw_arrows(state, length, grad)
        if state.words:
            self._keep_note_inside(px)
        self._place_legend(px, py)

    def _draw_arrows(self, state, length, grad):
        px, py = state.x, state.y
        if state.has_direction:
            angle = math.atan2(state.gy, state.gx)
            dx, dy = math.cos(angle), math.sin(angle)
            self._set_arrow(self.grad_shaft, self.grad_head, px, py, dx, dy, grad)
            self._set_arrow(self.neg_shaft, self.neg_head, px, py, -dx, -dy, grad)
            t = 0.9 * length
            self.tangent.setData([px + dy * t, px - dy * t], [py - dx * t, py + dx * t])
        else:
            for shaft, head in ((self.grad_shaft, self.grad_head), (self.neg_shaft, self.neg_head)):
                shaft.setData([], [])
                head.setVisible(False)
            self.tangent.setData([], [])
        self._set_u_arrow(state)
        if self.point_note.toPlainText() != state.words:
            self.point_note.setText(state.words)
        if state.words:  # placed when it shows (a hidden note's move still calls Python)
            self.point_note.setPos(px, py)
        self.point_note.setVisible(bool(state.words))

    def _keep_note_inside(self, px):
        """The note to the right of the point, or to its left where it would cross the
        view's right edge."""
        vb = self.getViewBox()
        width = self.point_note.boundingRect().width()  # in pixels (the item ignores zoom)
        right = vb.mapViewToScene(QPointF(px, 0)).x() + 1.06 * width
        anchor = (-0.06, 1.6) if right <= vb.sceneBoundingRect().right() else (1.06, 1.6)
        if self.point_note.anchor[0] != anchor[0]:
            self.point_note.setAnchor(anchor)

    def _arrow_length(self):
        (x0, x1), _ = self.getViewBox().viewRange()
        return ARROW_FRACTION * (x1 - x0)

    def _set_u_arrow(self, state):
        phi = self.model.angle
        self._set_arrow(self.u_shaft, self.u_head, state.x, state.y, math.cos(phi), math.sin(phi),
                        0.8 * self._arrow_length())

    def _place_legend(self, px, py):
        """Put the legend in the first corner (top left, top right, bottom left, bottom right)
        where it covers neither the current point nor its note; else in the farthest one."""
        vb = self.getViewBox()
        view = vb.sceneBoundingRect()
        if view.width() <= 0:
            return
        size = self.legend.boundingRect().size()
        p = vb.mapViewToScene(pg.Point(px, py))
        note = self.point_note.boundingRect().width() if self.point_note.isVisible() else 0
        clear = QRectF(p.x() - 24, p.y() - 44, 48 + note, 68)  # the point, its arrows' roots

        def rect(corner):
            x = view.left() + 8 if corner[0] == 0 else view.right() - 8 - size.width()
            y = view.top() + 8 if corner[1] == 0 else view.bottom() - 8 - size.height()
            return QRectF(x, y, size.width(), size.height())

        # the first free corner, looked at in turn (at each step: mostly the first)
        corner = next((c for c in CORNERS if not rect(c).intersects(clear)), None)
        if corner is None:
            corner = max(CORNERS, key=lambda c: (rect(c).center() - p).manhattanLength())
        if corner != getattr(self, "_legend_corner", None):
            self._legend_corner = corner
            offset = (8 if corner[0] == 0 else -8, 8 if corner[1] == 0 else -8)
            self.legend.anchor(itemPos=corner, parentPos=corner, offset=offset)

    @staticmethod
    def _set_arrow(shaft, head, px, py, dx, dy, length):
        ex, ey = px + dx * length, py + dy * length
        shaft.setData([px, ex], [py, ey])
        head.setPos(ex, ey)
        head.setStyle(angle=180.0 - math.degrees(math.atan2(dy, dx)))
        head.setVisible(True)

    def arrow_tip(self, which="grad"):
        """End point of an arrow in data coordinates ("grad", "neg", "u"), for tests."""
        shaft = {"grad": self.grad_shaft, "neg": self.neg_shaft, "u": self.u_shaft}[which]
        xs, ys = shaft.getData()
        if xs is None or len(xs) < 2:
            return None
        return float(xs[-1]), float(ys[-1])

    # ----- view → model -----------------------------------------------------------
    def _on_range_changed(self, *_args):
        self._update_arrows()
        if not getattr(self, "_programmatic", False):
            self._settle.start()

    def _on_range_changed_manually(self, *_args):
        self._manual = True

    def _on_view_settled(self):
        """After a pan or zoom by the user, the model's window follows the view; after a
        resize, only the grid is extended if the view outgrew it."""
        manual, self._manual = self._manual, False
        self._redraw_paths()
        self.arrows.refresh()
        xr, yr = self.getViewBox().viewRange()
        self._panned = True
        try:
            if manual and self.model.set_window(tuple(xr), tuple(yr)):
                return  # windowChanged recomputes the grid
        finally:
            self._panned = False
        if not self._grid_covers(xr, yr):
            self._recompute(background=True)

    def _grid_covers(self, xr, yr):
        g = self.grid
        if g is None:
            return False
        return g.xs[0] <= xr[0] and g.xs[-1] >= xr[1] and g.ys[0] <= yr[0] and g.ys[-1] >= yr[1]

    def _in_plot_area(self, scene_pos):
        return self.getViewBox().sceneBoundingRect().contains(scene_pos)

    def _on_mouse_clicked(self, event):
        if event.button() != Qt.LeftButton or event.double():
            return
        if not self._in_plot_area(event.scenePos()) or self.ds_handle.under(event.scenePos()):
            return
        point = self.getViewBox().mapSceneToView(event.scenePos())
        if event.modifiers() & Qt.ShiftModifier:  # Shift+click: a new run starts here
            self.model.add_run((point.x(), point.y()))
        else:
            self.model.set_start(point.x(), point.y())

    def _on_marker_dragged(self, marker):
        pos = marker.pos()
        self.model.set_start(pos.x(), pos.y())

    def _on_mouse_moved(self, scene_pos):
        fn = self.model.function
        if fn is None or not self._in_plot_area(scene_pos):
            return
        p = self.getViewBox().mapSceneToView(scene_pos)
        value = float(fn.value(p.x(), p.y()))
        (x0, x1), (y0, y1) = self.getViewBox().viewRange()  # x = x0 + t (x1 - x0): round-off
        sx, sy = abs(x0) + abs(x1), abs(y0) + abs(y1)      # relative to these shows as 0
        self.hovered.emit(f"x = {fmt(p.x(), scale=sx)}, y = {fmt(p.y(), scale=sy)}, "
                          f"f(x, y) = {fmt(value)}")

    def data_to_viewport(self, x, y):
        """The viewport pixel (QPoint) showing data point (x, y), for tests and automation."""
        return data_to_viewport(self, x, y)
