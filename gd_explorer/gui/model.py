"""The explorer's state: function, window, the runs on the map, the direction angle.

Widgets observe it through its signals (one per field) and change it only through its
methods. It holds no widgets. Every run has its own settings (start, learning rate,
optimizer, hyperparameters, schedule); the model's settings are those of the selected run,
and changing one resets that run. Stepping and Play move every visible run together.
"""
import math
import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from ..core import session as sessions
from ..core.endpoint import end_words
from ..core.errors import ExpressionError, InputError
from ..core.fmt import fmt, fmt_point, round_significant
from ..core.grid import check_window, prefers_log, sample_grid
from ..core.point import gradient_floor, gradient_scale, point_state
from ..core.function import preview_function
from ..core.presets import DEFAULT_PRESET, preset_by_name
from .analysis import Analysis
from .compiler import Compiler
from .runs import Run, Settings, default_name, next_color, renamed, start_run

FRAME_MS = 16
FRAME_BUDGET_S = 0.010
MAX_RUNS = sessions.MAX_RUNS
DS_FRACTION = 0.1      # the default step ds: this fraction of the window's width


@dataclass(frozen=True)
class State:
    """Everything undo returns to and a session or preset applies: one place sets it all."""

    function: object
    preset: object
    window: tuple
    default_window: tuple
    spacing: str
    settings: Settings
    runs: tuple        # Run objects, as they were last seen
    selected: int


