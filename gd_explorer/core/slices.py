"""Slices of the surface z = f(x, y) through a point p, in data coordinates (x, y, z), for
the 3-D view. The trace y = b is the curve of f along (1, 0) through p = (a, b), with slope
f_x; the trace x = a the curve along (0, 1), with slope f_y; the dial's slice g(z) = f(p + z u)
the curve along u, with slope D_u f. Each is cut out by a vertical plane through p."""
import numpy as np

from .calculus import line_points
from .surface_mesh import clip_segments

ALONG_X = (1.0, 0.0)   # the trace y = b: f(x, b)
ALONG_Y = (0.0, 1.0)   # the trace x = a: f(a, y)
CURVE_POINTS = 81


def slice_curve(function, point, u, half, count=CURVE_POINTS):
    """(count, 3) points (x, y, f) of the surface above the segment p ± half·u."""
    xs, ys = line_points(point, u, np.linspace(-half, half, count))
    return np.column_stack([xs, ys, np.broadcast_to(function.value(xs, ys), xs.shape)])


def slice_tangent(point, f, u, slope, half):
    """(2, 3) ends of the tangent of a slice at p: the line through (p, f) along u that
    rises ``slope`` per unit, from p − half·u to p + half·u."""
    xs, ys = line_points(point, u, (-half, half))
    return np.column_stack([xs, ys, (f - slope * half, f + slope * half)])


def vertical_plane(point, u, half, xrange, yrange, zrange):
    """(4, 3) corners of the vertical rectangle above the segment p ± half·u cut to the window,
    from z = zrange[0] to zrange[1] (bottom two first); empty when the segment misses it."""
    xs, ys = line_points(point, u, (-half, half))
    segs, _ = clip_segments(np.column_stack([xs, ys]), (xrange[0], yrange[0]),
                            (xrange[1], yrange[1]))
    if not len(segs):
        return np.empty((0, 3))
    (x0, y0), (x1, y1) = segs[0]
    lo, hi = zrange
    return np.array([(x0, y0, lo), (x1, y1, lo), (x1, y1, hi), (x0, y0, hi)], dtype=np.float64)


def dashes(ends, count=9):
    """(k, 2, 3) dashes of the segment from ends[0] to ends[1]: ``count`` (odd) equal pieces,
    every other one kept, the first and the last among them (a dashed line, as GL has none)."""
    a, b = np.asarray(ends, dtype=np.float64).reshape(2, -1)
    t = np.linspace(0.0, 1.0, count + 1)
    pts = a + t[:, None] * (b - a)
    return np.stack([pts[0:-1:2], pts[1::2]], axis=1)
