"""Many runs at once: every start (or every learning rate) steps in lockstep with numpy arrays,
using the same update rule as a single run (steploop.vector_step). For basins and sweeps."""
import math
from dataclasses import dataclass

import numpy as np

from . import steploop
from .descent import (BAD_VALUE_LIMIT, CONVERGED, CRITICAL_START, DIVERGED, DIVERGENCE_LIMIT,
                      LEFT_DOMAIN, MAX_STEPS, NO_STEP, RUNNING, check_settings)
from .errors import InputError, finite_pair
from .optimizers import optimizer_by_name, schedule_by_name

UNDEFINED_START = "undefined_start"
# status codes in Batch.status, and their names
STATUS_NAMES = (RUNNING, CONVERGED, MAX_STEPS, DIVERGED, LEFT_DOMAIN, CRITICAL_START, NO_STEP,
                UNDEFINED_START)
_CODE = {name: i for i, name in enumerate(STATUS_NAMES)}


class Cancelled(Exception):
    """Raised when the ``cancel`` callable returns True."""


@dataclass(frozen=True)
class Batch:
    """Where each run ended: ``x, y, f`` (last point reached), ``steps`` taken, and
    ``status`` (codes into STATUS_NAMES)."""

    x: np.ndarray
    y: np.ndarray
    f: np.ndarray
    steps: np.ndarray
    status: np.ndarray

    def status_name(self, i):
        return STATUS_NAMES[int(self.status[i])]

    def mask(self, name):
        return self.status == _CODE[name]


BLOCK = 8192  # starts stepped together: their arrays stay in the processor's cache


def run_many(function, xs, ys, learning_rate, max_steps, tol=1e-6, optimizer="gd",
             hyperparameters=None, schedule=None, cancel=None, progress=None, check_every=1):
    """Run descent from every start (xs[i], ys[i]) at once; ``learning_rate`` may be one
    number or one per start. ``cancel()`` returning True raises Cancelled; ``progress(done,
    total)`` is told the work done now and then. Returns a Batch.

    With ``check_every`` = k > 1 the runs are checked (converged, diverged, left the domain)
    only every k steps, and f is computed only then: faster, for rasters such as basins, but
    a run may take up to k - 1 steps more, and its step count and the kind of failure are
    then approximate. With k = 1 every run ends exactly as a single run would.
    """
    xs = np.array(xs, dtype=np.float64).ravel()
    ys = np.array(ys, dtype=np.float64).ravel()
    if xs.shape != ys.shape:
        raise InputError("give as many x as y values for the starts")
    rates = np.broadcast_to(np.asarray(learning_rate, dtype=np.float64), xs.shape).copy()
    for rate in [rates.min(), rates.max()] if rates.size else [1.0]:  # the checks of one run
        check_settings((0.0, 0.0), rate, max_steps, tol, optimizer)
    spec = optimizer_by_name(optimizer)
    args = (*spec.check(hyperparameters).values(), *schedule_by_name(schedule)[1].values(),
            float(max_steps))
    sched = schedule_by_name(schedule)[0]
    step = steploop.vector_step(function, spec, sched)
    every = 1 if "f" in steploop.names_used(spec) else max(1, int(check_every))

    size = xs.size
    out = Batch(xs.copy(), ys.copy(), np.full(size, np.nan), np.zeros(size, dtype=np.int64),
                np.full(size, _CODE[RUNNING], dtype=np.int8))
    total = max(1, size * max_steps)
    for lo in range(0, size, BLOCK):
        block = slice(lo, min(lo + BLOCK, size))

        def tick(t, lo=lo, n=block.stop - block.start):
            if cancel is not None and cancel():
                raise Cancelled()
            if progress is not None:
                progress(lo * max_steps + n * t, total)

        _run_block(function, step, spec, out, block, rates[block], args, max_steps, tol,
                   every, tick)
    return out


