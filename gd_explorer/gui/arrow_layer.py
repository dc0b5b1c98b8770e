"""Arrow sizes on the contour map: ∇f and −∇f drawn to scale (length ‖∇f‖ × one factor for the
whole view), and the gradient-field overlay (−∇f on a grid over the view, thin, to the same
scale). The factor is chosen when the view settles, from ‖∇f‖ over the view, and stated in the
legend: "∇f (uphill); length ‖∇f‖ × 0.05"."""
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Signal

from ..core.errors import InputError
from ..core.field import arrow_factor, gradient_field
from ..core.fmt import fmt
from .colors import CASING_COLOR, NEG_GRAD_COLOR
from .observing import observe, stop_observing

FIELD_PIXELS = 36     # a field arrow's cell, in pixels …
FIELD_COLUMNS = (8, 40)  # … with this many cells across the view at least and at most
FIELD_FILL = 0.85     # a typical field arrow fills this much of its cell …
FIELD_TYPICAL = 50    # … typical: the median ‖∇f‖ in view
ARROW_TYPICAL = 90    # alone, a ∇f arrow of this percentile of ‖∇f‖ is as long as the fixed ones
FIELD_CAP = 1.5       # no field arrow is longer than this many cells (the legend says so)
HEAD = 0.3            # a field arrow's head, as a share of its length
HEAD_ANGLE = math.radians(25)


def field_segments(field, factor):
    """Line segments (x, y with connect="pairs") of the arrows of −∇f × ``factor`` at the
    field's points, each with a two-stroke head, and whether any was cut to FIELD_CAP
    cells. No arrow where ∇f is undefined or 0."""
    gx, gy = np.meshgrid(field.xs, field.ys)
    dx, dy = -field.gx * factor, -field.gy * factor
    length = np.hypot(dx, dy)
    keep = np.isfinite(length) & (length > 0)
    cap = FIELD_CAP * field.spacing
    cut = bool((length[keep] > cap).any())
    shrink = np.where(length > cap, cap / np.where(length > 0, length, 1.0), 1.0)
    px, py = gx[keep], gy[keep]
    dx, dy = (dx * shrink)[keep], (dy * shrink)[keep]
    tx, ty = px + dx, py + dy  # the tips
    strokes = [(px, py, tx, ty)]
    for turn in (HEAD_ANGLE, -HEAD_ANGLE):  # the head: back from the tip, turned each way
        c, s = math.cos(turn), math.sin(turn)
        strokes.append((tx, ty, tx - HEAD * (c * dx - s * dy), ty - HEAD * (s * dx + c * dy)))
    xs = np.stack([np.stack([a, c], axis=1) for a, _, c, _ in strokes], axis=1).ravel()
    ys = np.stack([np.stack([b, d], axis=1) for _, b, _, d in strokes], axis=1).ravel()
    return xs, ys, cut


class ArrowLayer(QObject):
    """The scale of the gradient arrows and the field overlay of one ContourView.
    ``fixed``: the direction-only arrows' length as a share of the view's width."""

    changed = Signal()  # a new factor: the view redraws its arrows

    def __init__(self, view, fixed):
        super().__init__(view)
        self.view, self.model, self.fixed = view, view.model, fixed
        self.scaled = False        # ∇f and −∇f drawn with length ‖∇f‖ × factor
        self.field_shown = False   # the field overlay
        self.factor = None         # the view's factor (None: nothing to scale)
        self.cut = False           # some field arrows were cut to FIELD_CAP cells
        self.recomputes = 0        # how often the field was sampled (tests count work)
        self._key = None
        self.field = None
        self.curve = pg.PlotCurveItem(pen=pg.mkPen(NEG_GRAD_COLOR, width=1.0), connect="pairs",
                                      shadowPen=pg.mkPen(CASING_COLOR, width=2.6))
        self.curve.setZValue(2)  # over the contours, under paths and markers
        view.getPlotItem().addItem(self.curve)
        self._subscriptions = observe([
            (self.model.functionChanged, lambda _fn: self.refresh()),
            (self.model.windowChanged, lambda *_: self.refresh()),
        ])

    def close(self):
        stop_observing(self._subscriptions)

    def set_scaled(self, on):
        self.scaled = bool(on)
        self.refresh(force=True)

    def set_field_shown(self, on):
        self.field_shown = bool(on)
        self.refresh(force=True)

    def arrow_length(self, norm, fixed):
        """The length of the ∇f and −∇f arrows for ‖∇f‖ = ``norm``: ``fixed`` (direction only)
        unless they are drawn to scale."""
        if self.scaled and self.factor is not None:
            return norm * self.factor
        return fixed

    @property
    def scale_text(self):
        """"length ‖∇f‖ × 0.05", or "" when no arrow is drawn to scale."""
        if self.factor is None or not (self.scaled or self.field_shown):
            return ""
        return f"length ‖∇f‖ × {fmt(self.factor)}"

    def refresh(self, force=False):
        """Sample ∇f over the visible view and choose the factor, when the view has settled
        (or the function, window or an option changed); then redraw the arrows."""
        fn = self.model.function
        if fn is None:
            return
        vb = self.view.getViewBox()
        (x0, x1), (y0, y1) = vb.viewRange()
        columns = int(np.clip(vb.width() // FIELD_PIXELS, *FIELD_COLUMNS))
        key = (fn, x0, x1, y0, y1, columns, self.scaled, self.field_shown)
        if key == self._key and not force:
            return
        self._key = key
        self.field = self.factor = None
        if self.scaled or self.field_shown:
            try:
                self.field = gradient_field(fn, (x0, x1), (y0, y1), columns)
            except InputError:
                self.field = None
            self.recomputes += 1
        if self.field is not None:
            # with the field shown, a typical field arrow fills most of its cell, and the ∇f
            # arrows share its scale; alone, a typical ∇f arrow is as long as the fixed ones
            self.factor = (arrow_factor(self.field.norms, FIELD_FILL * self.field.spacing,
                                        FIELD_TYPICAL) if self.field_shown
                           else arrow_factor(self.field.norms, self.fixed * (x1 - x0),
                                             ARROW_TYPICAL))
        self._draw_field()
        self._label()
        self.changed.emit()

    def _draw_field(self):
        self.cut = False
        if self.field_shown and self.field is not None and self.factor is not None:
            xs, ys, self.cut = field_segments(self.field, self.factor)
            self.curve.setData(xs, ys)
        else:
            self.curve.setData([], [])
        # hidden while empty: Qt pads an empty item's bounds for antialiasing and still asks
        # Python to paint it at every frame
        self.curve.setVisible(len(self.curve.xData) > 0)

    def _label(self):
        """The scale in the legend: on the ∇f entry, and on the field's entry while shown."""
        legend, scale = self.view.legend, self.scale_text
        label = legend.getLabel(self.view.grad_shaft)
        text = "∇f (uphill)" + (f"; {scale}" if self.scaled and scale else "")
        if label is not None and label.text != text:  # (the same text: the legend as it is)
            label.setText(text)
        field = (f"−∇f field; {scale}" + (", some cut short" if self.cut else "")
                 if self.field_shown and scale else None)
        legend.set_entry(self.curve, field)
