"""The contour view: colour map of f, contour lines, start point, arrows and trajectory."""
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel

from ..core.errors import InputError
from ..core.fmt import fmt
from ..core.grid import (choose_levels, color_scale, contour_lines, sample_grid,
                         window_color_scale)
from .colors import (COLORMAP_NAME, GRAD_COLOR, KEPT_COLORS, NEG_GRAD_COLOR, TANGENT_COLOR,
                     TRAJ_COLOR, U_COLOR)

RESOLUTION = 300
MARGIN = 0.15          # sample this much beyond the visible window on each side
LEVEL_COUNT = 20
MAX_MARKERS = 400      # draw step markers for at most this many points
MAX_DRAWN = 5000       # thin longer trajectories to about this many points
DIRECT_DRAW = 2000     # runs shorter than this are redrawn on every change
REDRAW_MS = 100
VIEW_LIMIT = 1e9       # pan and zoom stay within ±1e9, with a width of at least 1e-8
CRITICAL_SYMBOLS = {"minimum": ("t", "#2ca02c"), "maximum": ("t1", "#d62728"),
                    "saddle": ("x", "#ffffff"), "degenerate": ("d", "#bbbbbb")}
BASIN_COLORS = ("#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#ffff33", "#a65628",
                "#f781bf")
ARROW_FRACTION = 0.14  # arrow length as a fraction of the visible width
SETTLE_MS = 250        # recompute the grid this long after a pan or zoom ends


