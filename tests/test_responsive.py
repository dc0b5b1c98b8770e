"""Long work never blocks the GUI thread: playing a run takes bounded work per frame, and
Pause and Cancel act at once (issue 6). Nothing here reads the wall clock: the frame budget
is checked with an injected clock, and work is counted in steps, chunks and polls."""
import threading

import numpy as np
import pytest
from PySide6.QtCore import QTimer

from gd_explorer.core.analysis import Cancelled, basin_map
from gd_explorer.core.function import parse_function
from gd_explorer.gui import analysis as gui_analysis
from gd_explorer.gui.app import make_app
from gd_explorer.gui.model import FRAME_BUDGET_S, FRAME_MS, ExplorerModel

LONG = 60_000  # ms: generous for a busy machine; a passing test never waits this long


class StepClock:
    """A clock for the model's frame budget that moves only when the run takes steps.

    Step i costs ``cost(i)`` seconds. ``chunks`` records each call to ``run.step``:
    (clock time when the chunk starts, steps asked for, steps taken)."""

    def __init__(self, model, cost):
        self.now = 0.0
        self.cost = cost
        self.chunks = []
        model.clock = self
        run = model.run
        real_step = run.step

        def timed_step(count=1, *args, **kwargs):
            first = run.steps
            taken = real_step(count, *args, **kwargs)
            self.chunks.append((self.now, count, taken))
            self.now += sum(self.cost(i) for i in range(first, first + taken))
            return taken

        run.step = timed_step

    def __call__(self):
        return self.now

    def sizes(self):
        return [count for _, count, _ in self.chunks]


def free(_i):
    return 0.0


@pytest.fixture
def model(qtbot):
    make_app()
    m = ExplorerModel()
    m.set_function(parse_function("x^2 + 3*y^2"))
    _long_run(m, 1_000_000)
    return m


@pytest.fixture
def window(qtbot, shown_window):
    win = shown_window
    with qtbot.waitSignal(win.model.functionChanged, timeout=LONG):
        win.model.set_expression("x^2 + 3*y^2 + sin(x)")
    return win


def _long_run(model, steps):
    model.set_tol(0.0)
    model.set_max_steps(steps)
    model.set_learning_rate(1e-7)  # tiny steps: the run goes to max_steps
    model.set_start(2.0, 1.0)
    model.set_speed(100000)


def run_frames(qtbot, n):
    """Let the event loop run until a timer with the model's frame interval has fired n times."""
    frames = []
    timer = QTimer(interval=FRAME_MS)
    timer.timeout.connect(lambda: frames.append(1))
    timer.start()
    qtbot.waitUntil(lambda: len(frames) >= n, timeout=LONG)
    timer.stop()


# --- the frame budget, with an injected clock ------------------------------------------------

def test_chunks_double_while_under_the_frame_budget(model):
    clock = StepClock(model, lambda i: 1e-6)  # 10 000 steps would fit in a frame
    assert model._steps_within_budget(1000) == 1000
    assert clock.sizes() == [1, 2, 4, 8, 16, 32, 64, 128, 256, 489]  # the last one: what is left
    assert model.run.steps == 1000


def test_a_clock_too_coarse_to_see_a_chunk_still_doubles_it(model):
    clock = StepClock(model, free)  # every reading is the same: no step seems to take time
    assert model._steps_within_budget(100) == 100
    assert clock.sizes() == [1, 2, 4, 8, 16, 32, 37]


def test_a_tick_fills_the_budget_and_plans_no_chunk_past_it(model):
    cost = FRAME_BUDGET_S / 8  # eight steps fill a frame
    clock = StepClock(model, lambda i: cost)
    taken = model._steps_within_budget(1000)
    assert taken == 8 and model.run.steps == 8
    assert clock.sizes() == [1, 2, 4, 1]  # the last chunk is what still fits, not 8
    for start, count, _ in clock.chunks:
        assert start + count * cost <= FRAME_BUDGET_S * (1 + 1e-9)
    assert clock.now == pytest.approx(FRAME_BUDGET_S)


