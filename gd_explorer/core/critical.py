"""Critical points of f(x, y) in a window: the points where the gradient is 0, with their kind.

How they are found (all steps are numpy-vectorised over many points at once):
1. f is sampled on an n x n grid. Cells lower than their 8 neighbours seed a descent,
   cells higher than them seed an ascent, and every 3rd cell seeds Newton's method
   (which finds saddles too).
2. The descent is Newton's method on |H| (negative curvature flipped) inside a trust
   region: it only ever goes down, so it ends at a minimum near its seed.
3. The lowest minima are searched again on finer grids around them: a global minimum
   whose basin is narrower than a grid cell is found that way.
4. Every end point is polished by Newton's method and kept if Newton has converged.
   End points closer than Newton's own uncertainty (8 times the length of its next step:
   near a degenerate point Newton converges only linearly, and its end points scatter by
   a multiple of the step) are one point, and a coordinate within it of 0 is 0.
5. The kind comes from the Hessian's eigenvalues; where the Hessian is singular it
   comes from the sign of f(q) - f(p) on small circles around the point.
Only the ``limit`` points with the lowest f are classified and returned, with the count
of all found.

Distances are measured in grid cells (x / hx, y / hy), so a long thin window is handled
like a square one. Work and memory are bounded by the grid size; ``check`` is called
between steps (it raises to cancel).
"""
import math
from dataclasses import dataclass

import numpy as np

from .errors import InputError
from .grid import check_window

EPS = float(np.finfo(np.float64).eps)
CUT = 1e-13        # an eigenvalue below CUT * the larger one counts as 0 (singular)
SINGULAR = 1e-6    # eigenvalue ratio below which the Hessian test is not trusted
NEWTON_STRIDE = 3  # Newton's method starts from every 3rd grid cell
MAX_SEEDS = 4096   # at most this many descents (and ascents) from grid extrema
ZOOM_CENTRES, ZOOM_GRID, ZOOM_SEEDS = 4, 81, 48
ZOOM_HALVES = (8.0, 2.0, 0.5)  # half-widths (cells) of the finer grids, round by round
CIRCLE_ANGLES = 96
SETTLED = 0.05     # an end point whose last Newton step was shorter (cells) is polished


@dataclass(frozen=True)
class CriticalPoint:
    x: float
    y: float
    f: float
    kind: str           # "minimum", "maximum", "saddle" or "degenerate"
    eigenvalues: tuple  # of the Hessian at the point, (low, high); NaN where undefined

    def as_dict(self):
        """JSON-ready: plain floats, None for a value that is not finite, no -0."""
        return {"x": _plain(self.x), "y": _plain(self.y), "f": _plain(self.f), "kind": self.kind,
                "eigenvalues": [_plain(v) for v in self.eigenvalues]}


@dataclass(frozen=True)
class CriticalPoints:
    """The ``points`` with the lowest f (lowest first), of ``total`` distinct points found."""

    points: tuple
    total: int

    @property
    def capped(self):
        return self.total > len(self.points)


def critical_points_json(result):
    """The points as a list of dicts for ``json.dumps(..., allow_nan=False)``."""
    return [p.as_dict() for p in result.points]


def _plain(value):
    value = float(value)
    return None if not np.isfinite(value) else value + 0.0  # + 0.0 turns -0.0 into 0.0


def classify(hxx, hxy, hyy, tol=SINGULAR, scale=0.0):
    """Kind of a critical point from its Hessian (second-derivative test); "degenerate" when
    an eigenvalue is not finite or below ``tol`` times the larger one or the curvature ``scale``
    (f's typical curvature: below that the Hessian is too small to trust)."""
    lo, hi = _eigenvalues(np.float64(hxx), np.float64(hxy), np.float64(hyy))
    floor = tol * max(abs(lo), abs(hi), scale)
    if not (abs(lo) > floor and abs(hi) > floor):
        return "degenerate"
    if lo > 0:
        return "minimum"
    return "maximum" if hi < 0 else "saddle"


def _eigenvalues(a, b, c):
    mid, rad = (a + c) / 2, np.hypot((a - c) / 2, b)
    return mid - rad, mid + rad


