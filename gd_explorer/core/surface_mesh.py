"""Geometry for the 3-D surface view: display range, mesh with holes, normals, box transform.

Pure numpy; the Qt/OpenGL side lives in gui/surface_view.py.
"""
import math
from dataclasses import dataclass

import numpy as np

from .grid import robust_range

MIN_SPREAD = 0.15   # the median should sit at least this far up the displayed height
TAIL = 0.25         # extend the range to min/max when the tail beyond it is this short


def display_range(values, low=1.0, high=99.0):
    """The z range to draw: robust percentiles, widened to min/max for short tails,
    narrowed for heavy tails (exp, Goldstein-Price) so most of the surface is not flat.

    Returns (lo, hi) with hi > lo, or None when there are no finite values.
    """
    vals = np.asarray(values, dtype=np.float64)
    vals = vals[np.isfinite(vals)]
    rng = robust_range(vals, low, high)
    if rng is None:
        return None
    lo, hi = rng
    vmin, vmax, med = float(vals.min()), float(vals.max()), float(np.median(vals))
    if vmax - hi <= TAIL * (hi - lo):
        hi = vmax
    if lo - vmin <= TAIL * (hi - lo):
        lo = vmin
    if hi - med < MIN_SPREAD * (hi - lo) and med > lo:      # heavy tail downwards
        lo = hi - (hi - med) / MIN_SPREAD
    elif med - lo < MIN_SPREAD * (hi - lo) and med < hi:    # heavy tail upwards
        hi = lo + (med - lo) / MIN_SPREAD
    if not hi > lo:
        pad = max(1.0, abs(lo)) * 0.5
        lo, hi = lo - pad, hi + pad
    return float(lo), float(hi)


def triangle_faces(ok):
    """Triangles of a grid (two per cell) whose three corners are all ``ok``.

    ``ok`` is a (ny, nx) bool array; vertex (i, j) has index i * nx + j.
    """
    ok = np.asarray(ok, dtype=bool)
    ny, nx = ok.shape
    idx = np.arange(ny * nx).reshape(ny, nx)
    a, b = idx[:-1, :-1].ravel(), idx[:-1, 1:].ravel()
    c, d = idx[1:, :-1].ravel(), idx[1:, 1:].ravel()
    faces = np.concatenate([np.stack([a, b, d], axis=1), np.stack([a, d, c], axis=1)])
    flat = ok.ravel()
    keep = flat[faces].all(axis=1)
    return faces[keep]


def clip_faces(points, faces, level, keep="below"):
    """Cut a triangle mesh at f = ``level`` (f is column 2), keeping the part below (or
    above). Cut triangles are trimmed along the exact level line, so the edge is smooth.

    Returns (points, faces); new points are appended, one per cut edge (some may be
    unused: run compact() afterwards).
    """
    points = np.asarray(points, dtype=np.float64)
    side = points[:, 2] - level if keep == "below" else level - points[:, 2]
    side[np.abs(side) <= 1e-9 * max(1.0, abs(level))] = 0.0   # on the level: no sliver

    def between(inner, outer):
        t = side[inner] / (side[inner] - side[outer])
        new = points[inner] + t[:, None] * (points[outer] - points[inner])
        new[:, 2] = level
        return new

    return cut_faces(points, faces, side <= 0, between)


def trim_domain(points, faces, defined, value, steps=20):
    """Keep the triangles of defined vertices and trim the partly defined ones where f
    stops being defined (found by bisection along their edges with ``value(x, y)``), so
    holes and domain edges follow the true boundary instead of the grid's staircase."""
    points = np.asarray(points, dtype=np.float64)

    def between(inner, outer):
        a, d = points[inner, :2], points[outer, :2] - points[inner, :2]
        lo, hi = np.zeros(len(a)), np.ones(len(a))
        for _ in range(steps):
            mid = 0.5 * (lo + hi)
            p = a + mid[:, None] * d
            with np.errstate(all="ignore"):
                ok = np.isfinite(value(p[:, 0], p[:, 1]))
            lo, hi = np.where(ok, mid, lo), np.where(ok, hi, mid)
        p = a + lo[:, None] * d
        with np.errstate(all="ignore"):
            z = np.asarray(value(p[:, 0], p[:, 1]), dtype=np.float64)
        z = np.where(np.isfinite(z), z, points[inner, 2])
        return np.column_stack([p, z])

    return cut_faces(points, faces, np.asarray(defined, dtype=bool), between)


