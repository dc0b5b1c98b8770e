"""The explorer's state: function, window, start point, descent run, direction angle.

Widgets observe it through its signals (one per field) and change it only
through its methods. It holds no widgets.
"""
import math
import time

from PySide6.QtCore import QObject, QTimer, Signal

from ..core import session as sessions
from ..core.descent import Descent, check_settings
from ..core.errors import ExpressionError, InputError
from ..core.grid import check_window, prefers_log, sample_grid
from ..core.presets import DEFAULT_PRESET, preset_by_name
from .analysis import Analysis
from .compiler import Compiler

FRAME_MS = 16
FRAME_BUDGET_S = 0.010


class ExplorerModel(QObject):
    functionChanged = Signal(object)      # the new valid Function
    functionError = Signal(str, int)      # message, 0-based column or -1
    compilingChanged = Signal(bool)
    windowChanged = Signal(tuple, tuple)  # (x0, x1), (y0, y1)
    spacingChanged = Signal(str)          # "linear" or "log"
    startChanged = Signal(float, float)
    settingsChanged = Signal()            # learning rate, steps, tolerance, optimizer
    trajectoryChanged = Signal()          # run reset or steps added
    pointChanged = Signal(float, float)   # the current point (last row of the run)
    statusChanged = Signal(str)           # the run's state or stop reason
    notice = Signal(str)                  # a refused input (window, setting): shown briefly
    playingChanged = Signal(bool)
    speedChanged = Signal(float)
    angleChanging = Signal(float)         # phi in radians, while the dial is dragged
    angleChanged = Signal(float)          # phi in radians, settled
    keptRunsChanged = Signal()            # runs kept for comparison
    sessionError = Signal(str)            # a session could not be applied

    def __init__(self, parent=None):
        super().__init__(parent)
        self.function = None
        self.text = ""
        self.preset = None
        self.default_window = ((-3.0, 3.0), (-3.0, 3.0))
        self.window = self.default_window
        self.spacing = "linear"
        self.start = (1.0, 1.0)
        self.learning_rate = 0.01
        self.max_steps = 10000
        self.tol = 1e-6
        self.optimizer = "gd"
        self.angle = 0.0
        self.speed = 60.0  # steps per second while playing
        self.run = None
        self.kept = []  # Descent runs kept for comparison (same function)
        self._carry = 0.0
        self.clock = time.perf_counter  # seconds; the frame budget reads it (tests inject one)
        self._compiler = Compiler(self)
        self._compiler.compiled.connect(self._on_compiled)
        self._compiler.failed.connect(self._on_compile_failed)
        self._compiler.busyChanged.connect(self.compilingChanged)
        self._timer = QTimer(self)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self._on_tick)
        self._pending_preset = None
        self._pending_session = None
        self._run_error = None
        self.analysis = Analysis(self, self)

    # ----- function -------------------------------------------------------------
    def set_expression(self, text, preset=None):
        """Compile ``text`` in the background; functionChanged or functionError follows."""
        self._pending_preset = preset
        self._pending_session = None
        self._compiler.submit(text)

    def load_preset(self, name_or_preset):
        preset = name_or_preset
        if isinstance(preset, str):
            preset = preset_by_name(preset)
        self.set_expression(preset.expression, preset=preset)

    def load_default(self):
        self.load_preset(DEFAULT_PRESET)

    def _on_compiled(self, fn):
        preset, self._pending_preset = self._pending_preset, None
        session, self._pending_session = self._pending_session, None
        if session is not None:
            self._apply_session(fn, session)
        else:
            self.set_function(fn, preset)

    def _on_compile_failed(self, message, column):
        self._pending_preset = None
        if self._pending_session is not None:
            self._pending_session = None
            self.sessionError.emit(f"the session's formula was rejected: {message}")
            return
        self.functionError.emit(message, column)

    def set_function(self, fn, preset=None):
        """Make ``fn`` current (and apply a preset's window, start and learning rate)."""
        self.pause()
        self.function, self.text, self.preset = fn, fn.text, preset
        self.kept = []
        if preset is not None:
            self.default_window = (tuple(map(float, preset.xrange)), tuple(map(float, preset.yrange)))
            self.window = self.default_window
            self.spacing = preset.spacing
            self.start = tuple(map(float, preset.start))
            self.learning_rate = float(preset.learning_rate)
        else:
            self.spacing = self._spacing_for(fn)
        self._make_run()
        self._publish()

    def snapshot(self):
        """What undo restores: the function, window, start point, settings and runs."""
        return (self.function, self.preset, self.window, self.default_window, self.spacing,
                self.start, (self.learning_rate, self.max_steps, self.tol, self.optimizer),
                self.run, tuple(self.kept))

    def restore(self, snapshot):
        """Go back to a snapshot, with its runs as they were last seen."""
        fn, preset, window, default_window, spacing, start, settings, run, kept = snapshot
        if fn is None:
            return
        self.pause()
        self.function, self.text, self.preset = fn, fn.text, preset
        self.window, self.default_window, self.spacing, self.start = (window, default_window,
                                                                      spacing, start)
        self.learning_rate, self.max_steps, self.tol, self.optimizer = settings
        self.kept = list(kept)
        if run is not None and run.function is fn:
            self.run, self._run_error = run, None
        else:
            self._make_run()
        self._publish()

    def _make_run(self):
        """A fresh run from the start point, without signals; None where f is undefined there."""
        self._run_error = None
        try:
            self.run = Descent(self.function, self.start, self.learning_rate, self.max_steps,
                               self.tol, self.optimizer)
        except InputError as exc:
            self.run, self._run_error = None, str(exc)

    def _publish(self):
        """Tell every observer about a new function (and whatever came with it), the new run
        already in place, so no view draws the old run over the new function."""
        self.settingsChanged.emit()
        self.windowChanged.emit(*self.window)  # first, so views resample the new window once
        self.spacingChanged.emit(self.spacing)
        self.keptRunsChanged.emit()
        self.functionChanged.emit(self.function)
        self.startChanged.emit(*self.start)
        self.trajectoryChanged.emit()
        self._emit_point()
        self.statusChanged.emit(self._run_error or self.status_text())

    def _spacing_for(self, fn):
        """Logarithmic levels for functions that span orders of magnitude (typed formulas)."""
        grid = sample_grid(fn, *self.window, 60)
        return "log" if prefers_log(grid.z) else "linear"

    @property
    def compiling(self):
        return self._compiler.busy

    def wait_idle(self, timeout=10.0):
        """Block until no formula is being compiled (for scripts such as --screenshot)."""
        return self._compiler.wait(timeout)

    # ----- view window ----------------------------------------------------------
    def set_window(self, xrange, yrange):
        try:
            window = check_window(xrange, yrange)
        except InputError as exc:
            self.notice.emit(str(exc))
            return False
        if window != self.window:
            self.window = window
            self.windowChanged.emit(*window)
        return True

    def reset_window(self):
        self.window = None
        self.set_window(*self.default_window)

    def set_spacing(self, spacing):
        if spacing not in ("linear", "log"):
            raise ValueError(spacing)
        if spacing != self.spacing:
            self.spacing = spacing
            self.spacingChanged.emit(spacing)

    # ----- descent settings -----------------------------------------------------
    def set_start(self, x, y):
        x, y = float(x), float(y)
        if not (math.isfinite(x) and math.isfinite(y)):
            return
        if (x, y) == self.start and self.run is not None and self.run.steps == 0:
            return
        self.start = (x, y)
        self.startChanged.emit(x, y)
        self.reset()

    def set_learning_rate(self, value):
        self._set_setting("learning_rate", float(value))

    def set_max_steps(self, value):
        self._set_setting("max_steps", int(value))

    def set_tol(self, value):
        self._set_setting("tol", float(value))

    def set_optimizer(self, name):
        self._set_setting("optimizer", name)

    def _set_setting(self, name, value):
        if getattr(self, name) == value:
            return
        old = getattr(self, name)
        setattr(self, name, value)
        try:
            check_settings(self.start, self.learning_rate, self.max_steps, self.tol, self.optimizer)
        except InputError as exc:
            setattr(self, name, old)
            self.notice.emit(str(exc))
            return
        self.settingsChanged.emit()
        if self.run is not None and self.run.steps > 0:
            self.reset()
        elif self.run is not None:
            self._new_run()

    def set_speed(self, steps_per_second):
        value = min(max(float(steps_per_second), 1.0), 100000.0)
        if value != self.speed:
            self.speed = value
            self.speedChanged.emit(value)

    # ----- the run ----------------------------------------------------------------
    def _new_run(self):
        if self.function is None:
            self.run = None
            return
        self._make_run()
        self.trajectoryChanged.emit()
        self._emit_point()
        self.statusChanged.emit(self._run_error or self.status_text())

    def reset(self):
        """Back to the start point with a fresh run."""
        self.pause()
        self._new_run()

    def status_text(self):
        if self.run is None:
            return "no run: set a start point where f is defined"
        if not self.run.finished:
            return f"step {self.run.steps}: ready" if self.run.steps else "ready: press Step or Play"
        return self.run.message

    @property
    def current_point(self):
        if self.run is None:
            return self.start
        row = self.run.row(-1)
        return float(row[1]), float(row[2])

    def _emit_point(self):
        self.pointChanged.emit(*self.current_point)

    def step(self, count=1):
        """Take up to ``count`` steps now; returns how many were taken."""
        if self.run is None:
            return 0
        if self.run.finished:
            self.statusChanged.emit(self.run.message)
            return 0
        taken = self.run.step(int(count))
        self._after_steps(taken)
        return taken

    def _after_steps(self, taken):
        if taken:
            self.trajectoryChanged.emit()
            self._emit_point()
        if self.run.finished:
            self.pause()
        self.statusChanged.emit(self.status_text())

    # ----- animation ------------------------------------------------------------
    @property
    def playing(self):
        return self._timer.isActive()

    def play(self):
        if self.run is None or self.playing:
            return
        if self.run.finished:
            self.reset()
        self._carry = 0.0
        self._timer.start()
        self.playingChanged.emit(True)

    def pause(self):
        if self._timer.isActive():
            self._timer.stop()
            self.playingChanged.emit(False)

    def toggle_play(self):
        self.pause() if self.playing else self.play()

    def _on_tick(self):
        if self.run is None or self.run.finished:
            self.pause()
            return
        self._carry += self.speed * FRAME_MS / 1000.0
        want = int(self._carry)
        if want < 1:
            return
        self._carry -= want
        taken = self._steps_within_budget(want)
        self._after_steps(taken)

    def _steps_within_budget(self, want):
        """Take up to ``want`` steps, in chunks sized so that none overshoots the frame budget."""
        now = self.clock
        start = now()
        deadline = start + FRAME_BUDGET_S
        taken, chunk = 0, 1
        while taken < want and not self.run.finished:
            t0 = now()
            n = self.run.step(min(chunk, want - taken))
            taken += n
            t1 = now()
            if n == 0 or t1 >= deadline:
                break
            per_step = (t1 - t0) / n
            fits = int((deadline - t1) / per_step) if per_step > 0 else 2 * chunk  # coarse clock
            chunk = max(1, min(2 * chunk, fits))
        if taken < want:
            self._carry = 0.0
        return taken

    # ----- direction ------------------------------------------------------------
    def set_angle(self, phi):
        """Set the direction angle (radians); emits angleChanged."""
        self._set_angle(phi, self.angleChanged)

    def preview_angle(self, phi):
        """While dragging: update the angle and emit only angleChanging."""
        self._set_angle(phi, self.angleChanging)

    def _set_angle(self, phi, signal):
        phi = float(phi) % (2 * math.pi)
        if phi >= 2 * math.pi:  # a tiny negative angle rounds up to 2π
            phi = 0.0
        if math.isfinite(phi):
            self.angle = phi
            signal.emit(phi)

    # ----- comparing runs ----------------------------------------------------------
    def keep_run(self):
        """Keep the current run for comparison and start a fresh one with the same settings."""
        if self.run is None or self.run.steps == 0:
            self.notice.emit("take some steps first: there is nothing to keep yet")
            return False
        self.pause()
        self.kept.append(self.run)
        self.keptRunsChanged.emit()
        self._new_run()
        return True

    def clear_kept(self):
        if self.kept:
            self.kept = []
            self.keptRunsChanged.emit()

    # ----- export ---------------------------------------------------------------
    def results(self):
        """Kept runs first, then the current one."""
        out = [run.result(self.text) for run in self.kept]
        if self.run is not None:
            out.append(self.run.result(self.text))
        return out

    # ----- sessions ---------------------------------------------------------------
    def session(self):
        """The state as a core Session, for saving."""
        if self.function is None:
            raise InputError("there is no function to save")
        (x0, x1), (y0, y1) = self.window
        current = None if self.run is None else sessions.record_of(self.run, self.text)
        return sessions.Session(
            expression=self.text, xrange=(x0, x1), yrange=(y0, y1), spacing=self.spacing,
            start=self.start, angle=self.angle, learning_rate=self.learning_rate,
            max_steps=self.max_steps, tol=self.tol, optimizer=self.optimizer, current=current,
            kept=[sessions.record_of(run, self.text) for run in self.kept])

    def load_session(self, session):
        """Apply a checked Session once its formula compiles; sessionError on failure."""
        self._pending_preset = None
        self._pending_session = session
        self._compiler.submit(session.expression)

    def _apply_session(self, fn, session):
        try:
            check_window(session.xrange, session.yrange)
            check_settings(session.start, session.learning_rate, session.max_steps, session.tol,
                           session.optimizer)
            current = None if session.current is None else sessions.descent_of(fn, session.current)
            kept = [sessions.descent_of(fn, record) for record in session.kept]
        except InputError as exc:
            self.sessionError.emit(f"the session could not be applied: {exc}")
            return
        self.pause()
        self.function, self.text, self.preset = fn, fn.text, None
        self.learning_rate, self.max_steps = session.learning_rate, session.max_steps
        self.tol, self.optimizer = session.tol, session.optimizer
        self.default_window = self.window = (session.xrange, session.yrange)
        self.spacing, self.start, self.kept = session.spacing, session.start, kept
        if current is not None:
            self.run, self._run_error = current, None
        else:
            self._make_run()
        self._publish()
        self.set_angle(session.angle)

__all__ = ["ExplorerModel", "ExpressionError"]
