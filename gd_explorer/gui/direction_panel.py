"""The directional-derivative panel: a dial for u, snap buttons, readouts of
D_u f = ∇f·u = ‖∇f‖ cos θ and of the chain rule, and small plots that show why.

What depends on the point (∇f, the sinusoid, the plots' ranges, the traces) is redrawn when
the point, the function or the window changes; a turn of the dial updates only what depends
on the angle, in widgets whose size does not change, so nothing else is laid out or painted.
While the dial is dragged, the model hears the angle at most once a frame."""
import math

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QGridLayout, QHBoxLayout, QLabel, QPushButton, QTabWidget,
                               QVBoxLayout, QWidget)

from ..core import point
from ..core.calculus import (STEPS_H, all_slices, differential, directional_derivative,
                             slice_values, traces)
from ..core.errors import InputError
from ..core.fmt import fmt, fmt_point
from .colors import CASING_COLOR, GRAD_COLOR, TANGENT_COLOR, U_COLOR
from .direction_dial import PROJECTION_COLOR, THETA_COLOR, DirectionDial
from .direction_plots import (PLOT_LIMIT, UNDEFINED, CurvePlot, DifferentialLabel, LimitTable,
                              Slot, TangentPlot)
from .math_view import MathView
from .scale import ui_scale

SLICE_POINTS = 121
SLICE_ANGLES = 90                      # directions sampled to fit the slice plot to every slice
SLICE_FRACTION = 0.1                   # slice half-width as a fraction of the view's size
DIFF_STEP = 0.1                        # h in ds = h u for the total differential
FRAME_MS = 16                          # while dragging: one angle per frame
CURVE_HEIGHT, TRACE_HEIGHT = 125, 110
TRACE_X_COLOR, TRACE_Y_COLOR = "#0072b2", "#009e73"  # Okabe–Ito blue and green, on white
# what the point allows us to show
NO_FUNCTION, F_UNDEFINED, GRAD_UNDEFINED, ZERO_GRAD, OK = range(5)
STATES = {point.F_UNDEFINED: F_UNDEFINED, point.GRAD_UNDEFINED: GRAD_UNDEFINED,
          point.FLAT: ZERO_GRAD, point.SLOPED: OK}
IDENTITY = (("identityLeft", r"D_{u} f =", "D_u f ="),          # typeset over the two readouts
            ("identityDot", r"\nabla f \cdot u", "∇f · u"),
            ("identityPolar", r"= \lVert \nabla f \rVert \cos\theta", "= ‖∇f‖ cos θ"))
CHAIN_RULE = (r"g'(0) = f_{x}\,u_{x} + f_{y}\,u_{y}", "g′(0) = f_x u_x + f_y u_y")


def _caption(text, name=None):
    label = QLabel(text, objectName=name or "")
    label.setTextFormat(Qt.RichText)
    label.setWordWrap(True)
    label.setStyleSheet("font-weight: bold; margin-top: 4px;")
    return label


def _swatch(color, glyph):
    """A legend glyph in ``color`` on the dark casing, as the line is drawn."""
    style = f"color:{color};background:{CASING_COLOR}"
    return f"<span style='{style}'>&nbsp;<b>{glyph}</b>&nbsp;</span>"


