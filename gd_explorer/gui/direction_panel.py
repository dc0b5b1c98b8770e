"""The directional-derivative panel: a dial for u, snap buttons, readouts of
D_u f = ∇f·u = ‖∇f‖ cos θ, and small plots that show why."""
import math

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..core import point
from ..core.calculus import STEPS_H, directional_derivative, slice_values, total_differential
from ..core.errors import InputError
from ..core.fmt import fmt, fmt_point
from .colors import CASING_COLOR, GRAD_COLOR, TANGENT_COLOR, U_COLOR
from .direction_dial import THETA_COLOR, DirectionDial
from .direction_plots import (PLOT_LIMIT, UNDEFINED, CurvePlot, DifferentialLabel, LimitTable,
                              SlicePlot)
from .math_view import MathView

SLICE_POINTS = 121
SLICE_FRACTION = 0.1                   # slice half-width as a fraction of the view's size
DIFF_STEP = 0.1                        # h in ds = h u for the total differential
IDENTITY = (("identityLeft", r"D_{u} f =", "D_u f ="),          # typeset over the two readouts
            ("identityDot", r"\nabla f \cdot u", "∇f · u"),
            ("identityPolar", r"= \lVert \nabla f \rVert \cos\theta", "= ‖∇f‖ cos θ"))
# what the point allows us to show
NO_FUNCTION, F_UNDEFINED, GRAD_UNDEFINED, ZERO_GRAD, OK = range(5)
STATES = {point.F_UNDEFINED: F_UNDEFINED, point.GRAD_UNDEFINED: GRAD_UNDEFINED,
          point.FLAT: ZERO_GRAD, point.SLOPED: OK}


def _caption(text):
    label = QLabel(text)
    label.setTextFormat(Qt.RichText)
    label.setWordWrap(True)
    label.setStyleSheet("font-weight: bold; margin-top: 6px;")
    return label


