"""Results of worker threads reach their objects on the window's thread, and a result whose
object was deleted meanwhile is dropped (a thread emitting a signal of an object being deleted
crashed the test run once)."""
import threading

import shiboken6
from PySide6.QtCore import QObject, QThread

from gd_explorer.gui.app import make_app
from gd_explorer.gui.relay import hand_over


class Receiver(QObject):
    def __init__(self):
        super().__init__()
        self.got = []

    def take(self, *args):
        self.got.append((args, QThread.currentThread()))


def from_a_thread(method, *args):
    thread = threading.Thread(target=hand_over, args=(method, *args))
    thread.start()
    thread.join()


def test_a_result_from_a_thread_arrives_on_the_windows_thread(qtbot):
    make_app()
    receiver = Receiver()
    from_a_thread(receiver.take, 1, "a")
    assert receiver.got == []  # not called on the worker thread
    qtbot.waitUntil(lambda: bool(receiver.got), timeout=15000)
    assert receiver.got == [((1, "a"), receiver.thread())]


def test_a_result_for_an_object_deleted_meanwhile_is_dropped(qtbot):
    make_app()
    gone, live = Receiver(), Receiver()
    got = gone.got
    from_a_thread(gone.take, 1)
    shiboken6.delete(gone)          # the window closed before the result arrived
    from_a_thread(live.take, 2)     # handed over after it: arrives after it
    qtbot.waitUntil(lambda: bool(live.got), timeout=15000)
    assert got == [] and [args for args, _ in live.got] == [(2,)]



def test_a_file_jobs_signals_arrive_on_the_windows_thread_and_not_after_it_is_deleted(
        qtbot, monkeypatch):
    from PySide6.QtCore import Qt

    from gd_explorer.gui.background import BackgroundJob

    make_app()
    seen = []
    job = BackgroundJob(lambda: job.report(3, 10))
    # direct connections: the slots run on the thread that emits
    job.progress.connect(lambda done, total: seen.append(
        ("progress", done, total, QThread.currentThread())), Qt.DirectConnection)
    job.done.connect(lambda error: seen.append(("done", error, QThread.currentThread())),
                     Qt.DirectConnection)
    main = job.thread()
    with qtbot.waitSignal(job.done, timeout=15000):
        job.start()
    assert seen == [("progress", 3, 10, main), ("done", "", main)]

    failures = []
    monkeypatch.setattr(threading, "excepthook", failures.append)
    release = threading.Event()
    gone = BackgroundJob(lambda: release.wait(15))
    late = []
    gone.done.connect(late.append)
    before = set(threading.enumerate())
    gone.start()
    worker, = set(threading.enumerate()) - before
    shiboken6.delete(gone)   # the window closed during a long export
    release.set()
    worker.join(15)
    after = Receiver()
    from_a_thread(after.take, 1)  # handed over after the job's result: arrives after it
    qtbot.waitUntil(lambda: bool(after.got), timeout=15000)
    assert late == [] and failures == []
