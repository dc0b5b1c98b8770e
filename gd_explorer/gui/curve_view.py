"""1-D mode: the curve f(x) with the point a, the secant through a and a + h, the tangent
at a, and the descent steps along the curve. Shown instead of the map and the surface when
f depends on x alone."""
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QBoxLayout, QScrollArea, QWidget

from ..core.calculus import secant
from ..core.curve import CURVE_POINTS, curve_range, hide_far, sample_curve
from ..core.errors import InputError
from ..core.fmt import fmt
from .colors import NEG_GRAD_COLOR, SECANT_COLOR, SLOPE_COLOR, START_COLOR, TRAJ_COLOR
from .observing import data_to_viewport, observe, stop_observing
from .secant_panel import SecantPanel

MARGIN = 0.5           # sample this much of the visible width beyond each side
MAX_MARKERS = 400      # draw at most this many step markers
SETTLE_MS = 250        # after a pan or zoom, the model's window follows this much later
VIEW_LIMIT = 1e9
ARROW_HEIGHT = 0.07    # the step arrow runs this far (of the view's height) above the bottom
LABEL_MIN = 0.04       # label the legs h and Δf when h is at least this much of the width
CURVE_COLOR = "#222222"
DEFAULT_H = 0.5
PANEL_WIDTH = 340
CURVE_MIN_WIDTH = 360  # narrower than this beside the panel: the panel goes under the curve
UNDER_HEIGHT = 300     # the panel's height under the curve (it scrolls)
QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's "no maximum"


def _label(text, color, anchor):
    item = pg.TextItem(text, color=color, anchor=anchor)
    item.setZValue(12)
    return item


