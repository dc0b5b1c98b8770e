"""Geometry for the 3-D surface view: display range, mesh with holes, normals, box transform.

Pure numpy; the Qt/OpenGL side lives in gui/surface_view.py.
"""
import math
from dataclasses import dataclass

import numpy as np

from .fmt import fmt
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


# ----- colours ----------------------------------------------------------------------
def lut_colors(scale, values, lut):
    """RGBA floats (N, 4) for f values, picked from ``lut`` (n x 3 or n x 4, uint8) the way
    the contour image picks them (pyqtgraph's ImageItem): the transformed value is scaled to
    n equal bins from ``scale.lo`` to ``scale.hi`` and clipped; NaN gives transparent grey."""
    lut = np.asarray(lut)
    n = len(lut)
    with np.errstate(all="ignore"):
        t = (scale.transform(values) - scale.lo) * (n / (scale.hi - scale.lo))
    ok = np.isfinite(t)
    index = np.clip(np.where(ok, t, 0.0), 0, n - 1).astype(np.int64)   # truncates, like a cast
    rgba = np.ones((len(index), 4))
    rgba[:, :3] = lut[index, :3] / 255.0
    rgba[~ok] = (0.5, 0.5, 0.5, 0.0)
    return rgba


# ----- path clipping ----------------------------------------------------------------
def clip_segments(points, lower, upper):
    """The segments of the polyline through ``points`` (N, D) cut to the box
    ``lower <= p <= upper`` (Liang-Barsky): a segment crossing a face ends on it, a segment
    outside is dropped, a non-finite one too. Returns (M, 2, D) and the index of each kept
    segment's first point."""
    p = np.asarray(points, dtype=np.float64)
    if len(p) < 2:
        return np.empty((0, 2, p.shape[-1] if p.ndim == 2 else 3)), np.empty(0, dtype=np.int64)
    a, b = p[:-1], p[1:]
    t0, t1 = np.zeros(len(a)), np.ones(len(a))
    keep = np.isfinite(a).all(axis=1) & np.isfinite(b).all(axis=1)
    with np.errstate(all="ignore"):
        d = b - a
        for k in range(p.shape[1]):
            for bound, sign in ((lower[k], -1.0), (upper[k], 1.0)):
                q, s = sign * (bound - a[:, k]), sign * d[:, k]   # need s * t <= q
                t = q / s
                t0 = np.where(s < 0, np.maximum(t0, t), t0)
                t1 = np.where(s > 0, np.minimum(t1, t), t1)
                keep &= (s != 0) | (q >= 0)
        keep &= t0 <= t1
        segs = np.stack([a + t0[:, None] * d, a + t1[:, None] * d], axis=1)
    keep &= np.isfinite(segs).all(axis=(1, 2))
    return segs[keep], np.flatnonzero(keep)


def inside_box(points, lower, upper, tol=1e-9):
    """Rows of ``points`` inside the box (with a relative tolerance), as a bool mask."""
    p = np.asarray(points, dtype=np.float64).reshape(-1, len(lower))
    lo, hi = np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)
    pad = tol * (hi - lo)
    with np.errstate(invalid="ignore"):
        return ((p >= lo - pad) & (p <= hi + pad)).all(axis=1)


# ----- axes ---------------------------------------------------------------------------
def nice_ticks(lo, hi, most=6):
    """Round tick values from lo to hi, 1, 2 or 5 times a power of ten apart: the finest such
    step that gives at most ``most`` ticks. Returns (ticks, step); no ticks for a bad range."""
    if not (math.isfinite(lo) and math.isfinite(hi) and hi > lo) or most < 2:
        return np.empty(0), 0.0
    span = hi - lo
    step = 10.0 ** math.floor(math.log10(span / most))
    for _ in range(8):
        for m in (1.0, 2.0, 5.0):
            first, last = math.ceil(lo / (m * step) - 1e-9), math.floor(hi / (m * step) + 1e-9)
            if last - first + 1 <= most:
                ticks = np.arange(first, last + 1) * (m * step)
                return np.where(np.abs(ticks) < 1e-9 * m * step, 0.0, ticks), m * step
        step *= 10.0
    return np.empty(0), 0.0


def tick_text(value, step):
    """A tick label in the app's one number format, with the digits its step needs."""
    if value == 0:
        return "0"
    digits = math.floor(math.log10(abs(value)) + 1e-9) - math.floor(math.log10(step) + 1e-9) + 1
    return fmt(value, max(digits, 1))


