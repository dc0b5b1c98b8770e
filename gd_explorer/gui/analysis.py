"""Background analyses for the model: whole-window ones (critical points, basins of
attraction) here, the learning-rate sweep in sweep.py, both run by a Job.

A Job runs its work on a Python thread with a cancel flag; results and progress come back
through queued signals. Changing the function or the window cancels and clears the
whole-window results.
"""
import threading

from PySide6.QtCore import QObject, Signal

from ..core.errors import InputError
from ..core.fmt import fmt
from ..core.optimizers import OPTIMIZERS
from .relay import hand_over


KIND_WORDS = {"minimum": ("minimum", "minima"), "saddle": ("saddle", "saddles"),
              "maximum": ("maximum", "maxima"),
              "degenerate": ("degenerate point", "degenerate points")}


def critical_summary(result):
    """One line on a CriticalPoints: the kinds shown, and how many of how many when capped."""
    counts = {k: sum(p.kind == k for p in result.points) for k in KIND_WORDS}
    kinds = ", ".join(f"{n} {KIND_WORDS[k][n != 1]}" for k, n in counts.items() if n) or "none"
    shown = (f"; {len(result.points):,} shown of {result.total:,}, the lowest f first"
             if result.capped else "")
    return (f"critical points found in view: {kinds}{shown} "
            "(Newton's method from many starts; it can miss some)")


BASIN_RESOLUTION = 200  # starts per side: a sharp map


# core.analysis (and the batch engine under it) loads when a job first needs it, not at startup
def critical_points(*args, **kwargs):
    from ..core.analysis import critical_points

    return critical_points(*args, **kwargs)


def basin_map(*args, **kwargs):
    from ..core.analysis import basin_map

    return basin_map(*args, **kwargs)


