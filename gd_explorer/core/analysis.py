"""Whole-window analyses: critical points (Newton from many seeds) and basins of attraction
(descent from every grid point at once). Both can be cancelled."""
from dataclasses import dataclass

import numpy as np

from .batch import Cancelled, group_points, run_many
from .critical import (CriticalPoint, CriticalPoints, classify,  # noqa: F401 (the API)
                       critical_points_json, find_critical_points)
from .descent import CONVERGED, CRITICAL_START
from .errors import InputError
from .grid import check_window


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
