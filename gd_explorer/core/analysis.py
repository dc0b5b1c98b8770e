"""Whole-window analyses: critical points (Newton from many seeds) and basins of attraction
(gradient descent from every grid point at once). Both can be cancelled."""
from dataclasses import dataclass

import numpy as np

from .critical import (CriticalPoint, CriticalPoints, classify,  # noqa: F401 (the API)
                       critical_points_json, find_critical_points)
from .errors import InputError
from .grid import check_window


class Cancelled(Exception):
    """Raised when the ``cancel`` callable returns True."""


def _check_cancel(cancel):
    if cancel is not None and cancel():
        raise Cancelled()


def critical_points(function, xrange, yrange, seeds=300, limit=50, cancel=None):
    """Critical points of f in the window (method: core/critical.py), as CriticalPoints:
    ``points``, the ``limit`` with the lowest f (lowest first), and ``total``, the number of
    distinct points found. ``seeds``: f is sampled on a seeds x seeds grid. Raises Cancelled
    once ``cancel()`` returns True; no numpy warning escapes."""
    return find_critical_points(function, xrange, yrange, seeds, limit,
                                check=lambda: _check_cancel(cancel))


@dataclass(frozen=True)
class BasinMap:
    """``labels[i, j]`` is the index in ``ends`` of the point where descent from
    (xs[j], ys[i]) ended, or -1 where it diverged, left the domain or did not settle."""

    xs: np.ndarray
    ys: np.ndarray
    labels: np.ndarray
    ends: tuple  # (x, y) of each distinct end point


def basin_map(function, xrange, yrange, learning_rate, resolution=80, steps=2000, tol=1e-6,
              cancel=None):
    """Gradient descent from every point of a grid; group the starts by where they end."""
    (x0, x1), (y0, y1) = check_window(xrange, yrange)
    if not 0 < learning_rate <= 1e6:
        raise InputError("the learning rate must be above 0")
    if not 2 <= resolution <= 400:
        raise InputError("the basin resolution must be between 2 and 400")
    xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    gx0, gy0 = np.meshgrid(xs, ys)
    x, y = gx0.ravel().copy(), gy0.ravel().copy()
    active = np.ones(x.shape, dtype=bool)
    done = np.zeros(x.shape, dtype=bool)
    for _ in range(steps):
        _check_cancel(cancel)
        idx = np.nonzero(active)[0]
        if idx.size == 0:
            break
        gx, gy = function.gradient(x[idx], y[idx])
        small = np.hypot(gx, gy) < tol
        done[idx[small]] = True
        with np.errstate(all="ignore"):
            nx, ny = x[idx] - learning_rate * gx, y[idx] - learning_rate * gy
        bad = ~(np.isfinite(nx) & np.isfinite(ny)) | (np.hypot(nx, ny) > 1e100)
        x[idx], y[idx] = np.where(bad, x[idx], nx), np.where(bad, y[idx], ny)
        active[idx[small | bad]] = False
    labels = np.full(x.shape, -1, dtype=np.int64)
    # end points within the tolerance's reach of each other are one point
    near = max(1e-3 * max(x1 - x0, y1 - y0), 1e3 * tol)
    ends = []
    for i in np.nonzero(done)[0]:
        for k, (ex, ey) in enumerate(ends):
            if abs(x[i] - ex) < near and abs(y[i] - ey) < near:
                labels[i] = k
                break
        else:
            labels[i] = len(ends)
            ends.append((float(x[i]), float(y[i])))
        if len(ends) > 64:
            _check_cancel(cancel)
    return BasinMap(xs, ys, labels.reshape(resolution, resolution), tuple(ends))
