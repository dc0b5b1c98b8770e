"""The window's streaming export (issue 13): progress, Cancel, remembered folders, crash text."""
import csv
import os
import threading
import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressBar, QPushButton

from gd_explorer.core import export
from gd_explorer.core.fileio import STALE_SECONDS, TEMP_NAME
from gd_explorer.gui import main_window
from gd_explorer.gui.app import make_app

ROWS = 60_001  # more than BACKGROUND_ROWS: written on a thread


@pytest.fixture
def window(qtbot, shown_window):
    win = shown_window
    model = win.model
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.set_expression("x^2 + 3*y^2")
    model.set_tol(0.0)
    model.set_max_steps(ROWS - 1)
    model.set_learning_rate(1e-7)  # tiny steps: the run goes to max_steps
    model.set_start(2.0, 1.0)
    model.step(ROWS - 1)
    assert model.run.steps == ROWS - 1
    return win


def test_long_export_reports_progress_up_to_the_total(qtbot, window, tmp_path, monkeypatch):
    monkeypatch.setattr(export, "CHUNK_ROWS", 10_000)
    path = tmp_path / "run.csv"
    with qtbot.waitSignal(window.fileJobFinished, timeout=120000) as sig:
        assert window.export_csv(str(path))
        bar = window.findChild(QProgressBar, "exportProgress")
        values = []
        bar.valueChanged.connect(values.append)  # progress arrives through the event loop
        assert bar.isVisible() and bar.maximum() == ROWS
        assert window.findChild(QPushButton, "cancelExportButton").isVisible()
    assert sig.args == [""]
    assert values == [10_000, 20_000, 30_000, 40_000, 50_000, 60_000, ROWS]
    assert not bar.isVisible()
    assert not window.findChild(QPushButton, "cancelExportButton").isVisible()
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == 1 + ROWS
    assert [float(v) for v in rows[-1][5:11]] == list(window.model.run.row(-1)[1:])
    assert os.listdir(tmp_path) == ["run.csv"]


def test_cancel_stops_the_export_and_keeps_the_old_file(qtbot, window, tmp_path, monkeypatch):
    monkeypatch.setattr(export, "CHUNK_ROWS", 10_000)
    gate = threading.Event()
    real_write_csv = export.write_csv

    def held_write_csv(path, runs, progress=None, **kwargs):
        def report(done, total):  # hold the writer after its first chunk until Cancel
            stop = progress(done, total)
            if done:
                gate.wait(120)
            return stop or progress(done, total)

        return real_write_csv(path, runs, progress=report, **kwargs)

    monkeypatch.setattr(main_window, "write_csv", held_write_csv)
    path = tmp_path / "run.csv"
    path.write_text("old contents\n")
    window.last_error = ""
    try:
        assert window.export_csv(str(path))
        bar = window.findChild(QProgressBar, "exportProgress")
        qtbot.waitUntil(lambda: bar.value() == 10_000, timeout=60000)
        temp = [n for n in os.listdir(tmp_path) if TEMP_NAME.match(n)]
        assert len(temp) == 1 and os.path.getsize(tmp_path / temp[0]) > 0
        button = window.findChild(QPushButton, "cancelExportButton")
        with qtbot.waitSignal(window.fileJobFinished, timeout=60000) as sig:
            qtbot.mouseClick(button, Qt.LeftButton)
            gate.set()
    finally:
        gate.set()
    assert sig.args == ["export cancelled"]
    assert path.read_text() == "old contents\n"
    assert os.listdir(tmp_path) == ["run.csv"]  # the temp file is gone
    assert "cancelled" in window.statusBar().currentMessage()
    assert window.last_error == ""  # a cancel is not an error dialog
    assert not bar.isVisible() and not button.isVisible()
    assert window.model.run.steps == ROWS - 1


def test_short_export_stays_synchronous(qtbot, shown_window, tmp_path):
    win = shown_window
    with qtbot.waitSignal(win.model.functionChanged, timeout=15000):
        win.model.set_expression("x^2 + y^2")
    win.model.step(5)
    path = tmp_path / "short.csv"
    assert win.export_csv(str(path))
    assert len(path.read_text().splitlines()) == 1 + 6  # written before export_csv returned
    bar = win.findChild(QProgressBar, "exportProgress")
    assert bar is None or not bar.isVisible()


def test_export_folders_are_remembered_and_cleaned_at_start(qtbot, shown_window, tmp_path):
    from gd_explorer.gui.recent_folders import clean_recent_folders, recent_folders

    win = shown_window
    with qtbot.waitSignal(win.model.functionChanged, timeout=15000):
        win.model.set_expression("x^2 + y^2")
    win.model.step(5)
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    assert win.export_csv(str(first / "run.csv"))
    assert win.save_session(str(second / "s.gdx.json"))
    assert recent_folders()[:2] == [str(second), str(first)]
    assert win.export_csv(str(first / "run.csv"))
    assert recent_folders()[:2] == [str(first), str(second)]
    assert recent_folders().count(str(first)) == 1
    # a write killed in "a" left its temp file; another program has a file of a similar name
    stale = first / ".tmp-gdx-00112233445566ff.part"
    stale.write_text("half")
    theirs = first / ".tmp-x1y2z3w4.part"
    theirs.write_text("theirs")
    old = time.time() - STALE_SECONDS - 60
    for p in (stale, theirs):
        os.utime(p, (old, old))
    cleaned = clean_recent_folders()
    assert cleaned[str(first)] == [stale.name] and cleaned[str(second)] == []
    assert sorted(os.listdir(first)) == [".tmp-x1y2z3w4.part", "run.csv"]


# --- the crash handler ------------------------------------------------------------------------

def test_crash_handler_survives_a_lone_surrogate(qtbot, tmp_path):
    from gd_explorer.gui.crash import CrashHandler

    make_app()
    log = tmp_path / "errors.log"
    handler = CrashHandler(path=str(log), show_dialog=True).install()
    try:
        def fail():  # a file job on a thread meets a name with an undecodable byte
            raise FileNotFoundError("no such file: 'caf\udcff.csv'")

        with qtbot.waitSignal(handler.reported, timeout=10000) as sig:
            worker = threading.Thread(target=fail)
            worker.start()
            worker.join(60)
        assert sig.args[0].startswith("FileNotFoundError: no such file: 'caf\\udcff.csv'")
        assert "Details were written to" in sig.args[0]
        text = log.read_text(encoding="utf-8")  # valid UTF-8
        assert "Traceback" in text and "caf\\udcff.csv" in text

        def dialog():
            boxes = [w for w in QApplication.allWidgets()
                     if isinstance(w, QMessageBox) and w.objectName() == "crashDialog"]
            return boxes[0] if boxes and boxes[0].isVisible() else None

        qtbot.waitUntil(lambda: dialog() is not None, timeout=10000)
        assert "caf\\udcff.csv" in dialog().text()
        dialog().close()
    finally:
        handler.uninstall()