def _swatch(color, glyph):
    """A legend glyph in ``color`` on the dark casing, as the line is drawn."""
    style = f"color:{color};background:{CASING_COLOR}"
    return f"<span style='{style}'>&nbsp;<b>{glyph}</b>&nbsp;</span>"


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
            f"{_swatch(U_COLOR, '━━')} u (drag, scroll, keys)<br>{_swatch(GRAD_COLOR, '━━')} ∇f<br>"
            f"<span style='color:{THETA_COLOR}'>&nbsp;━━&nbsp;</span> θ, from ∇f to u<br>"
            f"{_swatch(TANGENT_COLOR, '┅┅')} level-curve tangent")
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
        for col, (name, tex, text) in enumerate(IDENTITY):  # D_u f = ∇f·u = ‖∇f‖ cos θ
            caption = MathView(max_lines=1.5, objectName=name)
            caption.set_formula(tex, text)
            grid.addWidget(caption, i, col)
        grid.addWidget(self.value_label, i + 1, 1)
        grid.addWidget(self.polar_label, i + 1, 2)
        grid.addWidget(self.message, i + 2, 0, 1, 3)
        grid.setColumnMinimumWidth(0, 130)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        return grid

    def _build_plots(self, layout):
        self.curve_plot = CurvePlot()
        self.slice_plot = SlicePlot()
        self.table = LimitTable()
        self.differential = DifferentialLabel()
        for caption, widget in (
                ("D<sub>u</sub>f against φ: a sinusoid of amplitude ‖∇f‖", self.curve_plot),
                ("Slice g(z) = f(p + z u) (in u's colour) and its tangent at z = 0 "
                 "with slope D<sub>u</sub>f (dashed)", self.slice_plot),
                ("Limit definition: (f(p + h u) − f(p)) / h → D<sub>u</sub>f", self.table),
                (f"Total differential for a small step ds = h u (h = {fmt(DIFF_STEP)})",
                 self.differential)):
            layout.addWidget(_caption(caption))
            layout.addWidget(widget)
        # the plot items, as attributes of the panel
        self.curve = self.curve_plot.curve
        self.extrema = self.curve_plot.extrema
        self.phi_line = self.curve_plot.phi_line
        self.marker = self.curve_plot.marker
        self.curve_labels = self.curve_plot.labels
        self.slice_curve = self.slice_plot.slice_curve
        self.tangent_line = self.slice_plot.tangent_line
        self.slice_point = self.slice_plot.slice_point

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
        self._sync_point()  # the window sets the round-off level of ∇f
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
        self.state = STATES[self.model.point_state().kind]
        return d

    def _sync_point(self, force=False):
        state = self.model.point_state()
        key = (self.model.function, self.model.current_point, state and state.kind)
        if not force and key == self._shown:
            return
        self._shown = key
        d = self._compute(self.model.angle)
        self._grad = d.gradient if d is not None else (math.nan, math.nan)
        self.dial.setGradient(*(self._grad if self.state == OK else (math.nan, math.nan)))
        self.dial.setNote(state.words if state is not None else "")
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
        self.phi_label.setText(f"{fmt(math.degrees(phi), scale=360)}°")
        self.u_label.setText(fmt_point((ux, uy), scale=1))  # cos 90° is 6e-17: round-off
        state = self.state
        if state in (OK, ZERO_GRAD):
            gx, gy = d.gradient
            self.grad_label.setText(fmt_point((gx, gy)))
            self.norm_label.setText(fmt(d.grad_norm))
        else:
            self.grad_label.setText(UNDEFINED)
            self.norm_label.setText(UNDEFINED)
        if state == OK:
            terms = abs(gx) + abs(gy)  # D_u f = gx ux + gy uy: round-off relative to this is 0
            self.theta_label.setText(f"{fmt(d.theta_deg, scale=360)}°")
            self.cos_label.setText(fmt(d.cos_theta, scale=1))
            self.value_label.setText(fmt(d.value, scale=terms))
            self.polar_label.setText(fmt(d.value_polar, scale=terms))
        elif state == ZERO_GRAD:
            self.theta_label.setText("undefined: ∇f ≈ 0")
            self.cos_label.setText("undefined: ∇f ≈ 0")
            terms = abs(gx) + abs(gy)
            self.value_label.setText(fmt(d.value, scale=terms))
            self.polar_label.setText(fmt(d.value_polar, scale=terms))
        else:
            for label in (self.theta_label, self.cos_label, self.value_label, self.polar_label):
                label.setText(UNDEFINED)
        self.message.setText({
            NO_FUNCTION: "Enter a function to see its directional derivatives.",
            F_UNDEFINED: f"{point.WORDS[point.F_UNDEFINED]}, and so is every derivative.",
            GRAD_UNDEFINED: f"{point.WORDS[point.GRAD_UNDEFINED]}, so D_u f = ∇f·u is too.",
            ZERO_GRAD: f"{point.WORDS[point.FLAT]}: ‖∇f‖ is at most the descent's tolerance "
                       "(or round-off), so θ is undefined and D_u f ≈ 0 in every direction.",
        }.get(state, ""))
        self.message.setVisible(state != OK)

    # ----- plots ----------------------------------------------------------------------
    def _update_curve(self):
        self.curve_plot.set_gradient(self._grad if self.state in (OK, ZERO_GRAD) else None,
                                     marks=self.state == OK)

    def _update_marker(self):
        phi = self.model.angle
        gx, gy = self._grad
        value = math.nan
        if self.state in (OK, ZERO_GRAD):
            value = gx * math.cos(phi) + gy * math.sin(phi)
        self.curve_plot.set_angle(phi, value)

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
        if d is None or self.state in (NO_FUNCTION, F_UNDEFINED) or not abs(d.f) <= PLOT_LIMIT:
            self.slice_plot.clear_slice()
            return
        r = self._slice_halfwidth()
        zs = np.linspace(-r, r, SLICE_POINTS)
        gs = slice_values(self.model.function, d.point, d.phi, zs)
        slope = d.value if self.state in (OK, ZERO_GRAD) else None
        self.slice_plot.set_slice(zs, gs, d.f, slope)

    def _update_table(self, d):
        has_f = d is not None and self.state not in (NO_FUNCTION, F_UNDEFINED)
        target = d.value if has_f and self.state in (OK, ZERO_GRAD) else math.nan
        self.table.set_quotients([q for _, q in d.quotients] if has_f else None, target)

    def _update_differential(self, d):
        if d is None or self.state not in (OK, ZERO_GRAD):
            self.differential.set_differential()
            return
        df, actual = total_differential(self.model.function, d.point, d.phi, DIFF_STEP)
        gx, gy = d.gradient
        self.differential.set_differential(df, actual, (abs(gx) + abs(gy)) * DIFF_STEP)
