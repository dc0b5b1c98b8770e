"""Undo and redo (QUndoStack) for changes of the function and of the start point."""
from PySide6.QtCore import QTimer
from PySide6.QtGui import QUndoCommand, QUndoStack


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

    def _on_model_changed(self, *_args):
        if not self._applying:
            self._pending.start()

    def _record(self):
        now = self.model.snapshot()
        before, self._last = self._last, now
        if before[0] is None or now == before:
            return
        if now[0] is not before[0]:
            text = f"change f to {now[0].text}"
        else:
            text = f"move the start to ({now[5][0]:.3g}, {now[5][1]:.3g})"
        self.push(_Change(self, before, now, text))

    def apply(self, snapshot):
        self._pending.stop()
        self._applying = True
        try:
            self.model.restore(snapshot)
        finally:
            self._applying = False
        self._last = self.model.snapshot()
