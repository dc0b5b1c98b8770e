"""Long work never blocks the GUI thread for long; Stop and Cancel act quickly (issue 6)."""
import time

import numpy as np
import pytest
from PySide6.QtCore import QElapsedTimer, QTimer

from gd_explorer.core.function import parse_function

MAX_BLOCK_MS = 100
TICK_MS = 5


class LatencyProbe:
    """Measures the longest gap between timer callbacks of the event loop."""

    def __init__(self):
        self.clock = QElapsedTimer()
        self.timer = QTimer(interval=TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.worst = 0
        self.ticks = 0

    def _tick(self):
        elapsed = self.clock.restart()
        self.ticks += 1
        if self.ticks > 1:
            self.worst = max(self.worst, elapsed - TICK_MS)

    def start(self):
        # Let earlier tests' windows finish being deleted first: that is not our work to time.
        import gc

        from PySide6.QtCore import QCoreApplication, QEvent

        QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
        gc.collect()
        self.clock.start()
        self.timer.start()

    def stop(self):
        self.timer.stop()


@pytest.fixture
def window(qtbot, shown_window):
    win = shown_window
    with qtbot.waitSignal(win.model.functionChanged, timeout=15000):
        win.model.set_expression("x^2 + 3*y^2 + sin(x)")
    return win


def _long_run(model, steps):
    model.set_tol(0.0)
    model.set_max_steps(steps)
    model.set_learning_rate(1e-7)  # tiny steps: the run goes to max_steps
    model.set_start(2.0, 1.0)
    model.set_speed(100000)


def test_event_loop_stays_responsive_during_a_million_step_run(qtbot, window):
    model = window.model
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.set_expression("x^2 + 3*y^2")
    _long_run(model, 1_000_000)
    probe = LatencyProbe()
    probe.start()
    model.play()
    qtbot.waitUntil(lambda: model.run.finished, timeout=240_000)
    probe.stop()
    assert model.run.steps == 1_000_000
    assert window.descent.status.text() == "max steps reached (1000000 steps)"
    assert window.table.model().rowCount() == 1_000_001
    assert probe.ticks > 200
    assert probe.worst < MAX_BLOCK_MS, f"event loop blocked for {probe.worst} ms"


def test_pause_takes_effect_at_once(qtbot, window):
    model = window.model
    _long_run(model, 1_000_000)
    model.play()
    qtbot.wait(1000)
    assert model.playing and model.run.steps > 1000
    clock = time.perf_counter()
    window.descent.play_btn.click()  # Pause
    stop_ms = (time.perf_counter() - clock) * 1000
    assert not model.playing and stop_ms < 200
    steps = model.run.steps
    qtbot.wait(200)
    assert model.run.steps == steps, "no step after Pause"
    assert window.table.model().rowCount() == steps + 1


def test_heavy_formula_ends_too_complex_and_window_keeps_repainting(qtbot, window):
    model = window.model
    before = model.function
    heavy = "max(" + ", ".join(f"x + {i}*y" for i in range(32)) + ")"
    probe = LatencyProbe()
    probe.start()
    with qtbot.waitSignal(model.functionError, timeout=8000) as sig:
        model.set_expression(heavy)
    probe.stop()
    assert sig.args[0].startswith("too complex")
    assert model.function is before
    assert probe.ticks > 50
    assert probe.worst < MAX_BLOCK_MS, f"event loop blocked for {probe.worst} ms"
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.set_expression("x*y")  # the symbolic engine works again afterwards


def test_editing_the_function_during_a_run_cancels_it(qtbot, window):
    model = window.model
    model.set_tol(0.0)
    model.set_max_steps(1_000_000)
    model.set_learning_rate(1e-6)
    model.play()
    qtbot.wait(200)
    assert model.playing and model.run.steps > 0
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        window.editor.edit.setText("x^2 + y^2")
        window.editor.edit.returnPressed.emit()
    assert not model.playing
    assert model.run.steps == 0 and model.run.function is model.function
    assert model.function.text == "x^2 + y^2"


def test_basin_map_is_responsive_and_cancel_is_quick(qtbot, window):
    model = window.model
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.set_expression("(1 - x)^2 + 100*(y - x^2)^2")
    model.set_learning_rate(1e-4)  # slow valley: every start takes many steps
    analysis = model.analysis
    probe = LatencyProbe()
    probe.start()
    analysis.show_basins(resolution=150, steps=200000)
    qtbot.wait(700)
    assert analysis.busy
    clock = time.perf_counter()
    window.analysis.cancel_btn.click()
    cancel_ms = (time.perf_counter() - clock) * 1000
    probe.stop()
    assert not analysis.busy and cancel_ms < 200
    assert analysis.basins is None
    qtbot.wait(300)
    assert analysis.basins is None, "a cancelled job must not deliver a result"
    assert probe.worst < MAX_BLOCK_MS, f"event loop blocked for {probe.worst} ms"


def test_critical_points_found_and_classified(qtbot, window):
    model = window.model
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.set_expression("x^3 - 3*x + y^2")
    model.set_window((-2.0, 2.0), (-2.0, 2.0))
    with qtbot.waitSignal(model.analysis.criticalPointsChanged, timeout=30000):
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
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.load_preset("Himmelblau")
    with qtbot.waitSignal(model.analysis.basinsChanged, timeout=10000):
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
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.set_expression("x^2 + 3*y^2")
    _long_run(model, 120_000)
    model.step(120_000)
    path = tmp_path / "long.csv"
    probe = LatencyProbe()
    probe.start()
    with qtbot.waitSignal(window.fileJobFinished, timeout=60000) as sig:
        assert window.export_csv(str(path))
        assert not path.exists() or path.stat().st_size > 0  # still being written, or done
    probe.stop()
    assert sig.args == [""]
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == 1 + 120_001
    assert [float(v) for v in rows[-1][5:11]] == list(model.run.row(-1)[1:])
    assert probe.worst < MAX_BLOCK_MS, f"event loop blocked for {probe.worst} ms"
    spath = tmp_path / "long.gdx.json"
    with qtbot.waitSignal(window.fileJobFinished, timeout=60000) as sig:
        assert window.save_session(str(spath))
    assert sig.args == [""]
    loaded = sessions.load(spath)
    np.testing.assert_array_equal(loaded.runs[loaded.selected].rows, model.run.trajectory)
    expected = model.run.trajectory
    model.reset()
    with qtbot.waitSignal(model.functionChanged, timeout=60000):
        assert window.open_session(str(spath))  # a 7 MB file: read on a thread
    np.testing.assert_array_equal(model.run.trajectory, expected)


def test_background_write_failure_is_reported(qtbot, window, tmp_path, monkeypatch):
    import os

    model = window.model
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.set_expression("x^2 + 3*y^2")
    _long_run(model, 60_000)
    model.step(60_000)
    path = tmp_path / "run.csv"
    path.write_text("old")
    monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    with qtbot.waitSignal(window.fileJobFinished, timeout=60000) as sig:
        window.export_csv(str(path))
    assert "No space left on device" in sig.args[0]
    assert "No space left on device" in window.last_error
    assert path.read_text() == "old" and model.run.steps == 60_000