class ExplorerModel(QObject):
    functionChanged = Signal(object)      # the new valid Function
    functionError = Signal(str, int)      # message, 0-based column or -1
    functionErrorCleared = Signal()       # the typed text is the current function's again
    compilingChanged = Signal(bool)
    windowChanged = Signal(tuple, tuple)  # (x0, x1), (y0, y1)
    spacingChanged = Signal(str)          # "linear" or "log"
    startChanged = Signal(float, float)   # the selected run's start
    settingsChanged = Signal()            # the selected run's settings
    runsChanged = Signal()                # runs added, removed, renamed, shown, hidden, selected
    trajectoryChanged = Signal()          # steps taken or runs reset
    pointChanged = Signal(float, float)   # the selected run's current point
    statusChanged = Signal(str)           # the selected run's state or stop reason
    notice = Signal(str)                  # a refused input (window, setting): shown briefly
    playingChanged = Signal(bool)
    speedChanged = Signal(float)
    angleChanging = Signal(float)         # phi in radians, while the dial is dragged
    angleChanged = Signal(float)          # phi in radians, settled
    dsChanged = Signal(float, float)      # the step ds = (dx, dy) of the total differential
    dsShownChanged = Signal(bool)         # whether the views draw ds (its panel is open)
    sessionError = Signal(str)            # a session could not be applied
    previewChanged = Signal(object)       # f of a typed formula before its derivatives, or None

    def __init__(self, parent=None):
        super().__init__(parent)
        self.function = None
        self.text = ""
        self.preset = None
        self.default_window = ((-3.0, 3.0), (-3.0, 3.0))
        self.window = self.default_window
        self.spacing = "linear"
        self.settings = Settings().checked()
        self.runs = []
        self.selected = -1
        self.angle = 0.0
        self._ds = (None, None)  # (default window it was set for, (dx, dy)) as the user set it
        self.ds_shown = False
        self.speed = 60.0  # steps per second while playing
        self.clock = time.perf_counter  # the frame budget's clock (tests inject their own)
        self._carry = 0.0
        self._compiler = Compiler(self)
        self._compiler.parsed.connect(self._on_parsed)
        self._compiler.compiled.connect(self._on_compiled)
        self._compiler.failed.connect(self._on_compile_failed)
        self._compiler.busyChanged.connect(self.compilingChanged)
        self._timer = QTimer(self)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self._on_tick)
        self._pending_preset = None
        self._pending_session = None
        self.preview = None  # core Preview of a typed formula being compiled, with .spacing
        self._point = (None, None)  # (key, PointState) of the current point
        self._floor = (None, 0.0, 0.0)  # (key, gradient floor, ‖∇f‖'s size) for f, window
        self.analysis = Analysis(self, self)
        # what a run stopped at names the lowest minimum found, once there are some
        self.analysis.criticalPointsChanged.connect(
            lambda: self.statusChanged.emit(self.status_text()))

    # ----- the selected run and its settings ----------------------------------------
    @property
    def selected_run(self):
        return self.runs[self.selected] if 0 <= self.selected < len(self.runs) else None

    @property
    def run(self):
        """The selected run's Descent (None without one, or where it could not start)."""
        r = self.selected_run
        return None if r is None else r.descent

    @property
    def start(self):
        return self.settings.start

    @property
    def learning_rate(self):
        return self.settings.learning_rate

    @property
    def max_steps(self):
        return self.settings.max_steps

    @property
    def tol(self):
        return self.settings.tol

    @property
    def optimizer(self):
        return self.settings.optimizer

    @property
    def hyperparameters(self):
        return dict(self.settings.hyperparameters)

    @property
    def schedule(self):
        return self.settings.schedule_arg

    @property
    def visible_runs(self):
        return [r for r in self.runs if r.visible]

    # ----- function -------------------------------------------------------------
    def set_expression(self, text, preset=None):
        """Compile ``text`` in the background; functionChanged or functionError follows."""
        self._pending_preset = preset
        self._pending_session = None
        self._compiler.submit(text)

    def clear_function_error(self):
        """The editor holds the current function's text again: no formula error stands, and a
        formula typed since and still compiling is not applied when it arrives."""
        self._compiler.forget()
        self._set_preview(None)
        self.functionErrorCleared.emit()

    def load_preset(self, name_or_preset):
        preset = name_or_preset
        if isinstance(preset, str):
            preset = preset_by_name(preset)
        self.set_expression(preset.expression, preset=preset)

    def load_default(self):
        self.load_preset(DEFAULT_PRESET)

    def _on_parsed(self, text, ir):
        """A typed formula parses: draw its f at once while the worker works out the
        derivatives (a preset or session brings its own window: it waits for the function)."""
        if self._pending_preset is not None or self._pending_session is not None:
            return
        preview = preview_function(text, ir)
        if preview is not None:
            preview.spacing = self._spacing_for(preview, self.window)
        self._set_preview(preview)

    def _set_preview(self, preview):
        if preview is not self.preview:
            self.preview = preview
            self.previewChanged.emit(preview)

    def _on_compiled(self, fn):
        self.preview = None  # the function itself arrives: no previewChanged, nothing redrawn
        preset, self._pending_preset = self._pending_preset, None
        session, self._pending_session = self._pending_session, None
        if session is not None:
            self._apply_session(fn, session)
        else:
            self.set_function(fn, preset)

    def _on_compile_failed(self, message, column):
        self._set_preview(None)  # back to the last valid function
        self._pending_preset = None
        if self._pending_session is not None:
            self._pending_session = None
            self.sessionError.emit(f"the session's formula was rejected: {message}")
            return
        self.functionError.emit(message, column)

    def set_function(self, fn, preset=None):
        """Make ``fn`` current with one run. A preset sets its window, start and learning rate
        and plain gradient descent (its note describes that); a typed formula keeps the
        settings and window."""
        settings = self.settings
        window = default_window = None
        spacing = None
        if preset is not None:
            default_window = (tuple(map(float, preset.xrange)), tuple(map(float, preset.yrange)))
            window, spacing = default_window, preset.spacing
            settings = Settings(start=tuple(map(float, preset.start)),
                                learning_rate=float(preset.learning_rate),
                                max_steps=settings.max_steps, tol=settings.tol).checked()
        state = State(fn, preset, window or self.window, default_window or self.default_window,
                      spacing or self._spacing_for(fn, self.window), settings, (), 0)
        self.apply(state)

    def snapshot(self):
        """What undo restores: the function, window, settings and runs as they are now."""
        return State(self.function, self.preset, self.window, self.default_window, self.spacing,
                     self.settings, tuple(self.runs), self.selected)

    def restore(self, snapshot):
        self.apply(snapshot)

    def apply(self, state):
        """The one place a whole state is set (new function, undo, session, lesson): runs that
        belong to another function are started afresh from their settings."""
        if state.function is None:
            return
        self.pause()
        fn = state.function
        self.function, self.text, self.preset = fn, fn.text, state.preset
        self.window, self.default_window, self.spacing = (state.window, state.default_window,
                                                          state.spacing)
        self.settings = state.settings
        runs = [r if r.descent is not None and r.descent.function is fn else self._restarted(r)
                for r in state.runs]
        if not runs:
            runs = [self._new_run(state.settings, [])]
        self.runs = runs
        self.selected = min(max(state.selected, 0), len(runs) - 1)
        self.settings = self.runs[self.selected].settings
        self._publish()

    def _new_run(self, settings, others, name=None):
        descent, error = start_run(self.function, settings)
        return Run(settings, name or default_name(others, settings), next_color(others),
                   descent=descent, error=error)

    def _publish(self):
        """Tell every observer about a new state, the runs already in place, so no view draws
        an old run over a new function."""
        self.settingsChanged.emit()
        self.windowChanged.emit(*self.window)  # first, so views resample the new window once
        self.spacingChanged.emit(self.spacing)
        self.runsChanged.emit()
        self.functionChanged.emit(self.function)
        self.startChanged.emit(*self.start)
        self.trajectoryChanged.emit()
        self._emit_point()
        self.statusChanged.emit(self.status_text())

    def _spacing_for(self, fn, window):
        """Logarithmic levels for functions that span orders of magnitude (typed formulas)."""
        grid = sample_grid(fn, *window, 60)
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
            r = self.selected_run
            if r is not None and r.left_view and self._inside(*self.current_point):
                r.left_view = ""  # the view has come to the point
                self.statusChanged.emit(self.status_text())
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

    # ----- settings of the selected run ----------------------------------------------
    def set_start(self, x, y):
        x, y = float(x), float(y)
        if not (math.isfinite(x) and math.isfinite(y)):
            return
        if (x, y) == self.start and self.run is not None and self.run.steps == 0:
            return
        self._set_settings(self.settings.with_(start=(x, y)))

    def set_learning_rate(self, value):
        self._set_settings(self.settings.with_(learning_rate=float(value)))

    def set_max_steps(self, value):
        self._set_settings(self.settings.with_(max_steps=int(value)))

    def set_tol(self, value):
        self._set_settings(self.settings.with_(tol=float(value)))

    def set_optimizer(self, name, hyperparameters=None):
        """Another optimizer for the selected run, with its defaults (or ``hyperparameters``)."""
        self._set_settings(self.settings.with_(optimizer=name,
                                               hyperparameters=hyperparameters or {}))

    def set_hyperparameter(self, name, value):
        params = dict(self.settings.hyperparameters)
        params[name] = float(value)
        self._set_settings(self.settings.with_(hyperparameters=params))

    def set_schedule(self, name, parameters=None):
        self._set_settings(self.settings.with_(schedule=(name, parameters or {})))

    def _set_settings(self, settings):
        """New settings for the selected run, which starts again; refused ones are said."""
        try:
            settings = settings.checked()
        except InputError as exc:
            self.notice.emit(str(exc))
            self.settingsChanged.emit()  # the widgets go back to the kept values
            return
        if settings == self.settings:
            return
        moved = settings.start != self.settings.start
        self.settings = settings
        r = self.selected_run
        if r is not None:  # a new Run: undo keeps the old one as it was
            self.pause()
            self.runs[self.selected] = self._restarted(r, settings)
        self.settingsChanged.emit()
        if r is not None and self.runs[self.selected].name != r.name:
            self.runsChanged.emit()  # its name follows the optimizer
        if moved:
            self.startChanged.emit(*settings.start)
        if r is not None:
            self._after_reset()
        elif moved:  # no run: the current point is the start
            self._emit_point()

    def _restarted(self, run, settings=None):
        """The run afresh from its start (with ``settings`` if given): a new Run object."""
        settings = settings or run.settings
        descent, error = start_run(self.function, settings)
        return Run(settings, renamed(run.name, run.settings, settings), run.color, run.visible,
                   descent, error)

    # ----- the list of runs -------------------------------------------------------
    def add_run(self, start=None):
        """A new run with the selected run's settings (from ``start`` if given); selected."""
        if self.function is None:
            return None
        if len(self.runs) >= MAX_RUNS:
            self.notice.emit(f"at most {MAX_RUNS} runs: remove one first")
            return None
        settings = self.settings
        if start is not None:
            x, y = float(start[0]), float(start[1])
            if not (math.isfinite(x) and math.isfinite(y)):
                return None
            settings = settings.with_(start=(x, y))
        self.pause()
        run = self._new_run(settings, self.runs)
        self.runs.append(run)
        self._select(len(self.runs) - 1)
        return run

    def remove_run(self, index):
        if not 0 <= index < len(self.runs):
            return
        self.pause()
        del self.runs[index]
        if self.selected >= len(self.runs) or index < self.selected:
            self.selected = max(self.selected - 1, 0)
        self._select(self.selected if self.runs else -1)

    def rename_run(self, index, name):
        name = str(name).strip()[:sessions.MAX_NAME]
        if 0 <= index < len(self.runs) and name and name != self.runs[index].name:
            self.runs[index].name = name
            self.runsChanged.emit()

    def set_run_visible(self, index, visible):
        if 0 <= index < len(self.runs) and self.runs[index].visible != bool(visible):
            self.runs[index].visible = bool(visible)
            self.runsChanged.emit()
            self.trajectoryChanged.emit()

    def select_run(self, index):
        if 0 <= index < len(self.runs) and index != self.selected:
            self._select(index)

    def _select(self, index):
        self.selected = index
        r = self.selected_run
        if r is not None:
            self.settings = r.settings
        self.runsChanged.emit()
        self.settingsChanged.emit()
        self.startChanged.emit(*self.start)
        self.trajectoryChanged.emit()
        self._emit_point()
        self.statusChanged.emit(self.status_text())

    def clear_other_runs(self):
        """Keep only the selected run."""
        r = self.selected_run
        if r is not None and len(self.runs) > 1:
            self.pause()
            self.runs = [r]
            self._select(0)

    # ----- stepping -------------------------------------------------------------------
    def reset(self):
        """Every run back to its start."""
        self.pause()
        self.runs = [self._restarted(r) for r in self.runs]
        self._after_reset()

    def _after_reset(self):
        self.trajectoryChanged.emit()
        self._emit_point()
        self.statusChanged.emit(self.status_text())

    def status_text(self):
        r = self.selected_run
        if r is None:
            return "no run: add one, or set a start point"
        if r.descent is None:
            return "no run: set a start point where f is defined" if not r.error else r.error
        end = r.stopped_at(self.window)
        parts = (r.status_text, end_words(end, self.analysis.critical) if end else "",
                 r.left_view)
        return "; ".join(filter(None, parts))

    @property
    def current_point(self):
        r = self.selected_run
        return self.start if r is None else r.current_point

    def _emit_point(self):
        self.pointChanged.emit(*self.current_point)

    def _racing(self):
        """The runs that step together: the visible unfinished ones."""
        return [r for r in self.runs if r.visible and not r.finished]

    def step(self, count=1):
        """``count`` steps of every visible run (a fair race); returns the selected run's."""
        runs = self._racing()
        if not runs:
            self.statusChanged.emit(self.status_text())
            return 0
        before = self.run.steps if self.run is not None else 0
        for r in runs:
            r.descent.step(int(count))
        self._after_steps(before)
        return (self.run.steps - before) if self.run is not None else 0

    def _after_steps(self, before):
        """``before``: the selected run's steps before these."""
        if self.run is not None and self.run.steps > before:
            self._note_left_view(self.selected_run, self.run.steps - before)
        self.trajectoryChanged.emit()
        self._emit_point()
        if not self._racing():
            self.pause()
        self.statusChanged.emit(self.status_text())

    # ----- the current point and the window ---------------------------------------
    def _inside(self, x, y):
        (x0, x1), (y0, y1) = self.window
        return (x0 <= x) & (x <= x1) & (y0 <= y) & (y <= y1)

    def _note_left_view(self, run, taken):
        """Remember, in words, where the run's current point left the window: the first step
        of its last stretch outside. Forgotten once the point is back inside."""
        rows = run.descent.view()[-(taken + 1):]  # the point before these steps, and the new
        inside = self._inside(rows[:, 1], rows[:, 2])
        if inside[-1]:
            run.left_view = ""
        elif not run.left_view and inside.any():  # outside before: the user moved away
            step, x, y, f = rows[np.flatnonzero(inside)[-1] + 1, :4]
            run.left_view = (f"left the view at step {int(step)}: f = {fmt(f)} "
                             f"at {fmt_point((x, y))}")

    def show_whole_path(self):
        """Fit the window to the selected run's points and its start point."""
        rows = self.run.view() if self.run is not None else np.empty((0, 3))
        xs, ys = np.append(rows[:, 1], self.start[0]), np.append(rows[:, 2], self.start[1])
        keep = np.isfinite(xs) & np.isfinite(ys)
        xs, ys = xs[keep], ys[keep]
        (wx0, wx1), (wy0, wy1) = self.window
        size = max(xs.max() - xs.min(), ys.max() - ys.min())
        # 10% around the path; a path of one point keeps the window's size
        pad = 0.1 * size if size > 0 else 0.5 * max(wx1 - wx0, wy1 - wy0)
        try:
            window = check_window((xs.min() - pad, xs.max() + pad),
                                  (ys.min() - pad, ys.max() + pad))
        except InputError as exc:
            self.notice.emit(f"cannot show the whole path: {exc}")
            return False
        return self.set_window(*window)

    def gradient_scale(self):
        """The size of ‖∇f‖ in the window (core.point.gradient_scale), the scale every pane
        gives fmt for ∂f/∂x and ∂f/∂y, so round-off such as 4e-16 shows as 0."""
        if self.function is None:
            return 0.0
        key = (self.function, self.window, self.tol)
        if self._floor[0] != key:
            scale = gradient_scale(self.function, *self.window)
            floor = gradient_floor(self.function, *self.window, self.tol, scale=scale)
            self._floor = (key, floor, scale)
        return self._floor[2]

    def point_state(self):
        """The PointState (core.point) of the current point, or None without a function:
        f, ∇f, and whether they are undefined or ∇f ≈ 0 (‖∇f‖ at most the tolerance, or
        round-off for the window)."""
        if self.function is None:
            return None
        key = (self.function, self.window, self.tol)
        self.gradient_scale()
        key = (key, self.current_point)
        if self._point[0] != key:
            self._point = (key, point_state(self.function, self.current_point, self._floor[1]))
        return self._point[1]

    # ----- animation ------------------------------------------------------------
    @property
    def playing(self):
        return self._timer.isActive()

    def play(self):
        if self.playing or not self.runs:
            return
        if not self._racing():
            self.reset()
            if not self._racing():
                return
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
        if not self._racing():
            self.pause()
            return
        self._carry += self.speed * FRAME_MS / 1000.0
        want = int(self._carry)
        if want < 1:
            return
        self._carry -= want
        before = self.run.steps if self.run is not None else 0
        self._steps_within_budget(want)
        self._after_steps(before)

    def _steps_within_budget(self, want):
        """Every racing run takes up to ``want`` steps, in lockstep chunks sized so that none
        overshoots the frame budget; returns how many steps each took."""
        now = self.clock
        deadline = now() + FRAME_BUDGET_S
        taken, chunk = 0, 1
        while taken < want:
            runs = self._racing()
            if not runs:
                break
            t0 = now()
            n = min(chunk, want - taken)
            for r in runs:
                r.descent.step(n)
            taken += n
            t1 = now()
            if t1 >= deadline:
                break
            per_step = (t1 - t0) / n
            chunk = max(1, min(2 * chunk, int((deadline - t1) / per_step))) if per_step > 0 \
                else 2 * chunk
        if taken < want:
            self._carry = 0.0
        return taken

    def set_speed(self, steps_per_second):
        value = min(max(float(steps_per_second), 1.0), 100000.0)
        if value != self.speed:
            self.speed = value
            self.speedChanged.emit(value)

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

    # ----- the step ds of the total differential ----------------------------------
    @property
    def ds(self):
        """(dx, dy): as the user set it for this function's window, else DS_FRACTION of the
        window's width (one significant digit) along (0.8, 0.6)."""
        window, ds = self._ds
        if window == self.default_window:
            return ds
        (x0, x1), (y0, y1) = self.default_window
        h = round_significant(DS_FRACTION * max(x1 - x0, y1 - y0))
        return round_significant(0.8 * h, 3), round_significant(0.6 * h, 3)  # 0.48, not 0.48000…1

    def set_ds(self, dx, dy):
        """Set ds; a non-finite or zero step is refused (notice) and False returned."""
        dx, dy = float(dx), float(dy)
        if not (math.isfinite(dx) and math.isfinite(dy)) or (dx == 0 and dy == 0):
            self.notice.emit("ds must be a non-zero step of finite numbers")
            self.dsChanged.emit(*self.ds)  # the widgets go back to the kept step
            return False
        if (dx, dy) != self.ds:
            self._ds = (self.default_window, (dx, dy))
            self.dsChanged.emit(dx, dy)
        return True

    def show_ds(self, shown):
        if bool(shown) != self.ds_shown:
            self.ds_shown = bool(shown)
            self.dsShownChanged.emit(self.ds_shown)

    # ----- export ---------------------------------------------------------------
    def results(self, copy=True):
        """Every run that started, in list order (copy=False: see Descent.result)."""
        return [r.descent.result(self.text, copy, r.name) for r in self.runs
                if r.descent is not None]

    # ----- sessions ---------------------------------------------------------------
    def session(self):
        """The state as a core Session, for saving."""
        if self.function is None:
            raise InputError("there is no function to save")
        (x0, x1), (y0, y1) = self.window
        records = [sessions.record_of(r.descent, r.name, r.color, r.visible, r.settings)
                   for r in self.runs]
        return sessions.Session(expression=self.text, xrange=(x0, x1), yrange=(y0, y1),
                                spacing=self.spacing, angle=self.angle, runs=records,
                                selected=max(self.selected, 0))

    def load_session(self, session):
        """Apply a checked Session once its formula compiles; sessionError on failure."""
        self._pending_preset = None
        self._pending_session = session
        self._compiler.submit(session.expression)

    def _apply_session(self, fn, session):
        try:
            runs = []
            for record in session.runs:
                settings = Settings().with_(
                    start=tuple(record.start), learning_rate=record.learning_rate,
                    max_steps=record.max_steps, tol=record.tol, optimizer=record.optimizer,
                    hyperparameters=record.hyperparameters, schedule=record.schedule).checked()
                descent = sessions.descent_of(fn, record)
                run = Run(settings, record.name or default_name(runs, settings),
                          record.color or next_color(runs), record.visible, descent)
                if descent is None:
                    run.descent, run.error = start_run(fn, settings)
                runs.append(run)
        except InputError as exc:
            self.sessionError.emit(f"the session could not be applied: {exc}")
            return
        window = (session.xrange, session.yrange)
        settings = runs[session.selected].settings if runs else self.settings
        self.apply(State(fn, None, window, window, session.spacing, settings, tuple(runs),
                         session.selected))
        self.set_angle(session.angle)


__all__ = ["ExplorerModel", "ExpressionError", "State"]