def camera_axes(azimuth, elevation):
    """Unit vectors (right, up, back) of pyqtgraph's orbit camera; ``back`` points from the
    centre towards the camera."""
    a, e = math.radians(azimuth), math.radians(elevation)
    right = np.array([-math.sin(a), math.cos(a), 0.0])
    up = np.array([-math.sin(e) * math.cos(a), -math.sin(e) * math.sin(a), math.cos(e)])
    back = np.array([math.cos(e) * math.cos(a), math.cos(e) * math.sin(a), math.sin(e)])
    return right, up, back


def axis_edges(half_x, half_y, azimuth):
    """Where the axes go for a camera at ``azimuth``: the x axis on the y edge nearer the
    viewer, the y axis on the x edge nearer the viewer, and the f axis on the vertical edge
    at the corner seen furthest left. Returns (y of the x axis, x of the y axis, (x, y) of
    the f axis), in the box's display coordinates."""
    a = math.radians(azimuth)
    ca, sa = math.cos(a), math.sin(a)
    y_edge = math.copysign(half_y, sa)
    x_edge = math.copysign(half_x, ca)
    corners = [(sx * half_x, sy * half_y) for sx in (-1, 1) for sy in (-1, 1)]
    f_corner = min(corners, key=lambda c: -c[0] * sa + c[1] * ca)
    return y_edge, x_edge, f_corner


# ----- camera ---------------------------------------------------------------------------
def project(points, center, distance, azimuth, elevation, fov, size):
    """Pixel positions (N, 2) of display points seen by pyqtgraph's GLViewWidget (perspective,
    ``fov`` the horizontal angle in degrees, ``size`` = (width, height) in pixels, y down)."""
    right, up, back = camera_axes(azimuth, elevation)
    rel = np.asarray(points, dtype=np.float64).reshape(-1, 3) - np.asarray(center, dtype=np.float64)
    depth = distance - rel @ back
    tan_h = math.tan(math.radians(fov) / 2)
    w, h = size
    nx = (rel @ right) / depth / tan_h
    ny = (rel @ up) / depth / (tan_h * h / w)
    return np.stack([(nx + 1) * w / 2, (1 - ny) * h / 2], axis=1)


def fit_camera(points, center, azimuth, elevation, fov, size, margin=(0.0, 0.0), rounds=4):
    """Centre and distance at which ``points`` (display coordinates) just fit a view of
    ``size`` pixels, with ``margin`` = (mx, my) pixels free on each side, seen from the given
    angles. The centre moves across the line of sight only, so the picture is centred."""
    right, up, back = camera_axes(azimuth, elevation)
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    center = np.asarray(center, dtype=np.float64).copy()
    w, h = size
    tan = math.tan(math.radians(fov) / 2)
    tan_h = tan * max(1.0 - 2.0 * margin[0] / w, 0.1)
    tan_v = tan * h / w * max(1.0 - 2.0 * margin[1] / h, 0.1)
    distance = 1.0
    for _ in range(rounds):
        rel = pts - center
        x, y, b = rel @ right, rel @ up, rel @ back
        distance = float(np.max(np.maximum(b + np.abs(x) / tan_h, b + np.abs(y) / tan_v)))
        nx, ny = x / (distance - b), y / (distance - b)      # tangents of the view angles
        center += right * 0.5 * (nx.max() + nx.min()) * distance
        center += up * 0.5 * (ny.max() + ny.min()) * distance
    rel = pts - center
    x, y, b = rel @ right, rel @ up, rel @ back
    distance = float(np.max(np.maximum(b + np.abs(x) / tan_h, b + np.abs(y) / tan_v)))
    return center, distance


# ----- label placement (screen pixels) ---------------------------------------------------
def convex_hull(points):
    """Convex hull of 2-D points, counter-clockwise (Andrew's monotone chain), as (K, 2)."""
    pts = sorted(set(map(tuple, np.asarray(points, dtype=np.float64).reshape(-1, 2))))
    if len(pts) <= 2:
        return np.array(pts, dtype=np.float64).reshape(-1, 2)

    def half(seq):
        out = []
        for p in seq:
            while len(out) >= 2 and ((out[-1][0] - out[-2][0]) * (p[1] - out[-2][1])
                                     - (out[-1][1] - out[-2][1]) * (p[0] - out[-2][0])) <= 0:
                out.pop()
            out.append(p)
        return out[:-1]

    return np.array(half(pts) + half(pts[::-1]), dtype=np.float64)


