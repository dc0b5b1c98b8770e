"""A last-resort handler: an uncaught exception is logged to a file and shown in a dialog
instead of killing the app silently."""
import datetime
import os
import sys
import threading
import traceback

from PySide6.QtCore import QObject, QStandardPaths, QTimer, Signal


def safe_text(text):
    """``text`` with anything UTF-8 cannot hold (a lone surrogate from a file name with
    undecodable bytes) written as a backslash escape, so Qt and files accept it."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _describe(exc_type, exc_value):
    try:
        message = str(exc_value)
    except Exception:  # an exception whose __str__ fails still gets reported
        message = "(the error message could not be shown)"
    return safe_text(f"{exc_type.__name__}: {message}")


def log_path():
    folder = QStandardPaths.writableLocation(QStandardPaths.AppLocalDataLocation)
    if not folder:
        folder = os.path.join(os.path.expanduser("~"), ".gd-explorer")
    return os.path.join(folder, "gd-explorer-errors.log")


class CrashHandler(QObject):
    """Installs sys.excepthook and threading.excepthook; shows one dialog per burst."""

    reported = Signal(str)  # the one-line summary shown to the user

    def __init__(self, parent=None, path=None, show_dialog=True):
        super().__init__(parent)
        self.path = path or log_path()
        self.show_dialog = show_dialog
        self._previous = (sys.excepthook, threading.excepthook)
        self._dialog_open = False
        self.reported.connect(self._show)

    def install(self):
        sys.excepthook = self._on_exception
        threading.excepthook = lambda args: self._on_exception(args.exc_type, args.exc_value,
                                                               args.exc_traceback)
        return self

    def uninstall(self):
        sys.excepthook, threading.excepthook = self._previous

    def _on_exception(self, exc_type, exc_value, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            return
        text = "".join(traceback.format_exception(exc_type, exc_value, tb))
        written = self._write_log(text)
        summary = _describe(exc_type, exc_value)
        if written:
            summary += f"\n\nDetails were written to {safe_text(self.path)}"
        self.reported.emit(summary)  # queued to the GUI thread if raised elsewhere

    def _write_log(self, text):
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            stamp = datetime.datetime.now().isoformat(timespec="seconds")
            with open(self.path, "a", encoding="utf-8", errors="backslashreplace") as fh:
                fh.write(f"--- {stamp}\n{text}\n")
            return True
        except OSError:
            return False

    def _show(self, summary):
        self.last_report = summary
        if not self.show_dialog or self._dialog_open:
            return
        from PySide6.QtWidgets import QApplication, QMessageBox

        self._dialog_open = True
        box = QMessageBox(QMessageBox.Critical, "Something went wrong",
                          "gd-explorer hit an unexpected error. Your work is still open; "
                          "saving a session now is a good idea.\n\n" + summary,
                          QMessageBox.Ok, QApplication.activeWindow())
        box.setObjectName("crashDialog")
        box.finished.connect(lambda _r: setattr(self, "_dialog_open", False))
        self.dialog = box  # without a parent window, nothing else keeps it alive
        QTimer.singleShot(0, box.open)
