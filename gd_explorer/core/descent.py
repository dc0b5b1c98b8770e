"""Descent runs: one step at a time or many in one compiled call (see steploop.py)."""
import math
from dataclasses import dataclass, field

import numpy as np

from . import steploop
from .errors import InputError, finite_pair
from .fmt import fmt, fmt_point
from .optimizers import OPTIMIZERS, optimizer_by_name, schedule_by_name

COLUMNS = ("step", "x", "y", "f", "df_dx", "df_dy", "grad_norm")
MAX_STEPS_LIMIT = 10_000_000
MIN_LEARNING_RATE, MAX_LEARNING_RATE = 1e-12, 1e6
MAX_TOLERANCE = 1e6
DIVERGENCE_LIMIT = 1e100
BAD_VALUE_LIMIT = DIVERGENCE_LIMIT ** 1.5  # |f| above this counts as diverged

RUNNING, CONVERGED, MAX_STEPS, DIVERGED, LEFT_DOMAIN, CRITICAL_START, STOPPED, NO_STEP = (
    "running", "converged", "max_steps", "diverged", "left_domain", "critical_start", "stopped",
    "no_step")
STILL_FALLING = "still_falling"  # ‖∇f‖ < tol, but f keeps falling along −∇f: no minimum near
STATUSES = (RUNNING, CONVERGED, MAX_STEPS, DIVERGED, LEFT_DOMAIN, CRITICAL_START, STOPPED, NO_STEP,
            STILL_FALLING)
PROBE_POWERS = range(-8, 5)  # f is probed along −∇f at 2^k times the point's size, k in these