class Job(QObject):
    """One background computation at a time: ``start(kind, work)`` runs ``work(cancel,
    report)`` on a thread, where ``cancel()`` is True once the job was cancelled or replaced
    (the work then raises Cancelled) and ``report(done, total)`` tells how far it is.
    ``finished(kind, result)`` follows on the GUI thread, with the error text (a str) as the
    result when the work failed; a cancelled or replaced job never finishes."""

    busyChanged = Signal(bool)
    progress = Signal(int)            # percent of the running job done
    finished = Signal(str, object)    # kind, result or error text

    def __init__(self, parent=None):
        super().__init__(parent)
        self.kind = None      # the kind of the last job started
        self._job = 0
        self._cancel = None
        self._thread = None

    @property
    def busy(self):
        return self._cancel is not None

    def start(self, kind, work):
        self.cancel()
        self.kind = kind
        self._job += 1
        job, flag = self._job, threading.Event()
        self._cancel = flag
        self.busyChanged.emit(True)
        last = [-1]

        def report(done, total):  # whole percents only
            percent = int(100 * done / max(total, 1))
            if percent != last[0]:
                last[0] = percent
                hand_over(self._on_progress, job, percent)

        def run():
            from ..core.batch import Cancelled

            try:
                result = work(flag.is_set, report)
            except Cancelled:
                return
            except InputError as exc:
                result = str(exc)
            except Exception as exc:  # report, never kill the thread silently
                result = f"the analysis failed: {exc}"
            hand_over(self._on_done, job, kind, result)

        self._thread = threading.Thread(target=run, daemon=True, name=f"gd-explorer-{kind}")
        self._thread.start()

    def cancel(self):
        """Stop the running job (it takes effect at its next check); True if one ran."""
        if self._cancel is None:
            return False
        self._cancel.set()
        self._cancel = None
        self._job += 1
        self.busyChanged.emit(False)
        return True

    def wait(self, timeout=None):
        """Block until the last job's thread has ended (for tests and scripts)."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self._thread is None or not self._thread.is_alive()

    def _on_progress(self, job, percent):
        if job == self._job and self.busy:
            self.progress.emit(percent)

    def _on_done(self, job, kind, result):
        if job != self._job:
            return  # cancelled or superseded
        self._cancel = None
        self.busyChanged.emit(False)
        self.finished.emit(kind, result)


class Analysis(QObject):
    criticalPointsChanged = Signal()
    basinsChanged = Signal()
    busyChanged = Signal(bool)
    message = Signal(str)
    progress = Signal(int)            # percent of the running job done

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.model = model
        self.critical = None   # tuple of the CriticalPoint shown (lowest f first), or None
        self.critical_total = 0  # distinct critical points found (more than shown when capped)
        self.basins = None     # BasinMap, or None
        self.job = Job(self)
        self.job.busyChanged.connect(self.busyChanged)
        self.job.progress.connect(self.progress)
        self.job.finished.connect(self._on_done)
        model.functionChanged.connect(self._on_function_changed)
        model.windowChanged.connect(self._on_window_changed)
        model.settingsChanged.connect(self._on_settings_changed)
        self.basins_method = None  # method() the basin map was computed with
        self.basin_steps = 0
        self._critical_text = self._basins_text = ""
        self._job_method = None

    @property
    def busy(self):
        return self.job.busy

    @property
    def running(self):
        """The kind of job running ("critical" or "basins"), or None."""
        return self.job.kind if self.busy else None

    def find_critical_points(self):
        fn, window = self.model.function, self.model.window
        if fn is None:
            return
        self._start("critical", lambda cancel, _report: critical_points(fn, *window,
                                                                         cancel=cancel))

    def show_basins(self, resolution=BASIN_RESOLUTION, steps=3000):
        """Descent from every point of a resolution² grid with the selected run's method
        (optimizer, hyperparameters, schedule, learning rate); progress() tells how far."""
        m = self.model
        fn, window, method = m.function, m.window, self.method()
        self.basin_steps = steps
        if fn is None:
            return
        self._start("basins", lambda cancel, report: (method, basin_map(
            fn, *window, m.learning_rate, resolution, steps, m.tol, cancel=cancel,
            optimizer=m.optimizer, hyperparameters=m.hyperparameters, schedule=m.schedule,
            progress=report)))

    def method(self):
        """What a basin map depends on besides the function and window: the descent settings
        of the selected run other than its start."""
        s = self.model.settings
        return (s.learning_rate, s.tol, s.optimizer, s.hyperparameters, s.schedule)

    def summary(self):
        """One line per result shown on the map."""
        lines = []
        if self.critical is not None:
            lines.append(self._critical_text)
        if self.basins is not None:
            lines.append(self._basins_text)
        return "\n".join(lines)

    def cancel(self):
        """Stop the running job; it takes effect at its next iteration."""
        if self.job.cancel():
            self.message.emit("cancelled")

    def clear(self):
        self.cancel()
        if self.critical is not None:
            self.critical, self.critical_total = None, 0
            self.criticalPointsChanged.emit()
        if self.basins is not None:
            self.basins = None
            self.basinsChanged.emit()

    def _start(self, kind, work):
        self.cancel()
        self._job_method = self.method()
        self.job.start(kind, work)

    def _on_done(self, kind, result):
        if isinstance(result, str):
            self.message.emit(result)
            return
        if kind == "critical":
            self.critical, self.critical_total = result.points, result.total
            self._critical_text = critical_summary(result)
            self.criticalPointsChanged.emit()
        else:
            self.basins_method, self.basins = result
            ends, lr = len(self.basins.ends), self.basins_method[0]
            name = OPTIMIZERS[self.basins_method[2]].label
            if ends == 0:
                self._basins_text = (f"basins: no start settled within {self.basin_steps:,} steps "
                                     f"({name}, ε = {fmt(lr)}); try a larger ε")
            else:
                self._basins_text = (f"basins: {name} from this window ends at {ends} "
                                     f"point{'s' if ends != 1 else ''} (ε = {fmt(lr)})")
            self.basinsChanged.emit()

    def _on_settings_changed(self):
        # a basin map belongs to one method: a job for another is stale too (a new start point
        # changes nothing: the map holds every start)
        method = self.method()
        if self.running == "basins" and self._job_method != method:
            self.cancel()
        if self.basins is not None and self.basins_method != method:
            self.basins = None
            self.basinsChanged.emit()
            self.message.emit("basins cleared: the descent settings changed")

    def _on_function_changed(self, _fn):
        self.clear()

    def _on_window_changed(self, *_args):
        # Basins are a raster of this window; critical points stay valid when panning.
        if self.busy:
            self.cancel()
        if self.basins is not None:
            self.basins = None
            self.basinsChanged.emit()
