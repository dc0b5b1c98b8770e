"""The small plots of the direction panel: D_u f against φ, the slice through the point,
the limit table and the total differential. They take plain numbers, not the model."""
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QSize, Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QAbstractItemView, QGraphicsItem, QHeaderView,
                               QLabel, QTableWidget, QTableWidgetItem, QWidget)

from ..core.calculus import STEPS_H, derivative_curve
from ..core.fmt import fmt
from .cached_curves import plain_background
from .colors import CASING_COLOR, GRAD_COLOR, NEG_GRAD_COLOR, TANGENT_COLOR, U_COLOR
from .light_marks import Dot, Segment
from .scale import fit_rows, px, ui_scale

UNDEFINED = "undefined here"
CURVE_DEGREES = np.arange(0.0, 361.0)  # D_u f sampled every degree
PLOT_HEIGHT = 140
PLOT_LIMIT = 1e100                     # larger values are not plotted (pyqtgraph overflows)
CURVE_LABELS = (("max", "max: along ∇f", GRAD_COLOR), ("min", "min: against ∇f", NEG_GRAD_COLOR),
                ("zero1", "0: level curve", TANGENT_COLOR), ("zero2", "0: level curve", TANGENT_COLOR))


def _plottable(values):
    """A float array with values pyqtgraph cannot draw (non-finite or huge) as NaN."""
    values = np.array(values, dtype=np.float64)
    values[~(np.abs(values) <= PLOT_LIMIT)] = np.nan
    return values


def _set_data(item, xs, ys, gaps=False):
    """Plot (xs, ys) if it is drawable: all finite, or with ``gaps`` at least one point."""
    finite = np.isfinite(np.asarray(ys, dtype=np.float64))
    if len(ys) == len(xs) and len(ys) and (finite.any() if gaps else finite.all()):
        item.setData(xs, ys)
    else:
        item.setData([], [])


def _finite_range(*arrays):
    """(lo, hi) around the finite values, padded, or None."""
    values = np.concatenate([np.ravel(_plottable(a)) for a in arrays])
    values = values[np.isfinite(values)]
    if values.size == 0:
        return None
    lo, hi = float(values.min()), float(values.max())
    pad = 0.1 * (hi - lo) if hi > lo else 0.1 * abs(hi) + 0.5
    return lo - pad, hi + pad


class SmallPlot(pg.PlotWidget):
    """A fixed plot: no zooming, and the wheel scrolls the panel instead."""

    def __init__(self, name, height=PLOT_HEIGHT):
        super().__init__(background="w")
        self.setObjectName(name)
        plain_background(self)
        self._height = height
        self.setFixedHeight(round(px(height)))
        ui_scale().scaleChanged.connect(self._on_scale_changed)
        self.setMinimumWidth(200)
        self.setMouseEnabled(x=False, y=False)
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.showGrid(x=True, y=True, alpha=0.2)
        plot.getViewBox().disableAutoRange()
        font = QFont(self.font())
        font.setPointSizeF(px(7.5))  # made at the presentation scale, as fonts are
        for side in ("left", "bottom"):
            axis = plot.getAxis(side)
            axis.setStyle(tickFont=font, tickTextOffset=3)
            axis.setTextPen("#333333")
            axis.setPen("#999999")
        plot.getAxis("left").setWidth(44)
        for side in ("left", "bottom"):
            # the axes and the grid change only with the range: kept as a pixmap, they are not
            # drawn again when a marker or a curve moves
            plot.getAxis(side).setCacheMode(QGraphicsItem.DeviceCoordinateCache)

    def _on_scale_changed(self, _percent):
        self.setFixedHeight(round(px(self._height)))  # room for the larger ticks

    def sizeHint(self):
        return QSize(360, self.height())

    def wheelEvent(self, event):
        event.ignore()


