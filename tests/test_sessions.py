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
    m = window.model
    m.step(30)
    m.keep_run()
    m.set_optimizer("momentum")
    m.step(12)
    m.set_angle(math.radians(123.0))
    m.set_window((-1.5, 1.5), (-0.5, 2.0))
    path = tmp_path / "s.gdx.json"
    assert window.save_session(str(path))
    return path


def test_round_trip_restores_everything(qtbot, window, tmp_path):
    path = saved_session(tmp_path, window, qtbot)
    m = window.model
    before = (m.text, m.window, m.start, m.angle, m.learning_rate, m.optimizer,
              m.run.trajectory.copy(), [r.trajectory.copy() for r in m.kept])
    data = json.loads(path.read_text())
    assert data["format"] == "gd-explorer-session" and data["version"] == 1
    with qtbot.waitSignal(m.functionChanged, timeout=15000):
        m.load_preset("Booth")
    with qtbot.waitSignal(m.functionChanged, timeout=15000):
        assert window.open_session(str(path))
    assert m.text == before[0] and m.window == before[1] and m.start == before[2]
    assert m.angle == pytest.approx(before[3]) and m.learning_rate == before[4]
    assert m.optimizer == "momentum"
    np.testing.assert_array_equal(m.run.trajectory, before[6])
    assert len(m.kept) == 1
    np.testing.assert_array_equal(m.kept[0].trajectory, before[7][0])
    # the restored run continues exactly like the original would have
    fn = parse_function(before[0])
    ref = Descent(fn, before[2], before[4], m.max_steps, m.tol, "momentum")
    ref.step(15)
    m.step(3)
    np.testing.assert_array_equal(m.run.trajectory, ref.trajectory)


def test_json_has_no_nan_or_infinity(qtbot, window, tmp_path):
    path = saved_session(tmp_path, window, qtbot)
    text = path.read_text()
    assert "NaN" not in text and "Infinity" not in text
    json.loads(text, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))


BAD_FILES = {
    "truncated": lambda good: good[: len(good) // 2],
    "not json": lambda good: "this is not json",
    "nan": lambda good: good.replace('"angle_deg": ', '"angle_deg": NaN, "x": ', 1),
    "wrong version": lambda good: good.replace('"version": 1', '"version": 99'),
    "wrong format": lambda good: good.replace("gd-explorer-session", "something-else"),
    "injected formula": lambda good: _with(good, function="__import__('os').system('touch CANARY')"),
    "bad formula": lambda good: _with(good, function="x +* y"),
    "string start": lambda good: _with(good, start="1,2"),
    "inf window": lambda good: _with(good, window={"x": [0, 1e999], "y": [0, 1]}),
    "reversed window": lambda good: _with(good, window={"x": [1, 0], "y": [0, 1]}),
    "bad optimizer": lambda good: _with(good, settings={"learning_rate": 0.1, "max_steps": 10,
                                                        "tol": 0, "optimizer": "os.system"}),
    "negative lr": lambda good: _with(good, settings={"learning_rate": -1, "max_steps": 10,
                                                      "tol": 0, "optimizer": "gd"}),
    "rows as plain lists": lambda good: _run_rows(good, [["a", 1, 2, 3, 4, 5, 6]]),
    "rows wrong width": lambda good: _run_rows(good, sessions.encode_rows(np.zeros((2, 3)))),
    "rows bad steps": lambda good: _run_rows(good, sessions.encode_rows([[5, 1, 2, 3, 4, 5, 6]])),
    "rows with nan": lambda good: _run_rows(good, sessions.encode_rows([[0, 1, math.nan, 3, 4, 5, 6]])),
    "rows not base64": lambda good: _run_rows(good, {"shape": [1, 7], "float64_le_base64": "$$$"}),
    "rows short": lambda good: _run_rows(good, {"shape": [5, 7], "float64_le_base64": "AAAA"}),
    "rows too many": lambda good: _run_rows(good, {"shape": [10**7, 7], "float64_le_base64": ""}),
    "huge integer": lambda good: good.replace('"version": 1', '"version": ' + "1" * 5000),
    "long integer in start": lambda good: _with(good, start=[int("1" * 400), 1]),
    "huge float": lambda good: good.replace('"angle_deg": ', '"angle_deg": 1e999, "z": ', 1),
    "string numbers": lambda good: _with(good, start=["1", "2"]),
    "deep nesting": lambda good: "[" * 100000 + "]" * 100000,
    "pickle": lambda good: "\x80\x04\x95",
    "list at top": lambda good: "[1, 2, 3]",
}


def _with(good, **fields):
    data = json.loads(good, parse_int=lambda t: int(t) if len(t) < 4000 else 0)
    data.update(fields)
    return json.dumps(data)


def _run_rows(good, rows):
    data = json.loads(good)
    data["current_run"]["rows"] = rows
    return json.dumps(data)


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_session_gives_message_and_leaves_state(qtbot, window, tmp_path, name):
    good = saved_session(tmp_path, window, qtbot).read_text()
    m = window.model
    state = (m.text, m.window, m.start, m.run.trajectory.copy(), len(m.kept))
    bad = tmp_path / "bad.gdx.json"
    bad.write_text(BAD_FILES[name](good), encoding="utf-8", errors="surrogateescape")
    errors = []
    m.sessionError.connect(errors.append)
    accepted = window.open_session(str(bad))
    if accepted:  # the formula is checked asynchronously by the safe parser
        qtbot.waitUntil(lambda: bool(errors), timeout=10000)
    else:
        assert window.last_error
    assert (m.text, m.window, m.start, len(m.kept)) == (state[0], state[1], state[2], state[4])
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
    rows = sessions.decode_rows(data["current_run"]["rows"], "current run")
    np.testing.assert_array_equal(rows, window.model.run.trajectory)  # bit for bit
    assert set(data["current_run"]["rows"]) == {"shape", "float64_le_base64"}


def test_run_too_long_for_a_session_gives_a_message(qtbot, window, tmp_path, monkeypatch):
    monkeypatch.setattr(sessions, "MAX_ROWS", 20)
    window.model.step(30)
    path = tmp_path / "long.gdx.json"
    assert not window.save_session(str(path))
    assert "too long for a session" in window.last_error and "CSV" in window.last_error
    assert not path.exists()