class ContourView(pg.PlotWidget):
    """PlotWidget (objectName "contourView") that observes an ExplorerModel."""

    hovered = Signal(str)  # "x = …, y = …, f = …" for the status bar

    def __init__(self, model, parent=None):
        super().__init__(parent=parent, background="w")
        self.setObjectName("contourView")
        self.model = model
        self.grid = None
        self.levels = np.array([])
        self.scale = None  # the ColorScale of the image
        self._drawn = None  # what the image and contours were last drawn for
        self._build_items()
        self.message = QLabel(self, objectName="contourMessage")
        self.message.setStyleSheet("background: rgba(255, 255, 255, 220); color: #b00020; "
                                   "padding: 4px 8px; border-radius: 4px;")
        self.message.hide()
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._settle.timeout.connect(self._on_view_settled)
        self._traj_timer = QTimer(self, singleShot=True, interval=REDRAW_MS)
        self._traj_timer.timeout.connect(self._draw_trajectory)
        vb = self.getViewBox()
        vb.sigRangeChanged.connect(self._on_range_changed)
        vb.sigRangeChangedManually.connect(self._on_range_changed_manually)
        self._manual = False
        self.scene().sigMouseClicked.connect(self._on_mouse_clicked)
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self._subscriptions = [
            (model.functionChanged, self._on_function_changed),
            (model.windowChanged, self._on_window_changed),
            (model.spacingChanged, self._on_spacing_changed),
            (model.startChanged, self._on_start_changed),
            (model.trajectoryChanged, self._on_trajectory_changed),
            (model.pointChanged, self._on_point_changed),
            (model.angleChanged, self._on_angle_changed),
            (model.angleChanging, self._on_angle_changed),
            (model.keptRunsChanged, self._on_kept_runs_changed),
            (model.analysis.criticalPointsChanged, self._on_critical_points_changed),
            (model.analysis.basinsChanged, self._on_basins_changed),
        ]
        for signal, slot in self._subscriptions:
            signal.connect(slot)
        self._apply_window(model.window)
        if model.function is not None:
            self._on_function_changed(model.function)

    def close(self):
        """pyqtgraph drops the plot item on close: stop timers and stop observing first."""
        for timer in (self._settle, self._traj_timer):
            timer.stop()
        for signal, slot in self._subscriptions:
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
        return super().close()

    # ----- construction -----------------------------------------------------------
    def _build_items(self):
        plot = self.getPlotItem()
        plot.setLabel("bottom", "x")
        plot.setLabel("left", "y")
        plot.showGrid(x=False, y=False)
        plot.setMenuEnabled(False)
        self.setAspectLocked(True)
        plot.getViewBox().setLimits(xMin=-VIEW_LIMIT, xMax=VIEW_LIMIT, yMin=-VIEW_LIMIT,
                                    yMax=VIEW_LIMIT, minXRange=1e-8, minYRange=1e-8)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(-10)
        plot.addItem(self.image)
        cmap = pg.colormap.get(COLORMAP_NAME)
        self.colorbar = pg.ColorBarItem(values=(0, 1), colorMap=cmap, interactive=False,
                                        label="f(x, y)", width=14)
        self.colorbar.setImageItem(self.image, insert_in=plot)
        self.basins = pg.ImageItem(axisOrder="row-major")
        self.basins.setZValue(-8)
        self.basins.setOpacity(0.45)
        plot.addItem(self.basins)
        self.contours = pg.PlotCurveItem(pen=pg.mkPen(255, 255, 255, 150, width=1), connect="finite")
        self.contours.setZValue(-5)
        plot.addItem(self.contours)
        self.legend = plot.addLegend(offset=(8, 8), labelTextSize="8pt", brush=pg.mkBrush(255, 255, 255, 190))
        self.trajectory = pg.PlotDataItem(pen=pg.mkPen(TRAJ_COLOR, width=2), name="trajectory",
                                          symbol="o", symbolSize=5, symbolBrush=TRAJ_COLOR,
                                          symbolPen=None)
        self.trajectory.setClipToView(True)
        self.trajectory.setZValue(5)
        self.kept_items = []
        plot.addItem(self.trajectory)
        self.grad_shaft, self.grad_head = self._arrow(GRAD_COLOR, "∇f (steepest ascent)")
        self.neg_shaft, self.neg_head = self._arrow(NEG_GRAD_COLOR, "−∇f (descent direction)")
        self.u_shaft, self.u_head = self._arrow(U_COLOR, "u (dial direction)", style=Qt.DashLine)
        self.tangent = pg.PlotCurveItem(pen=pg.mkPen(TANGENT_COLOR, width=2, style=Qt.DotLine),
                                        name="level-curve tangent")
        self.tangent.setZValue(6)
        plot.addItem(self.tangent)
        self.critical = pg.ScatterPlotItem(size=12, name="critical points", pxMode=True)
        self.critical.setZValue(8)
        plot.addItem(self.critical)
        self.legend.removeItem(self.critical)
        self.current = pg.ScatterPlotItem(size=11, brush=pg.mkBrush("w"), pen=pg.mkPen("k", width=2),
                                          name="current point")
        self.current.setZValue(9)
        plot.addItem(self.current)
        self.start_marker = pg.TargetItem(pos=(0, 0), size=16, movable=True, symbol="o",
                                          pen=pg.mkPen("#d62728", width=2), brush=pg.mkBrush(214, 39, 40, 90),
                                          label="start", labelOpts={"color": "#d62728", "offset": (10, -10)})
        self.start_marker.setZValue(10)
        self.start_marker.sigPositionChangeFinished.connect(self._on_marker_dragged)
        plot.addItem(self.start_marker)
        self.legend.addItem(pg.PlotDataItem(symbol="o", symbolBrush=(214, 39, 40, 90),
                                            symbolPen="#d62728", pen=None), "start (drag or click)")

    def _arrow(self, color, name, style=Qt.SolidLine):
        shaft = pg.PlotCurveItem(pen=pg.mkPen(color, width=3, style=style), name=name)
        head = pg.ArrowItem(headLen=14, tipAngle=32, tailLen=0, pen=pg.mkPen(color), brush=color)
        for item in (shaft, head):
            item.setZValue(7)
            self.getPlotItem().addItem(item)
        return shaft, head

    # ----- model → view -----------------------------------------------------------
    def _on_function_changed(self, fn):
        self._recompute()
        self._on_start_changed(*self.model.start)
        self._on_trajectory_changed()
        self._on_point_changed(*self.model.current_point)

    def _on_spacing_changed(self, _spacing):
        self._recompute()

    def _on_window_changed(self, xrange, yrange):
        self._apply_window((xrange, yrange))
        self._recompute()

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
        if run is None or run.steps < DIRECT_DRAW or not self.model.playing:
            self._draw_trajectory()
        elif not self._traj_timer.isActive():
            self._traj_timer.start()  # long runs: redraw at most every REDRAW_MS while playing

    def _draw_trajectory(self):
        run = self.model.run
        if run is None:
            self.trajectory.setData([], [])
            return
        rows = run.view()
        stride = max(1, len(rows) // MAX_DRAWN)
        if stride > 1:  # thin out very long runs, keeping the last point
            rows = np.concatenate([rows[::stride], rows[-1:]])
        markers = "o" if len(rows) <= MAX_MARKERS else None
        self.trajectory.setData(rows[:, 1], rows[:, 2], symbol=markers)

    def _on_kept_runs_changed(self):
        plot = self.getPlotItem()
        for item in self.kept_items:
            self.legend.removeItem(item)
            plot.removeItem(item)
        self.kept_items = []
        for i, run in enumerate(self.model.kept):
            color = KEPT_COLORS[i % len(KEPT_COLORS)]
            rows = run.view()
            item = pg.PlotDataItem(pen=pg.mkPen(color, width=2),
                                   name=f"run {i + 1}: {run.optimizer}, ε = {fmt(run.learning_rate)}")
            item.setZValue(4)
            plot.addItem(item)  # add before data and clipping: pyqtgraph needs the view first
            item.setClipToView(True)
            item.setData(rows[:, 1], rows[:, 2])
            self.kept_items.append(item)

    def _on_critical_points_changed(self):
        points = self.model.analysis.critical or []
        spots = [{"pos": (p.x, p.y), "symbol": CRITICAL_SYMBOLS[p.kind][0],
                  "brush": pg.mkBrush(CRITICAL_SYMBOLS[p.kind][1]), "pen": pg.mkPen("k", width=1),
                  "data": p.kind} for p in points]
        self.critical.setData(spots)
        self.legend.removeItem(self.critical)  # listed only while there are some
        if spots:
            self.legend.addItem(self.critical, "critical points (▼ min, ▲ max, × saddle)")

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
        self._update_arrows()

    # ----- grid and contours ------------------------------------------------------
    def _sample_window(self):
        (x0, x1), (y0, y1) = self.getViewBox().viewRange()
        mx, my = (x1 - x0) * MARGIN, (y1 - y0) * MARGIN
        return (x0 - mx, x1 + mx), (y0 - my, y1 + my)

    def _recompute(self, force=False):
        """Sample f and redraw the image and contours, unless nothing they depend on changed
        (one model change arrives as several signals)."""
        fn = self.model.function
        if fn is None:
            return
        xr, yr = self._sample_window()
        key = (fn, self.model.spacing, self.model.window, xr, yr)
        if key == self._drawn and not force:
            return
        self._drawn = key
        try:
            self.grid = grid = sample_grid(fn, xr, yr, RESOLUTION)
        except InputError as exc:  # a window too far out or too small to sample
            self._show_message(f"cannot draw this window: {exc}")
            return
        finite = grid.finite
        if finite.size == 0:
            self.image.clear()
            self.contours.setData([], [])
            self.levels = np.array([])
            self._show_message("f is undefined everywhere in this window")
            return
        self._show_message("")
        self.levels = choose_levels(finite, LEVEL_COUNT, self.model.spacing)
        self._draw_image(grid, finite)
        self._draw_contours(grid)

    def _draw_image(self, grid, finite):
        # The colour scale of the model's window, the same one the 3-D view uses.
        self.scale = scale = (window_color_scale(self.model.function, self.model.window,
                                                 self.model.spacing)
                              or color_scale(finite, self.model.spacing))
        gx, gy = (grid.xs[0], grid.xs[-1]), (grid.ys[0], grid.ys[-1])
        self.image.setImage(scale.transform(grid.z), autoLevels=False, levels=(scale.lo, scale.hi))
        self.image.setRect(QRectF(gx[0], gy[0], gx[1] - gx[0], gy[1] - gy[0]))
        self.colorbar.setLevels((scale.lo, scale.hi))
        self._label_colorbar(scale)

    def _label_colorbar(self, scale):
        axis = self.colorbar.axis
        if scale.spacing != "log":
            axis.setTicks(None)
            return
        ticks = [(float(t), fmt(scale.value_at(t))) for t in np.linspace(scale.lo, scale.hi, 6)]
        axis.setTicks([ticks])

    def _draw_contours(self, grid):
        xs, ys = [], []
        for _level, segments in contour_lines(grid, self.levels):
            for seg in segments:
                xs.append(seg[:, 0])
                ys.append(seg[:, 1])
                xs.append([np.nan])
                ys.append([np.nan])
        if xs:
            self.contours.setData(np.concatenate(xs), np.concatenate(ys))
        else:
            self.contours.setData([], [])

    def _show_message(self, text):
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self.message.adjustSize()
        self.message.move(max(0, (self.width() - self.message.width()) // 2), 12)

    # ----- arrows -----------------------------------------------------------------
    def _update_arrows(self):
        fn = self.model.function
        if fn is None:
            return
        px, py = self.model.current_point
        _, gx, gy = fn.value_and_gradient(px, py)
        norm = math.hypot(gx, gy)
        (x0, x1), _ = self.getViewBox().viewRange()
        length = ARROW_FRACTION * (x1 - x0)
        if norm > 0 and math.isfinite(norm):
            dx, dy = gx / norm, gy / norm
            self._set_arrow(self.grad_shaft, self.grad_head, px, py, dx, dy, length)
            self._set_arrow(self.neg_shaft, self.neg_head, px, py, -dx, -dy, length)
            t = 0.9 * length
            self.tangent.setData([px + dy * t, px - dy * t], [py - dx * t, py + dx * t])
        else:
            for shaft, head in ((self.grad_shaft, self.grad_head), (self.neg_shaft, self.neg_head)):
                shaft.setData([], [])
                head.setVisible(False)
            self.tangent.setData([], [])
        phi = self.model.angle
        self._set_arrow(self.u_shaft, self.u_head, px, py, math.cos(phi), math.sin(phi), 0.8 * length)
        self._place_legend(px, py)

    def _place_legend(self, px, py):
        """Keep the legend in the top corner away from the current point."""
        (x0, x1), (y0, y1) = self.getViewBox().viewRange()
        right = (px - x0) < 0.5 * (x1 - x0) and (py - y0) > 0.4 * (y1 - y0)
        if right != getattr(self, "_legend_right", None):
            self._legend_right = right
            corner = (1, 0) if right else (0, 0)
            self.legend.anchor(itemPos=corner, parentPos=corner, offset=(-8, 8) if right else (8, 8))

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
        xr, yr = self.getViewBox().viewRange()
        if manual and self.model.set_window(tuple(xr), tuple(yr)):
            return  # windowChanged recomputes the grid
        if not self._grid_covers(xr, yr):
            self._recompute()

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
        if not self._in_plot_area(event.scenePos()):
            return
        point = self.getViewBox().mapSceneToView(event.scenePos())
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
        scene = self.getViewBox().mapViewToScene(pg.Point(x, y))
        return self.mapFromScene(scene)
