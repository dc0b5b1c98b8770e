"""Sessions (.gdx.json): round trip, rejection of bad files, atomic writes, the crash handler."""
import json
import math
import os

import numpy as np
import pytest

from gd_explorer.core import session as sessions
from gd_explorer.core.descent import Descent
from gd_explorer.core.errors import InputError
from gd_explorer.core.function import parse_function
from gd_explorer.gui.app import make_app
from gd_explorer.gui.main_window import MainWindow


@pytest.fixture
def window(qtbot):
    make_app()
    win = MainWindow()
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.model.functionChanged, timeout=15000):
        win.model.load_preset("Rosenbrock")
    return win


def saved_session(tmp_path, window, qtbot):
    """Rosenbrock with three runs: gd (30 steps), momentum with β = 0.8 (12 steps, hidden),
    and Adam on a step schedule (5 steps, renamed, selected)."""
    m = window.model
    m.step(30)
    m.add_run()
    m.set_optimizer("momentum", {"beta": 0.8})
    m.step(12)
    m.set_run_visible(1, False)
    m.add_run((0.5, 2.0))
    m.set_optimizer("adam")
    m.set_schedule("step", {"gamma": 0.5, "every": 2})
    m.step(5)
    m.rename_run(2, "Adam, halving")
    m.set_angle(math.radians(123.0))
    m.set_window((-1.5, 1.5), (-0.5, 2.0))
    path = tmp_path / "s.gdx.json"
    assert window.save_session(str(path))
    return path


def test_round_trip_restores_everything(qtbot, window, tmp_path):
    path = saved_session(tmp_path, window, qtbot)
    m = window.model
    before = (m.text, m.window, m.angle, m.selected,
              [(r.name, r.color, r.visible, r.settings, r.descent.trajectory.copy(),
                r.descent.state, r.descent.status) for r in m.runs])
    data = json.loads(path.read_text())
    assert data["format"] == "gd-explorer-session" and data["version"] == 2
    assert [r["optimizer"] for r in data["runs"]] == ["gd", "momentum", "adam"]
    assert data["runs"][1]["hyperparameters"] == {"beta": 0.8} and not data["runs"][1]["visible"]
    assert data["runs"][2]["schedule"] == {"name": "step", "parameters": {"every": 2.0,
                                                                          "gamma": 0.5}}
    with qtbot.waitSignal(m.functionChanged, timeout=15000):
        m.load_preset("Booth")
    with qtbot.waitSignal(m.functionChanged, timeout=15000):
        assert window.open_session(str(path))
    assert (m.text, m.window, m.selected) == (before[0], before[1], before[3])
    assert m.angle == pytest.approx(before[2])
    for run, (name, color, visible, settings, rows, state, status) in zip(m.runs, before[4]):
        assert (run.name, run.color, run.visible, run.settings) == (name, color, visible, settings)
        np.testing.assert_array_equal(run.descent.trajectory, rows)
        assert run.descent.state == state and run.descent.status == status
    assert m.optimizer == "adam" and m.schedule == ("step", {"every": 2.0, "gamma": 0.5})
    # the restored Adam run continues exactly like the original would have
    fn = parse_function(before[0])
    ref = Descent(fn, (0.5, 2.0), m.learning_rate, m.max_steps, m.tol, "adam", None,
                  ("step", {"gamma": 0.5, "every": 2}))
    ref.step(8)
    m.step(3)  # the hidden momentum run does not move
    np.testing.assert_array_equal(m.run.trajectory, ref.trajectory)
    np.testing.assert_array_equal(m.runs[1].descent.trajectory, before[4][1][4])


def test_a_version_one_session_still_opens(qtbot, window, tmp_path):
    fn = parse_function("x^2 + 3*y^2")
    kept = Descent(fn, (1.0, 1.0), 0.1, 100, 1e-6, "momentum")
    kept.step(4)
    current = Descent(fn, (2.0, -1.0), 0.05, 100, 1e-6, "gd")
    current.step(2)

    def run_v1(d):
        return {"expression": "x^2 + 3*y^2", "optimizer": d.optimizer,
                "learning_rate": d.learning_rate, "max_steps": d.max_steps, "tol": d.tol,
                "status": d.status, "message": d.message,
                "state": list(d.state) + [0.0] * (4 - len(d.state)),  # v1 kept 4 numbers
                "columns": ["step", "x", "y", "f", "df_dx", "df_dy", "grad_norm"],
                "rows": sessions.encode_rows(d.trajectory)}

    v1 = {"format": "gd-explorer-session", "version": 1, "function": "x^2 + 3*y^2",
          "window": {"x": [-2, 2], "y": [-2, 2]}, "spacing": "linear", "start": [2.0, -1.0],
          "angle_deg": 30.0, "settings": {"learning_rate": 0.05, "max_steps": 100, "tol": 1e-6,
                                          "optimizer": "gd"},
          "current_run": run_v1(current), "kept_runs": [run_v1(kept)]}
    path = tmp_path / "v1.gdx.json"
    path.write_text(json.dumps(v1))
    m = window.model
    with qtbot.waitSignal(m.functionChanged, timeout=15000):
        assert window.open_session(str(path))
    assert [r.settings.optimizer for r in m.runs] == ["momentum", "gd"] and m.selected == 1
    np.testing.assert_array_equal(m.runs[0].descent.trajectory, kept.trajectory)
    assert m.runs[0].descent.state == kept.state  # the velocity, without v1's padding
    np.testing.assert_array_equal(m.run.trajectory, current.trajectory)
    assert m.start == (2.0, -1.0) and m.angle == pytest.approx(math.radians(30.0))