def test_a_tick_stops_at_the_deadline_when_steps_turn_slow(model):
    # Chunks are planned from the speed so far; when steps get slower than planned, the chunk
    # overshoots once and the tick ends there: no step starts after the deadline.
    clock = StepClock(model, lambda i: 1e-4 if i < 3 else FRAME_BUDGET_S / 2)
    taken = model._steps_within_budget(1000)
    assert clock.sizes() == [1, 2, 4]
    assert taken == 7
    assert all(start < FRAME_BUDGET_S for start, _, _ in clock.chunks)
    assert clock.now > FRAME_BUDGET_S


def test_a_slow_step_makes_the_next_chunk_one_step(model):
    clock = StepClock(model, lambda i: 0.8 * FRAME_BUDGET_S if i == 3 else 1e-6)
    assert model._steps_within_budget(1000) == 1000
    # step 3 falls in the third chunk; after it the plan starts again from one step
    assert clock.sizes()[:6] == [1, 2, 4, 1, 2, 4]
    assert clock.now < FRAME_BUDGET_S


def test_playing_takes_speed_times_frame_steps_per_tick(model):
    StepClock(model, free)
    model.set_speed(1000)  # 16 steps per 16 ms frame
    per_tick = []
    for _ in range(5):
        before = model.run.steps
        model._on_tick()
        per_tick.append(model.run.steps - before)
    assert per_tick == [16] * 5
    model.set_speed(31.25)  # half a step per frame: a step every other frame
    per_tick = []
    for _ in range(6):
        before = model.run.steps
        model._on_tick()
        per_tick.append(model.run.steps - before)
    assert per_tick == [0, 1] * 3


def test_a_tick_that_cannot_keep_up_drops_its_backlog(model):
    clock = StepClock(model, lambda i: FRAME_BUDGET_S / 8)
    model.set_speed(99_999)  # 1599.98 steps per frame: far more than fit
    model._on_tick()
    assert model.run.steps == 8 and model._carry == 0.0
    clock.cost = free  # steps are cheap again: the next tick does one frame's worth, no more
    model._on_tick()
    assert model.run.steps == 8 + 1599 and model._carry == pytest.approx(0.984)


# --- playing, pausing and cancelling in the window ---------------------------------------------

def test_a_long_run_plays_to_the_end_in_bounded_work_per_frame(qtbot, window):
    # 100 000 steps rather than a million: the per-frame bound is the same, and a million steps
    # are 15 s of CPU on their own (a minute or more on a busy machine).
    model = window.model
    with qtbot.waitSignal(model.functionChanged, timeout=LONG):
        model.set_expression("x^2 + 3*y^2")
    _long_run(model, 100_000)
    StepClock(model, free)  # the budget never runs out: every tick does exactly its share
    per_tick, last = [], [0]

    def count():
        per_tick.append(model.run.steps - last[0])
        last[0] = model.run.steps

    model.trajectoryChanged.connect(count)
    model.play()
    qtbot.waitUntil(lambda: model.run.finished, timeout=LONG)
    model.trajectoryChanged.disconnect(count)
    assert not model.playing
    assert model.run.steps == 100_000
    # speed 100 000/s × 16 ms = 1600 steps a tick; the GUI gets control back after each
    assert per_tick == [1600] * 62 + [800]
    assert window.descent.status.text() == "max steps reached (100000 steps)"
    assert window.table.model().rowCount() == 100_001


def test_pause_takes_effect_at_once(qtbot, window):
    model = window.model
    _long_run(model, 1_000_000)
    playing = []
    model.playingChanged.connect(playing.append)
    model.play()
    qtbot.waitUntil(lambda: model.run.steps > 0, timeout=LONG)
    assert model.playing
    window.descent.play_btn.click()  # Pause
    assert not model.playing and playing == [True, False]  # before click() returned
    assert window.descent.play_btn.text() == "▶ Play"
    steps = model.run.steps
    run_frames(qtbot, 10)  # ten frames in which a running timer would have stepped
    assert model.run.steps == steps, "no step after Pause"
    assert window.table.model().rowCount() == steps + 1


