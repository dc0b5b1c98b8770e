"""f(x) as a curve, for functions of x alone: samples, and the f-range to show them in."""
import numpy as np

from .grid import DRAW_LIMIT, robust_range

CURVE_POINTS = 1500
FULL_RANGE_FACTOR = 3.0  # show every value unless the extremes span more than this many
                         # times the 5th-95th percentile range (then a pole is near)
PAD = 0.08               # of the range, above and below


def sample_curve(function, xrange, count=CURVE_POINTS):
    """(xs, fs): f at ``count`` points from x0 to x1, taken at y = 0 (f does not depend on
    y); undefined values are NaN and values beyond ±1e150 are clipped to it."""
    x0, x1 = (float(v) for v in xrange)
    xs = np.linspace(x0, x1, int(count))
    fs = np.array(function.value(xs, np.zeros_like(xs)), dtype=np.float64)
    fs[~np.isfinite(fs)] = np.nan
    np.clip(fs, -DRAW_LIMIT, DRAW_LIMIT, out=fs)
    return xs, fs


def curve_range(values):
    """(lo, hi) to show a curve in: all its values, unless a few (near a pole) lie far
    beyond the rest; then its 5th to 95th percentile. Padded; None if none is finite."""
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    robust = robust_range(values, 5.0, 95.0)
    if robust is None:
        return None
    lo, hi = float(values.min()), float(values.max())
    if not hi - lo <= FULL_RANGE_FACTOR * (robust[1] - robust[0]):
        lo, hi = robust
    if not hi > lo:  # a constant
        lo, hi = robust_range(values)
    pad = PAD * (hi - lo)
    return lo - pad, hi + pad


def hide_far(fs, lo, hi):
    """``fs`` with values more than one range height beyond [lo, hi] as NaN, so the curve
    breaks at a pole instead of joining +big to -big with a vertical line."""
    span = hi - lo
    out = np.array(fs, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        out[(out < lo - span) | (out > hi + span)] = np.nan
    return out