class _Problem:
    """f in a window, with derivatives in grid units (per cell), for vectorised steps."""

    def __init__(self, function, window, n, check):
        (self.x0, self.x1), (self.y0, self.y1) = window
        self.fn, self.n, self.check = function, n, check
        self.hx, self.hy = (self.x1 - self.x0) / (n - 1), (self.y1 - self.y0) / (n - 1)

    def value(self, x, y):
        return self.fn.value(x, y)

    def derivatives(self, x, y):
        """Gradient and Hessian per grid cell: (gu, gv), (a, b, c) with H = [[a, b], [b, c]]."""
        gx, gy = self.fn.gradient(x, y)
        (fxx, fxy), (_, fyy) = self.fn.hessian_at(x, y)
        hx, hy = self.hx, self.hy
        return (gx * hx, gy * hy), (fxx * hx * hx, fxy * hx * hy, fyy * hy * hy)

    def cells(self, x, y):
        """Position in grid cells from the window's corner."""
        return (x - self.x0) / self.hx, (y - self.y0) / self.hy

    def inside(self, x, y, margin=0.0):
        mx, my = margin * (self.x1 - self.x0), margin * (self.y1 - self.y0)
        return ((x >= self.x0 - mx) & (x <= self.x1 + mx) & (y >= self.y0 - my)
                & (y <= self.y1 + my))

    def resolution(self, x, y):
        """The smallest meaningful distance at (x, y), in cells: round-off of the coordinates."""
        return 1e-9 + 8 * EPS * (np.abs(x) / self.hx + np.abs(y) / self.hy)


def _newton_step(grad, hess, sign=0):
    """Newton's step (in cells), which steps left out a singular direction, and the gradient
    (per cell) along the directions left out.

    sign = 0: plain Newton, towards any critical point; singular directions get no step.
    sign = +1 / -1: a descent / ascent direction: each curvature is used by its size only,
    so the step always goes down (up); flat directions get a huge step (the trust region
    limits it), along the gradient.
    The Hessian is first scaled to a unit diagonal, so that "singular" means what it says
    even when x and y have very different scales.
    """
    a, b, c = hess
    top = np.maximum(np.maximum(np.abs(a), np.abs(c)), np.abs(b))
    top = np.where(top > 0, top, 1.0)
    su = np.sqrt(np.maximum(np.abs(a), 1e-30 * top))
    sv = np.sqrt(np.maximum(np.abs(c), 1e-30 * top))
    gu, gv = grad[0] / su, grad[1] / sv
    a, b, c = a / (su * su), b / (su * sv), c / (sv * sv)
    lo, hi = _eigenvalues(a, b, c)
    t = 0.5 * np.arctan2(2 * b, a - c)  # direction of the eigenvector of hi
    ct, st = np.cos(t), np.sin(t)
    q_hi, q_lo = gu * ct + gv * st, gv * ct - gu * st  # gradient in the eigenbasis
    big = np.maximum(np.abs(lo), np.abs(hi))
    cut_lo, cut_hi = ~(np.abs(lo) > CUT * big), ~(np.abs(hi) > CUT * big)
    if sign == 0:
        k_hi = np.where(cut_hi, 0.0, q_hi / np.where(cut_hi, 1.0, hi))
        k_lo = np.where(cut_lo, 0.0, q_lo / np.where(cut_lo, 1.0, lo))
    else:
        floor = np.maximum(CUT * big, 1e-300)
        k_hi = q_hi / np.maximum(np.abs(hi), floor)
        k_lo = q_lo / np.maximum(np.abs(lo), floor)
    du, dv = -(k_hi * ct - k_lo * st) / su, -(k_hi * st + k_lo * ct) / sv
    # gradient per cell along a left-out direction w: q / |D^-1 w| (D = diag(su, sv))
    per_cell_hi = np.abs(q_hi) / np.hypot(ct / su, st / sv)
    per_cell_lo = np.abs(q_lo) / np.hypot(st / su, ct / sv)
    cut_q = np.hypot(np.where(cut_hi, per_cell_hi, 0.0), np.where(cut_lo, per_cell_lo, 0.0))
    return du, dv, cut_lo | cut_hi, cut_q


def _clip(du, dv, limit):
    length = np.hypot(du, dv)
    scale = np.where(length > limit, limit / np.where(length > 0, length, 1.0), 1.0)
    return du * scale, dv * scale, length