def _value_label(name, bold=False):
    label = QLabel(objectName=name)
    if bold:
        font = QFont(label.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        label.setFont(font)
    return label


def _factor(value, scale=None):
    """A factor of a product written out: "(-2.1)"."""
    return f"({fmt(value, scale=scale)})"


class DirectionPanel(QWidget):
    """Everything about D_u f at the model's current point, for the angle model.angle."""

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.setObjectName("directionPanel")
        self.model = model
        self.result = None   # the last Directional shown, or None
        self.state = NO_FUNCTION
        self._shown = None   # (function, point, window, kind) the point's views were drawn for
        self._stale = None   # the plots wait for the tab to be shown: "point", "angle" or None
        self._grad = (math.nan, math.nan)
        self._zs = None      # the slice's z values, or None where there is no slice to draw
        self._frame = QTimer(self, singleShot=True, interval=FRAME_MS)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addLayout(self._build_top())
        layout.addWidget(_caption("D<sub>u</sub>f against φ: a sinusoid of amplitude ‖∇f‖"))
        self.curve_plot = CurvePlot(height=CURVE_HEIGHT)
        layout.addWidget(self.curve_plot)
        layout.addWidget(self._build_details())
        layout.addStretch(1)
        # the plot items, as attributes of the panel
        self.curve = self.curve_plot.curve
        self.extrema = self.curve_plot.extrema
        self.phi_line = self.curve_plot.phi_line
        self.marker = self.curve_plot.marker
        self.curve_labels = self.curve_plot.labels
        self.slice_curve = self.slice_plot.curve
        self.tangent_line = self.slice_plot.tangent
        self.slice_point = self.slice_plot.point

        self.dial.angleChanging.connect(self._on_dial_turning)
        self._frame.timeout.connect(lambda: model.preview_angle(self.dial.angle()))
        self.dial.angleChanged.connect(self._on_dial_settled)
        self.snap_along.clicked.connect(lambda _checked=False: self._snap(0.0))
        self.snap_against.clicked.connect(lambda _checked=False: self._snap(math.pi))
        self.snap_level.clicked.connect(lambda _checked=False: self._snap(math.pi / 2))
        model.functionChanged.connect(lambda _fn: self._sync_point(force=True))
        model.pointChanged.connect(lambda _x, _y: self._sync_point())
        # a run that cannot start (f undefined at the start) emits no pointChanged
        model.trajectoryChanged.connect(self._sync_point)
        model.windowChanged.connect(lambda _x, _y: self._sync_point())
        model.angleChanging.connect(self._on_angle_changed)
        model.angleChanged.connect(self._on_angle_changed)
        self.dial.setAngle(model.angle)
        self._sync_point(force=True)

    # ----- construction -----------------------------------------------------------
    def _on_scale_changed(self, _percent):
        self.dial.setFixedSize(self.dial.sizeHint())  # the dial grows with the text

    def _build_top(self):
        """The dial, and beside it the readouts and the legend; below, the snap buttons, the
        identity D_u f = ∇f·u = ‖∇f‖ cos θ and the chain rule, each value in a slot sized for
        its longest text, so that a new value never moves anything."""
        self.dial = DirectionDial()
        self.dial.setFixedSize(self.dial.sizeHint())
        ui_scale().scaleChanged.connect(self._on_scale_changed)
        self.phi_label = _value_label("phiValue")
        self.u_label = _value_label("uValue")
        self.grad_label = _value_label("gradientValue")
        self.norm_label = _value_label("gradNormValue")
        self.theta_label = _value_label("thetaValue")
        self.cos_label = _value_label("cosThetaValue")
        readouts = QGridLayout()
        readouts.setHorizontalSpacing(8)
        readouts.setVerticalSpacing(1)
        for i, (name, label, sample, tip) in enumerate((
                ("φ", self.phi_label, "-359.9°", "φ: the direction of u, from the x axis"),
                ("u", self.u_label, "(-0.7071, -0.7071)", "u = (cos φ, sin φ)"),
                ("∇f", self.grad_label, None, "∇f = (∂f/∂x, ∂f/∂y) at the point"),
                ("‖∇f‖", self.norm_label, None, "‖∇f‖: the length of ∇f"),
                ("θ", self.theta_label, "undefined: ∇f ≈ 0", "θ: the angle from ∇f to u"),
                ("cos θ", self.cos_label, "undefined: ∇f ≈ 0", "cos θ = ∇f·u / ‖∇f‖"))):
            name = QLabel(name)
            name.setToolTip(tip)
            label.setToolTip(tip)
            readouts.addWidget(name, i, 0)
            if sample is None:  # depends on the point alone: may wrap, and move the rest
                label.setWordWrap(True)
                readouts.addWidget(label, i, 1)
            else:
                readouts.addWidget(Slot(label, sample), i, 1)
        readouts.setColumnStretch(1, 1)
        self.snap_along = QPushButton("along ∇f", objectName="snapAlong")
        self.snap_along.setToolTip("Snap u = ∇f/‖∇f‖: θ = 0, D_u f = ‖∇f‖ is largest "
                                   "(steepest ascent)")
        self.snap_against = QPushButton("against ∇f", objectName="snapAgainst")
        self.snap_against.setToolTip("Snap u = −∇f/‖∇f‖: θ = 180°, D_u f = −‖∇f‖ "
                                     "(steepest descent)")
        self.snap_level = QPushButton("level curve", objectName="snapLevel")
        self.snap_level.setToolTip("Snap u along the level curve, u ⟂ ∇f: θ = 90°, D_u f = 0 "
                                   "(f does not change to first order)")
        snaps = QHBoxLayout()
        snaps.setSpacing(3)
        snaps.addWidget(QLabel("Snap u:"))
        for button in (self.snap_along, self.snap_against, self.snap_level):
            snaps.addWidget(button)
        items = ((_swatch(U_COLOR, "━━"), "u (drag, scroll, keys)"), (_swatch(GRAD_COLOR, "━━"), "∇f"),
                 (f"<span style='color:{THETA_COLOR}'><b>━━</b></span>", "θ"),
                 (f"<span style='color:{PROJECTION_COLOR}'><b>━━</b></span>", "‖∇f‖ cos θ"),
                 (_swatch(TANGENT_COLOR, "┅┅"), "level curve"))
        # lines break between the items, never inside one
        legend = QLabel(" &nbsp; ".join(f"{glyph}&nbsp;{words.replace(' ', '&nbsp;')}"
                                         for glyph, words in items), objectName="dialLegend")
        legend.setToolTip("‖∇f‖ cos θ: ∇f projected onto u, the leg from the centre along u to "
                          "the foot of the dashed perpendicular from ∇f's tip. It is D_u f, and "
                          "longest when u points along ∇f (θ = 0).")
        legend.setWordWrap(True)
        font = QFont(legend.font())
        font.setPointSizeF(font.pointSizeF() * 0.85)
        legend.setFont(font)
        side = QVBoxLayout()
        side.setSpacing(3)
        side.addLayout(readouts)
        side.addStretch(1)
        side.addWidget(legend)
        row = QHBoxLayout()
        row.setSpacing(6)
        row.addWidget(self.dial, 0, Qt.AlignTop)
        row.addLayout(side, 1)

        self.value_label = _value_label("directionalDerivativeValue", bold=True)
        self.polar_label = _value_label("directionalDerivativePolar", bold=True)
        # plain text, so that a new value is laid out and painted at once (a rich-text label
        # lays its text out lazily and paints a second time)
        self.chain_label = _value_label("chainRuleValue")
        self.chain_label.setTextFormat(Qt.PlainText)
        chain_rule = MathView(max_lines=1.5, objectName="chainRuleFormula")
        chain_rule.set_formula(*CHAIN_RULE)
        chain_rule.setToolTip(
            "The chain rule along the line p + z u: the slope at z = 0 of the slice "
            "g(z) = f(p + z u) is ∂f/∂x · dx/dz + ∂f/∂y · dy/dz, with (dx/dz, dy/dz) = u. "
            "It is D_u f.")
        self.message = QLabel(objectName="directionMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #8a6d00;")
        self.message.setVisible(False)
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(1)
        for (name, tex, text), (r, c, rows) in zip(IDENTITY, ((0, 0, 2), (0, 1, 1), (0, 2, 1))):
            caption = MathView(max_lines=1.5, objectName=name)  # D_u f = ∇f·u = ‖∇f‖ cos θ
            caption.set_formula(tex, text)
            grid.addWidget(caption, r, c, rows, 1)
        grid.addWidget(Slot(self.value_label, "undefined here"), 1, 1)
        grid.addWidget(Slot(self.polar_label, "undefined here"), 1, 2)
        chain = QHBoxLayout()  # the formula, and its numbers beside it on up to two lines
        chain.setSpacing(6)
        chain.addWidget(chain_rule, 0, Qt.AlignVCenter)
        self.chain_label.setWordWrap(True)
        chain.addWidget(Slot(self.chain_label, "= (-1.234e-10)(-0.7071) +", lines=2), 1)
        grid.addLayout(chain, 2, 0, 1, 3)
        grid.addWidget(self.message, 3, 0, 1, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        top = QVBoxLayout()
        top.setSpacing(3)
        top.addLayout(row)
        top.addLayout(snaps)
        top.addLayout(grid)
        return top

    def _build_details(self):
        """The slice, the traces, and the limit table with the total differential: one tab
        each, so that the dial, the readouts and the sinusoid fit without scrolling."""
        self.details = QTabWidget(objectName="directionDetails")
        self.details.setDocumentMode(True)
        self.slice_plot = TangentPlot("slicePlot", U_COLOR, casing=CASING_COLOR)
        self.trace_x = TangentPlot("traceX", TRACE_X_COLOR, height=TRACE_HEIGHT)
        self.trace_y = TangentPlot("traceY", TRACE_Y_COLOR, height=TRACE_HEIGHT)
        self.trace_x_caption = _caption("", "traceXCaption")
        self.trace_y_caption = _caption("", "traceYCaption")
        self.table = LimitTable()
        self.differential = DifferentialLabel()
        pages = (
            ("Slice g(z)", (
                _caption("Slice g(z) = f(p + z u) (in u's colour) and its tangent at z = 0 "
                         "with slope g′(0) = D<sub>u</sub>f (dashed)"), self.slice_plot)),
            ("Partial derivatives", (self.trace_x_caption, self.trace_x,
                                     self.trace_y_caption, self.trace_y)),
            ("Limit and df", (
                _caption("Limit definition: (f(p + h u) − f(p)) / h → D<sub>u</sub>f"), self.table,
                _caption(f"Total differential for a small step ds = h u (h = {fmt(DIFF_STEP)})"),
                Slot(self.differential, "Δf = f(p + ds) − f(p) = -1.234e-10", lines=4))))
        for title, widgets in pages:
            page = QWidget()
            box = QVBoxLayout(page)
            box.setContentsMargins(0, 2, 0, 0)
            box.setSpacing(2)
            for widget in widgets:
                box.addWidget(widget)
            box.addStretch(1)
            self.details.addTab(page, title)
        self.differential.setWordWrap(True)
        return self.details

    def reveal(self, widget):
        """Open the details tab that holds ``widget``, if one does."""
        for index in range(self.details.count()):
            if self.details.widget(index).isAncestorOf(widget):
                self.details.setCurrentIndex(index)

    # ----- widgets → model ------------------------------------------------------------
    def _snap(self, offset):
        gx, gy = self._grad
        if self.state == OK:
            self.model.set_angle(math.atan2(gy, gx) + offset)

    def _on_dial_turning(self, _phi):
        if not self._frame.isActive():  # the frame's preview will take the dial's angle then
            self._frame.start()

    def _on_dial_settled(self, phi):
        self._frame.stop()  # a preview still waiting is older than this
        self.model.set_angle(phi)

    # ----- model → widgets ------------------------------------------------------------
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
        """Redraw what depends on the point, the function and the window (then the angle's
        part), unless they are what was drawn last."""
        state = self.model.point_state()
        key = (self.model.function, self.model.current_point, self.model.window,
               state and state.kind)
        if not force and key == self._shown:
            return
        self._shown = key
        d = self._compute(self.model.angle)
        self._grad = d.gradient if d is not None else (math.nan, math.nan)
        self.dial.setGradient(*(self._grad if self.state == OK else (math.nan, math.nan)))
        self.dial.setNote(state.words if state is not None else "")
        for button in (self.snap_along, self.snap_against, self.snap_level):
            button.setEnabled(self.state == OK)
        self._update_gradient(d)
        self._stale = "point"
        self._show_angle(self.model.angle, d)

    def _show_angle(self, phi, d=None):
        """Everything that depends on the angle, and nothing else; the plots only while the
        panel is on a shown tab (a run playing in another tab costs them nothing)."""
        d = d if d is not None else self._compute(phi)
        self.result = d
        self._update_readouts(d)
        self._update_table(d)
        self._update_differential(d)
        self._stale = self._stale or "angle"
        if self.window().isVisible() and not self.isVisible():
            return
        if self._stale == "point":
            self._update_curve()
            self._fit_slice(d)
            self._update_traces(d)
        self._stale = None
        self._update_marker()
        self._update_slice(d)

    def showEvent(self, event):
        super().showEvent(event)
        if self._stale and self.isVisible():
            self._show_angle(self.model.angle, self.result)

    # ----- readouts -------------------------------------------------------------------
    def _update_gradient(self, d):
        """∇f, ‖∇f‖ and the message: they depend on the point only."""
        state = self.state
        if state in (OK, ZERO_GRAD):
            self.grad_label.setText(fmt_point(d.gradient, scale=self.model.gradient_scale()))
            self.norm_label.setText(fmt(d.grad_norm))
        else:
            self.grad_label.setText(UNDEFINED)
            self.norm_label.setText(UNDEFINED)
        self.message.setText({
            NO_FUNCTION: "Enter a function to see its directional derivatives.",
            F_UNDEFINED: f"{point.WORDS[point.F_UNDEFINED]}, and so is every derivative.",
            GRAD_UNDEFINED: f"{point.WORDS[point.GRAD_UNDEFINED]}, so D_u f = ∇f·u is too.",
            ZERO_GRAD: f"{point.WORDS[point.FLAT]}: ‖∇f‖ is at most the descent's tolerance "
                       "(or round-off), so θ is undefined and D_u f ≈ 0 in every direction.",
        }.get(state, ""))
        self.message.setVisible(state != OK)

    def _update_readouts(self, d):
        phi = self.model.angle
        ux, uy = math.cos(phi), math.sin(phi)
        self.phi_label.setText(f"{fmt(math.degrees(phi), scale=360)}°")
        self.u_label.setText(fmt_point((ux, uy), scale=1))  # cos 90° is 6e-17: round-off
        state = self.state
        if state in (OK, ZERO_GRAD):
            gx, gy = d.gradient
            terms = abs(gx) + abs(gy)  # D_u f = gx ux + gy uy: round-off relative to this is 0
            grad = self.model.gradient_scale()
            value = fmt(d.value, scale=terms)
            self.value_label.setText(value)
            self.polar_label.setText(fmt(d.value_polar, scale=terms))
            self.chain_label.setText(
                f"= {_factor(gx, grad)}{_factor(ux, 1)} + {_factor(gy, grad)}{_factor(uy, 1)} "
                f"= {value}")
        else:
            for label in (self.value_label, self.polar_label):
                label.setText(UNDEFINED)
            self.chain_label.setText(f"= {UNDEFINED}")
        if state == OK:
            self.theta_label.setText(f"{fmt(d.theta_deg, scale=360)}°")
            self.cos_label.setText(fmt(d.cos_theta, scale=1))
        elif state == ZERO_GRAD:
            self.theta_label.setText("undefined: ∇f ≈ 0")
            self.cos_label.setText("undefined: ∇f ≈ 0")
        else:
            self.theta_label.setText(UNDEFINED)
            self.cos_label.setText(UNDEFINED)

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

    def _slice_halfwidth(self):
        (x0, x1), (y0, y1) = self.model.window
        r = SLICE_FRACTION * max(x1 - x0, y1 - y0)
        return r if math.isfinite(r) and r > 0 else 0.5

    def _drawable(self, d):
        """f is a number we can plot at the point."""
        return d is not None and self.state not in (NO_FUNCTION, F_UNDEFINED) and abs(d.f) <= PLOT_LIMIT

    def _fit_slice(self, d):
        """The slice plot's range, once per point: wide enough for the slice and its tangent
        in every direction, so that turning the dial never moves the axes."""
        self._zs = None
        if not self._drawable(d):
            return
        r = self._slice_halfwidth()
        self._zs = np.linspace(-r, r, SLICE_POINTS)
        every = all_slices(self.model.function, d.point, self._zs, SLICE_ANGLES)
        rise = d.grad_norm * r if self.state in (OK, ZERO_GRAD) else math.nan  # |D_u f| ≤ ‖∇f‖
        self.slice_plot.fit((-r, r), every, [d.f, d.f - rise, d.f + rise])

    def _update_slice(self, d):
        if self._zs is None or d is None:
            self.slice_plot.clear_curve()
            return
        gs = slice_values(self.model.function, d.point, d.phi, self._zs)
        slope = d.value if self.state in (OK, ZERO_GRAD) else None
        self.slice_plot.set_curve(self._zs, gs, 0.0, d.f, slope)

    def _update_traces(self, d):
        """f(x, b) against x and f(a, y) against y, with the tangents of slope f_x and f_y."""
        plots = ((self.trace_x, self.trace_x_caption, "x", "f<sub>x</sub>"),
                 (self.trace_y, self.trace_y_caption, "y", "f<sub>y</sub>"))
        if not self._drawable(d):
            for plot, caption, var, partial in plots:
                plot.clear_curve()
                caption.setText(f"Trace through the point along {var}: {UNDEFINED}")
            return
        a, b = d.point
        zs = self._zs  # the slice's, set by _fit_slice for this point
        r = float(zs[-1])
        values = traces(self.model.function, d.point, zs)
        slopes = d.gradient if self.state in (OK, ZERO_GRAD) else (None, None)
        names = (f"f(x, {fmt(b)}) against x", f"f({fmt(a)}, y) against y")
        for (plot, caption, var, partial), origin, gs, slope, name in zip(
                plots, (a, b), values, slopes, names):
            xs = origin + zs
            plot.set_curve(xs, gs, origin, d.f, slope)
            rise = abs(slope) * r if slope is not None else math.nan
            plot.fit((xs[0], xs[-1]), gs, [d.f, d.f - rise, d.f + rise])
            shown = (fmt(slope, scale=self.model.gradient_scale()) if slope is not None
                     else UNDEFINED)
            caption.setText(f"{name}, and its tangent with slope {partial} = {shown} (dashed)")

    def _update_table(self, d):
        has_f = d is not None and self.state not in (NO_FUNCTION, F_UNDEFINED)
        target = d.value if has_f and self.state in (OK, ZERO_GRAD) else math.nan
        self.table.set_quotients([q for _, q in d.quotients] if has_f else None, target)

    def _update_differential(self, d):
        if d is None or self.state not in (OK, ZERO_GRAD):
            self.differential.set_differential()
            return
        ux, uy = d.u
        self.differential.set_differential(
            differential(self.model.function, d.point, (DIFF_STEP * ux, DIFF_STEP * uy)))
