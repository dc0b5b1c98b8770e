"""What a run stopped at, in words: the kind of the critical point there (by the Hessian, as
the critical-point finder decides it) and, where the view's critical points are known,
whether a lower minimum exists: "a local minimum: the lowest minimum found in view is f = 0
at (0, 0)"."""
import math
from dataclasses import dataclass

import numpy as np

from .critical import critical_point_near
from .fmt import fmt, fmt_point
from .grid import check_window

CELLS = 300      # the view is this many cells across (as for find_critical_points)
AT_CELLS = 4     # a run that ends this many cells from a critical point stopped at it
SAME_F = 1e-9    # minima whose f differ by less than this times f's range in view are as low
RANGE_SAMPLES = 21

WORDS = {"minimum": "a minimum", "maximum": "a maximum", "saddle": "a saddle point",
         "degenerate": "a degenerate point"}


@dataclass(frozen=True)
class EndPoint:
    """Where a run stopped, (x, y), and ``near``: the critical point Newton's method reaches
    from there (a core.critical.CriticalPoint, or None); ``cell``: the view's cell size;
    ``f_range``: f's range over the view (for telling equal minima apart from round-off)."""

    x: float
    y: float
    near: object
    cell: float
    f_range: float

    @property
    def distance(self):
        """From the end to its critical point (inf without one)."""
        if self.near is None:
            return math.inf
        return math.hypot(self.near.x - self.x, self.near.y - self.y)

    @property
    def at_critical_point(self):
        return self.distance <= AT_CELLS * self.cell


def stopped_at(function, point, window):
    """The EndPoint of a run that stopped at ``point``, with the view ``window``."""
    (x0, x1), (y0, y1) = check_window(*window)
    xs, ys = np.linspace(x0, x1, RANGE_SAMPLES), np.linspace(y0, y1, RANGE_SAMPLES)
    with np.errstate(all="ignore"):
        z = function.value(xs[np.newaxis, :], ys[:, np.newaxis])
    z = z[np.isfinite(z)]
    f_range = float(np.ptp(np.clip(z, -1e150, 1e150))) if z.size else 0.0
    near = critical_point_near(function, point, window)
    return EndPoint(float(point[0]), float(point[1]), near,
                    max(x1 - x0, y1 - y0) / CELLS, f_range)


def end_words(end, known=None):
    """What the run stopped at, in words. ``known``: the critical points found in the view
    (lowest f first), or None where they have not been looked for."""
    p = end.near
    if p is None:
        return ("no critical point near: ‖∇f‖ is small here, but Newton's method finds no "
                "point where it is 0")
    kind = WORDS[p.kind]
    if not end.at_critical_point:
        return (f"‖∇f‖ is small here, but the nearest critical point, {kind} at "
                f"{fmt_point((p.x, p.y))}, is {fmt(end.distance)} away: a smaller tolerance "
                "gets closer")
    lo, hi = p.eigenvalues
    size = abs(lo) + abs(hi)
    hessian = f"Hessian eigenvalues {fmt(lo, scale=size)}, {fmt(hi, scale=size)}"
    if p.kind == "maximum":
        return f"stopped at a maximum ({hessian})"
    if p.kind == "degenerate":
        return (f"stopped at a degenerate point ({hessian}): neither the Hessian nor f "
                "around it tells its kind")
    what = "a minimum" if p.kind == "minimum" else "a saddle point, not a minimum"
    lowest = next((q for q in known or () if q.kind == "minimum"), None)
    if known is None:
        tail = ": Find critical points to see whether a lower minimum is in view"
    elif lowest is None:
        tail = "; no minimum was found in view"
    elif p.kind == "minimum" and _near(end, lowest):
        what, tail = "the lowest minimum found in view", ""
    elif p.kind == "minimum" and abs(lowest.f - p.f) <= SAME_F * end.f_range:
        what, tail = "a minimum as low as any found in view", ""
    else:
        what = "a local minimum" if p.kind == "minimum" else what
        tail = (f": the lowest minimum found in view is f = {fmt(lowest.f)} at "
                f"{fmt_point((lowest.x, lowest.y))}")
    return f"stopped at {what} ({hessian}){tail}"


def _near(end, q):
    """``q`` is the end's own critical point."""
    return math.hypot(q.x - end.near.x, q.y - end.near.y) <= AT_CELLS * end.cell