def test_json_has_no_nan_or_infinity(qtbot, window, tmp_path):
    path = saved_session(tmp_path, window, qtbot)
    text = path.read_text()
    assert "NaN" not in text and "Infinity" not in text
    json.loads(text, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))


# each bad file, and the start of the message it must give
BAD_FILES = {
    "truncated": (lambda good: good[: len(good) // 2],
                  "the session file is not valid JSON (line "),
    "not json": (lambda good: "this is not json",
                 "the session file is not valid JSON (line 1): Expecting value"),
    "nan": (lambda good: good.replace('"angle_deg": ', '"angle_deg": NaN, "x": ', 1),
            "the session file contains NaN, which is not valid JSON"),
    "wrong version": (lambda good: good.replace('"version": 2', '"version": 99'),
                      "session version 99 is not supported (this app reads versions 1 and 2)"),
    "wrong format": (lambda good: good.replace("gd-explorer-session", "something-else"),
                     "this is not a gd-explorer session file"),
    "injected formula": (lambda good: _with(good, function="__import__('os').system('touch CANARY')"),
                         "the session's formula was rejected: names with '__' are not allowed"),
    "bad formula": (lambda good: _with(good, function="x +* y"),
                    "the session's formula was rejected: invalid syntax"),
    "string start": (lambda good: _run(good, start="1,2"),
                     "'start' in the run 1 must be two finite numbers"),
    "inf window": (lambda good: _with(good, window={"x": [0, 1e999], "y": [0, 1]}),
                   "the session file contains Infinity, which is not valid JSON"),
    "reversed window": (lambda good: _with(good, window={"x": [1, 0], "y": [0, 1]}),
                        "the x range must go from a smaller to a larger number"),
    "bad optimizer": (lambda good: _run(good, optimizer="os.system"),
                      "unknown optimizer 'os.system' in the run 1"),
    "bad hyperparameter": (lambda good: _run(good, 2, hyperparameters={"beta": 1.5}),
                           "the run 2: Momentum (heavy ball) beta must be in [0, 1), got 1.5"),
    "unknown schedule": (lambda good: _run(good, 3, schedule={"name": "wild", "parameters": {}}),
                         "the run 3: unknown schedule 'wild'"),
    "negative lr": (lambda good: _run(good, learning_rate=-1),
                    "the run 1's descent settings are out of range: the learning rate must be"),
    "bad colour": (lambda good: _run(good, color="red"),
                   "'color' in the run 1 must be written #rrggbb"),
    "selected out of range": (lambda good: _with(good, selected=7),
                              "'selected' must name one of the session's runs"),
    "rows as plain lists": (lambda good: _run(good, rows=[["a", 1, 2, 3, 4, 5, 6]]),
                            "'rows' in the run 1 has the wrong type"),
    "rows wrong width": (lambda good: _run(good, rows=sessions.encode_rows(np.zeros((2, 3)))),
                         "the run 1 must have between 1 and 1,000,001 rows of 7 numbers"),
    "rows bad steps": (lambda good: _run(good, rows=sessions.encode_rows([[5, 1, 2, 3, 4, 5, 6]])),
                       "the steps of the run 1 must count 0, 1, 2, …"),
    "rows with nan": (lambda good: _run(good, rows=sessions.encode_rows([[0, 1, math.nan, 3, 4, 5, 6]])),
                      "the rows of the run 1 must be finite numbers"),
    "rows elsewhere": (lambda good: _run(good, rows=sessions.encode_rows([[0, 9, 9, 3, 4, 5, 6]])),
                       "the rows of the run 1 do not begin at its start"),
    "rows not base64": (lambda good: _run(good, rows={"shape": [1, 7], "float64_le_base64": "$$$"}),
                        "the rows of the run 1 are not valid base64"),
    "rows short": (lambda good: _run(good, rows={"shape": [5, 7], "float64_le_base64": "AAAA"}),
                   "the rows of the run 1 do not match their shape"),
    "rows too many": (lambda good: _run(good, rows={"shape": [10**7, 7], "float64_le_base64": ""}),
                      "the run 1 must have between 1 and 1,000,001 rows of 7 numbers"),
    "huge integer": (lambda good: good.replace('"version": 2', '"version": ' + "1" * 5000),
                     "the session file has a number with more than 30 digits"),
    "long integer in start": (lambda good: _run(good, start=[int("1" * 400), 1]),
                              "the session file has a number with more than 30 digits"),
    "huge float": (lambda good: good.replace('"angle_deg": ', '"angle_deg": 1e999, "z": ', 1),
                   "the session file has a number too large to read: 1e999"),
    "string numbers": (lambda good: _run(good, start=["1", "2"]),
                       "'start' in the run 1 must be two finite numbers"),
    "deep nesting": (lambda good: "[" * 100000 + "]" * 100000,
                     "the session file is nested too deeply"),
    "pickle": (lambda good: "\x80\x04\x95", "the session file is not valid JSON (line 1)"),
    "list at top": (lambda good: "[1, 2, 3]", "the session must be a JSON object"),
    "too much memory": (lambda good: _run(good, 2, state=[0.5] * 65),
                        "the optimizer state of the run 2 must be at most 64 finite numbers"),
}


def _with(good, **fields):
    data = json.loads(good, parse_int=lambda t: int(t) if len(t) < 4000 else 0)
    data.update(fields)
    return json.dumps(data)


def _run(good, number=1, **fields):
    data = json.loads(good)
    data["runs"][number - 1].update(fields)
    return json.dumps(data)


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_session_gives_its_message_and_leaves_state(qtbot, window, tmp_path, name):
    good = saved_session(tmp_path, window, qtbot).read_text()
    m = window.model
    state = (m.text, m.window, m.start, m.run.trajectory.copy(), len(m.runs))
    make, message = BAD_FILES[name]
    bad = tmp_path / "bad.gdx.json"
    bad.write_text(make(good), encoding="utf-8", errors="surrogateescape")
    errors = []
    m.sessionError.connect(errors.append)
    if window.open_session(str(bad)):  # the formula is checked asynchronously by the parser
        qtbot.waitUntil(lambda: bool(errors), timeout=10000)
        text = errors[-1]
    else:
        text = window.last_error
    assert text.startswith(message), text
    assert (m.text, m.window, m.start, len(m.runs)) == (state[0], state[1], state[2], state[4])
    np.testing.assert_array_equal(m.run.trajectory, state[3])
    assert not os.path.exists("CANARY")


def test_oversized_session_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "big.gdx.json"
    path.write_text("{}" + " " * 1000)
    monkeypatch.setattr(sessions, "MAX_BYTES", 100)
    with pytest.raises(InputError, match="too large"):
        sessions.load(path)


@pytest.mark.parametrize("target", ["missing-folder/s.gdx.json", "nul\x00name.gdx.json", "."])
def test_unwritable_paths_give_a_message(qtbot, window, tmp_path, target):
    window.model.step(3)
    path = os.path.join(str(tmp_path), target)
    assert not window.save_session(path)
    assert window.last_error
    assert not window.export_csv(path)
    assert window.model.run.steps == 3


def test_failed_write_keeps_old_file(qtbot, window, tmp_path, monkeypatch):
    path = tmp_path / "s.gdx.json"
    assert window.save_session(str(path))
    old = path.read_text()
    window.model.step(10)

    def full_disk(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    assert not window.save_session(str(path))
    assert "No space left on device" in window.last_error
    assert path.read_text() == old
    assert [p.name for p in tmp_path.iterdir()] == ["s.gdx.json"]
    assert window.model.run.steps == 10


def test_crash_handler_logs_and_reports(qtbot, tmp_path):
    from gd_explorer.gui.crash import CrashHandler

    make_app()
    handler = CrashHandler(path=str(tmp_path / "log" / "errors.log"), show_dialog=False).install()
    try:
        with qtbot.waitSignal(handler.reported, timeout=15000) as sig:
            try:
                raise ZeroDivisionError("boom")
            except ZeroDivisionError as exc:
                import sys
                sys.excepthook(type(exc), exc, exc.__traceback__)
        assert sig.args[0].startswith("ZeroDivisionError: boom")
        text = (tmp_path / "log" / "errors.log").read_text()
        assert "Traceback" in text and "boom" in text
    finally:
        handler.uninstall()


def test_rows_are_stored_exactly_and_compactly(qtbot, window, tmp_path):
    path = saved_session(tmp_path, window, qtbot)
    data = json.loads(path.read_text())
    rows = sessions.decode_rows(data["runs"][2]["rows"], "run 3")
    np.testing.assert_array_equal(rows, window.model.run.trajectory)  # bit for bit
    assert set(data["runs"][2]["rows"]) == {"shape", "float64_le_base64"}


def test_run_too_long_for_a_session_gives_a_message(qtbot, window, tmp_path, monkeypatch):
    monkeypatch.setattr(sessions, "MAX_ROWS", 20)
    window.model.step(30)
    path = tmp_path / "long.gdx.json"
    assert not window.save_session(str(path))
    assert "too long for a session" in window.last_error and "CSV" in window.last_error
    assert not path.exists()
