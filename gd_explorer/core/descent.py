"""Gradient descent (and two classic variants), one step at a time or as a whole run."""
import math
import re
from dataclasses import dataclass, field

import numpy as np

from .errors import InputError, finite_pair

COLUMNS = ("step", "x", "y", "f", "df_dx", "df_dy", "grad_norm")
OPTIMIZERS = {
    "gd": "gradient descent",
    "momentum": "momentum (beta = 0.9)",
    "adam": "Adam (beta1 = 0.9, beta2 = 0.999)",
}
MAX_STEPS_LIMIT = 10_000_000
MIN_LEARNING_RATE, MAX_LEARNING_RATE = 1e-12, 1e6
MAX_TOLERANCE = 1e6
DIVERGENCE_LIMIT = 1e100

RUNNING, CONVERGED, MAX_STEPS, DIVERGED, LEFT_DOMAIN, CRITICAL_START, STOPPED = (
    "running", "converged", "max_steps", "diverged", "left_domain", "critical_start", "stopped")
STATUSES = (RUNNING, CONVERGED, MAX_STEPS, DIVERGED, LEFT_DOMAIN, CRITICAL_START, STOPPED)


def short_number(value):
    """1e-06 → 1e-6, 0.001 → 0.001: how people write tolerances."""
    return re.sub(r"e([+-])0*(\d)", r"e\1\2", f"{value:g}").replace("e+", "e")


def check_settings(start, learning_rate, max_steps, tol, optimizer):
    """Validate descent settings; return them normalised or raise InputError."""
    sx, sy = finite_pair(start, "the start point")
    lr = _number(learning_rate, "learning rate")
    if not MIN_LEARNING_RATE <= lr <= MAX_LEARNING_RATE:
        raise InputError(f"the learning rate must be between {short_number(MIN_LEARNING_RATE)} "
                         f"and {short_number(MAX_LEARNING_RATE)}")
    if isinstance(max_steps, bool) or not isinstance(max_steps, (int, np.integer)):
        if isinstance(max_steps, float) and max_steps.is_integer():
            max_steps = int(max_steps)
        else:
            raise InputError("the number of steps must be a whole number")
    if not 1 <= max_steps <= MAX_STEPS_LIMIT:
        raise InputError(f"the number of steps must be between 1 and {MAX_STEPS_LIMIT:,}")
    tol = _number(tol, "tolerance")
    if not 0 <= tol <= MAX_TOLERANCE:
        raise InputError(f"the tolerance must be between 0 and {short_number(MAX_TOLERANCE)}")
    if optimizer not in OPTIMIZERS:
        raise InputError(f"unknown optimizer {optimizer!r}: choose one of {', '.join(OPTIMIZERS)}")
    return (sx, sy), lr, int(max_steps), tol, optimizer


def _number(value, name):
    if isinstance(value, bool):
        raise InputError(f"the {name} must be a number")
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise InputError(f"the {name} must be a number") from None
    if not math.isfinite(value):
        raise InputError(f"the {name} must be a finite number")
    return value


@dataclass
class DescentResult:
    """Like scipy's OptimizeResult: x, fun, jac, nit, status, message, plus the trajectory."""

    trajectory: np.ndarray
    status: str
    message: str
    optimizer: str
    learning_rate: float
    expression: str = ""
    x: np.ndarray = field(init=False)
    fun: float = field(init=False)
    jac: np.ndarray = field(init=False)
    nit: int = field(init=False)

    def __post_init__(self):
        last = self.trajectory[-1]
        self.x = last[1:3].copy()
        self.fun = float(last[3])
        self.jac = last[4:6].copy()
        self.nit = int(last[0])

    @property
    def success(self):
        return self.status == CONVERGED