def test_heavy_formula_compiles_off_the_gui_thread_and_ends_too_complex(qtbot, window):
    model = window.model
    before = model.function
    heavy = "max(" + ", ".join(f"x + {i}*y" for i in range(32)) + ")"
    errors = []
    model.functionError.connect(lambda message, _column: errors.append(message))
    model.set_expression(heavy)
    assert model.compiling and errors == []  # set_expression returned while the work goes on
    qtbot.waitUntil(lambda: bool(errors), timeout=LONG)
    assert errors[0].startswith("too complex")
    assert model.function is before and not model.compiling
    with qtbot.waitSignal(model.functionChanged, timeout=LONG):
        model.set_expression("x*y")  # the symbolic engine works again afterwards
    assert model.function.text == "x*y"


def test_editing_the_function_during_a_run_cancels_it(qtbot, window):
    model = window.model
    model.set_tol(0.0)
    model.set_max_steps(1_000_000)
    model.set_learning_rate(1e-6)
    model.play()
    qtbot.waitUntil(lambda: model.run.steps > 0, timeout=LONG)
    assert model.playing
    with qtbot.waitSignal(model.functionChanged, timeout=LONG):
        window.editor.edit.setText("x^2 + y^2")
        window.editor.edit.returnPressed.emit()
    assert not model.playing
    assert model.run.steps == 0 and model.run.function is model.function
    assert model.function.text == "x^2 + y^2"


def test_basin_map_polls_cancel_regularly_and_stops_at_the_first_true():
    fn = parse_function("x^2 + y^2")
    polls = []

    def never():
        polls.append(False)
        return False

    basin_map(fn, (-1.0, 1.0), (-1.0, 1.0), 1e-3, resolution=10, steps=320, tol=0.0, cancel=never)
    assert len(polls) >= 320 // 32  # tol 0: every start runs all 320 steps, with a poll at
    #                                 least every 32 of them

    polls = []

    def sixth():
        polls.append(len(polls) == 5)
        return polls[-1]

    with pytest.raises(Cancelled):
        basin_map(fn, (-1.0, 1.0), (-1.0, 1.0), 1e-3, resolution=10, steps=320, tol=0.0,
                  cancel=sixth)
    assert polls == [False] * 5 + [True]


def _basin_threads():
    return [t for t in threading.enumerate() if t.name == "gd-explorer-basins"]


def test_basin_cancel_is_immediate_and_nothing_is_delivered(qtbot, window, monkeypatch):
    model = window.model
    with qtbot.waitSignal(model.functionChanged, timeout=LONG):
        model.set_expression("(1 - x)^2 + 100*(y - x^2)^2")
    model.set_learning_rate(1e-4)  # slow valley: every start takes many steps
    polls = []
    real_basin_map = gui_analysis.basin_map

    def counted(*args, cancel, **kwargs):
        def poll():
            polls.append(cancel())
            return polls[-1]
        return real_basin_map(*args, cancel=poll, **kwargs)

    monkeypatch.setattr(gui_analysis, "basin_map", counted)
    analysis = model.analysis
    delivered, busy = [], []
    analysis.basinsChanged.connect(lambda: delivered.append(analysis.basins))
    analysis.busyChanged.connect(busy.append)
    analysis.show_basins(resolution=150, steps=200000)
    qtbot.waitUntil(lambda: len(polls) >= 3, timeout=LONG)  # the job is under way
    assert analysis.busy and busy == [True]
    window.analysis.cancel_btn.click()
    assert not analysis.busy and busy == [True, False]  # before click() returned
    assert analysis.basins is None
    qtbot.waitUntil(lambda: not _basin_threads(), timeout=LONG)
    assert polls[-1] is True and polls.count(True) == 1  # it stopped at its next poll
    run_frames(qtbot, 5)  # a late result would arrive through the event loop
    assert analysis.basins is None and delivered == [], "a cancelled job must not deliver a result"