def _walkers(x, y):
    """Positions (copies), last step lengths (none yet) and stall counts for many walks."""
    return (x.astype(np.float64), y.astype(np.float64), np.full(x.shape, np.inf),
            np.zeros(x.shape, dtype=np.int64))


def _active(pb, active, iterations):
    """The indices of the walks still ``active``, once per iteration; polls for cancel."""
    for _ in range(iterations):
        pb.check()
        idx = np.nonzero(active)[0]
        if idx.size == 0:
            return
        yield idx


def _descend(pb, x, y, sign, radius, iterations=120):
    """Trust-region descent (sign=+1) or ascent (sign=-1) from each (x, y), first trust radius
    ``radius`` cells. Returns the end points and the length of the last full step there (cells;
    inf where the walk left the window or kept taking steps that do not shrink, like a slide
    along a long valley: no minimum is near)."""
    x, y, last, stalls = _walkers(x, y)
    fcur = sign * pb.value(x, y)
    trust = np.full(x.shape, float(radius))
    active = np.isfinite(fcur)
    for idx in _active(pb, active, iterations):
        xi, yi = x[idx], y[idx]
        (gu, gv), (a, b, c) = pb.derivatives(xi, yi)
        du, dv, _, _ = _newton_step((sign * gu, sign * gv), (sign * a, sign * b, sign * c), sign=1)
        du, dv, length = _clip(du, dv, trust[idx])
        res = pb.resolution(xi, yi)
        done = ~(length > res) | ~(trust[idx] > res)  # converged, or no step helps any more
        xt, yt = xi + du * pb.hx, yi + dv * pb.hy
        ft = sign * pb.value(xt, yt)
        ok = (ft < fcur[idx]) & ~done
        x[idx], y[idx] = np.where(ok, xt, xi), np.where(ok, yt, yi)
        fcur[idx] = np.where(ok, ft, fcur[idx])
        trust[idx] = np.where(ok, np.where(length > trust[idx], 2 * trust[idx], trust[idx]),
                              0.25 * np.hypot(du, dv))
        stalls[idx] += ok & (length > 0.95 * last[idx])
        last[idx] = np.where(ok | done, length, last[idx])
        lost = ~pb.inside(x[idx], y[idx], 0.05) | (stalls[idx] > 12)
        last[idx[lost]] = np.inf
        active[idx[done | lost]] = False
    return x, y, last


def _newton(pb, x, y, limit, iterations):
    """Newton's method from each (x, y), steps at most ``limit`` cells. Returns the end points
    and the length of Newton's last step there (cells; inf where it left the window or wandered:
    its steps stopped shrinking)."""
    x, y, last, stalls = _walkers(x, y)
    active = np.ones(x.shape, dtype=bool)
    for idx in _active(pb, active, iterations):
        xi, yi = x[idx], y[idx]
        grad, hess = pb.derivatives(xi, yi)
        du, dv, length = _clip(*_newton_step(grad, hess)[:2], limit)
        ok = np.isfinite(length)
        x[idx], y[idx] = np.where(ok, xi + du * pb.hx, xi), np.where(ok, yi + dv * pb.hy, yi)
        stalls[idx] += length > 0.95 * last[idx]  # a converging Newton shrinks its steps
        last[idx] = length
        lost = ~ok | ~pb.inside(x[idx], y[idx], 0.05) | (stalls[idx] > 8)
        last[idx[lost]] = np.inf
        active[idx[lost | ~(length > pb.resolution(xi, yi))]] = False
    return x, y, last


def _grid_extrema(z, sign):
    """Flat indices of cells lower (sign=+1) or higher (-1) than their 8 neighbours, the most
    extreme first. Of equal neighbours the first in row order counts (a minimum that falls
    between 4 equal cells still gets a seed)."""
    s = sign * z
    pad = np.pad(np.where(np.isfinite(s), s, np.inf), 1, constant_values=np.inf)
    rows, cols = s.shape
    better = np.isfinite(s)
    for di in (0, 1, 2):
        for dj in (0, 1, 2):
            if (di, dj) < (1, 1):  # neighbours earlier in row order: strictly lower
                better &= s < pad[di:di + rows, dj:dj + cols]
            elif (di, dj) > (1, 1):
                better &= s <= pad[di:di + rows, dj:dj + cols]
    idx = np.nonzero(better.ravel())[0]
    return idx[np.argsort(s.ravel()[idx], kind="stable")]


