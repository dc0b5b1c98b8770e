"""Undo and redo (QUndoStack) for changes of the function and of the start point."""
from PySide6.QtCore import QTimer
from PySide6.QtGui import QUndoCommand, QUndoStack

from ..core.fmt import fmt_point


class _Change(QUndoCommand):
    def __init__(self, history, before, after, text):
        super().__init__(text)
        self.history, self.before, self.after = history, before, after
        self._done = True  # the model has already changed when the command is pushed

    def redo(self):
        if self._done:
            self._done = False
            return
        self.history.apply(self.after)

    def undo(self):
        self.history.apply(self.before)


def _same_step(a, b):
    """The same function and start point (anything else rides along with the step)."""
    return a.function is b.function and a.settings.start == b.settings.start


class History(QUndoStack):
    """Watches the model; each change of function or start point becomes one undo step."""

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.model = model
        self._last = model.snapshot()
        self._applying = False
        self._pending = QTimer(self, singleShot=True, interval=0)  # one step per burst of signals
        self._pending.timeout.connect(self._record)
        model.functionChanged.connect(self._on_model_changed)
        model.startChanged.connect(self._on_model_changed)
        model.trajectoryChanged.connect(self._on_runs_changed)
        model.runsChanged.connect(self._on_runs_changed)
        model.settingsChanged.connect(self._on_runs_changed)

    def _on_model_changed(self, *_args):
        if not self._applying:
            self._pending.start()

    def _on_runs_changed(self, *_args):
        # keep the latest runs and settings in the snapshot that undo returns to, unless the
        # function or start point is changing (that change is recorded as a step instead)
        if self._applying or self._pending.isActive():
            return
        now = self.model.snapshot()
        if _same_step(now, self._last):
            self._last = now

    def _record(self):
        now = self.model.snapshot()
        before, self._last = self._last, now
        # only a new function or start point is a step; runs and settings ride along
        if before.function is None or _same_step(now, before):
            return
        if now.function is not before.function:
            text = f"change f to {now.function.text}"
        else:
            text = f"move the start to {fmt_point(now.settings.start)}"
        self.push(_Change(self, before, now, text))

    def apply(self, snapshot):
        self._pending.stop()
        self._applying = True
        try:
            self.model.restore(snapshot)
        finally:
            self._applying = False
        self._last = self.model.snapshot()
