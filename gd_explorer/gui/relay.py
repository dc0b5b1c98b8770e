"""Results of worker threads, handed to objects on the window's thread. A thread that emits a
signal of a QObject which the window's thread is deleting meanwhile can crash the process (seen
once: a map's margins arriving as its window closed). The relay lives as long as the program,
and drops a result whose receiver is gone by the time it arrives."""
import shiboken6
from PySide6.QtCore import QObject, Qt, Signal


class _Relay(QObject):
    handed = Signal(object, object)  # a bound method of a QObject, its arguments

    def __init__(self):
        super().__init__()
        self.handed.connect(self._call, Qt.QueuedConnection)

    def _call(self, method, args):
        if shiboken6.isValid(method.__self__):
            method(*args)


_relay = _Relay()  # made on import, by the window's thread


def hand_over(method, *args):
    """Call ``method`` (a bound method of a QObject living on the window's thread) with
    ``args`` there, soon, unless its object is deleted by then. Safe from any thread."""
    _relay.handed.emit(method, args)
