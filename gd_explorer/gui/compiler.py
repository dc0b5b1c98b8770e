"""Compiles formulas off the GUI thread; only the newest request's result is delivered."""
import queue
import threading
import time

from PySide6.QtCore import QObject, QTimer, Signal

from ..core.errors import ExpressionError
from ..core.function import parse_function
from ..core.parser import parse_ir
from ..core.sandbox import default_sandbox
from .events import process_events_until
from .relay import hand_over

CANCEL_AFTER_S = 0.3

_requests = queue.SimpleQueue()  # (compiler, id, text) for the one compiling thread
_thread = None
_thread_lock = threading.Lock()
_early = {}  # text -> Function, compiled by prefetch() before it was asked
_early_done = {}  # text -> threading.Event, set once prefetch() has compiled it


def _serve(request):
    """Hand a request to the compiling thread, started on first use (no thread start per
    edit: that cost milliseconds of the GUI thread)."""
    global _thread
    with _thread_lock:
        if _thread is None:
            _thread = threading.Thread(target=_compile_forever, daemon=True,
                                       name="gd-explorer-compile")
            _thread.start()
    _requests.put(request)


def prefetch(text):
    """Compile ``text`` now, before a window asks for it (the app's first formula, while Qt
    and the window load); the first request for the same text takes the result."""
    _early_done[text] = threading.Event()
    _serve((None, 0, text))


def prefetched(text, timeout):
    """The Function prefetch(text) compiled, waiting up to ``timeout`` seconds for it; None
    when there is none (not prefetched, failed, or already taken)."""
    done = _early_done.get(text)
    return _early.get(text) if done is not None and done.wait(timeout) else None


def _compile(text):
    """The Function of ``text``, or the ExpressionError that says why there is none."""
    try:
        return parse_function(text)
    except ExpressionError as exc:
        return exc
    except Exception as exc:  # never let a worker thread die silently
        return ExpressionError(f"could not compile the formula: {exc}")


def _compile_forever():
    while True:
        compiler, rid, text = _requests.get()
        if compiler is None:  # prefetch(): requests come in order, so it is done before them
            outcome = _compile(text)
            if not isinstance(outcome, ExpressionError):  # (a failure is tried again when asked)
                _early[text] = outcome
            _early_done[text].set()
            continue
        compiler._work(rid, text)  # (handed over to a closed window's compiler: dropped)
        del compiler  # a closed window's compiler is not kept alive by this thread


class Compiler(QObject):
    parsed = Signal(str, object)     # text, parser tree: the text is a formula (before compiling)
    compiled = Signal(object)        # Function
    failed = Signal(str, int)        # message, column or -1
    busyChanged = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._latest = 0
        self._running = None      # (id, text, started)
        self._pending = None      # (id, text)

    @property
    def busy(self):
        return self._running is not None or self._pending is not None

    def submit(self, text):
        """Check ``text`` now (cheap) and compile it in the background."""
        self._latest += 1
        rid = self._latest
        try:
            ir = parse_ir(text)
        except ExpressionError as exc:
            self._pending = None
            self.failed.emit(exc.message, -1 if exc.column is None else exc.column)
            self._update_busy()
            return
        self._pending = (rid, text)
        if self._running is None:
            # after the preview is painted: the map comes first (the compiling thread and the
            # worker would take the GUI thread's interpreter lock and cores meanwhile)
            QTimer.singleShot(0, self, self._start_pending)
        elif time.monotonic() - self._running[2] > CANCEL_AFTER_S:
            default_sandbox().cancel()
        self.parsed.emit(text, ir)
        self._update_busy()

    def forget(self):
        """Drop the requests made so far: a result still on its way is not delivered."""
        self._latest += 1
        self._pending = None
        self._update_busy()

    def _start_pending(self):
        if self._running is None and self._pending is not None:
            rid, text = self._pending
            self._pending = None
            self._start(rid, text)

    def _start(self, rid, text):
        self._running = (rid, text, time.monotonic())
        _serve((self, rid, text))

    def _work(self, rid, text):
        outcome = _early.pop(text, None)
        hand_over(self._on_done, rid, _compile(text) if outcome is None else outcome)

    def _on_done(self, rid, outcome):
        self._running = None
        if self._pending is not None:
            prid, ptext = self._pending
            self._pending = None
            self._start(prid, ptext)
        if rid == self._latest:
            if isinstance(outcome, ExpressionError):
                self.failed.emit(outcome.message, -1 if outcome.column is None else outcome.column)
            else:
                self.compiled.emit(outcome)
        self._update_busy()

    def _update_busy(self):
        busy = self.busy
        if getattr(self, "_was_busy", None) != busy:
            self._was_busy = busy
            self.busyChanged.emit(busy)

    def wait(self, timeout=10.0):
        """Process events until idle; for scripts such as --screenshot."""
        return process_events_until(lambda: not self.busy, timeout)
