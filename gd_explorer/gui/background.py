"""Run a slow file job (a long CSV, a big session) on a thread; report back on the GUI thread."""
import threading

from PySide6.QtCore import QObject, Signal

from ..core.errors import InputError
from ..core.fileio import Cancelled
from .relay import hand_over

BACKGROUND_ROWS = 50_000  # jobs with more rows than this run in the background
BACKGROUND_BYTES = 4_000_000  # and session files larger than this are read there


class BackgroundJob(QObject):
    """``work()`` runs on a thread; ``done(error)`` follows on the GUI thread ("" on success).

    A job that reports progress calls ``report(done, total)``: ``progress`` follows on the GUI
    thread, and report returns True once ``cancel()`` was called, which the work takes as its
    cue to stop. Both signals are emitted on the GUI thread (through the relay), never for a
    job deleted meanwhile (a window closed during a long export).
    """

    done = Signal(str)
    progress = Signal(int, int)  # rows (or bytes) done, total

    def __init__(self, work, parent=None):
        super().__init__(parent)
        self._work = work
        self._cancel = threading.Event()
        self.cancelled = False  # True when the work stopped because of cancel()

    def start(self):
        threading.Thread(target=self._run, daemon=True, name="gd-explorer-file-job").start()

    def cancel(self):
        self._cancel.set()

    def report(self, done, total):
        hand_over(self._report, int(done), int(total))
        return self._cancel.is_set()

    def _report(self, done, total):
        self.progress.emit(done, total)

    def _finish(self, error):
        self.done.emit(error)

    def _run(self):
        try:
            self._work()
            error = ""
        except Cancelled as exc:
            self.cancelled = True
            error = str(exc)
        except InputError as exc:
            error = str(exc)
        except Exception as exc:  # report every failure as a message
            error = f"{type(exc).__name__}: {exc}"
        hand_over(self._finish, error)