def _run_block(function, step, spec, out, block, lr, args, max_steps, tol, every, tick):
    """Lockstep runs of the starts in ``block``; results go into ``out``."""
    idx = np.arange(block.start, block.stop)
    x, y = out.x[idx], out.y[idx]
    with np.errstate(all="ignore"):
        f, gx, gy = function.values_and_gradients(x, y)
        norm = np.hypot(gx, gy)
    out.f[idx] = f
    status = np.full(idx.size, _CODE[RUNNING], dtype=np.int8)
    status[~np.isfinite(f) | ~np.isfinite(norm)] = _CODE[UNDEFINED_START]
    status[(status == 0) & (norm == 0)] = _CODE[CRITICAL_START]
    status[(status == 0) & (norm < tol)] = _CODE[CONVERGED]
    out.status[idx] = status
    keep = status == 0
    idx, x, y, f, gx, gy, lr = (a[keep] for a in (idx, x, y, f, gx, gy, lr))
    far = np.minimum(DIVERGENCE_LIMIT, 1e12 * (1.0 + np.hypot(x, y)))
    state = tuple(np.zeros(idx.size) for _ in range(spec.state_size))
    gradient = function.gradient
    for t in range(1, max_steps + 1):
        if idx.size == 0:
            return
        if t % 16 == 1:
            tick(t - 1)
        check = t % every == 0 or t == max_steps
        with np.errstate(all="ignore"):
            moved = step(x, y, f, gx, gy, *state, lr, *args, t)
            nx, ny, new_state = moved[:3]
            if not check:  # only the gradient: f and the checks wait for a checking step
                x, y, state = nx, ny, new_state
                gx, gy = gradient(x, y)
                continue
            nf, ngx, ngy = function.values_and_gradients(nx, ny)
            end = np.zeros(idx.size, dtype=np.int8)  # 0: goes on
            if spec.stop:
                end[np.asarray(moved[3], dtype=bool)] = _CODE[NO_STEP]
            runaway = ~(np.hypot(nx, ny) <= far)
            bad = ~(np.abs(nf) <= BAD_VALUE_LIMIT) | ~np.isfinite(ngx) | ~np.isfinite(ngy)
            if (runaway | bad).any():
                inf = np.isinf(nf) | np.isinf(ngx) | np.isinf(ngy) | (np.abs(nf) > BAD_VALUE_LIMIT)
                fresh = end == 0
                end[fresh & bad & ~inf] = _CODE[LEFT_DOMAIN]
                end[fresh & (runaway | (bad & inf))] = _CODE[DIVERGED]
            ok = end == 0
            if ok.all():
                x, y, f, gx, gy, state = nx, ny, nf, ngx, ngy, new_state
            else:
                x, y, f, gx, gy = (np.where(ok, new, old) for new, old in
                                   ((nx, x), (ny, y), (nf, f), (ngx, gx), (ngy, gy)))
                state = tuple(np.where(ok, new, old) for new, old in zip(new_state, state))
            end[ok & (np.hypot(gx, gy) < tol)] = _CODE[CONVERGED]
        out.steps[idx[ok]] = t
        if end.any():
            done = end != 0
            where = idx[done]
            out.x[where], out.y[where], out.f[where] = x[done], y[done], f[done]
            out.status[where] = end[done]
            keep = ~done
            idx, x, y, f, gx, gy, lr, far = (a[keep] for a in (idx, x, y, f, gx, gy, lr, far))
            state = tuple(s[keep] for s in state)
    out.x[idx], out.y[idx], out.f[idx] = x, y, f
    out.status[idx] = _CODE[MAX_STEPS]


def group_points(x, y, near):
    """Labels that put points within ``near`` (in x and in y) of a group's first point into
    that group; returns (labels, [(x, y) of each group's first point])."""
    labels = np.full(x.shape, -1, dtype=np.int64)
    ends = []
    todo = np.arange(x.size)
    while todo.size:
        i = todo[0]
        close = (np.abs(x[todo] - x[i]) < near) & (np.abs(y[todo] - y[i]) < near)
        labels[todo[close]] = len(ends)
        ends.append((float(x[i]), float(y[i])))
        todo = todo[~close]
    return labels, ends


def log_rates(low, high, count):
    """``count`` learning rates spaced evenly on a log scale from ``low`` to ``high``."""
    try:
        low, high, count = float(low), float(high), int(count)
    except (TypeError, ValueError, OverflowError):
        raise InputError("the rates and their number must be numbers") from None
    if not (0 < low < high and math.isfinite(high)):
        raise InputError("the learning rates must go from a smaller to a larger positive number")
    if not 2 <= count <= 10_000:
        raise InputError("the number of rates must be between 2 and 10,000")
    return np.geomspace(low, high, int(count))


@dataclass(frozen=True)
class Sweep:
    """Runs from one start at many learning rates: ``rates[i]`` ended as ``runs`` row i."""

    rates: np.ndarray
    runs: Batch

    def diverged(self):
        return self.runs.mask(DIVERGED)

    def converged(self):
        return self.runs.mask(CONVERGED)


def sweep(function, start, lr_min, lr_max, count, max_steps=1000, tol=1e-6, optimizer="gd",
          hyperparameters=None, schedule=None, cancel=None, progress=None):
    """Descent from ``start`` at ``count`` log-spaced rates from ``lr_min`` to ``lr_max``, all
    at once; every run ends exactly as a single run with its rate would."""
    sx, sy = finite_pair(start, "the start point")
    rates = log_rates(lr_min, lr_max, count)
    runs = run_many(function, np.full(rates.size, sx), np.full(rates.size, sy), rates, max_steps,
                    tol, optimizer, hyperparameters, schedule, cancel, progress)
    return Sweep(rates, runs)