def check_settings(start, learning_rate, max_steps, tol, optimizer):
    """Validate descent settings; return them normalised or raise InputError."""
    sx, sy = finite_pair(start, "the start point")
    lr = _number(learning_rate, "learning rate")
    if not MIN_LEARNING_RATE <= lr <= MAX_LEARNING_RATE:
        raise InputError(f"the learning rate must be between {fmt(MIN_LEARNING_RATE)} "
                         f"and {fmt(MAX_LEARNING_RATE)}")
    if isinstance(max_steps, bool) or not isinstance(max_steps, (int, np.integer)):
        if isinstance(max_steps, float) and max_steps.is_integer():
            max_steps = int(max_steps)
        else:
            raise InputError("the number of steps must be a whole number")
    if not 1 <= max_steps <= MAX_STEPS_LIMIT:
        raise InputError(f"the number of steps must be between 1 and {MAX_STEPS_LIMIT:,}")
    tol = _number(tol, "tolerance")
    if not 0 <= tol <= MAX_TOLERANCE:
        raise InputError(f"the tolerance must be between 0 and {fmt(MAX_TOLERANCE)}")
    optimizer_by_name(optimizer)
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
    hyperparameters: dict = field(default_factory=dict)
    schedule: tuple = ("constant", {})
    name: str = ""
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
    """A descent run that can be advanced step by step (for the GUI) or run to the end.

    ``optimizer`` names an entry of OPTIMIZERS; ``hyperparameters`` may give some of its
    hyperparameters; ``schedule`` is a name of SCHEDULES or a (name, parameters) pair.
    """

    _next_point = None  # ((steps, status), next_point's answer for them)

    def __init__(self, function, start, learning_rate, max_steps=1000, tol=1e-6, optimizer="gd",
                 hyperparameters=None, schedule=None):
        (sx, sy), lr, max_steps, tol, optimizer = check_settings(
            start, learning_rate, max_steps, tol, optimizer)
        self.spec = optimizer_by_name(optimizer)
        self.hyperparameters = self.spec.check(hyperparameters)
        self.schedule, self.schedule_parameters = schedule_by_name(schedule)
        self.function = function
        self.learning_rate, self.max_steps, self.tol, self.optimizer = lr, max_steps, tol, optimizer
        f0, gx, gy = function.value_and_gradient(sx, sy)
        if not math.isfinite(f0):
            if _overflows(function, sx, sy):
                raise InputError(f"f overflows at the start point {fmt_point((sx, sy))}: its "
                                 "value is beyond the largest number a float holds (about "
                                 "1.8e308); start nearer to where f is moderate")
            raise InputError(f"f is not defined at the start point {fmt_point((sx, sy))}")
        if not (math.isfinite(gx) and math.isfinite(gy)):
            raise InputError(f"the gradient of f is not defined at the start point "
                             f"{fmt_point((sx, sy))}: "
                             "f has a kink or a singular point there; start a little away from it")
        # One column per field, room for every step up front: untouched pages cost no memory,
        # and rows are never copied while a long run grows. The compiled loop writes into them.
        self._cols = np.empty((len(COLUMNS), max_steps + 1), dtype=np.float64)
        self._n = 0
        self._append(0, sx, sy, f0, gx, gy)
        self._state = [0.0] * self.spec.state_size  # the optimizer's memory
        # a point this far out has run away: a trillion times the start's distance from 0
        self._far = min(DIVERGENCE_LIMIT, 1e12 * (1.0 + math.hypot(sx, sy)))
        self.status, self.message = RUNNING, "ready"
        norm = math.hypot(gx, gy)
        if norm == 0:
            self._finish(CRITICAL_START, "the gradient is zero at the start point: it is already "
                                         "a critical point, so descent cannot move")
        elif norm < tol:
            self._converged(0)

    @classmethod
    def resume(cls, function, rows, state=(), status=RUNNING, message="", learning_rate=0.01,
               max_steps=1000, tol=1e-6, optimizer="gd", hyperparameters=None, schedule=None):
        """A run continued from saved rows and optimizer memory (e.g. from a session)."""
        rows = np.array(rows, dtype=np.float64)
        if rows.ndim != 2 or rows.shape[1] != len(COLUMNS) or len(rows) < 1:
            raise InputError("saved rows must have one column per field")
        if status not in STATUSES:
            raise InputError(f"unknown run status {status!r}")
        run = cls(function, rows[0, 1:3], learning_rate, max_steps, tol, optimizer,
                  hyperparameters, schedule)
        state = [float(v) for v in state]
        size = run.spec.state_size
        if len(state) == 4 and size <= 4:  # version-1 sessions keep 4 numbers for every optimizer
            state = state[:size]
        if len(state) != size:
            raise InputError(f"{run.spec.label} keeps {size} numbers of memory, not {len(state)}")
        run._cols = np.empty((len(COLUMNS), max(run.max_steps + 1, len(rows))), dtype=np.float64)
        run._cols[:, : len(rows)] = rows.T
        run._n = len(rows)
        run._state = state
        run.status, run.message = status, message or ("ready" if status == RUNNING else status)
        return run

    @property
    def state(self):
        """The optimizer's memory (e.g. velocity or Adam moments), for saving."""
        return tuple(self._state)

    @property
    def finished(self):
        return self.status != RUNNING

    @property
    def steps(self):
        return self._n - 1

    @property
    def trajectory(self):
        """A copy of the rows so far (step, x, y, f, df_dx, df_dy, grad_norm)."""
        return np.ascontiguousarray(self._cols[:, : self._n].T)

    def view(self):
        """A read-only view of the rows so far (no copy); valid until the next step."""
        rows = self._cols[:, : self._n].T
        rows.flags.writeable = False
        return rows

    def row(self, i):
        return self._cols[:, : self._n][:, i].copy()

    def _append(self, step, x, y, f, gx, gy):
        self._cols[:, self._n] = (step, x, y, f, gx, gy, math.hypot(gx, gy))
        self._n += 1

    def _finish(self, status, message):
        self.status, self.message = status, message

    def _loop(self):
        """The compiled loop for this function, optimizer and schedule (made once)."""
        key = (self.optimizer, self.schedule.name)
        cache = getattr(self.function, "_loops", None)
        if cache is None:  # a function-like object without a cache (tests' spies)
            cache = self.__dict__.setdefault("_loops", {})
        if key not in cache:
            cache[key] = steploop.scalar_loop(self.function, self.spec, self.schedule)
        return cache[key]

    def step(self, count=1, callback=None):
        """Take up to ``count`` steps; return how many were taken.

        ``callback(row)`` gets each new row; returning True (or raising StopIteration)
        stops the run.
        """
        if callback is None:
            return self._advance(int(count))
        taken = 0
        while taken < count and not self.finished:
            n = self._advance(1)
            taken += n
            if n == 0:
                break
            try:
                stop = callback(self.row(-1))
            except StopIteration:
                stop = True
            if stop and not self.finished:
                self._finish(STOPPED, f"stopped at step {self.steps}")
        return taken

    def _advance(self, count):
        """Up to ``count`` steps in one call of the compiled loop."""
        if self.finished or count <= 0:
            return 0
        done = self._n - 1
        end = min(done + count, self.max_steps)
        if end <= done:
            return 0
        code, last, x, y, f, gx, gy, state = self._call_loop(
            done, end, [memoryview(c) for c in self._cols[1:]])
        self._cols[0, done + 1: last + 1] = np.arange(done + 1, last + 1)
        self._n = last + 1
        self._state = list(state)
        t = last + 1  # the step that failed, for the messages below
        if code == steploop.CONVERGED:
            self._converged(last)
        elif code == steploop.RUNAWAY:
            self._diverged(t, None)
        elif code == steploop.BAD_VALUE:
            if math.isinf(f) or math.isinf(gx) or math.isinf(gy) or abs(f) > BAD_VALUE_LIMIT:
                self._diverged(t, f)
            else:
                self._finish(LEFT_DOMAIN, f"stopped {_after(t)} left the domain of f)")
        elif code == steploop.STOPPED:
            self._finish(NO_STEP, f"stopped after {_steps(t - 1)}: {self.spec.stop_message}")
        elif last >= self.max_steps:
            self._finish(MAX_STEPS, f"max steps reached ({last} steps)")
        return last - done

    def _call_loop(self, done, end, cols):
        """The compiled loop from row ``done`` up to step ``end``, writing rows into ``cols``
        (x, y, f, f_x, f_y, ‖∇f‖, each indexed by step)."""
        _, x, y, f, gx, gy, _ = self._cols[:, done].tolist()
        far = self._far
        return self._loop()(
            x, y, f, gx, gy, *self._state, self.learning_rate, *self.hyperparameters.values(),
            *self.schedule_parameters.values(), float(self.max_steps), done, end, self.tol,
            far, (far * (1 - 1e-9)) ** 2, BAD_VALUE_LIMIT, *cols)

    def _converged(self, steps):
        """‖∇f‖ fell below the tolerance: converged, unless f still falls along −∇f."""
        _, x, y, f, gx, gy, _ = self._cols[:, self._n - 1].tolist()
        if still_falling(self.function, (x, y), f, (gx, gy)):
            self._finish(STILL_FALLING, f"‖∇f‖ fell below the tolerance ({fmt(self.tol)}) after "
                                        f"{_steps(steps)} but f is still falling: no minimum nearby")
        else:
            self._finish(CONVERGED, f"converged after {steps} steps (‖∇f‖ < {fmt(self.tol)})")

    def _diverged(self, t, f_next):
        """Say why: f falling without bound (no minimum that way) or steps too large."""
        fs = self._cols[3, max(0, self._n - 3): self._n]
        falling = len(fs) == 3 and fs[2] < fs[1] < fs[0] and fs[2] < self._cols[3, 0]
        if falling and (f_next is None or not f_next > fs[2]):
            why = "f decreases without bound along the path, so there is no minimum to reach this way"
        elif self.learning_rate <= MIN_LEARNING_RATE:
            why = (f"even the smallest learning rate, {fmt(MIN_LEARNING_RATE)}, is too large: f "
                   "grows too steeply here")
        else:
            why = "try a smaller learning rate"
        self._finish(DIVERGED, f"diverged {_after(t)} ran away): {why}")

    def stop(self):
        if not self.finished:
            self._finish(STOPPED, f"stopped at step {self.steps}")

    def result(self, expression="", copy=True, name=""):
        """The run so far; with copy=False its trajectory is a read-only view (no copy of
        millions of rows), whose rows stay valid while the run goes on."""
        return self._result(self.trajectory if copy else self.view(), expression, name)

    def _result(self, rows, expression="", name=""):
        return DescentResult(rows, self.status, self.message, self.optimizer,
                             self.learning_rate, expression or getattr(self.function, "text", ""),
                             dict(self.hyperparameters),
                             (self.schedule.name, dict(self.schedule_parameters)), name)