def test_critical_points_found_and_classified(qtbot, window):
    model = window.model
    with qtbot.waitSignal(model.functionChanged, timeout=LONG):
        model.set_expression("x^3 - 3*x + y^2")
    model.set_window((-2.0, 2.0), (-2.0, 2.0))
    with qtbot.waitSignal(model.analysis.criticalPointsChanged, timeout=LONG):
        window.analysis.critical_btn.click()
    kinds = {(round(p.x, 6), round(p.y, 6)): p.kind for p in model.analysis.critical}
    # f_x = 3x^2 - 3 = 0 at x = ±1, f_y = 2y = 0: (1, 0) minimum, (-1, 0) saddle
    assert kinds == {(1.0, 0.0): "minimum", (-1.0, 0.0): "saddle"}
    drawn = {kind: np.round(np.column_stack(item.getData()), 6).tolist()
             for kind, item in window.contour.critical.items()}
    assert drawn == {"minimum": [[1.0, 0.0]], "maximum": [], "saddle": [[-1.0, 0.0]],
                     "degenerate": []}
    assert window.analysis.label.text() == ("critical points found in view: 1 minimum, 1 saddle "
                                            "(Newton's method from many starts; it can miss some)")


def test_basins_of_himmelblau(qtbot, window):
    model = window.model
    with qtbot.waitSignal(model.functionChanged, timeout=LONG):
        model.load_preset("Himmelblau")
    with qtbot.waitSignal(model.analysis.basinsChanged, timeout=LONG):
        window.analysis.basins_btn.click()
    basins = model.analysis.basins
    ends = sorted((round(x, 3), round(y, 3)) for x, y in basins.ends)
    assert ends == [(-3.779, -3.283), (-2.805, 3.131), (3.0, 2.0), (3.584, -1.848)]
    # descent from the start point ends in the basin the map gives it
    fn = parse_function(model.text)
    from gd_explorer.core.descent import descend
    r = descend(fn, (4.0, 4.0), model.learning_rate, 5000)
    i = abs(basins.ys - 4.0).argmin()
    j = abs(basins.xs - 4.0).argmin()
    ex, ey = basins.ends[basins.labels[i, j]]
    assert abs(ex - r.x[0]) < 1e-3 and abs(ey - r.x[1]) < 1e-3
    assert window.contour.basins.image is not None


def test_long_export_and_save_run_in_the_background(qtbot, window, tmp_path):
    import csv

    import numpy as np

    from gd_explorer.core import session as sessions

    model = window.model
    with qtbot.waitSignal(model.functionChanged, timeout=LONG):
        model.set_expression("x^2 + 3*y^2")
    _long_run(model, 120_000)
    model.step(120_000)
    path = tmp_path / "long.csv"
    finished = []
    window.fileJobFinished.connect(finished.append)
    assert window.export_csv(str(path))
    assert finished == []  # export_csv returned while the rows are still being written
    qtbot.waitUntil(lambda: bool(finished), timeout=LONG)
    assert finished == [""]
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == 1 + 120_001
    assert [float(v) for v in rows[-1][5:11]] == list(model.run.row(-1)[1:])
    spath = tmp_path / "long.gdx.json"
    assert window.save_session(str(spath))
    assert finished == [""]  # saving goes on in the background too
    qtbot.waitUntil(lambda: len(finished) == 2, timeout=LONG)
    assert finished == ["", ""]
    loaded = sessions.load(spath)
    np.testing.assert_array_equal(loaded.runs[loaded.selected].rows, model.run.trajectory)
    expected = model.run.trajectory
    model.reset()
    with qtbot.waitSignal(model.functionChanged, timeout=LONG):
        assert window.open_session(str(spath))  # a 7 MB file: read on a thread
    np.testing.assert_array_equal(model.run.trajectory, expected)


def test_background_write_failure_is_reported(qtbot, window, tmp_path, monkeypatch):
    import os

    model = window.model
    with qtbot.waitSignal(model.functionChanged, timeout=LONG):
        model.set_expression("x^2 + 3*y^2")
    _long_run(model, 60_000)
    model.step(60_000)
    path = tmp_path / "run.csv"
    path.write_text("old")
    monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    with qtbot.waitSignal(window.fileJobFinished, timeout=LONG) as sig:
        window.export_csv(str(path))
    assert "No space left on device" in sig.args[0]
    assert "No space left on device" in window.last_error
    assert path.read_text() == "old" and model.run.steps == 60_000
