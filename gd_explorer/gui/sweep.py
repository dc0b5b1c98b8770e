"""The learning-rate sweep of the selected run (state only, no widgets).

From the selected run's start, with its optimizer, hyperparameters, schedule, max steps and
tolerance, descent runs at N log-spaced rates at once (core.batch.sweep) on a background Job
(analysis.py). The result belongs to the function, the start and that method: it is cleared
when any of them changes (a new learning rate keeps it: the sweep spans the rates).
"""
import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal

from ..core.batch import STATUS_NAMES, Sweep, log_rates, sweep
from ..core.calculus import curvature
from ..core.descent import CONVERGED, DIVERGED, MAX_STEPS, check_settings
from ..core.errors import InputError
from ..core.fmt import fmt, fmt_point
from ..core.optimizers import optimizer_by_name
from .analysis import Job

STATUS_WORDS = {CONVERGED: "converged", DIVERGED: "diverged",
                MAX_STEPS: "ran out of steps", "left_domain": "left the domain of f",
                "critical_start": "started at a critical point",
                "no_step": "stopped (no step)", "undefined_start": "undefined at the start"}


@dataclass(frozen=True)
class SweepResult:
    """A finished sweep and what it was run for."""

    sweep: Sweep
    key: tuple           # RateSweep.key() when it was started
    start: tuple
    optimizer: str
    max_steps: int
    curvature: tuple     # (λmin, λmax, 2/λmax or None) of the Hessian at the start

    @property
    def rates(self):
        return self.sweep.rates

    def status_names(self):
        return [STATUS_NAMES[int(code)] for code in self.sweep.runs.status]

    def stable_rate(self):
        """2/λmax at the start where the Hessian is positive definite there, else None."""
        low, high, bound = self.curvature
        return bound if bound is not None and low > 0 else None

    def summary(self):
        """The result in words: how many rates did what, and what curvature says."""
        names = self.status_names()
        n = len(names)
        label = optimizer_by_name(self.optimizer).label
        parts = []
        for status, words in STATUS_WORDS.items():
            count = names.count(status)
            if count and status == DIVERGED:
                words += f" (ε ≥ {fmt(self.rates[self.sweep.diverged()].min())})"
            if count:
                parts.append(f"{count} {words}")
        text = (f"{n} rates from ε = {fmt(self.rates[0])} to {fmt(self.rates[-1])}, "
                f"{label} from {fmt_point(self.start)}, at most {self.max_steps:,} steps: "
                + ", ".join(parts) + ".")
        return text + " " + self.curvature_text()

    def curvature_text(self):
        low, high, _ = self.curvature
        bound = self.stable_rate()
        if bound is not None:
            return (f"Curvature at the start: λ = {fmt(low)}, {fmt(high)}; near there plain "
                    f"gradient descent is stable for ε < 2/λmax = {fmt(bound)} (dashed line).")
        if not (math.isfinite(low) and math.isfinite(high)):
            return "The Hessian is undefined at the start: no stable rate follows from curvature."
        return (f"The Hessian at the start is not positive definite (λ = {fmt(low)}, "
                f"{fmt(high)}): no stable rate follows from curvature there.")


class RateSweep(QObject):
    """Runs sweeps for the model's selected run; ``result`` is the last one (or None)."""

    changed = Signal()         # a result arrived or was cleared
    busyChanged = Signal(bool)
    progress = Signal(int)     # percent
    message = Signal(str)      # a refusal, a failure, "cancelled" or why a result was cleared

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.model = model
        self.result = None
        self.job = Job(self)
        self.job.busyChanged.connect(self.busyChanged)
        self.job.progress.connect(self.progress)
        self.job.finished.connect(self._on_done)
        self._running_key = None
        model.functionChanged.connect(lambda _fn: self._check_key("the function changed"))
        model.settingsChanged.connect(lambda: self._check_key("the start or the method changed"))

    @property
    def busy(self):
        return self.job.busy

    def key(self):
        """What a sweep depends on: the function, the start and the method (not the rate)."""
        s = self.model.settings
        return (self.model.function, s.start, s.optimizer, s.hyperparameters, s.schedule,
                s.max_steps, s.tol)

    def run(self, lr_min, lr_max, count):
        """Start a sweep; a refused setting is said in ``message`` and starts nothing."""
        m = self.model
        fn, s = m.function, m.settings
        if fn is None:
            return False
        try:
            rates = log_rates(lr_min, lr_max, count)
            for rate in (rates[0], rates[-1]):
                check_settings(s.start, rate, s.max_steps, s.tol, s.optimizer)
        except InputError as exc:
            self.message.emit(str(exc))
            return False
        self._running_key = key = self.key()
        args = (fn, s.start, lr_min, lr_max, count, s.max_steps, s.tol, s.optimizer,
                m.hyperparameters, m.schedule)

        def work(cancel, report):
            with np.errstate(all="ignore"):
                found = sweep(*args, cancel=cancel, progress=report)
                bend = curvature(fn, s.start)
            return SweepResult(found, key, s.start, s.optimizer, s.max_steps, bend)

        self.message.emit("")
        self.job.start("sweep", work)
        return True

    def cancel(self):
        if self.job.cancel():
            self.message.emit("cancelled")

    def clear(self):
        self.cancel()
        if self.result is not None:
            self.result = None
            self.changed.emit()

    def _on_done(self, _kind, result):
        if isinstance(result, str):
            self.message.emit(result)
            return
        self.result = result
        self.changed.emit()

    def _check_key(self, why):
        key = self.key()
        if self.busy and self._running_key != key:
            self.cancel()
        if self.result is not None and self.result.key != key:
            self.result = None
            self.changed.emit()
            self.message.emit(f"sweep cleared: {why}")
