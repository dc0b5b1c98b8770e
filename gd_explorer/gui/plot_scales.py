"""What the loss and sweep plots share: how f is put on the y axis (log, f − f_min or linear),
axes whose tick labels use the one number format, and thinning long runs for drawing.

Log scales are drawn by hand: the items hold log10 of the values and a FmtAxis in log mode
labels them, so every item (lines, markers, text) lives in the same coordinates.
"""
import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg

from ..core.fmt import ROUND_OFF, fmt

PLOT_LIMIT = 1e100  # larger values are not drawn on a linear scale (pyqtgraph overflows)
MAX_DRAWN = 5000    # thin longer runs to about this many points


class FmtAxis(pg.AxisItem):
    """An axis labelled with fmt (4 significant digits, never "-0") in linear and log mode,
    without an SI prefix or a scale factor in its label."""

    def __init__(self, orientation, **kwargs):
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)
        self.last_value = math.inf  # no tick beyond this (a row of marks that are not values)

    def tickValues(self, minVal, maxVal, size):
        levels = super().tickValues(minVal, maxVal, size)
        return [(spacing, [v for v in values if v <= self.last_value])
                for spacing, values in levels]

    def tickStrings(self, values, scale, spacing):
        if self.logMode:
            return [fmt(10.0 ** v * scale) for v in values]
        return fmt_ticks(values, scale, spacing)


def fmt_ticks(values, scale, spacing):
    """Linear tick labels in the one number format (pyqtgraph's own wrote "1e-06", "5e+07")."""
    return [fmt(v * scale, scale=spacing * scale) for v in values]


def fmt_axes(log_x=False):
    """The axisItems of a PlotWidget with FmtAxis on the left and bottom."""
    bottom = FmtAxis("bottom")
    bottom.setLogMode(log_x)
    return {"left": FmtAxis("left"), "bottom": bottom}


def thin(rows, most=MAX_DRAWN):
    """Every k-th row and the last one, k = len(rows) // most: about ``most`` rows to draw."""
    stride = max(1, len(rows) // most)
    if stride == 1:
        return rows
    picked = rows[::stride]
    if (len(rows) - 1) % stride:
        picked = np.concatenate([picked, rows[-1:]])
    return picked


@dataclass(frozen=True)
class Scale:
    """How values of f are drawn: ``kind`` "log" (f on a log scale), "shifted" (f − f_min on a
    log scale) or "linear"; ``title`` says which in words."""

    kind: str
    f_min: float = 0.0
    title: str = "f"
    short: str = "f"

    @property
    def log(self):
        return self.kind != "linear"

    def shown(self, f):
        """The values the scale shows for ``f`` (before the log): f, or f − f_min."""
        return np.asarray(f, dtype=np.float64) - self.f_min

    def title_for(self, f):
        """The title, saying where values a log scale cannot show are drawn, if any are."""
        at = "f = f_min" if self.kind == "shifted" else "f = 0"
        return self.title + (f"; {at} drawn at the bottom"
                             if self.log and drawn_at_floor(self.shown(f)) else "")

    def coords(self, f, floor=None):
        """y coordinates for ``f`` (see log_coords)."""
        v = self.shown(f)
        return log_coords(v, floor) if self.log else linear_coords(v)


def choose_scale(f_low, minimum=None, f_high=math.inf):
    """The Scale for runs whose f lies in [``f_low``, ``f_high``]: log where f > 0 along them;
    else f − f_min on a log scale when the lowest minimum found (f_min = ``minimum``) is not
    above any of them; else linear. f = 0 (or f − f_min = 0 up to round-off) is drawn at the
    bottom of a log scale; where nothing would be above it, the scale is linear."""
    if not math.isfinite(f_low) or f_low >= 0:
        if not f_high > 0 and math.isfinite(f_low):
            return Scale("linear", 0.0, "f", "f")
        return Scale("log", 0.0, "f (log scale)", "f (log scale)")
    if minimum is not None and math.isfinite(minimum):
        if f_low - minimum >= -ROUND_OFF * abs(minimum) and f_high > minimum:
            return Scale("shifted", minimum, f"f − f_min, f_min = {fmt(minimum)} (lowest minimum "
                                             "found)", "f − f_min (log scale)")
        if f_low - minimum < -ROUND_OFF * abs(minimum):
            return Scale("linear", 0.0, "f (a run went below the lowest minimum found)", "f")
    return Scale("linear", 0.0, "f", "f")


def lowest_minimum(critical):
    """f at the lowest minimum among critical points (objects with .f and .kind), or None."""
    values = [p.f for p in critical or () if p.kind == "minimum" and math.isfinite(p.f)]
    return min(values) if values else None


def log_floor(values):
    """Where values ≤ 0 go on a log scale: a decade below the lowest positive one (NaN, not
    drawn, when none is positive: a log scale has no place for them then)."""
    v = np.asarray(values, dtype=np.float64)
    positive = v[np.isfinite(v) & (v > 0)]
    return math.floor(np.log10(positive.min())) - 1.0 if positive.size else math.nan


def drawn_at_floor(values):
    """Whether log_coords puts some of ``values`` at the floor (some ≤ 0, some positive)."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    return bool((v <= 0).any() and (v > 0).any())


def log_coords(values, floor=None):
    """log10 of ``values``; values ≤ 0 at ``floor`` (log_floor by default), non-finite as NaN."""
    v = np.asarray(values, dtype=np.float64)
    floor = log_floor(v) if floor is None else floor
    out = np.full(v.shape, np.nan)
    finite = np.isfinite(v)
    positive = finite & (v > 0)
    out[positive] = np.log10(v[positive])
    out[finite & ~positive] = floor
    return out


def linear_coords(values):
    """``values`` with those pyqtgraph cannot draw (non-finite or huge) as NaN."""
    v = np.array(values, dtype=np.float64)
    v[~(np.abs(v) <= PLOT_LIMIT)] = np.nan
    return v