class CurvePlot(SmallPlot):
    """D_u f against φ in degrees: a sinusoid of amplitude ‖∇f‖, with a marker at φ."""

    def __init__(self, height=PLOT_HEIGHT):
        super().__init__("derivativeCurvePlot", height)
        plot = self.getPlotItem()
        plot.getAxis("bottom").setTicks([[(d, f"{d}°") for d in (0, 90, 180, 270, 360)]])
        plot.setXRange(0, 360, padding=0.02)
        self.curve = plot.plot(pen=pg.mkPen("#444444", width=2))
        self.extrema = pg.ScatterPlotItem(size=8, pen=pg.mkPen(CASING_COLOR))
        plot.addItem(self.extrema)
        self.phi_line = pg.InfiniteLine(angle=90, movable=False,
                                        pen=pg.mkPen(U_COLOR, width=1, style=Qt.DashLine))
        plot.addItem(self.phi_line)
        self.marker = Dot(size=10, brush=pg.mkBrush(U_COLOR), pen=pg.mkPen("k"))
        plot.addItem(self.marker)
        font = QFont(self.font())
        font.setPointSizeF(px(8))
        self.labels = {}
        for key, text, color in CURVE_LABELS:
            item = pg.TextItem(text, color="#111111", fill=pg.mkBrush(color))  # dark on light
            item.setFont(font)
            item.setVisible(False)
            plot.addItem(item)
            self.labels[key] = item
        # the sinusoid and its marks change with the point, not the angle: kept as pixmaps,
        # they are not drawn again when the marker moves (not the labels: a cached TextItem
        # loses its fill)
        for item in (self.curve.curve, self.extrema):
            item.setCacheMode(QGraphicsItem.DeviceCoordinateCache)

    def set_gradient(self, grad, marks=True):
        """Draw the curve for ∇f = ``grad``, or nothing if ``grad`` is None; its maximum,
        minimum and zeros only with ``marks`` (not where ∇f ≈ 0 has no direction)."""
        plot = self.getPlotItem()
        for item in self.labels.values():
            item.setVisible(False)
        norm = math.hypot(*grad) if grad is not None else math.nan
        if not norm <= PLOT_LIMIT:
            self.curve.setData([], [])
            self.extrema.setData([], [])
            plot.setYRange(-1, 1, padding=0)
            return
        with np.errstate(all="ignore"):
            ys = derivative_curve(grad, np.radians(CURVE_DEGREES))
        self.curve.setData(CURVE_DEGREES, ys)
        if norm == 0 or not marks:
            self.extrema.setData([], [])
            plot.setYRange(-1, 1, padding=0)
            return
        plot.setYRange(-1.6 * norm, 1.6 * norm, padding=0)
        top = math.degrees(math.atan2(grad[1], grad[0])) % 360
        spots = {"max": (top, norm), "min": ((top + 180) % 360, -norm),
                 "zero1": ((top + 90) % 360, 0.0), "zero2": ((top + 270) % 360, 0.0)}
        self.extrema.setData([x for x, _ in spots.values()], [y for _, y in spots.values()],
                             brush=[pg.mkBrush(color) for _, _, color in CURVE_LABELS])
        right = max(spots["zero1"][0], spots["zero2"][0]) <= 270
        for key, (x, y) in spots.items():
            if key.startswith("zero"):
                # both zero labels run the same way, each into a quadrant the curve leaves
                # empty, so one is above the axis and the other below
                falling = key == "zero1"
                anchor = (0.0 if right else 1.0, 1.0 if falling == right else 0.0)
            else:
                anchor = (0.0 if x < 50 else (1.0 if x > 310 else 0.5), 0.0 if key == "min" else 1.0)
            label = self.labels[key]
            label.setAnchor(anchor)
            label.setPos(x, y)
            label.setVisible(True)

    def set_angle(self, phi, value):
        """Mark D_u f = ``value`` at angle ``phi``; no marker if ``value`` is not plottable."""
        deg = math.degrees(phi)
        self.phi_line.setPos(deg)
        if abs(value) <= PLOT_LIMIT:
            self.marker.setData([deg], [value])
            self.phi_line.setVisible(True)
        else:
            self.marker.setData([], [])
            self.phi_line.setVisible(False)