class CurveView(pg.PlotWidget):
    """PlotWidget (objectName "curveView") that observes an ExplorerModel; ``h`` is the
    secant's step (``set_h``). Click to move a, the start of descent."""

    # the core Secant at a for h (None where f is undefined at a), and the next descent step
    # (learning rate, Δx) of plain gradient descent, or None
    secantChanged = Signal(object, object)

    def __init__(self, model, h=DEFAULT_H, parent=None):
        super().__init__(parent=parent, background="w")
        self.setObjectName("curveView")
        self.model = model
        self.h = float(h)
        self.secant = None
        self.step = None
        self._sampled = None    # the x range of the samples
        self._frange = None     # the f range shown, from the model's window
        self._manual = False
        self._programmatic = False
        self._build_items()
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._settle.timeout.connect(self._on_view_settled)
        vb = self.getViewBox()
        vb.sigXRangeChanged.connect(self._on_x_range_changed)
        vb.sigRangeChanged.connect(lambda *_: self._draw_step())
        vb.sigRangeChangedManually.connect(self._on_range_changed_manually)
        self.scene().sigMouseClicked.connect(self._on_mouse_clicked)
        self._subscriptions = observe([
            (model.functionChanged, self._on_function_changed),
            (model.windowChanged, self._on_window_changed),
            (model.trajectoryChanged, self._on_trajectory_changed),
            (model.pointChanged, self._on_point_changed),
        ])
        if model.function is not None:
            self._on_function_changed(model.function)

    def close(self):
        """pyqtgraph drops the plot item on close: stop the timer and stop observing first."""
        self._settle.stop()
        stop_observing(self._subscriptions)
        return super().close()

    @property
    def active(self):
        fn = self.model.function
        return fn is not None and not fn.depends_on_y

    # ----- construction -----------------------------------------------------------
    def _build_items(self):
        plot = self.getPlotItem()
        plot.setLabel("bottom", "x")
        plot.setLabel("left", "f(x)")
        plot.showGrid(x=True, y=True, alpha=0.15)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        vb = plot.getViewBox()
        vb.setMouseEnabled(x=True, y=False)  # the f range follows the x range
        vb.disableAutoRange()
        vb.setLimits(xMin=-VIEW_LIMIT, xMax=VIEW_LIMIT, minXRange=1e-8)
        self.axis_line = pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen("#999999", width=1))
        self.a_line = pg.InfiniteLine(angle=90, pen=pg.mkPen("#777777", width=1, style=Qt.DotLine),
                                      label="a", labelOpts={"position": 0.03, "color": "#333333"})
        self.curve = pg.PlotCurveItem(pen=pg.mkPen(CURVE_COLOR, width=2.5), connect="finite")
        self.tangent = pg.PlotCurveItem(pen=pg.mkPen(SLOPE_COLOR, width=2.5, style=Qt.DashLine))
        self.secant_line = pg.PlotCurveItem(pen=pg.mkPen(SECANT_COLOR, width=2))
        self.legs = pg.PlotCurveItem(pen=pg.mkPen(SECANT_COLOR, width=1.5, style=Qt.DotLine))
        self.h_label = _label("h", SECANT_COLOR, (0.5, 0.0))
        self.rise_label = _label("Δf", SECANT_COLOR, (0.0, 0.5))
        self.secant_point = pg.ScatterPlotItem(size=9, brush=pg.mkBrush(SECANT_COLOR),
                                               pen=pg.mkPen("k", width=1))
        self.steps = pg.ScatterPlotItem(size=7, brush=pg.mkBrush(TRAJ_COLOR),
                                        pen=pg.mkPen("#5a4a00", width=1))
        self.start = pg.ScatterPlotItem(size=15, brush=pg.mkBrush(214, 39, 40, 60),
                                        pen=pg.mkPen(START_COLOR, width=2))
        self.point = pg.ScatterPlotItem(size=12, brush=pg.mkBrush("w"), pen=pg.mkPen("k", width=2))
        self.step_shaft = pg.PlotCurveItem(pen=pg.mkPen(NEG_GRAD_COLOR, width=3))
        self.step_head = pg.ArrowItem(headLen=13, tipAngle=32, tailLen=0,
                                      pen=pg.mkPen(NEG_GRAD_COLOR), brush=NEG_GRAD_COLOR)
        self.step_label = _label("−ε f′(a)", NEG_GRAD_COLOR, (0.5, 1.0))
        self.landing = pg.PlotCurveItem(pen=pg.mkPen(NEG_GRAD_COLOR, width=1, style=Qt.DotLine))
        self.away = pg.TextItem("", color="#333333", fill=pg.mkBrush(255, 255, 255, 220))
        order = (self.axis_line, self.a_line, self.curve, self.tangent, self.secant_line,
                 self.legs, self.landing, self.h_label, self.rise_label, self.secant_point,
                 self.steps, self.start, self.point, self.step_shaft, self.step_head,
                 self.step_label, self.away)
        for z, item in enumerate(order):
            item.setZValue(z)
            plot.addItem(item)
        self.step_head.setZValue(len(order))
        self.away.setVisible(False)  # says where a is when it is out of view

    # ----- model → view -----------------------------------------------------------
    def _on_function_changed(self, _fn):
        if not self.active:
            self._clear()
            return
        self._apply_window(self.model.window[0])
        self._on_trajectory_changed()

    def _on_window_changed(self, xrange, _yrange):
        if self.active:
            self._apply_window(xrange)
            self._update_point()

    def _apply_window(self, xrange):
        """Show the model's x range, with the f range fitted to the curve over it."""
        x0, x1 = xrange
        self._frange = None
        xs, fs = sample_curve(self.model.function, xrange, CURVE_POINTS)
        self._frange = curve_range(fs) or (-1.0, 1.0)
        self._programmatic = True
        self.getViewBox().setRange(xRange=(x0, x1), yRange=self._frange, padding=0)
        self._programmatic = False
        self._resample()

    def _resample(self):
        (x0, x1), _ = self.getViewBox().viewRange()
        margin = MARGIN * (x1 - x0)
        self._sampled = (x0 - margin, x1 + margin)
        xs, fs = sample_curve(self.model.function, self._sampled, 2 * CURVE_POINTS)
        self.curve.setData(xs, hide_far(fs, *self._frange))

    def _on_trajectory_changed(self):
        run = self.model.run
        if not self.active or run is None:
            for item in (self.steps, self.start):
                item.setData([], [])
        else:
            rows = run.view()
            stride = max(1, len(rows) // MAX_MARKERS)
            shown = np.concatenate([rows[::stride], rows[-1:]]) if stride > 1 else rows
            self.steps.setData(shown[:, 1], shown[:, 3])
            self.start.setData(rows[:1, 1], rows[:1, 3])
        self._update_point()

    def _on_point_changed(self, _x, _y):
        self._update_point()

    def set_h(self, h):
        """The secant's step h > 0."""
        h = float(h)
        if h > 0 and math.isfinite(h) and h != self.h:
            self.h = h
            self._update_point()

    # ----- a, the secant, the tangent and the step --------------------------------
    def _update_point(self):
        if not self.active or self._frange is None:
            return
        a = self.model.current_point[0]
        try:
            s = secant(self.model.function, a, self.h)
        except InputError:
            s = None
        self.secant = s if s is not None and s.defined else None
        self.step = self._next_step(s)
        self.a_line.setPos(a)
        self._draw_secant(self.secant)
        self._draw_step()
        self.secantChanged.emit(self.secant, self.step)

    def _next_step(self, s):
        """(ε, Δx = −ε f′(a)) for the next step of plain gradient descent, or None."""
        run = self.model.run
        if (s is None or not s.differentiable or run is None or run.finished
                or run.optimizer != "gd" or run.schedule.name != "constant"):
            return None
        return run.learning_rate, -run.learning_rate * s.derivative

    def _draw_secant(self, s):
        if s is None:
            for item in (self.point, self.secant_point, self.secant_line, self.legs, self.tangent):
                item.setData([], [])
            self.h_label.setVisible(False)
            self.rise_label.setVisible(False)
            return
        self.point.setData([s.a], [s.fa])
        ends = (s.a + s.h, s.fah)
        if math.isfinite(s.fah):
            self.secant_point.setData([ends[0]], [ends[1]])
            self.secant_line.setData(*self._line(s.a, s.fa, s.slope))
            self.legs.setData([s.a, ends[0], ends[0]], [s.fa, s.fa, ends[1]])
        else:
            for item in (self.secant_point, self.secant_line, self.legs):
                item.setData([], [])
        if s.differentiable:
            self.tangent.setData(*self._line(s.a, s.fa, s.derivative))
        else:
            self.tangent.setData([], [])
        (x0, x1), _ = self.getViewBox().viewRange()
        labelled = math.isfinite(s.fah) and s.h >= LABEL_MIN * (x1 - x0)
        self.h_label.setVisible(labelled)
        self.rise_label.setVisible(labelled and s.fah != s.fa)
        if labelled:
            self.h_label.setPos(s.a + s.h / 2, s.fa)
            self.h_label.setAnchor((0.5, 0.0 if s.fah >= s.fa else 1.0))
            self.rise_label.setPos(ends[0], (s.fa + s.fah) / 2)

    def _line(self, a, fa, slope):
        """Two points of the line through (a, fa) with ``slope``, across the sampled x range
        and at most a view height beyond the f range (huge coordinates draw badly)."""
        if not (math.isfinite(slope) and self._sampled is not None):
            return [], []
        xa, xb = self._sampled
        lo, hi = self._frange
        lo, hi = lo - (hi - lo), hi + (hi - lo)
        if slope != 0:
            ends = sorted((a + (lo - fa) / slope, a + (hi - fa) / slope))
            xa, xb = max(xa, ends[0]), min(xb, ends[1])
        if not xa < xb:
            return [], []
        return [xa, xb], [fa + slope * (xa - a), fa + slope * (xb - a)]

    def _draw_step(self):
        """The next step −ε f′(a) as an arrow along the x axis, near the bottom of the view,
        and a dotted line up to the point it leads to."""
        self._say_where_a_is()
        step, s = self.step, self.secant
        shown = step is not None and s is not None
        for item in (self.step_head, self.step_label):
            item.setVisible(shown)
        if not shown:
            self.step_shaft.setData([], [])
            self.landing.setData([], [])
            return
        _, dx = step
        _, (y0, y1) = self.getViewBox().viewRange()
        level = y0 + ARROW_HEIGHT * (y1 - y0)
        end = s.a + dx
        self.step_shaft.setData([s.a, end], [level, level])
        self.step_head.setPos(end, level)
        self.step_head.setStyle(angle=0.0 if dx < 0 else 180.0)
        self.step_label.setPos((s.a + end) / 2, level)
        f_end = self.model.function.value_at(end, 0.0)
        if math.isfinite(f_end):
            self.landing.setData([end, end], [level, min(max(f_end, y0), y1)])
        else:
            self.landing.setData([], [])

    def _say_where_a_is(self):
        """A note in the top corner when a is left or right of the view."""
        (x0, x1), (_, y1) = self.getViewBox().viewRange()
        a = self.secant.a if self.secant is not None else None
        left, right = a is not None and a < x0, a is not None and a > x1
        self.away.setVisible(left or right)
        if left or right:
            self.away.setText(f"◀ a = {fmt(a)} is left of the view" if left else
                              f"a = {fmt(a)} is right of the view ▶")
            self.away.setAnchor((0.0, 0.0) if left else (1.0, 0.0))
            self.away.setPos(x0 if left else x1, y1)

    def _clear(self):
        self._frange = self._sampled = self.secant = self.step = None
        for item in (self.curve, self.steps, self.start):
            item.setData([], [])
        self._draw_secant(None)
        self._draw_step()

    # ----- view → model -----------------------------------------------------------
    def _on_x_range_changed(self, *_args):
        if not self._programmatic and self.active:
            self._settle.start()

    def _on_range_changed_manually(self, *_args):
        self._manual = True

    def _on_view_settled(self):
        """After a pan or zoom by the user the model's x range follows (the f range is then
        fitted again); after a resize only the samples are extended."""
        if not self.active or self._sampled is None:
            return
        manual, self._manual = self._manual, False
        xr, _ = self.getViewBox().viewRange()
        if manual and self.model.set_window(tuple(xr), self.model.window[1]):
            return
        x0, x1 = self._sampled
        if xr[0] < x0 or xr[1] > x1:
            self._resample()

    def _on_mouse_clicked(self, event):
        if event.button() != Qt.LeftButton or event.double() or not self.active:
            return
        if not self.getViewBox().sceneBoundingRect().contains(event.scenePos()):
            return
        point = self.getViewBox().mapSceneToView(event.scenePos())
        self.model.set_start(point.x(), 0.0)

    def data_to_viewport(self, x, y):
        """The viewport pixel (QPoint) showing data point (x, f), for tests and automation."""
        return data_to_viewport(self, x, y)


class CurvePane(QWidget):
    """The curve and, beside it, the secant panel; h goes from the panel to the curve and
    the secant from the curve to the panel."""

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.setObjectName("curvePane")
        self.view = CurveView(model, DEFAULT_H)
        self.panel = SecantPanel(model, DEFAULT_H)
        side = QScrollArea()
        side.setWidgetResizable(True)
        side.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        side.setFrameShape(QScrollArea.NoFrame)
        side.setWidget(self.panel)
        self.side = side
        layout = QBoxLayout(QBoxLayout.LeftToRight, self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addWidget(side)
        self._beside = None
        self._arrange(self.width())
        self.panel.hChanged.connect(self.view.set_h)
        self.view.secantChanged.connect(self.panel.show_secant)
        if self.view.secant is not None:
            self.panel.show_secant(self.view.secant, self.view.step)

    def _arrange(self, width):
        """The secant panel beside the curve, or under it where the pane is too narrow for
        both (the curve keeps at least CURVE_MIN_WIDTH px beside the panel)."""
        beside = width >= PANEL_WIDTH + CURVE_MIN_WIDTH
        if beside == self._beside:
            return
        self._beside = beside
        if beside:
            self.layout().setDirection(QBoxLayout.LeftToRight)
            self.side.setFixedWidth(PANEL_WIDTH)
            self.side.setMaximumHeight(QWIDGETSIZE_MAX)
        else:
            self.layout().setDirection(QBoxLayout.TopToBottom)
            self.side.setMinimumWidth(0)
            self.side.setMaximumWidth(QWIDGETSIZE_MAX)
            self.side.setMaximumHeight(UNDER_HEIGHT)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._arrange(event.size().width())