@dataclass(frozen=True)
class NextStep:
    """Where a run's next step leads: (x, y) and f there (not finite where the step leaves f's
    domain or runs away), and the move (dx, dy) from the current point."""

    x: float
    y: float
    f: float
    dx: float
    dy: float


def next_point(descent):
    """The run's next step, computed by its own compiled rule from its last row and memory,
    without changing the run; None when the run is finished or its optimizer has no step
    here (Newton's method at a singular Hessian)."""
    done = descent.steps
    key = (done, descent.status)  # every change of a run changes one of them
    kept = descent._next_point
    if kept is not None and kept[0] == key:  # asked again for the same step (several panes)
        return kept[1]
    step = None
    if not (descent.finished or done >= descent.max_steps):
        sink = [{} for _ in COLUMNS[1:]]  # the loop writes the new row here, not into the run
        code, _, x, y, f, _, _, _ = descent._call_loop(done, done + 1, sink)
        if code != steploop.STOPPED:
            x0, y0 = descent._cols[1:3, done].tolist()
            step = NextStep(x, y, f, x - x0, y - y0)
    descent._next_point = (key, step)
    return step


def still_falling(function, point, f, gradient):
    """Whether f keeps falling along −∇f from ``point`` as far as we look: at 2^k times the
    point's size (at least 1) for k in PROBE_POWERS, each value at most the one before and
    the last below f. Where the Hessian is positive definite and its minimum p − H⁻¹∇f lies
    within the first probe, the point is a minimum and nothing is probed."""
    (px, py), (gx, gy) = point, gradient
    norm = math.hypot(gx, gy)
    if not (norm > 0 and math.isfinite(norm) and math.isfinite(f)):
        return False
    size = max(1.0, math.hypot(px, py))
    first = size * 2.0 ** PROBE_POWERS[0]
    if hasattr(function, "hessian_scalars"):
        a, b, c = function.hessian_scalars(px, py)
        det = a * c - b * b
        if a > 0 and det > 0 and math.hypot(c * gx - b * gy, a * gy - b * gx) < first * det:
            return False  # the quadratic model's minimum is nearer than the first probe
    value_at = steploop._value_at(function)
    ux, uy = -gx / norm, -gy / norm
    last = f
    for k in PROBE_POWERS:
        t = size * 2.0 ** k
        fk = value_at(px + t * ux, py + t * uy)
        if not fk <= last:  # it rises (a minimum lies between), or is undefined: not falling
            return False
        last = fk
    return last < f


