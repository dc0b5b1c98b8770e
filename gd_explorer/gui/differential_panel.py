"""The total differential: a small step ds = (dx, dy) from the point p, the rise df on the
tangent plane against the actual change Δf on the surface, and how their gap shrinks like
‖ds‖² (a log–log plot). The step is the model's (``ds``); the map's handle sets it too."""
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..core import point as points
from ..core.calculus import differential, gap_order
from ..core.fmt import fmt, fmt_factor, fmt_point, round_significant
from .colors import CASING_COLOR, DS_COLOR, GAP_COLOR, TANGENT_COLOR
from .direction_plots import SmallPlot
from .layout_parts import readout
from .number_fields import ERROR_COLOR, NumberSpinBox, refusal, show_refusal

DS_LIMIT = 1e6          # the fields take steps up to this size
INTRO = ("Take a small step ds = (dx, dy) from the point p. The tangent plane predicts the "
         "change of f, df = f<sub>x</sub> dx + f<sub>y</sub> dy. The surface gives the actual "
         "change, Δf = f(p + ds) − f(p). The gap Δf − df shrinks like ‖ds‖²: halve ds and it "
         "drops to about a quarter, so for small steps df ≈ Δf.")
NOTES = {
    None: "Enter a function to see its total differential.",
    points.F_UNDEFINED: f"{points.WORDS[points.F_UNDEFINED]}, and so is every derivative.",
    points.GRAD_UNDEFINED: f"{points.WORDS[points.GRAD_UNDEFINED]}: there is no tangent "
                           "plane, so df = f<sub>x</sub> dx + f<sub>y</sub> dy is undefined.",
}


def mark(color, glyph="●"):
    """A legend glyph in ``color`` on the dark casing, as the mark is drawn."""
    return (f"<span style='color:{color};background:{CASING_COLOR}'>"
            f"&nbsp;<b>{glyph}</b>&nbsp;</span>")


class GapPlot(SmallPlot):
    """|Δf − df| against ‖ds‖ on log–log axes for ds, ds/2, ds/4, …, with a reference line
    of slope 2 through the largest step."""

    def __init__(self):
        super().__init__("differentialGapPlot")
        plot = self.getPlotItem()
        plot.setLogMode(True, True)
        self.reference = plot.plot(pen=pg.mkPen("#777777", width=1.5, style=Qt.DashLine))
        self.gaps = plot.plot(pen=None, symbol="o", symbolSize=6, symbolBrush="#333333",
                              symbolPen=None)
        self.current = plot.plot(pen=None, symbol="o", symbolSize=10,
                                 symbolBrush=pg.mkBrush(DS_COLOR), symbolPen=pg.mkPen(CASING_COLOR))
        self.norms = self.values = np.empty(0)  # what is drawn, in data units (for tests)

    def clear_gaps(self):
        self.norms = self.values = np.empty(0)
        for item in (self.reference, self.gaps, self.current):
            item.setData([], [])

    def set_gaps(self, order):
        """Draw a core GapOrder: its resolved gaps, the first (ds itself) marked."""
        norms, values = order.norms[order.resolved], order.gaps[order.resolved]
        self.norms, self.values = norms, values
        if len(norms) == 0:
            self.clear_gaps()
            return
        self.gaps.setData(norms, values)
        first = order.resolved[0]
        self.current.setData(norms[:1] if first else [], values[:1] if first else [])
        ends = norms[[0, -1]]
        reference = values[0] * (ends / norms[0]) ** 2
        self.reference.setData(ends, reference)
        self._fit(np.log10(ends), np.log10(np.concatenate([values, reference])))

    def _fit(self, xs, ys):
        """Ranges (in decades) around the drawn values, ticks at whole decades with fmt."""
        plot = self.getPlotItem()
        for axis, values, setter in (("bottom", xs, plot.setXRange), ("left", ys, plot.setYRange)):
            lo, hi = float(np.min(values)), float(np.max(values))
            pad = max(0.08 * (hi - lo), 0.25)
            setter(lo - pad, hi + pad, padding=0)
            first, last = math.ceil(lo - pad), math.floor(hi + pad)
            stride = max(1, math.ceil((last - first + 1) / 5))
            plot.getAxis(axis).setTicks(
                [[(k, fmt(10.0 ** k)) for k in range(first, last + 1, stride)], []])


