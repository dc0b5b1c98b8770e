"""Background whole-window analyses (critical points, basins of attraction) for the model.

Work runs on a Python thread with a cancel flag; results come back through queued
signals. Changing the function or the window cancels and clears them.
"""
import threading

from PySide6.QtCore import QObject, Signal

from ..core.analysis import Cancelled, basin_map, critical_points
from ..core.errors import InputError
from ..core.fmt import fmt


class Analysis(QObject):
    criticalPointsChanged = Signal()
    basinsChanged = Signal()
    busyChanged = Signal(bool)
    message = Signal(str)
    _done = Signal(int, str, object)  # job id, kind, result or error text (from the thread)

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.model = model
        self.critical = None   # list of CriticalPoint, or None
        self.basins = None     # BasinMap, or None
        self._job = 0
        self._cancel = None
        self._done.connect(self._on_done)
        model.functionChanged.connect(self._on_function_changed)
        model.windowChanged.connect(self._on_window_changed)
        model.settingsChanged.connect(self._on_settings_changed)
        self.basins_learning_rate = None  # the rate the basin map was computed with
        self.basin_steps = 0
        self._critical_text = self._basins_text = ""
        self._kind, self._job_lr = None, None

    @property
    def busy(self):
        return self._cancel is not None

    def find_critical_points(self):
        fn, window = self.model.function, self.model.window
        if fn is None:
            return
        self._start("critical", lambda cancel: critical_points(fn, *window, cancel=cancel))

    def show_basins(self, resolution=80, steps=3000):
        fn, window, lr = self.model.function, self.model.window, self.model.learning_rate
        tol, self.basin_steps = self.model.tol, steps
        if fn is None:
            return
        self._start("basins", lambda cancel: (lr, basin_map(fn, *window, lr, resolution, steps,
                                                            tol, cancel=cancel)))

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
        if self._cancel is not None:
            self._cancel.set()
            self._cancel = None
            self._job += 1
            self.busyChanged.emit(False)
            self.message.emit("cancelled")

    def clear(self):
        self.cancel()
        if self.critical is not None:
            self.critical = None
            self.criticalPointsChanged.emit()
        if self.basins is not None:
            self.basins = None
            self.basinsChanged.emit()

    def _start(self, kind, work):
        self.cancel()
        self._kind, self._job_lr = kind, self.model.learning_rate
        self._job += 1
        job, flag = self._job, threading.Event()
        self._cancel = flag
        self.busyChanged.emit(True)

        def run():
            try:
                result = work(flag.is_set)
            except Cancelled:
                return
            except InputError as exc:
                result = str(exc)
            except Exception as exc:  # report, never kill the thread silently
                result = f"the analysis failed: {exc}"
            self._done.emit(job, kind, result)

        threading.Thread(target=run, daemon=True, name=f"gd-explorer-{kind}").start()

    def _on_done(self, job, kind, result):
        if job != self._job:
            return  # cancelled or superseded
        self._cancel = None
        self.busyChanged.emit(False)
        if isinstance(result, str):
            self.message.emit(result)
            return
        if kind == "critical":
            self.critical = result
            counts = {}
            for p in result:
                counts[p.kind] = counts.get(p.kind, 0) + 1
            summary = ", ".join(f"{n} {k}{'s' if n > 1 else ''}".replace("maximums", "maxima")
                                .replace("minimums", "minima") for k, n in counts.items())
            self._critical_text = (f"critical points found in view: {summary or 'none'} "
                                   "(Newton's method from many starts; it can miss some)")
            self.criticalPointsChanged.emit()
        else:
            self.basins_learning_rate, self.basins = result
            ends, lr = len(self.basins.ends), self.basins_learning_rate
            if ends == 0:
                self._basins_text = (f"basins: no start settled within {self.basin_steps:,} steps "
                                     f"at ε = {fmt(lr)}; try a larger ε")
            else:
                self._basins_text = (f"basins: descent from this window ends at {ends} "
                                     f"point{'s' if ends != 1 else ''} (ε = {fmt(lr)})")
            self.basinsChanged.emit()

    def _on_settings_changed(self):
        # a basin map belongs to one learning rate: a job for another rate is stale too
        if self._kind == "basins" and self.busy and self._job_lr != self.model.learning_rate:
            self.cancel()
        if self.basins is not None and self.basins_learning_rate != self.model.learning_rate:
            self.basins = None
            self.basinsChanged.emit()
            self.message.emit("basins cleared: the learning rate changed")

    def _on_function_changed(self, _fn):
        self.clear()

    def _on_window_changed(self, *_args):
        # Basins are a raster of this window; critical points stay valid when panning.
        if self.busy:
            self.cancel()
        if self.basins is not None:
            self.basins = None
            self.basinsChanged.emit()