def _overflows(function, x, y):
    """f is infinite at (x, y) and all round it, a millionth of the point's size away: too
    large for a float (x² + y² at 1e154), not a pole (1/x at 0, finite close by)."""
    value_at = steploop._value_at(function)
    r = 1e-6 * max(1.0, abs(x), abs(y))
    return math.isinf(value_at(x, y)) and all(
        math.isinf(value_at(x + r * math.cos(k * math.pi / 4), y + r * math.sin(k * math.pi / 4)))
        for k in range(8))


def _steps(n):
    return f"{n} step{'' if n == 1 else 's'}"


def _after(t):
    """'after 4 steps (step 5': the steps in the table, then the step that failed."""
    return f"after {_steps(t - 1)} (step {t}"


def descend(function, start, learning_rate, max_steps=1000, tol=1e-6, optimizer="gd",
            hyperparameters=None, schedule=None, callback=None):
    """Run descent from ``start`` to the end; return a DescentResult.

    Each gd step is exactly x_{t+1} = x_t - learning_rate * grad f(x_t); see OPTIMIZERS for
    the other rules and optimizers.SCHEDULES for learning-rate schedules.
    """
    run = Descent(function, start, learning_rate, max_steps, tol, optimizer, hyperparameters,
                  schedule)
    run.step(run.max_steps, callback=callback)
    rows = run._cols[:, : run._n].T  # the run ends here: its rows need no copy (1M rows: 56 MB)
    if 2 * run._n < run._cols.shape[1]:  # nor should a mostly unused buffer be kept alive
        rows = np.ascontiguousarray(rows)
    return run._result(rows)
