"""The directional-derivative panel: a dial for u, snap buttons, readouts of
D_u f = ∇f·u = ‖∇f‖ cos θ, and small plots that show why."""
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QAbstractItemView, QGridLayout, QHBoxLayout, QHeaderView, QLabel,
                               QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ..core.calculus import (STEPS_H, derivative_curve, directional_derivative, slice_values,
                             total_differential)
from ..core.errors import InputError
from .colors import GRAD_COLOR, NEG_GRAD_COLOR, TANGENT_COLOR, U_COLOR
from .direction_dial import THETA_COLOR, DirectionDial

UNDEFINED = "undefined here"
CURVE_DEGREES = np.arange(0.0, 361.0)  # D_u f sampled every degree
SLICE_POINTS = 121
SLICE_FRACTION = 0.1                   # slice half-width as a fraction of the view's size
DIFF_STEP = 0.1                        # h in ds = h u for the total differential
PLOT_HEIGHT = 140
PLOT_LIMIT = 1e100                     # larger values are not plotted (pyqtgraph overflows)
CURVE_LABELS = (("max", "max: along ∇f", GRAD_COLOR), ("min", "min: against ∇f", NEG_GRAD_COLOR),
                ("zero1", "0: level curve", TANGENT_COLOR), ("zero2", "0: level curve", TANGENT_COLOR))
# what the point allows us to show
NO_FUNCTION, F_UNDEFINED, GRAD_UNDEFINED, ZERO_GRAD, OK = range(5)


def fmt(value, digits=6):
    """A number with ``digits`` significant digits; "undefined here" if not finite."""
    if value is None or not math.isfinite(value):
        return UNDEFINED
    return f"{value + 0.0:.{digits}g}"  # + 0.0 turns -0.0 into 0.0


def _tidy(value, scale=1.0):
    """Round-off residue (|value| below 1e-12 * scale) shown as 0."""
    return 0.0 if math.isfinite(value) and abs(value) <= 1e-12 * scale else value


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


class _SmallPlot(pg.PlotWidget):
    """A fixed plot: no zooming, and the wheel scrolls the panel instead."""

    def sizeHint(self):
        return QSize(360, PLOT_HEIGHT)

    def wheelEvent(self, event):
        event.ignore()


def _small_plot(name):
    widget = _SmallPlot(background="w")
    widget.setObjectName(name)
    widget.setFixedHeight(PLOT_HEIGHT)
    widget.setMinimumWidth(200)
    widget.setMouseEnabled(x=False, y=False)
    plot = widget.getPlotItem()
    plot.setMenuEnabled(False)
    plot.hideButtons()
    plot.showGrid(x=True, y=True, alpha=0.2)
    plot.getViewBox().disableAutoRange()
    font = QFont(widget.font())
    font.setPointSizeF(7.5)
    for side in ("left", "bottom"):
        axis = plot.getAxis(side)
        axis.setStyle(tickFont=font, tickTextOffset=3)
        axis.setTextPen("#333333")
        axis.setPen("#999999")
    plot.getAxis("left").setWidth(44)
    return widget


def _caption(text):
    label = QLabel(text)
    label.setTextFormat(Qt.RichText)
    label.setWordWrap(True)
    label.setStyleSheet("font-weight: bold; margin-top: 6px;")
    return label