def _sample(pb, xs, ys):
    z = np.empty((ys.size, xs.size))
    for i in range(0, ys.size, 64):
        pb.check()
        z[i:i + 64] = pb.value(xs[np.newaxis, :], ys[i:i + 64, np.newaxis])
    z[~np.isfinite(z)] = np.nan
    return z


def _seed_descents(pb, xs, ys, z, sign, count, radius):
    """Descents (ascents) from the ``count`` lowest (highest) cells lower (higher) than their
    neighbours; see _descend."""
    idx = _grid_extrema(z, sign)[:count]
    rows, cols = np.divmod(idx, xs.size)
    return _descend(pb, xs[cols], ys[rows], sign, radius)


def _zoom(pb, x, y, last):
    """Descents on finer and finer grids around the lowest minima found so far: they find
    minima whose basins fall between the cells of the first grid. Returns the old and new
    end points, as _descend. (Walks that stopped short still mark low ground: they count too.)"""
    for half in ZOOM_HALVES:
        spacing = 2 * half / (ZOOM_GRID - 1)  # in cells of the first grid
        for cx, cy in _lowest(pb, x, y, half / 4):
            xs = np.linspace(max(pb.x0, cx - half * pb.hx), min(pb.x1, cx + half * pb.hx),
                             ZOOM_GRID)
            ys = np.linspace(max(pb.y0, cy - half * pb.hy), min(pb.y1, cy + half * pb.hy),
                             ZOOM_GRID)
            ends = _seed_descents(pb, xs, ys, _sample(pb, xs, ys), 1, ZOOM_SEEDS, spacing)
            x, y, last = (np.concatenate(pair) for pair in zip((x, y, last), ends))
    return x, y, last


def _lowest(pb, x, y, apart):
    """The points in the window with the lowest f, at most ZOOM_CENTRES, ``apart`` cells apart."""
    keep = pb.inside(x, y)
    x, y = x[keep], y[keep]
    f = pb.value(x, y)
    order = np.argsort(np.where(np.isfinite(f), f, np.inf), kind="stable")[:256]
    u, v = pb.cells(x, y)
    centres = []
    for i in order:
        if all(np.hypot(u[i] - u[j], v[i] - v[j]) > apart for j in centres):
            centres.append(i)
            if len(centres) == ZOOM_CENTRES:
                break
    return [(x[i], y[i]) for i in centres]


def _polish(pb, x, y, last):
    """Newton's method to full accuracy, once for each group of end points that Newton
    cannot tell apart yet (8 times its last step: near a degenerate point Newton's steps
    shrink only linearly, its end points scatter by a multiple of the step)."""
    u, v = pb.cells(x, y)
    key = np.round(np.stack([u, v]) * 1e6)  # cheap first pass: equal to 1e-6 cells
    _, first = np.unique(key, axis=1, return_index=True)
    x, y, last = x[first], y[first], last[first]
    keep = _merge(pb, x, y, 8 * last + pb.resolution(x, y), np.zeros(x.shape, dtype=bool))
    return _newton(pb, x[keep], y[keep], limit=1.0, iterations=100)[:2]


def _converged(pb, x, y, scale):
    """Which end points are critical points, and how far off Newton may still be (cells).

    Newton's next step estimates the distance to the critical point (near a degenerate
    point it is a fixed fraction of it). A direction where the Hessian is singular gives
    no step: there f must change by less than its round-off over a cell (``scale`` is the
    typical change of f over a cell). Newton also creeps up to the edge of f's domain and to
    poles (its steps shrink there too), but there the gradient is huge, not small.
    """
    f = pb.value(x, y)
    gtol = 8 * EPS * (np.abs(f) + scale)
    grad, hess = pb.derivatives(x, y)
    du, dv, cut, cut_q = _newton_step(grad, hess)
    off = np.hypot(du, dv)
    slope = np.hypot(*grad)
    # undefined Hessian (e.g. 0/0 in a derivative): critical if the gradient is ~0
    no_hess = ~(np.isfinite(hess[0]) & np.isfinite(hess[1]) & np.isfinite(hess[2]))
    off = np.where(no_hess, np.where(slope <= gtol, 0.0, np.inf), off)
    cut_q = np.where(no_hess, 0.0, cut_q)
    ok = (np.isfinite(f) & pb.inside(x, y) & (off <= 1e-6) & (cut_q <= gtol)
          & (slope <= 1e-6 * scale))
    return ok, f, 8 * off + pb.resolution(x, y), cut | no_hess


