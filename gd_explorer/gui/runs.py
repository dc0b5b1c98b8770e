"""The runs on the map: each a descent with its own settings, name, colour and visibility.

Pure data (no Qt): the model (model.py) owns the list and emits the signals.
"""
from dataclasses import dataclass, field, replace

from ..core.descent import CONVERGED, CRITICAL_START, Descent, check_settings
from ..core.endpoint import stopped_at
from ..core.errors import InputError
from ..core.optimizers import optimizer_by_name, schedule_by_name
from .colors import RUN_COLORS


@dataclass(frozen=True)
class Settings:
    """What a run is made from. ``hyperparameters`` and the schedule's parameters are the
    given values only (the optimizer's defaults fill in the rest)."""

    start: tuple = (1.0, 1.0)
    learning_rate: float = 0.01
    max_steps: int = 10000
    tol: float = 1e-6
    optimizer: str = "gd"
    hyperparameters: tuple = ()           # ((name, value), ...), sorted
    schedule: tuple = ("constant", ())    # (name, ((param, value), ...))

    def with_(self, **changes):
        """A copy with some fields changed (dicts become sorted tuples)."""
        if "hyperparameters" in changes:
            changes["hyperparameters"] = _pairs(changes["hyperparameters"])
        if "schedule" in changes:
            changes["schedule"] = _schedule(changes["schedule"])
        return replace(self, **changes)

    def checked(self):
        """The same settings with every hyperparameter and schedule parameter spelled out (the
        defaults filled in), or InputError if they cannot make a run."""
        check_settings(self.start, self.learning_rate, self.max_steps, self.tol, self.optimizer)
        hyper = optimizer_by_name(self.optimizer).check(dict(self.hyperparameters))
        spec, params = schedule_by_name(self.schedule_arg)
        return self.with_(hyperparameters=hyper, schedule=(spec.name, params))

    @property
    def schedule_arg(self):
        name, params = self.schedule
        return (name, dict(params))


def _pairs(mapping):
    return tuple(sorted(dict(mapping or {}).items()))


def _schedule(schedule):
    if schedule is None:
        return ("constant", ())
    if isinstance(schedule, str):
        return (schedule, ())
    name, params = schedule
    return (name, _pairs(params))


@dataclass(eq=False)
class Run:
    """One run: ``descent`` is None where it could not start (``error`` says why)."""

    settings: Settings
    name: str
    color: str
    visible: bool = True
    descent: Descent = None
    error: str = ""
    left_view: str = ""  # where its current point left the window, in words
    _end: tuple = field(default=None, repr=False)  # (steps, EndPoint) once it has stopped

    def stopped_at(self, window):
        """What the run stopped at (core.endpoint.EndPoint) once it converged or started at a
        critical point, else None; worked out once per end."""
        d = self.descent
        if d is None or d.status not in (CONVERGED, CRITICAL_START):
            return None
        if self._end is None or self._end[0] != d.steps:
            self._end = (d.steps, stopped_at(d.function, self.current_point, window))
        return self._end[1]

    @property
    def finished(self):
        return self.descent is None or self.descent.finished

    @property
    def status_text(self):
        """The run's state in words."""
        d = self.descent
        if d is None:
            return self.error or "not started"
        if not d.finished:
            return f"step {d.steps}: ready" if d.steps else "ready: press Step or Play"
        return d.message

    @property
    def current_point(self):
        if self.descent is None:
            return self.settings.start
        row = self.descent.row(-1)
        return float(row[1]), float(row[2])


def start_run(function, settings):
    """A fresh Descent for ``settings``, or (None, the reason)."""
    try:
        return Descent(function, settings.start, settings.learning_rate, settings.max_steps,
                       settings.tol, settings.optimizer, dict(settings.hyperparameters),
                       settings.schedule_arg), ""
    except InputError as exc:
        return None, str(exc)


def next_color(runs):
    """The first palette colour no run uses, or the least used one."""
    used = [r.color for r in runs]
    return min(RUN_COLORS, key=lambda c: (used.count(c), RUN_COLORS.index(c)))


def renamed(name, old, new):
    """``name`` with the optimizer in it brought up to date ("run 2: Adam" when the run's
    optimizer changes from gd to Adam); a name the user chose is kept as it is."""
    before, after = (optimizer_by_name(s.optimizer).label for s in (old, new))
    head, sep, label = name.rpartition(": ")
    if sep and label == before and head.startswith("run ") and head[4:].isdigit():
        return f"{head}: {after}"
    return name


def default_name(runs, settings):
    label = optimizer_by_name(settings.optimizer).label
    taken = {r.name for r in runs}
    n = len(runs) + 1
    while f"run {n}: {label}" in taken:
        n += 1
    return f"run {n}: {label}"