def _value_label(name, bold=False):
    label = QLabel(objectName=name)
    label.setTextInteractionFlags(Qt.TextSelectableByMouse)
    if bold:
        font = QFont(label.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        label.setFont(font)
        label.setWordWrap(True)  # "undefined here" may need two lines
    return label


class DirectionPanel(QWidget):
    """Everything about D_u f at the model's current point, for the angle model.angle."""

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.setObjectName("directionPanel")
        self.model = model
        self.result = None   # the last Directional shown, or None
        self.state = NO_FUNCTION
        self._shown = None   # (function, point) the plots were computed for
        self._grad = (math.nan, math.nan)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(self._build_dial())
        layout.addLayout(self._build_readouts())
        self._build_plots(layout)
        layout.addStretch(1)

        self.dial.angleChanging.connect(model.preview_angle)
        self.dial.angleChanged.connect(model.set_angle)
        self.snap_along.clicked.connect(lambda _checked=False: self._snap(0.0))
        self.snap_against.clicked.connect(lambda _checked=False: self._snap(math.pi))
        self.snap_level.clicked.connect(lambda _checked=False: self._snap(math.pi / 2))
        model.functionChanged.connect(self._on_function_changed)
        model.pointChanged.connect(self._on_point_changed)
        model.trajectoryChanged.connect(self._on_trajectory_changed)
        model.windowChanged.connect(self._on_window_changed)
        model.angleChanging.connect(self._on_angle_changing)
        model.angleChanged.connect(self._on_angle_changed)
        self.dial.setAngle(model.angle)
        self._sync_point(force=True)

    # ----- construction -----------------------------------------------------------
    def _build_dial(self):
        self.dial = DirectionDial()
        self.dial.setFixedSize(self.dial.sizeHint())
        self.snap_along = QPushButton("along ∇f", objectName="snapAlong")
        self.snap_along.setToolTip("u = ∇f/‖∇f‖: θ = 0, D_u f = ‖∇f‖ is largest (steepest ascent)")
        self.snap_against = QPushButton("against ∇f", objectName="snapAgainst")
        self.snap_against.setToolTip("u = −∇f/‖∇f‖: θ = 180°, D_u f = −‖∇f‖ (steepest descent)")
        self.snap_level = QPushButton("along the level curve", objectName="snapLevel")
        self.snap_level.setToolTip("u ⟂ ∇f: θ = 90°, D_u f = 0 (f does not change to first order)")
        legend = QLabel(
            f"<span style='color:{U_COLOR}'>━━</span> u (drag, scroll, keys)<br>"
            f"<span style='color:{GRAD_COLOR}'>━━</span> ∇f<br>"
            f"<span style='color:{THETA_COLOR}'>━━</span> θ, from ∇f to u<br>"
            f"<span style='color:{TANGENT_COLOR}'>┅┅</span> level-curve tangent")
        font = QFont(legend.font())
        font.setPointSizeF(font.pointSizeF() * 0.85)
        legend.setFont(font)
        side = QVBoxLayout()
        side.addWidget(QLabel("Snap u:"))
        for button in (self.snap_along, self.snap_against, self.snap_level):
            side.addWidget(button)
        side.addSpacing(6)
        side.addWidget(legend)
        side.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.dial, 0, Qt.AlignTop)
        row.addLayout(side, 1)
        return row

    def _build_readouts(self):
        self.phi_label = _value_label("phiValue")
        self.u_label = _value_label("uValue")
        self.grad_label = _value_label("gradientValue")
        self.norm_label = _value_label("gradNormValue")
        self.theta_label = _value_label("thetaValue")
        self.cos_label = _value_label("cosThetaValue")
        self.value_label = _value_label("directionalDerivativeValue", bold=True)
        self.polar_label = _value_label("directionalDerivativePolar", bold=True)
        self.message = QLabel(objectName="directionMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #8a6d00;")
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)
        rows = (("φ", self.phi_label), ("u = (cos φ, sin φ)", self.u_label),
                ("∇f", self.grad_label), ("‖∇f‖", self.norm_label),
                ("θ (∇f to u)", self.theta_label), ("cos θ", self.cos_label))
        for i, (name, label) in enumerate(rows):
            grid.addWidget(QLabel(name), i, 0)
            grid.addWidget(label, i, 1, 1, 2)
        i = len(rows)
        grid.addWidget(QLabel("D<sub>u</sub>f ="), i, 0)
        grid.addWidget(QLabel("∇f · u"), i, 1)
        grid.addWidget(QLabel("‖∇f‖ cos θ"), i, 2)
        grid.addWidget(self.value_label, i + 1, 1)
        grid.addWidget(self.polar_label, i + 1, 2)
        grid.addWidget(self.message, i + 2, 0, 1, 3)
        grid.setColumnMinimumWidth(0, 130)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        return grid

    def _build_plots(self, layout):
        layout.addWidget(_caption("D<sub>u</sub>f against φ: a sinusoid of amplitude ‖∇f‖"))
        self.curve_plot = _small_plot("derivativeCurvePlot")
        layout.addWidget(self.curve_plot)
        plot = self.curve_plot.getPlotItem()
        plot.getAxis("bottom").setTicks([[(d, f"{d}°") for d in (0, 90, 180, 270, 360)]])
        plot.setXRange(0, 360, padding=0.02)
        self.curve = plot.plot(pen=pg.mkPen("#444444", width=2))
        self.extrema = pg.ScatterPlotItem(size=7, pen=None)
        plot.addItem(self.extrema)
        self.phi_line = pg.InfiniteLine(angle=90, movable=False,
                                        pen=pg.mkPen(U_COLOR, width=1, style=Qt.DashLine))
        plot.addItem(self.phi_line)
        self.marker = pg.ScatterPlotItem(size=10, brush=pg.mkBrush(U_COLOR), pen=pg.mkPen("k"))
        plot.addItem(self.marker)
        font = QFont(self.font())
        font.setPointSizeF(8)
        self.curve_labels = {}
        for key, text, color in CURVE_LABELS:
            item = pg.TextItem(text, color=color)
            item.setFont(font)
            item.setVisible(False)
            plot.addItem(item)
            self.curve_labels[key] = item

        layout.addWidget(_caption("Slice g(z) = f(p + z u) (orange) and its tangent at z = 0 "
                                  "with slope D<sub>u</sub>f (dashed)"))
        self.slice_plot = _small_plot("slicePlot")
        layout.addWidget(self.slice_plot)
        plot = self.slice_plot.getPlotItem()
        self.slice_curve = plot.plot(pen=pg.mkPen(U_COLOR, width=2), connect="finite")
        self.tangent_line = plot.plot(pen=pg.mkPen("#333333", width=1.5, style=Qt.DashLine))
        self.slice_point = pg.ScatterPlotItem(size=7, brush=pg.mkBrush("k"), pen=None)
        plot.addItem(self.slice_point)

        layout.addWidget(_caption("Limit definition: (f(p + h u) − f(p)) / h → D<sub>u</sub>f"))
        self.table = QTableWidget(len(STEPS_H), 3, objectName="limitTable")
        self.table.setHorizontalHeaderLabels(["h", "(f(p+hu) − f(p))/h", "minus D_u f"])
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(20)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        header = self.table.horizontalHeader().sizeHint().height()
        self.table.setFixedHeight(header + 20 * len(STEPS_H) + 2 * self.table.frameWidth() + 2)
        for row, h in enumerate(STEPS_H):
            self.table.setItem(row, 0, QTableWidgetItem(f"{h:.0e}"))
            for col in (1, 2):
                self.table.setItem(row, col, QTableWidgetItem(""))
        layout.addWidget(self.table)
        layout.addWidget(_caption(f"Total differential for a small step ds = h u (h = {DIFF_STEP:g})"))
        self.differential = QLabel(objectName="differentialLabel")
        self.differential.setWordWrap(True)
        self.differential.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout.addWidget(self.differential)

    # ----- widgets → model ------------------------------------------------------------
    def _snap(self, offset):
        gx, gy = self._grad
        if self.state == OK:
            self.model.set_angle(math.atan2(gy, gx) + offset)

    # ----- model → widgets ------------------------------------------------------------
    def _on_function_changed(self, _fn):
        self._sync_point(force=True)

    def _on_point_changed(self, _x, _y):
        self._sync_point()

    def _on_trajectory_changed(self):
        # a run that cannot start (f undefined at the start) emits no pointChanged
        self._sync_point()

    def _on_window_changed(self, _xrange, _yrange):
        self._update_slice(self.result)

    def _on_angle_changing(self, phi):
        self.dial.setAngle(phi)
        self._update_readouts(self._compute(phi, steps=()))
        self._update_marker()

    def _on_angle_changed(self, phi):
        self.dial.setAngle(phi)
        self._show_angle(phi)

    # ----- computing ------------------------------------------------------------------
    def _compute(self, phi, steps=STEPS_H):
        """The Directional at the current point, or None; sets ``state``."""
        fn = self.model.function
        if fn is None:
            self.state = NO_FUNCTION
            return None
        try:
            d = directional_derivative(fn, self.model.current_point, phi, steps)
        except (InputError, ArithmeticError):
            self.state = F_UNDEFINED
            return None
        gx, gy = d.gradient
        if not math.isfinite(d.f):
            self.state = F_UNDEFINED
        elif not (math.isfinite(gx) and math.isfinite(gy)):
            self.state = GRAD_UNDEFINED
        else:
            self.state = ZERO_GRAD if d.grad_norm == 0 else OK
        return d

    def _sync_point(self, force=False):
        key = (self.model.function, self.model.current_point)
        if not force and key == self._shown:
            return
        self._shown = key
        d = self._compute(self.model.angle)
        self._grad = d.gradient if d is not None else (math.nan, math.nan)
        self.dial.setGradient(*self._grad)
        for button in (self.snap_along, self.snap_against, self.snap_level):
            button.setEnabled(self.state == OK)
        self._update_curve()
        self._show_angle(self.model.angle, d)

    def _show_angle(self, phi, d=None):
        d = d if d is not None else self._compute(phi)
        self._update_readouts(d)
        self._update_marker()
        self._update_details(d)

    # ----- readouts -------------------------------------------------------------------
    def _update_readouts(self, d):
        self.result = d
        phi = self.model.angle
        ux, uy = math.cos(phi), math.sin(phi)
        self.phi_label.setText(f"{math.degrees(phi):.2f}°")
        self.u_label.setText(f"({fmt(_tidy(ux))}, {fmt(_tidy(uy))})")
        state = self.state
        if state in (OK, ZERO_GRAD):
            gx, gy = d.gradient
            self.grad_label.setText(f"({fmt(gx)}, {fmt(gy)})")
            self.norm_label.setText(fmt(d.grad_norm))
        else:
            self.grad_label.setText(UNDEFINED)
            self.norm_label.setText(UNDEFINED)
        if state == OK:
            self.theta_label.setText(f"{d.theta_deg:.2f}°")
            self.cos_label.setText(fmt(_tidy(d.cos_theta)))
            self.value_label.setText(fmt(_tidy(d.value, d.grad_norm)))
            self.polar_label.setText(fmt(_tidy(d.value_polar, d.grad_norm)))
        elif state == ZERO_GRAD:
            self.theta_label.setText("undefined: ∇f = 0")
            self.cos_label.setText("undefined: ∇f = 0")
            self.value_label.setText("0")
            self.polar_label.setText("0")
        else:
            for label in (self.theta_label, self.cos_label, self.value_label, self.polar_label):
                label.setText(UNDEFINED)
        self.message.setText({
            NO_FUNCTION: "Enter a function to see its directional derivatives.",
            F_UNDEFINED: "f is undefined at this point, so nothing can be computed here.",
            GRAD_UNDEFINED: "∇f is undefined at this point, so D_u f = ∇f·u is undefined here.",
            ZERO_GRAD: "∇f = 0 here (a critical point): θ is undefined, and D_u f = 0 "
                       "in every direction.",
        }.get(state, ""))
        self.message.setVisible(state != OK)

    # ----- plots ----------------------------------------------------------------------
    def _update_curve(self):
        plot = self.curve_plot.getPlotItem()
        for item in self.curve_labels.values():
            item.setVisible(False)
        norm = math.hypot(*self._grad)
        if self.state not in (OK, ZERO_GRAD) or not norm <= PLOT_LIMIT:
            self.curve.setData([], [])
            self.extrema.setData([], [])
            plot.setYRange(-1, 1, padding=0)
            return
        with np.errstate(all="ignore"):
            ys = derivative_curve(self._grad, np.radians(CURVE_DEGREES))
        self.curve.setData(CURVE_DEGREES, ys)
        if self.state == ZERO_GRAD:
            self.extrema.setData([], [])
            plot.setYRange(-1, 1, padding=0)
            return
        plot.setYRange(-1.6 * norm, 1.6 * norm, padding=0)
        top = math.degrees(math.atan2(self._grad[1], self._grad[0])) % 360
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
            label = self.curve_labels[key]
            label.setAnchor(anchor)
            label.setPos(x, y)
            label.setVisible(True)

    def _update_marker(self):
        deg = math.degrees(self.model.angle)
        self.phi_line.setPos(deg)
        gx, gy = self._grad
        value = gx * math.cos(self.model.angle) + gy * math.sin(self.model.angle)
        if self.state in (OK, ZERO_GRAD) and abs(value) <= PLOT_LIMIT:
            self.marker.setData([deg], [value])
            self.phi_line.setVisible(True)
        else:
            self.marker.setData([], [])
            self.phi_line.setVisible(False)

    def _update_details(self, d):
        """Slice, limit table and total differential (phi-dependent, not shown while dragging)."""
        self._update_slice(d)
        self._update_table(d)
        self._update_differential(d)

    def _slice_halfwidth(self):
        (x0, x1), (y0, y1) = self.model.window
        r = SLICE_FRACTION * max(x1 - x0, y1 - y0)
        return r if math.isfinite(r) and r > 0 else 0.5

    def _update_slice(self, d):
        plot = self.slice_plot.getPlotItem()
        items = (self.slice_curve, self.tangent_line, self.slice_point)
        if d is None or self.state in (NO_FUNCTION, F_UNDEFINED) or not abs(d.f) <= PLOT_LIMIT:
            for item in items:
                item.setData([], [])
            return
        r = self._slice_halfwidth()
        zs = np.linspace(-r, r, SLICE_POINTS)
        gs = _plottable(slice_values(self.model.function, d.point, d.phi, zs))
        tangent = np.array([])
        if self.state in (OK, ZERO_GRAD):
            with np.errstate(all="ignore"):
                tangent = _plottable(d.f + d.value * np.array([-r, r]))
        _set_data(self.slice_curve, zs, gs, gaps=True)
        _set_data(self.tangent_line, [-r, r], tangent)
        _set_data(self.slice_point, [0.0], [d.f])
        plot.setXRange(-r, r, padding=0.02)
        yrange = _finite_range(gs, tangent, [d.f])
        if yrange is not None:
            plot.setYRange(*yrange, padding=0)

    def _update_table(self, d):
        has_f = d is not None and self.state not in (NO_FUNCTION, F_UNDEFINED)
        target = d.value if has_f and self.state in (OK, ZERO_GRAD) else math.nan
        for row in range(len(STEPS_H)):
            quotient = d.quotients[row][1] if has_f and row < len(d.quotients) else math.nan
            self.table.item(row, 1).setText(fmt(quotient, 10) if has_f else "")
            error = quotient - target
            self.table.item(row, 2).setText(f"{error + 0.0:.2e}" if math.isfinite(error) else "—")

    def _update_differential(self, d):
        if d is None or self.state not in (OK, ZERO_GRAD):
            self.differential.setText("df = ∇f · ds: " + UNDEFINED)
            return
        df, actual = total_differential(self.model.function, d.point, d.phi, DIFF_STEP)
        df = _tidy(df, d.grad_norm * DIFF_STEP)
        gap = actual - df
        self.differential.setText(
            f"df = ∇f · ds = <b>{fmt(df)}</b><br>"
            f"Δf = f(p + ds) − f(p) = <b>{fmt(actual)}</b><br>"
            f"Δf − df = {fmt(gap, 3)}, of order h²: df ≈ Δf for small steps")