class Descent:
    """A descent run that can be advanced step by step (for the GUI) or run to the end."""

    def __init__(self, function, start, learning_rate, max_steps=1000, tol=1e-6, optimizer="gd"):
        (sx, sy), lr, max_steps, tol, optimizer = check_settings(
            start, learning_rate, max_steps, tol, optimizer)
        self.function = function
        self.learning_rate, self.max_steps, self.tol, self.optimizer = lr, max_steps, tol, optimizer
        f0, gx, gy = function.value_and_gradient(sx, sy)
        if not math.isfinite(f0):
            raise InputError(f"f is not defined at the start point ({sx:g}, {sy:g})")
        if not (math.isfinite(gx) and math.isfinite(gy)):
            raise InputError(f"the gradient of f is not defined at the start point ({sx:g}, {sy:g}): "
                             "f has a kink or a singular point there; start a little away from it")
        # Room for every step up front: untouched pages cost no memory, and the rows are
        # never copied while a long run grows (a copy of millions of rows stalls the GUI).
        self._rows = np.empty((max_steps + 1, len(COLUMNS)), dtype=np.float64)
        self._n = 0
        self._append(0, sx, sy, f0, gx, gy)
        self._state = np.zeros(4)  # optimizer memory: velocity or Adam moments
        # a point this far out has run away: a trillion times the start's distance from 0
        self._far = min(DIVERGENCE_LIMIT, 1e12 * (1.0 + math.hypot(sx, sy)))
        self.status, self.message = RUNNING, "ready"
        norm = math.hypot(gx, gy)
        if norm == 0:
            self._finish(CRITICAL_START, "the gradient is zero at the start point: it is already "
                                         "a critical point, so descent cannot move")
        elif norm < tol:
            self._finish(CONVERGED, f"converged after 0 steps (‖∇f‖ < {short_number(tol)})")

    @classmethod
    def resume(cls, function, rows, state=(0.0, 0.0, 0.0, 0.0), status=RUNNING, message="",
               learning_rate=0.01, max_steps=1000, tol=1e-6, optimizer="gd"):
        """A run continued from saved rows and optimizer memory (e.g. from a session)."""
        rows = np.array(rows, dtype=np.float64)
        if rows.ndim != 2 or rows.shape[1] != len(COLUMNS) or len(rows) < 1:
            raise InputError("saved rows must have one column per field")
        if status not in STATUSES:
            raise InputError(f"unknown run status {status!r}")
        run = cls(function, rows[0, 1:3], learning_rate, max_steps, tol, optimizer)
        run._rows = np.empty((max(run.max_steps + 1, len(rows)), len(COLUMNS)), dtype=np.float64)
        run._rows[: len(rows)] = rows
        run._n = len(rows)
        run._state[:] = state
        run.status, run.message = status, message or ("ready" if status == RUNNING else status)
        return run

    @property
    def state(self):
        """The optimizer's memory (velocity or Adam moments), for saving."""
        return tuple(float(v) for v in self._state)

    @property
    def finished(self):
        return self.status != RUNNING

    @property
    def steps(self):
        return self._n - 1

    @property
    def trajectory(self):
        """A copy of the rows so far (step, x, y, f, df_dx, df_dy, grad_norm)."""
        return self._rows[: self._n].copy()

    def view(self):
        """A read-only view of the rows so far (no copy); valid until the next step."""
        rows = self._rows[: self._n]
        rows.flags.writeable = False
        return rows

    def row(self, i):
        return self._rows[: self._n][i].copy()

    def _append(self, step, x, y, f, gx, gy):
        if self._n == len(self._rows):
            grown = np.empty((2 * len(self._rows), len(COLUMNS)), dtype=np.float64)
            grown[: self._n] = self._rows[: self._n]
            self._rows = grown
        self._rows[self._n] = (step, x, y, f, gx, gy, math.hypot(gx, gy))
        self._n += 1

    def _finish(self, status, message):
        self.status, self.message = status, message

    def _move(self, x, y, gx, gy, t):
        lr, s = self.learning_rate, self._state
        if self.optimizer == "gd":
            return x - lr * gx, y - lr * gy
        if self.optimizer == "momentum":
            s[0] = 0.9 * s[0] - lr * gx
            s[1] = 0.9 * s[1] - lr * gy
            return x + s[0], y + s[1]
        b1, b2, eps = 0.9, 0.999, 1e-8
        s[0] = b1 * s[0] + (1 - b1) * gx
        s[1] = b1 * s[1] + (1 - b1) * gy
        s[2] = b2 * s[2] + (1 - b2) * gx * gx
        s[3] = b2 * s[3] + (1 - b2) * gy * gy
        c1, c2 = 1 - b1 ** t, 1 - b2 ** t
        return (x - lr * (s[0] / c1) / (math.sqrt(s[2] / c2) + eps),
                y - lr * (s[1] / c1) / (math.sqrt(s[3] / c2) + eps))

    def step(self, count=1, callback=None):
        """Take up to ``count`` steps; return how many were taken.

        ``callback(row)`` gets each new row; returning True (or raising StopIteration)
        stops the run.
        """
        taken = 0
        fn = self.function
        while taken < count and not self.finished:
            step, x, y, _, gx, gy, _ = self._rows[self._n - 1]
            t = int(step) + 1
            with np.errstate(all="ignore"):
                nx, ny = self._move(x, y, gx, gy, t)
            if not (math.isfinite(nx) and math.isfinite(ny)) or math.hypot(nx, ny) > self._far:
                self._diverged(t, None)
                break
            f, ngx, ngy = fn.value_and_gradient(nx, ny)
            if math.isinf(f) or math.isinf(ngx) or math.isinf(ngy) or abs(f) > DIVERGENCE_LIMIT ** 1.5:
                self._diverged(t, f)
                break
            if math.isnan(f) or math.isnan(ngx) or math.isnan(ngy):
                self._finish(LEFT_DOMAIN, f"left the domain of f at step {t}")
                break
            self._append(t, nx, ny, f, ngx, ngy)
            taken += 1
            if math.hypot(ngx, ngy) < self.tol:
                self._finish(CONVERGED, f"converged after {t} steps "
                                        f"(‖∇f‖ < {short_number(self.tol)})")
            elif t >= self.max_steps:
                self._finish(MAX_STEPS, f"max steps reached ({t} steps)")
            if callback is not None:
                try:
                    stop = callback(self._rows[self._n - 1].copy())
                except StopIteration:
                    stop = True
                if stop and not self.finished:
                    self._finish(STOPPED, f"stopped at step {t}")
        return taken

    def _diverged(self, t, f_next):
        """Say why: f falling without bound (no minimum that way) or steps too large."""
        fs = self._rows[max(0, self._n - 3): self._n, 3]
        falling = len(fs) == 3 and fs[2] < fs[1] < fs[0] and fs[2] < self._rows[0, 3]
        if falling and (f_next is None or not f_next > fs[2]):
            self._finish(DIVERGED, f"diverged at step {t}: f decreases without bound along the "
                                   "path, so there is no minimum to reach this way")
        else:
            self._finish(DIVERGED, f"diverged at step {t}: try a smaller learning rate")

    def stop(self):
        if not self.finished:
            self._finish(STOPPED, f"stopped at step {self.steps}")

    def result(self, expression="", copy=True):
        """The run so far; with copy=False its trajectory is a read-only view (no copy of
        millions of rows), whose rows stay valid while the run goes on."""
        rows = self.trajectory if copy else self.view()
        return DescentResult(rows, self.status, self.message, self.optimizer,
                             self.learning_rate, expression or getattr(self.function, "text", ""))


def descend(function, start, learning_rate, max_steps=1000, tol=1e-6, optimizer="gd",
            callback=None):
    """Run descent from ``start`` to the end; return a DescentResult.

    Each gd step is exactly x_{t+1} = x_t - learning_rate * grad f(x_t).
    """
    run = Descent(function, start, learning_rate, max_steps, tol, optimizer)
    run.step(run.max_steps, callback=callback)
    return run.result()