def cut_faces(points, faces, inside, between):
    """Keep the parts of triangles inside a region given per vertex by ``inside``.

    ``between(inner, outer)`` gives the points (M, 3) where the region ends on the edges
    from vertex ``inner`` to vertex ``outer`` (index arrays). Returns (points, faces).
    """
    points = np.asarray(points, dtype=np.float64)
    faces = np.asarray(faces, dtype=np.int64).reshape(-1, 3)
    flags = inside[faces]
    count = flags.sum(axis=1)
    whole = faces[count == 3]
    # rotate each cut face so the lone vertex (inside for one, outside for two) comes first
    one = _roll_first(faces[count == 1], flags[count == 1])
    two = _roll_first(faces[count == 2], ~flags[count == 2])
    edges = np.concatenate([one[:, [0, 1]], one[:, [0, 2]], two[:, [0, 1]], two[:, [0, 2]]])
    if len(edges) == 0:
        return points, whole
    n = len(points)
    key = edges.min(axis=1) * n + edges.max(axis=1)
    uniq, inv = np.unique(key, return_inverse=True)
    a, b = uniq // n, uniq % n
    inner, outer = np.where(inside[a], a, b), np.where(inside[a], b, a)
    new = between(inner, outer)
    same = (new[:, :2] == points[inner, :2]).all(axis=1)   # the cut is at the vertex: reuse it
    cut = np.where(same, inner, n + np.arange(len(uniq)))[inv]
    k1, k2 = len(one), len(two)
    ab1, ac1 = cut[:k1], cut[k1:2 * k1]
    ab2, ac2 = cut[2 * k1:2 * k1 + k2], cut[2 * k1 + k2:]
    tris = np.concatenate([whole,
                           np.stack([one[:, 0], ab1, ac1], axis=1),
                           np.stack([two[:, 1], two[:, 2], ac2], axis=1),
                           np.stack([two[:, 1], ac2, ab2], axis=1)])
    flat = (tris[:, 0] == tris[:, 1]) | (tris[:, 1] == tris[:, 2]) | (tris[:, 0] == tris[:, 2])
    return np.vstack([points, new]), tris[~flat]


def _roll_first(faces, lone):
    """Rotate each face (keeping its orientation) so the vertex flagged in ``lone`` is first."""
    first = np.argmax(lone, axis=1)
    order = (first[:, None] + np.arange(3)) % 3
    return np.take_along_axis(faces, order, axis=1)


def compact(vertices, faces):
    """Drop vertices no face uses; returns (vertices, faces, kept index array)."""
    used = np.zeros(len(vertices), dtype=bool)
    used[faces.ravel()] = True
    remap = np.cumsum(used) - 1
    return vertices[used], remap[faces].astype(np.uint32), np.flatnonzero(used)


def vertex_normals(vertices, faces):
    """Unit normals per vertex (area-weighted mean of its faces); (0, 0, 1) where undefined."""
    v = np.asarray(vertices, dtype=np.float64)
    normals = np.zeros_like(v)
    if len(faces):
        p0, p1, p2 = v[faces[:, 0]], v[faces[:, 1]], v[faces[:, 2]]
        face_n = np.cross(p1 - p0, p2 - p0)
        for k in range(3):
            np.add.at(normals, faces[:, k], face_n)
    length = np.linalg.norm(normals, axis=1)
    good = np.isfinite(length) & (length > 0)
    normals[good] /= length[good, None]
    normals[~good] = (0.0, 0.0, 1.0)
    return normals.astype(np.float32)


@dataclass(frozen=True)
class BoxTransform:
    """Data (x, y, f) to display coordinates: the window scaled to [-1, 1] along its
    longer side (aspect kept), f from ``zrange`` to [0, height]."""

    xrange: tuple
    yrange: tuple
    zrange: tuple
    height: float = 1.0

    @property
    def scale(self):
        (x0, x1), (y0, y1) = self.xrange, self.yrange
        return 2.0 / max(x1 - x0, y1 - y0)

    @property
    def zscale(self):
        lo, hi = self.zrange
        return self.height / (hi - lo)

    def apply(self, points, clip=True, lift=0.0):
        """(N, 3) data points to display points. ``clip`` clamps f into zrange; ``lift``
        is added to the display z. Non-finite input gives non-finite output."""
        p = np.asarray(points, dtype=np.float64).reshape(-1, 3)
        (x0, x1), (y0, y1) = self.xrange, self.yrange
        lo, hi = self.zrange
        z = np.clip(p[:, 2], lo, hi) if clip else p[:, 2]
        out = np.empty_like(p)
        out[:, 0] = (p[:, 0] - 0.5 * (x0 + x1)) * self.scale
        out[:, 1] = (p[:, 1] - 0.5 * (y0 + y1)) * self.scale
        out[:, 2] = (z - lo) * self.zscale + lift
        return out


def subsample(n, limit):
    """At most ``limit`` indices out of range(n), evenly spread, first and last kept."""
    if n <= limit:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, limit).round().astype(int))


def patch_half_size(width, zspan, gx, gy, fraction=0.12, max_rise=0.25):
    """Half-size of the tangent-plane square: ``fraction`` of the window width, shrunk so
    the plane rises at most ``max_rise`` of the displayed z range across it."""
    half = fraction * width
    slope = abs(gx) + abs(gy)
    if slope > 0 and math.isfinite(slope):
        half = min(half, max_rise * zspan / slope)
    return max(half, 0.02 * width)


def tangent_patch(px, py, f, gx, gy, half):
    """Corners (4, 3) of the square [px ± half] x [py ± half] on z = f + g·(q − p)."""
    dx = np.array([-half, half, half, -half])
    dy = np.array([-half, -half, half, half])
    return np.stack([px + dx, py + dy, f + gx * dx + gy * dy], axis=1)


def direction_arrow(px, py, f, gx, gy, phi, length):
    """The direction u = (cos phi, sin phi) in the tangent plane, as line segments (6, 3):
    shaft from (p, f) to (p + L u, f + L D_u f), then the two strokes of the head."""
    ux, uy = math.cos(phi), math.sin(phi)
    nx, ny = -uy, ux

    def at(a, b):  # the plane point p + a u + b n
        dx, dy = a * ux + b * nx, a * uy + b * ny
        return (px + dx, py + dy, f + gx * dx + gy * dy)

    tip = at(length, 0.0)
    head = 0.25 * length
    return np.array([at(0.0, 0.0), tip, tip, at(length - head, 0.5 * head), tip,
                     at(length - head, -0.5 * head)])