class DifferentialPanel(QWidget):
    """The total differential at the model's current point for the model's step ds."""

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.setObjectName("differentialPanel")
        self.model = model
        self.result = None   # the last core Differential shown, or None
        self.order = None    # the last core GapOrder drawn, or None

        intro = QLabel(INTRO)
        intro.setTextFormat(Qt.RichText)
        intro.setWordWrap(True)
        intro.setStyleSheet("color: #444;")
        self.dx = NumberSpinBox(-DS_LIMIT, DS_LIMIT, objectName="dsX")
        self.dy = NumberSpinBox(-DS_LIMIT, DS_LIMIT, objectName="dsY")
        for field, name in ((self.dx, "dx"), (self.dy, "dy")):
            field.setKeyboardTracking(False)  # a value on Enter, not at every key
            field.setToolTip(f"{name}, the {name[1]} part of the step ds (or drag the ds "
                             "handle on the map)")
        self.field_message = QLabel(objectName="dsMessage")
        self.field_message.setWordWrap(True)
        self.field_message.setStyleSheet(f"color: {ERROR_COLOR};")
        self.field_message.setVisible(False)
        self.point_label = readout("differentialPoint")
        self.df_label = readout("dfValue")
        self.actual_label = readout("deltaFValue")
        self.gap_label = readout("differentialGap")
        self.message = QLabel(objectName="differentialMessage")
        self.message.setTextFormat(Qt.RichText)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #8a6d00;")
        self.plot = GapPlot()
        self.order_label = readout("gapOrder")

        row = QHBoxLayout()
        row.addWidget(QLabel("ds = ("))
        row.addWidget(self.dx, 1)
        row.addWidget(QLabel(","))
        row.addWidget(self.dy, 1)
        row.addWidget(QLabel(")"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(intro)
        layout.addLayout(row)
        # only while the map is shown: the handle is drawn there alone
        self.drag_hint = QLabel(f"or drag {mark(DS_COLOR, '◆')} ds on the map",
                                objectName="dsDragHint")
        self.drag_hint.setTextFormat(Qt.RichText)
        layout.addWidget(self.drag_hint)
        for widget in (self.field_message, self.point_label, self.df_label, self.actual_label,
                       self.gap_label, self.message):
            layout.addWidget(widget)
        caption = QLabel("How the gap shrinks: |Δf − df| against ‖ds‖ for ds, ds/2, ds/4, … "
                         "(log–log; dashed: slope 2)")
        caption.setWordWrap(True)
        caption.setStyleSheet("font-weight: bold; margin-top: 6px;")
        layout.addWidget(caption)
        layout.addWidget(self.plot)
        layout.addWidget(self.order_label)
        layout.addStretch(1)

        for field in (self.dx, self.dy):
            field.valueChanged.connect(lambda _value, f=field: self._on_field_edited(f))
            field.refused.connect(self._show_refusals)
        self._drawn = None  # what the panel shows: function, point, window, ds, tolerance
        for signal in (model.functionChanged, model.pointChanged, model.trajectoryChanged,
                       model.windowChanged, model.dsChanged):
            signal.connect(self._refresh)
        self._refresh()

    def set_map_shown(self, shown):
        """Whether the contour map is on screen (the view mode): the drag hint with it."""
        self.drag_hint.setVisible(shown)

    # ----- shown while open: the views draw ds then --------------------------------------
    def showEvent(self, event):
        super().showEvent(event)
        if not event.spontaneous():
            self.model.show_ds(True)
            self._refresh()  # what changed while it was hidden

    def hideEvent(self, event):
        super().hideEvent(event)
        # another tab: not the window minimised, closed or taken down
        if not event.spontaneous() and self.window().isVisible():
            self.model.show_ds(False)

    # ----- widgets → model --------------------------------------------------------------
    def _on_field_edited(self, field):
        dx, dy = self.dx.value(), self.dy.value()
        if dx == 0 and dy == 0:  # no step: refused like any other bad value, the old one kept
            kept = self.model.ds
            self._show_ds(kept)
            show_refusal(field, "ds = (0, 0) has no length: make dx or dy non-zero; kept "
                         f"{fmt(kept[0] if field is self.dx else kept[1])}")
            self._show_refusals()
            return
        self.model.set_ds(dx, dy)

    def _show_refusals(self, _message=""):
        """The fields' refusals, in words under them ("" hides the line)."""
        why = "\n".join(f"{name}: {refusal(field)}"
                        for name, field in (("dx", self.dx), ("dy", self.dy)) if refusal(field))
        self.field_message.setText(why)
        self.field_message.setVisible(bool(why))

    # ----- model → widgets --------------------------------------------------------------
    def _show_ds(self, ds):
        for field, value in zip((self.dx, self.dy), ds):
            if field.value() != value:
                field.blockSignals(True)
                field.setValue(value)
                field.blockSignals(False)
        step = round_significant(0.1 * math.hypot(*ds))
        for field in (self.dx, self.dy):
            field.setSingleStep(step)

    def _refresh(self, *_args):
        """Recompute and show everything for the current point and ds (while shown: a run
        playing in another tab costs nothing here)."""
        if not self.isVisible():
            return
        model = self.model
        key = (model.function, model.current_point, model.window, model.ds, model.tol)
        if key == self._drawn:  # a step emits pointChanged and trajectoryChanged: once
            return
        self._drawn = key
        ds = model.ds
        self._show_ds(ds)
        self._show_refusals()
        state = model.point_state()
        kind = state.kind if state is not None else None
        d = None
        if kind is not None and kind != points.F_UNDEFINED:
            d = differential(model.function, (state.x, state.y), ds)
        self.result = d if state is not None and state.has_gradient else None
        self._show_numbers(state, d, ds)
        self._show_order(state, d)

    def _show_numbers(self, state, d, ds):
        norm = fmt(math.hypot(*ds))
        if d is None:
            self.point_label.setText(f"‖ds‖ = {norm}")
            for label, text in ((self.df_label, "df: undefined"),
                                (self.actual_label, "Δf: undefined"),
                                (self.gap_label, "Δf − df: undefined")):
                label.setText(text)
            self._note(NOTES[state.kind if state is not None else None])
            return
        (gx, gy), (dx, dy) = d.gradient, d.ds
        scale = self.model.gradient_scale()  # round-off of f_x, f_y is shown as 0
        grad = (f"f<sub>x</sub> = {fmt(gx, scale=scale)}, f<sub>y</sub> = {fmt(gy, scale=scale)}"
                if state.has_gradient else "∇f undefined")
        self.point_label.setText(f"‖ds‖ = {norm}; at p = {fmt_point(d.point)}: "
                                 f"f = {fmt(d.f)}, {grad}")
        defined_step = math.isfinite(d.f_step)
        actual = (f"{fmt(d.f_step)} − {fmt_factor(d.f)} = <b>{fmt(d.actual, scale=d.gap_scale)}</b>"
                  if defined_step else "undefined")
        self.actual_label.setText(f"{mark(DS_COLOR)} Δf = f(p + ds) − f(p) = {actual}"
                                  "<br>the actual rise, to the surface")
        if not state.has_gradient:
            self.df_label.setText(f"{mark(TANGENT_COLOR)} df = f<sub>x</sub> dx + "
                                  "f<sub>y</sub> dy: undefined")
            self.gap_label.setText(f"{mark(GAP_COLOR, '┃')} Δf − df: undefined")
            self._note(NOTES[state.kind])
            return
        self.df_label.setText(
            f"{mark(TANGENT_COLOR)} df = f<sub>x</sub> dx + f<sub>y</sub> dy = "
            f"{fmt_factor(gx, scale)}·{fmt_factor(dx)} + {fmt_factor(gy, scale)}·{fmt_factor(dy)} = "
            f"<b>{fmt(d.df, scale=d.df_scale)}</b><br>the rise on the tangent plane")
        gap = fmt(d.gap, scale=d.gap_scale) if defined_step else "undefined"
        self.gap_label.setText(f"{mark(GAP_COLOR, '┃')} Δf − df = <b>{gap}</b>"
                               "<br>the gap from the plane to the surface")
        self._note("" if defined_step else
                   "f is undefined at p + ds: try a smaller step or another direction.")

    def _note(self, text):
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _show_order(self, state, d):
        if d is None or not state.has_gradient or not math.isfinite(d.f_step):
            self.order = None
            self.plot.clear_gaps()
            self.order_label.setText("")
            return
        self.order = order = gap_order(self.model.function, d.point, d.ds)
        self.plot.set_gaps(order)
        if math.isfinite(order.order):
            self.order_label.setText(
                f"Fitted slope: <b>{fmt(order.order, digits=3)}</b>. A slope of 2 means the "
                "gap is of order ‖ds‖²: halving ds divides it by about 4.")
        elif not order.resolved.any():
            self.order_label.setText(
                "Δf − df is 0 for every step (up to round-off): along ds the surface does not "
                "leave its tangent plane, as for a linear f.")
        else:
            self.order_label.setText("Too few of the steps give a gap above round-off to fit "
                                     "a slope.")
