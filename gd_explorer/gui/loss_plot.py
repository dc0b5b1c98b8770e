"""The loss plots: f (objectName "lossPlot") and ‖∇f‖ ("gradNormPlot") against the step for
every visible run, each in its run's colour; hovering shows one step's values.

f is on a log scale where it is positive along every run shown; elsewhere f − f_min is, once
the lowest minimum is known (Find critical points); otherwise f is on a linear scale
(plot_scales.choose_scale). Long runs are thinned for drawing to about two points per pixel
of the plot's width (wide antialiased lines cost paint time per point); while playing,
redraws wait for a timer; a hidden widget redraws when it is shown.
"""
import html
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from ..core.fmt import fmt
from .contour_view import cased_line
from .observing import observe, stop_observing
from .plot_scales import (MAX_DRAWN, choose_scale, drawn_at_floor, fmt_axes, log_coords,
                          log_floor, lowest_minimum, thin)
from .scale import px, ui_scale

REDRAW_MS = 100
STEP, F, GRAD_NORM = 0, 3, 6  # columns of a run's rows
HOVER_PIXELS = 40             # a curve this close to the mouse (vertically) is picked
LEGEND_WIDTH = 130
TITLE_SIZE = "8pt"
MIN_DRAWN = 400               # points per run drawn at least (before the plot has a width)