class TangentPlot(SmallPlot):
    """A curve through a point and its tangent there (dashed): the slice g(z) = f(p + z u)
    through z = 0, or a trace of f through (a, b). The range is set apart from the data
    (``fit``), so new data alone does not redraw the axes."""

    def __init__(self, name, color, casing=None, height=PLOT_HEIGHT):
        super().__init__(name, height)
        plot = self.getPlotItem()
        shadow = pg.mkPen(casing, width=4) if casing else None
        # plain curve items: a PlotDataItem's setData costs more than the paint (each tick)
        self.curve = pg.PlotCurveItem(pen=pg.mkPen(color, width=2), connect="finite",
                                      shadowPen=shadow)
        self.tangent = Segment(pen=pg.mkPen("#333333", width=1.5, style=Qt.DashLine))
        self.point = Dot(size=7, brush=pg.mkBrush("k"), pen=None)
        for item in (self.curve, self.tangent, self.point):
            plot.addItem(item)

    def clear_curve(self):
        for item in (self.curve, self.tangent, self.point):
            item.setData([], [])

    def set_curve(self, xs, ys, x0, y0, slope=None):
        """The curve ``ys`` at ``xs`` through (``x0``, ``y0``), and its tangent there of
        ``slope`` across the whole of ``xs`` unless ``slope`` is None."""
        ends = np.array([float(xs[0]), float(xs[-1])])
        tangent = np.array([])
        if slope is not None:
            with np.errstate(all="ignore"):
                tangent = _plottable(y0 + slope * (ends - x0))
        _set_data(self.curve, xs, _plottable(ys), gaps=True)
        _set_data(self.tangent, ends, tangent)
        _set_data(self.point, [x0], [y0])

    def fit(self, xrange, *values):
        """Show ``xrange`` and every finite value of the arrays ``values`` (padded)."""
        plot = self.getPlotItem()
        plot.setXRange(*xrange, padding=0.02)
        yrange = _finite_range(*values)
        if yrange is not None:
            plot.setYRange(*yrange, padding=0)


class LimitTable(QTableWidget):
    """The difference quotients for each h in STEPS_H, and how far they are from D_u f
    (or, with other ``headers``, from f′(a) in 1-D mode)."""

    def __init__(self, name="limitTable", headers=("h", "(f(p+hu) − f(p))/h", "minus D_u f")):
        super().__init__(len(STEPS_H), 3, objectName=name)
        self.setHorizontalHeaderLabels(list(headers))
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        fit_rows(self, then=self._fit_height)  # every row shown, at any text size
        for row, h in enumerate(STEPS_H):
            self.setItem(row, 0, QTableWidgetItem(fmt(h)))
            for col in (1, 2):
                self.setItem(row, col, QTableWidgetItem(""))

    def _fit_height(self, row):
        header = self.horizontalHeader().sizeHint().height()
        self.setFixedHeight(header + row * len(STEPS_H) + 2 * self.frameWidth() + 2)

    def set_quotients(self, quotients, target):
        """One quotient per row (blank if ``quotients`` is None), each minus ``target``."""
        for row in range(len(STEPS_H)):
            has = quotients is not None and row < len(quotients)
            quotient = quotients[row] if has else math.nan
            self.item(row, 1).setText(fmt(quotient) if quotients is not None else "")
            error = quotient - target
            self.item(row, 2).setText(fmt(error, scale=abs(quotient) + abs(target))
                                      if math.isfinite(error) else "—")


class Slot(QWidget):
    """A fixed-height place that one label fills. The label's new text repaints the label
    alone: its size change stops here instead of laying out (and repainting) the whole panel.
    The slot asks for the room of ``lines`` lines of ``sample``."""

    def __init__(self, label, sample, lines=1):
        super().__init__()
        label.setParent(self)
        label.setAutoFillBackground(True)  # opaque: the slot and the panel are not repainted
        self.label = label
        self._sample, self._lines = sample, lines
        self._fit()

    def _fit(self):
        metrics = self.label.fontMetrics()
        lines = self._lines
        self._hint = QSize(metrics.horizontalAdvance(self._sample) + 6,
                           lines * metrics.lineSpacing() + 2 * (lines - 1) + 3)
        self.setFixedHeight(self._hint.height())
        self.updateGeometry()

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() == QEvent.FontChange:  # presentation mode: room for the larger text
            QTimer.singleShot(0, self, self._fit)  # once the label has the new font too

    def sizeHint(self):
        return self._hint

    def minimumSizeHint(self):
        return self._hint

    def resizeEvent(self, event):
        self.label.setGeometry(self.rect())
        super().resizeEvent(event)


class DifferentialLabel(QLabel):
    """df = ∇f · ds against the actual change Δf."""

    def __init__(self):
        super().__init__(objectName="differentialLabel")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextSelectableByMouse)

    def set_differential(self, d=None):
        """Show df and Δf of ``d`` (a core.calculus.Differential) with its round-off scales,
        as the Differential tab does, or "undefined" if ``d`` is None."""
        if d is None:
            self.setText("df = ∇f · ds: " + UNDEFINED)
            return
        self.setText(
            f"df = ∇f · ds = <b>{fmt(d.df, scale=d.df_scale)}</b><br>"
            f"Δf = f(p + ds) − f(p) = <b>{fmt(d.actual, scale=d.gap_scale)}</b><br>"
            f"Δf − df = {fmt(d.gap, scale=d.gap_scale)}, "
            "of order h²: df ≈ Δf for small steps")