def _merge(pb, x, y, spread, cut):
    """Indices of one point per group of points closer than their spreads (cells) added; a
    point with a singular direction reaches one cell. The points with the least spread lead."""
    u, v = pb.cells(x, y)
    reach = np.where(cut, 1.0, np.minimum(spread, 1.0))
    order = np.lexsort((spread, reach))
    u, v, reach = u.tolist(), v.tolist(), reach.tolist()
    buckets, kept = {}, []  # buckets of 2 x 2 cells: two reaches add up to 2 cells at most
    for n, i in enumerate(order.tolist()):
        if n % 4096 == 0:
            pb.check()
        ui, vi, ri = u[i], v[i], reach[i]
        bu, bv = int(ui // 2), int(vi // 2)
        near = (j for du in (-1, 0, 1) for dv in (-1, 0, 1)
                for j in buckets.get((bu + du, bv + dv), ()))
        if not any(math.hypot(ui - u[j], vi - v[j]) <= ri + reach[j] for j in near):
            buckets.setdefault((bu, bv), []).append(i)
            kept.append(i)
    return np.array(kept, dtype=np.int64)


def _hessians(pb, x, y):
    """f_xx, f_xy, f_yy at a few points; where a formula is 0/0 but f is defined, its limit
    (Function.hessian_scalars), as at DropWave's minimum."""
    (fxx, fxy), (_, fyy) = pb.fn.hessian_at(x, y)
    h = np.stack([fxx, fxy, fyy])
    for i in np.nonzero(~np.isfinite(h).all(axis=0))[0]:
        h[:, i] = pb.fn.hessian_scalars(x[i], y[i])
    return h


def _kinds(pb, x, y, f, hess, spread, nearest, curvature):
    """Kind of each critical point: the Hessian test, or circles where H is singular."""
    a, b, c = hess[0] * pb.hx * pb.hx, hess[1] * pb.hx * pb.hy, hess[2] * pb.hy * pb.hy
    kinds = np.array([classify(*h, scale=curvature) for h in zip(a, b, c)], dtype=object)
    todo = np.nonzero(kinds == "degenerate")[0]
    if todo.size:
        kinds[todo] = _circle_kinds(pb, x[todo], y[todo], f[todo], 4 * spread[todo],
                                    np.minimum(1.0, 0.5 * nearest[todo]))
    return kinds


def _circle_kinds(pb, x, y, f0, r_lo, r_hi):
    """Minimum if f > f(p) all round a small circle, maximum if all below, saddle if both
    (f - f(p) changes sign at least twice round it), else degenerate. Circles grow by 2 from
    r_lo (beyond Newton's uncertainty) to r_hi (cells), until f's change shows above its
    round-off."""
    count = 1 + np.ceil(np.log2(np.maximum(r_hi / r_lo, 1.0))).astype(int)
    steps = int(min(count.max(), 48))
    k = np.arange(steps)
    radii = np.minimum(r_lo[:, None] * 2.0 ** k, r_hi[:, None])  # points x radii
    angle = np.linspace(0, 2 * np.pi, CIRCLE_ANGLES, endpoint=False)
    cu, cv = np.cos(angle), np.sin(angle)
    qx = x[:, None, None] + radii[:, :, None] * cu * pb.hx
    qy = y[:, None, None] + radii[:, :, None] * cv * pb.hy
    d = pb.value(qx, qy) - f0[:, None, None]
    # round-off of f: relative to its size, and as measured by moving p by its resolution
    res = pb.resolution(x, y)[:, None]
    jitter = pb.value(x[:, None] + res * cu[:8] * pb.hx, y[:, None] + res * cv[:8] * pb.hy)
    measured = np.nanmax(np.abs(jitter - f0[:, None]), axis=1, initial=0.0)
    noise = 64 * EPS * np.maximum(np.abs(f0)[:, None, None], np.abs(d + f0[:, None, None]))
    noise = np.maximum(noise, 4 * measured[:, None, None])
    up, down = d > noise, d < -noise
    valid = np.isfinite(d)
    saddle = up.any(axis=2) & down.any(axis=2)
    minimum = (up | ~valid).all(axis=2) & valid.all(axis=2)
    maximum = (down | ~valid).all(axis=2) & valid.all(axis=2)
    usable = (r_lo < r_hi)[:, None] & (radii <= r_hi[:, None])
    out = []
    for i in range(x.size):
        kind = "degenerate"
        for j in range(steps):
            if not usable[i, j]:
                break
            if saddle[i, j] or minimum[i, j] or maximum[i, j]:
                kind = "saddle" if saddle[i, j] else "minimum" if minimum[i, j] else "maximum"
                break
        out.append(kind)
    return out


def find_critical_points(function, xrange, yrange, seeds=300, limit=50, check=None):
    """Critical points of f in the window (see the module's docstring); a CriticalPoints.
    ``seeds``: the sampling grid is seeds x seeds; ``limit``: at most this many points are
    returned (the lowest f first), ``total`` counts all found. ``check()`` may raise to stop."""
    window = check_window(xrange, yrange)
    if not _whole(seeds) or not 20 <= seeds <= 400:
        raise InputError("the seed grid must have between 20 and 400 points a side")
    if not _whole(limit) or limit < 1:
        raise InputError("the number of points to report must be at least 1")
    pb = _Problem(function, window, int(seeds), check or (lambda: None))
    with np.errstate(all="ignore"):  # no RuntimeWarning escapes, whatever f does
        return _find(pb, int(limit))


def _whole(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _find(pb, limit):
    xs, ys = np.linspace(pb.x0, pb.x1, pb.n), np.linspace(pb.y0, pb.y1, pb.n)
    z = _sample(pb, xs, ys)
    finite = z[np.isfinite(z)]
    if finite.size == 0:
        return CriticalPoints((), 0)
    f_range = float(np.ptp(np.clip(finite, -1e150, 1e150)))  # never inf
    ends = [_zoom(pb, *_seed_descents(pb, xs, ys, z, 1, MAX_SEEDS, 1.0)),
            _seed_descents(pb, xs, ys, z, -1, MAX_SEEDS, 1.0)]
    gx, gy = np.meshgrid(xs[1::NEWTON_STRIDE], ys[1::NEWTON_STRIDE])
    ends.append(_newton(pb, gx.ravel(), gy.ravel(), 2.0 * NEWTON_STRIDE, 60))
    x, y, last = (np.concatenate(parts) for parts in zip(*ends))
    settled = last < SETTLED
    x, y = _polish(pb, x[settled], y[settled], last[settled])
    ok, _, reach, cut = _converged(pb, x, y, f_range / pb.n)
    keep = np.nonzero(ok)[0][_merge(pb, x[ok], y[ok], reach[ok], cut[ok])]
    x, y, reach = x[keep], y[keep], reach[keep]
    # a coordinate that Newton cannot tell from 0 is 0 (no -1e-46 in the output)
    x = np.where(np.abs(x) <= reach * pb.hx, 0.0, x)
    y = np.where(np.abs(y) <= reach * pb.hy, 0.0, y)
    f = pb.value(x, y)
    order = np.lexsort((y, x, f))[:limit]
    u, v = pb.cells(x, y)
    nearest = np.array([np.partition(np.hypot(u - u[i], v - v[i]), 1)[1] if x.size > 1
                        else np.inf for i in order])
    hess = _hessians(pb, x[order], y[order])
    kinds = _kinds(pb, x[order], y[order], f[order], hess, reach[order], nearest,
                   f_range / pb.n ** 2)
    lo, hi = _eigenvalues(*hess)
    points = tuple(CriticalPoint(*(float(v) + 0.0 for v in (x[i], y[i], f[i])), kind,  # no -0
                                 (float(l) + 0.0, float(h) + 0.0))
                   for i, kind, l, h in zip(order, kinds, lo, hi))
    return CriticalPoints(points, int(x.size))
