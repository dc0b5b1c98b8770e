"""Run symbolic work in a separate process that is killed past a time limit.

A thread cannot be stopped while sympy holds the GIL, so differentiation and
code generation happen in a child process. One child is kept warm and reused;
on a time-out it is killed and a fresh one is started on the next request.
"""
import atexit
import os
import subprocess
import sys
import threading
from multiprocessing.connection import Connection

from .errors import ExpressionError

TIME_LIMIT = 2.0
START_LIMIT = 60.0


class Sandbox:
    """A killable worker process for symbolic analysis. Thread-safe."""

    def __init__(self, time_limit=TIME_LIMIT):
        self.time_limit = time_limit
        self._lock = threading.Lock()
        self._proc = None
        self._send = None
        self._conn = None

    def _start(self):
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        try:
            proc = subprocess.Popen([sys.executable, "-m", "gd_explorer.core.worker"],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, env=env, close_fds=True)
        except OSError as exc:
            raise ExpressionError(f"the symbolic engine could not start: {exc}") from None
        send = Connection(os.dup(proc.stdin.fileno()), readable=False)
        recv = Connection(os.dup(proc.stdout.fileno()), writable=False)
        proc.stdin.close()
        proc.stdout.close()
        try:
            ok = recv.poll(START_LIMIT) and recv.recv()[0] == "ready"
        except (OSError, EOFError):
            ok = False
        if not ok:
            proc.kill()
            proc.wait()
            raise ExpressionError("the symbolic engine did not start")
        self._proc, self._send, self._conn = proc, send, recv

    def _alive(self):
        return self._proc is not None and self._proc.poll() is None

    def warm_up(self):
        """Start the worker now so the first formula is fast."""
        with self._lock:
            if not self._alive():
                self._start()

    def kill(self):
        proc, send, conn = self._proc, self._send, self._conn
        self._proc = self._send = self._conn = None
        if proc is not None:
            proc.kill()
            try:
                proc.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                pass
        for c in (send, conn):
            if c is not None:
                c.close()

    def _restart_soon(self):
        """Start a fresh worker in the background, so the next formula does not wait for it."""
        def start():
            try:
                self.warm_up()
            except ExpressionError:
                pass  # the next request tries again and reports the problem

        threading.Thread(target=start, daemon=True, name="gd-explorer-sandbox-start").start()

    def cancel(self):
        """Stop the request in progress (from another thread); it fails with an error."""
        proc = self._proc
        if proc is not None:
            proc.kill()

    def run(self, ir, time_limit=None):
        """Analyse the IR; return the worker's result dict or raise ExpressionError."""
        limit = self.time_limit if time_limit is None else time_limit
        with self._lock:
            if not self._alive():
                self.kill()
                self._start()
            try:
                self._send.send(ir)
                ready = self._conn.poll(limit)
            except (OSError, EOFError, BrokenPipeError):
                self.kill()
                raise ExpressionError("the symbolic engine stopped unexpectedly") from None
            if not ready:
                self.kill()
                self._restart_soon()
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
