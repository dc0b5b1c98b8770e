"""Whole-window analyses: critical points (Newton from many seeds) and basins of attraction
(descent from every grid point at once). Both can be cancelled."""
from dataclasses import dataclass

import numpy as np

from .batch import Cancelled, group_points, run_many
from .descent import CONVERGED, CRITICAL_START
from .errors import InputError
from .grid import check_window


def _check_cancel(cancel):
    if cancel is not None and cancel():
        raise Cancelled()


@dataclass(frozen=True)
class CriticalPoint:
    x: float
    y: float
    f: float
    kind: str  # "minimum", "maximum", "saddle" or "degenerate"


def classify(hxx, hxy, hyy, tol=1e-9):
    """Kind of a critical point from its Hessian (second-derivative test)."""
    det = hxx * hyy - hxy * hxy
    scale = max(abs(hxx), abs(hyy), abs(hxy), 1e-300)
    if det > tol * scale * scale:
        return "minimum" if hxx > 0 else "maximum"
    if det < -tol * scale * scale:
        return "saddle"
    return "degenerate"


def critical_points(function, xrange, yrange, seeds=48, iterations=60, cancel=None):
    """Critical points of f in the window, found by Newton's method from a grid of seeds
    (two interleaved grids, so the centre and the edges are both seeded). Newton's method can
    miss points whose basin holds no seed: the list may be incomplete."""
    (x0, x1), (y0, y1) = check_window(xrange, yrange)
    gx0, gy0 = np.meshgrid(np.linspace(x0, x1, seeds), np.linspace(y0, y1, seeds))
    hx, hy = (x1 - x0) / (2 * (seeds - 1)), (y1 - y0) / (2 * (seeds - 1))
    mx, my = np.meshgrid(np.linspace(x0 + hx, x1 - hx, seeds - 1),
                         np.linspace(y0 + hy, y1 - hy, seeds - 1))
    x = np.concatenate([gx0.ravel(), mx.ravel(), [(x0 + x1) / 2]])
    y = np.concatenate([gy0.ravel(), my.ravel(), [(y0 + y1) / 2]])
    for _ in range(iterations):
        _check_cancel(cancel)
        gx, gy = function.gradient(x, y)
        (hxx, hxy), (_, hyy) = function.hessian_at(x, y)
        det = hxx * hyy - hxy * hxy
        with np.errstate(all="ignore"):
            dx = (hyy * gx - hxy * gy) / det
            dy = (hxx * gy - hxy * gx) / det
        ok = np.isfinite(dx) & np.isfinite(dy) & (np.abs(det) > 1e-14)
        x = np.where(ok, x - dx, x)
        y = np.where(ok, y - dy, y)
    gx, gy = function.gradient(x, y)
    width = max(x1 - x0, y1 - y0)
    scale = np.maximum(1.0, np.abs(function.value(x, y)))
    found = (np.hypot(gx, gy) < 1e-7 * scale) & (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
    points = []
    for px, py in zip(x[found], y[found]):
        if any(abs(px - q.x) < 1e-5 * width and abs(py - q.y) < 1e-5 * width for q in points):
            continue
        (hxx, hxy), (_, hyy) = function.hessian_at(px, py)
        kind = classify(float(hxx), float(hxy), float(hyy))
        points.append(CriticalPoint(float(px), float(py), float(function.value(px, py)), kind))
    return sorted(points, key=lambda p: (p.f, p.x, p.y))


BASIN_CHECK_EVERY = 8  # a raster needs where runs end, not the exact step: check every 8th


@dataclass(frozen=True)
class BasinMap:
    """``labels[i, j]`` is the index in ``ends`` of the point where descent from
    (xs[j], ys[i]) ended, or -1 where it diverged, left the domain or did not settle."""

    xs: np.ndarray
    ys: np.ndarray
    labels: np.ndarray
    ends: tuple  # (x, y) of each distinct end point


def basin_map(function, xrange, yrange, learning_rate, resolution=200, steps=2000, tol=1e-6,
              cancel=None, optimizer="gd", hyperparameters=None, schedule=None, progress=None):
    """Descent from every point of a grid at once (the same rule as a single run); the starts
    are grouped by where they end. ``progress(t, steps)`` is told the step now and then."""
    (x0, x1), (y0, y1) = check_window(xrange, yrange)
    if not 2 <= resolution <= 400:
        raise InputError("the basin resolution must be between 2 and 400")
    xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    gx0, gy0 = np.meshgrid(xs, ys)
    runs = run_many(function, gx0, gy0, learning_rate, steps, tol, optimizer, hyperparameters,
                    schedule, cancel, progress, check_every=BASIN_CHECK_EVERY)
    settled = runs.mask(CONVERGED) | runs.mask(CRITICAL_START)
    # end points within the tolerance's reach of each other are one point
    near = max(1e-3 * max(x1 - x0, y1 - y0), 1e3 * tol)
    labels = np.full(settled.shape, -1, dtype=np.int64)
    labels[settled], ends = group_points(runs.x[settled], runs.y[settled], near)
    return BasinMap(xs, ys, labels.reshape(resolution, resolution), tuple(ends))
