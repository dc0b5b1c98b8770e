"""Run symbolic work in a separate process that is killed past a time limit.

A thread cannot be stopped while sympy holds the GIL, so differentiation and
code generation happen in a child process. One child is kept warm and reused;
on a time-out it is killed and a fresh one is started on the next request.
"""
import atexit
import multiprocessing as mp
import threading

from .errors import ExpressionError

TIME_LIMIT = 2.0
START_LIMIT = 60.0


def _worker_main(conn):
    from . import symbolic  # imports sympy once per child

    conn.send(("ready", None))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        try:
            result = ("ok", symbolic.analyse(request))
        except symbolic.TooComplex as exc:
            result = ("too_complex", str(exc))
        except RecursionError:
            result = ("too_complex", "nested too deeply")
        except MemoryError:
            result = ("too_complex", "needs too much memory")
        except Exception as exc:  # anything sympy raises becomes a message
            result = ("error", str(exc) or type(exc).__name__)
        try:
            conn.send(result)
        except Exception as exc:
            conn.send(("error", f"result could not be sent back: {exc}"))


class Sandbox:
    """A killable worker process for symbolic analysis. Thread-safe."""

    def __init__(self, time_limit=TIME_LIMIT):
        self.time_limit = time_limit
        self._lock = threading.Lock()
        self._proc = None
        self._conn = None
        self._ctx = mp.get_context("spawn")

    def _start(self):
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_worker_main, args=(child,), daemon=True,
                                 name="gd-explorer-symbolic")
        proc.start()
        child.close()
        if not parent.poll(START_LIMIT):
            proc.kill()
            raise ExpressionError("the symbolic engine did not start")
        parent.recv()
        self._proc, self._conn = proc, parent

    def warm_up(self):
        """Start the worker now so the first formula is fast."""
        with self._lock:
            if self._proc is None or not self._proc.is_alive():
                self._start()

    def kill(self):
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        if proc is not None:
            proc.kill()
            proc.join(timeout=1.0)
        if conn is not None:
            conn.close()

    def cancel(self):
        """Stop the request in progress (from another thread); it fails with an error."""
        proc = self._proc
        if proc is not None:
            proc.kill()

    def run(self, ir, time_limit=None):
        """Analyse the IR; return the worker's result dict or raise ExpressionError."""
        limit = self.time_limit if time_limit is None else time_limit
        with self._lock:
            if self._proc is None or not self._proc.is_alive():
                self._start()
            try:
                self._conn.send(ir)
                ready = self._conn.poll(limit)
            except (OSError, EOFError, BrokenPipeError):
                self.kill()
                raise ExpressionError("the symbolic engine stopped unexpectedly") from None
            if not ready:
                self.kill()
                raise ExpressionError(
                    f"too complex: working out the derivatives took more than {limit:g} s")
            try:
                status, payload = self._conn.recv()
            except (OSError, EOFError):
                self.kill()
                raise ExpressionError("too complex: the symbolic engine gave up") from None
        if status == "ok":
            return payload
        if status == "too_complex":
            raise ExpressionError(f"too complex: {payload}")
        raise ExpressionError(payload)


_default = None
_default_lock = threading.Lock()


def default_sandbox():
    global _default
    with _default_lock:
        if _default is None:
            _default = Sandbox()
            atexit.register(_default.kill)
        return _default
