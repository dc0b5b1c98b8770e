"""Run a slow file job (a long CSV, a big session) on a thread; report back on the GUI thread."""
import threading

from PySide6.QtCore import QObject, Signal

from ..core.errors import InputError

BACKGROUND_ROWS = 50_000  # jobs with more rows than this run in the background
BACKGROUND_BYTES = 4_000_000  # and session files larger than this are read there


class BackgroundJob(QObject):
    """``work()`` runs on a thread; ``done(error)`` follows on the GUI thread ("" on success)."""

    done = Signal(str)

    def __init__(self, work, parent=None):
        super().__init__(parent)
        self._work = work

    def start(self):
        threading.Thread(target=self._run, daemon=True, name="gd-explorer-file-job").start()

    def _run(self):
        try:
            self._work()
            error = ""
        except InputError as exc:
            error = str(exc)
        except Exception as exc:  # report every failure as a message
            error = f"{type(exc).__name__}: {exc}"
        self.done.emit(error)