def outline(points, directions=16):
    """The convex hull of many 2-D points, quickly: the points inside the polygon of the
    furthest points along ``directions`` directions cannot be on the hull and are dropped
    first (Akl-Toussaint)."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    pts = pts[np.isfinite(pts).all(axis=1)]
    if len(pts) > 4 * directions:
        angles = np.linspace(0.0, 2 * np.pi, directions, endpoint=False)
        far = convex_hull(pts[np.argmax(pts @ np.stack([np.cos(angles), np.sin(angles)]), axis=0)])
        if len(far) >= 3:
            edges = np.roll(far, -1, axis=0) - far
            side = (edges[None, :, 0] * (pts[:, None, 1] - far[None, :, 1])
                    - edges[None, :, 1] * (pts[:, None, 0] - far[None, :, 0]))
            pts = pts[~(side > 0).all(axis=1)]       # strictly inside: not on the hull
    return convex_hull(pts)


def obstacle(poly):
    """A convex polygon (K, 2) readied for place_label: the axes a box and it can be
    separated along (the box's two and the polygon's edge normals) and its extent on each."""
    poly = np.asarray(poly, dtype=np.float64).reshape(-1, 2)
    edges = poly[np.r_[1:len(poly), 0]] - poly
    axes = np.vstack([[(1.0, 0.0), (0.0, 1.0)], np.stack([-edges[:, 1], edges[:, 0]], axis=1)])
    q = poly @ axes.T
    return axes, q.min(axis=0), q.max(axis=0)


def _sweep(rect, d, ready):
    """The open interval of t over which ``rect`` moved by t * d overlaps the polygon
    readied by obstacle() (separating axis test on a moving box), or None."""
    axes, qmin, qmax = ready
    r, v = rect @ axes.T, axes @ d
    rmin, rmax = r.min(axis=0), r.max(axis=0)
    still = np.abs(v) < 1e-12
    if np.any(still & ((rmin >= qmax) | (rmax <= qmin))):
        return None          # apart along an axis the box does not move along
    move = ~still
    if not move.any():
        return -math.inf, math.inf
    a, b = (qmax - rmin)[move] / v[move], (qmin - rmax)[move] / v[move]
    t0, t1 = float(np.minimum(a, b).max()), float(np.maximum(a, b).min())
    return (t0, t1) if t0 < t1 else None


def box_polygon(center, size):
    """The corners (4, 2) of a w x h box around ``center``."""
    (cx, cy), (w, h) = center, size
    return np.array([(cx - w / 2, cy - h / 2), (cx + w / 2, cy - h / 2),
                     (cx + w / 2, cy + h / 2), (cx - w / 2, cy + h / 2)])


def place_label(anchor, direction, size, obstacles, gap=4.0):
    """Centre of a w x h text box beside ``anchor``, at least ``gap`` pixels out along the
    unit ``direction`` and as close as it can be without overlapping any of the convex
    polygons ``obstacles`` (say the picture of the surface), each readied by obstacle()."""
    anchor, d = np.asarray(anchor, dtype=np.float64), np.asarray(direction, dtype=np.float64)
    w, h = size
    start = anchor + d * 0.5 * (abs(d[0]) * w + abs(d[1]) * h)   # the box touches the anchor
    rect = box_polygon(start, size)
    spans = [s for s in (_sweep(rect, d, o) for o in obstacles) if s]
    t, moved = gap, True
    while moved:
        moved = False
        for lo, hi in spans:
            if lo < t < hi:
                t, moved = hi, True
    return start + d * t


def layout_labels(labels, hull, gap=4.0, pad=3.0):
    """Text boxes for labels [(anchor, direction, (w, h), is_name)] in pixels: each keeps
    ``pad`` pixels clear of the convex ``hull``; a tick label overlapping one placed before
    is left out (None); the names come last and keep ``pad`` pixels from the tick labels.
    Returns [(centre, (w, h)) or None] in the order given."""
    out, placed, around = [None] * len(labels), [], [obstacle(hull)]
    for i in sorted(range(len(labels)), key=lambda k: labels[k][3]):
        anchor, direction, (w, h), is_name = labels[i]
        obstacles = around + [obstacle(box_polygon(c, size)) for c, size in placed] if is_name else around
        centre = place_label(anchor, direction, (w + 2 * pad, h + 2 * pad), obstacles, gap - pad)
        if not is_name and any(abs(centre[0] - c[0]) < 0.5 * (w + pw)
                               and abs(centre[1] - c[1]) < 0.5 * (h + ph)
                               for c, (pw, ph) in placed):
            continue  # crowded: this tick stays unlabelled
        out[i] = (centre, (w, h))
        placed.append((centre, (w, h)))
    return out