class LossPlots(QWidget):
    """Both plots side by side, their step axes linked. ``redraws`` counts redraws."""

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.setObjectName("lossPlots")
        self.model = model
        self.f_plot = self._plot("lossPlot", "f")
        self.grad_plot = self._plot("gradNormPlot", "‖∇f‖ (log scale)")
        self.grad_plot.getPlotItem().getAxis("left").setLogMode(True)
        self.grad_plot.setXLink(self.f_plot)
        # which colour is which run, beside the plots (a legend inside would hide curves)
        self.legend = QLabel(objectName="lossLegend", wordWrap=True)
        self.legend.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.legend.setFixedWidth(round(px(LEGEND_WIDTH)))
        ui_scale().scaleChanged.connect(self._on_scale_changed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.f_plot, 1)
        layout.addWidget(self.grad_plot, 1)
        layout.addWidget(self.legend)
        self.items = []   # (f item, ‖∇f‖ item) for each drawn run, made as needed and reused
        self.drawn = []   # the runs drawn, in the order of ``items``
        self.scale = choose_scale(math.inf)
        self._floors = (math.nan, math.nan)  # where f and ‖∇f‖ values ≤ 0 are drawn
        self._ranges = {}  # id(descent) → (descent, rows seen, lowest f, highest f): runs grow
        self.redraws = 0
        self._dirty = True
        self.hover = {}  # plot → (text, marker)
        for plot in (self.f_plot, self.grad_plot):
            text = pg.TextItem("", color="#111111", fill=pg.mkBrush(255, 255, 255, 230),
                               border=pg.mkPen("#777777"))
            marker = pg.ScatterPlotItem(size=9, pen=pg.mkPen("#000000", width=1.5))
            for item in (text, marker):
                item.setZValue(20)
                item.setVisible(False)
                plot.addItem(item)
            self.hover[plot] = (text, marker)
            plot.scene().sigMouseMoved.connect(lambda pos, p=plot: self.hover_at_scene(p, pos))
        self.hover_text = ""
        self._timer = QTimer(self, singleShot=True, interval=REDRAW_MS)
        self._timer.timeout.connect(self._schedule)  # hidden: nothing is drawn
        a = model.analysis
        self._subscriptions = observe([
            (model.trajectoryChanged, self._on_trajectory_changed),
            (model.runsChanged, self._schedule),
            (model.functionChanged, self._schedule),
            (model.playingChanged, self._on_playing_changed),
            (a.criticalPointsChanged, self._schedule),
        ])
        self._schedule()

    def _plot(self, name, label):
        plot = pg.PlotWidget(background="w", axisItems=fmt_axes())
        plot.setObjectName(name)
        plot.setMinimumSize(220, 120)
        item = plot.getPlotItem()
        item.setMenuEnabled(False)
        item.showGrid(x=True, y=True, alpha=0.25)
        item.setLabel("bottom", "step")
        item.setTitle(label, size=TITLE_SIZE)
        return plot

    def _on_scale_changed(self, _percent):
        self.legend.setFixedWidth(round(px(LEGEND_WIDTH)))

    def close(self):
        self._timer.stop()
        stop_observing(self._subscriptions)
        return super().close()

    # ----- when to redraw ---------------------------------------------------------
    def _on_trajectory_changed(self):
        if self.model.playing:
            if not self._timer.isActive():
                self._timer.start()  # while playing: at most one redraw per REDRAW_MS
        else:
            self._schedule()

    def _on_playing_changed(self, playing):
        if not playing:
            self._schedule()

    def _schedule(self, *_args):
        """Redraw now if shown, else when shown."""
        self._dirty = True
        if self.isVisible():
            self.redraw()

    def showEvent(self, event):
        super().showEvent(event)
        if self._dirty:
            self.redraw()

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._dirty = True  # thinned for another width
        if not self._timer.isActive():
            self._timer.start()

    def most_drawn(self):
        """How many points of a run are drawn at most: two per pixel of the plot's width."""
        width = self.f_plot.getPlotItem().getViewBox().width()
        return int(min(MAX_DRAWN, max(MIN_DRAWN, 2 * width)))

    # ----- drawing -------------------------------------------------------------------
    def _runs(self):
        return [r for r in self.model.runs if r.visible and r.descent is not None]

    def _f_range(self, descent):
        """(descent, rows seen, lowest f, highest f) of a run so far, looking only at the rows
        added since last time."""
        rows = descent.view()
        _, seen, low, high = self._ranges.get(id(descent), (descent, 0, math.inf, -math.inf))
        if len(rows) > seen:
            new = rows[seen:, F]
            new = new[np.isfinite(new)]
            if new.size:
                low, high = min(low, float(new.min())), max(high, float(new.max()))
        return descent, len(rows), low, high

    def redraw(self):
        self._timer.stop()
        self._dirty = False
        self.redraws += 1
        runs = self._runs()
        self._ranges = {id(r.descent): self._f_range(r.descent) for r in runs}
        f_low = min((r[2] for r in self._ranges.values()), default=math.inf)
        f_high = max((r[3] for r in self._ranges.values()), default=math.inf)
        self.scale = choose_scale(f_low, lowest_minimum(self.model.analysis.critical), f_high)
        most = self.most_drawn()
        data = [thin(r.descent.view(), most) for r in runs]
        f_all, g_all = (np.concatenate([rows[:, col] for rows in data]) if data else np.empty(0)
                        for col in (F, GRAD_NORM))
        self._floors = (log_floor(self.scale.shown(f_all)), log_floor(g_all))
        self._set_titles(f_all, g_all)
        self._ensure_items(runs)
        for (f_item, g_item), rows in zip(self.items, data):
            f_item.setData(rows[:, STEP], self.scale.coords(rows[:, F], self._floors[0]))
            g_item.setData(rows[:, STEP], log_coords(rows[:, GRAD_NORM], self._floors[1]))
        self._hide_hover()

    def _set_titles(self, f, grad_norm):
        self.grad_plot.getPlotItem().setTitle(
            "‖∇f‖ (log scale" + ("; 0 drawn at the bottom)" if drawn_at_floor(grad_norm) else ")"),
            size=TITLE_SIZE)
        item = self.f_plot.getPlotItem()
        item.setTitle(self.scale.title_for(f), size=TITLE_SIZE)
        item.getAxis("left").setLogMode(self.scale.log)
        item.setLabel("left", self.scale.short)

    def _ensure_items(self, runs):
        """One (f, ‖∇f‖) item pair per run, in its colour; spare pairs are emptied."""
        selected = self.model.selected_run
        while len(self.items) < len(runs):
            pair = tuple(pg.PlotDataItem(connect="finite") for _ in range(2))
            for item in pair:
                item.curve.setSegmentedLineMode("on")  # much faster for wide lines
            self.f_plot.addItem(pair[0])
            self.grad_plot.addItem(pair[1])
            self.items.append(pair)
        for i, pair in enumerate(self.items):
            run = runs[i] if i < len(runs) else None
            for item in pair:
                item.setVisible(run is not None)
                if run is None:
                    item.setData([], [])
                    continue
                style = cased_line(run.color, 3.0 if run is selected else 1.8)
                item.setPen(style["pen"])
                item.setShadowPen(style["shadowPen"])
                item.setZValue(2 if run is selected else 1)
        self.legend.setText("<br>".join(
            f'<span style="background-color:{r.color}; color:{r.color}; border: 1px solid '
            f'#000;">&nbsp;&nbsp;&nbsp;&nbsp;</span>&nbsp;{html.escape(r.name)}'
            + (" <i>(selected)</i>" if r is selected else "") for r in runs))
        self.drawn = list(runs)

    # ----- hovering -------------------------------------------------------------------
    def hover_at_scene(self, plot, scene_pos):
        vb = plot.getPlotItem().getViewBox()
        if not vb.sceneBoundingRect().contains(scene_pos):
            self._hide_hover()
            return
        point = vb.mapSceneToView(scene_pos)
        self.hover_at(plot, point.x(), point.y())

    def hover_at(self, plot, step, y):
        """Show the values of the step nearest ``step`` of the run drawn nearest to (step, y)
        (view coordinates of ``plot``); returns the text shown ("" if no run is near)."""
        step = int(round(step))
        vb = plot.getPlotItem().getViewBox()
        pixel = vb.viewPixelSize()[1]
        best = None
        for run in self.drawn:
            rows = run.descent.view()
            if not 0 <= step < len(rows):
                continue
            at = self._y(plot, rows[step])
            distance = abs(at - y) / pixel if pixel > 0 else math.inf
            if math.isfinite(distance) and distance <= HOVER_PIXELS and (
                    best is None or distance < best[0]):
                best = (distance, run, rows[step], at)
        if best is None:
            self._hide_hover()
            return ""
        _, run, row, at = best
        self.hover_text = self.step_text(run, row)
        text, marker = self.hover[plot]
        (x0, x1), (y0, y1) = vb.viewRange()
        text.setText(self.hover_text)
        # beside the point, towards the middle of the plot: inside it
        text.setAnchor((1.0 if step > (x0 + x1) / 2 else 0.0, 0.0 if at > (y0 + y1) / 2 else 1.0))
        text.setPos(step, at)
        marker.setData([step], [at], brush=pg.mkBrush(run.color))
        for p, (t, m) in self.hover.items():
            t.setVisible(p is plot)
            m.setVisible(p is plot)
        return self.hover_text

    def _y(self, plot, row):
        if plot is self.grad_plot:
            return float(log_coords(row[GRAD_NORM], self._floors[1]))
        return float(self.scale.coords(row[F], self._floors[0]))

    def step_text(self, run, row):
        """What hovering shows for one row of a run."""
        f = row[F]
        shifted = (f"\nf − f_min = {fmt(f - self.scale.f_min)}"
                   if self.scale.kind == "shifted" else "")
        return (f"{run.name}\nstep {int(row[STEP])}: f = {fmt(f)}, "
                f"‖∇f‖ = {fmt(row[GRAD_NORM])}{shifted}")

    def _hide_hover(self):
        self.hover_text = ""
        for text, marker in self.hover.values():
            text.setVisible(False)
            marker.setVisible(False)
