"""Run symbolic work in a separate process that is killed past a time limit.

A thread cannot be stopped while sympy holds the GIL, so differentiation and
code generation happen in a child process. One child is kept warm and reused.
Each request carries an id and only the reply with that id is used. A time-out,
a lost worker or any broken message (see worker.py for the wire format) kills
the worker and starts a fresh one in the background, and the request fails with
a message that says which of these happened.
"""
import atexit
import itertools
import os
import queue
import subprocess
import sys
import threading
import time
from concurrent.futures import Future

from . import worker
from .errors import ExpressionError

TIME_LIMIT = 2.0   # seconds of the worker's CPU time: "too complex" means too much work,
WALL_FACTOR = 10   # not a busy machine; a worker idle this many times longer has hung
SLICE = 0.05       # how often the worker's CPU time is read while waiting
TRANSFER_LIMIT = 30.0  # for a reply that has begun to arrive
START_LIMIT = 60.0

LOST = "the symbolic engine stopped unexpectedly and was restarted; try again"
MALFORMED = "the symbolic engine sent a malformed reply and was restarted; try again"
UNRESPONSIVE = "the symbolic engine stopped responding and was restarted; try again"
CANCELLED = "cancelled: a newer formula replaced this one"


def cpu_seconds(pid):
    """CPU time (user + system, all threads) used so far by process ``pid``, or None where
    the system does not say (then the time limit is wall-clock time)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except (OSError, ValueError, IndexError):
        return None


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _too_slow(limit):
    return f"too complex: working out the derivatives took more than {limit:g} s"


class _Launcher:
    """Starts every worker from one thread that lives as long as the process.

    The worker asks Linux to kill it when its parent dies (PR_SET_PDEATHSIG), and Linux
    means the parent *thread*: a worker started from a short-lived thread (a compile
    thread, a restart thread) would be killed as soon as that thread ended. The main thread
    lives as long as the process: it starts its workers itself, at once (the launcher
    thread could wait long for the interpreter lock while the main thread imports Qt).
    """

    def __init__(self):
        self._jobs = None
        self._lock = threading.Lock()

    def popen(self, *args, **kwargs):
        if threading.current_thread() is threading.main_thread():
            return subprocess.Popen(*args, **kwargs)  # it lives as long as the process
        with self._lock:
            if self._jobs is None:
                self._jobs = queue.SimpleQueue()
                threading.Thread(target=self._serve, args=(self._jobs,), daemon=True,
                                 name="gd-explorer-sandbox-launcher").start()
        done = Future()
        self._jobs.put((args, kwargs, done))
        return done.result()

    @staticmethod
    def _serve(jobs):
        while True:
            args, kwargs, done = jobs.get()
            try:
                done.set_result(subprocess.Popen(*args, **kwargs))
            except BaseException as exc:
                done.set_exception(exc)


_launcher = _Launcher()
os.register_at_fork(after_in_child=lambda: _launcher.__init__())  # the thread is not forked


def start_child(command):
    """Start ``command`` (a Python module's process) with this package first on its path and
    pipes to its stdin and stdout: (process, write fd, read fd), the write fd non-blocking
    (writes wait with a deadline: worker.write_all). Raises OSError."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    env[worker.PARENT_ENV] = str(os.getpid())
    # cwd=root: `python -m` puts the cwd first on sys.path, and the user's folder may hold
    # another gd_explorer or a sympy.py
    proc = _launcher.popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, env=env, close_fds=True, cwd=root)
    wfd, rfd = os.dup(proc.stdin.fileno()), os.dup(proc.stdout.fileno())
    proc.stdin.close()
    proc.stdout.close()
    os.set_blocking(wfd, False)
    return proc, wfd, rfd


def stop_child(proc, *fds):
    """Kill ``proc`` (None: none) and close its pipes' descriptors ``fds`` (None: none)."""
    if proc is not None:
        proc.kill()
        try:
            proc.wait(timeout=5.0)
        except subprocess.TimeoutExpired:
            pass
    for fd in fds:
        if fd is not None:
            os.close(fd)


class Sandbox:
    """A killable worker process for symbolic analysis. Thread-safe.

    ``command`` replaces the worker's command line (tests use a misbehaving worker).
    """

    def __init__(self, time_limit=TIME_LIMIT, command=None):
        self.time_limit = time_limit
        self.command = command or [sys.executable, "-m", "gd_explorer.core.worker"]
        self._lock = threading.Lock()
        self._ids = itertools.count(1)   # 0 is the worker's "ready" message
        self._proc = None
        self._wfd = self._rfd = None
        self._running = None             # id of the request in flight
        self._cancelled = None           # id of the request cancel() stopped
        self._stopped = False            # kill() was called: no restart in the background
        self._greeted = False            # the running worker's "ready" has been read

    @property
    def pid(self):
        """The worker's process id, or None when none is running."""
        proc = self._proc
        return None if proc is None else proc.pid

    # --- worker life ------------------------------------------------------------------------

    def _spawn(self):
        """Start the worker process; its "ready" is read by _greet. Call with the lock held."""
        try:
            self._proc, self._wfd, self._rfd = start_child(self.command)
        except OSError as exc:
            raise ExpressionError(f"the symbolic engine could not start: {exc}") from None
        self._greeted = False

    def _greet(self):
        """Wait for the new worker's "ready" (it has loaded sympy). Call with the lock held."""
        try:
            rid, body = worker.read_frame(self._rfd, worker.MAX_REPLY,
                                          time.monotonic() + START_LIMIT)
            ok = rid == 0 and worker.decode_reply(body)[0] == "ready"
        except (OSError, EOFError, TimeoutError, worker.ProtocolError):
            ok = False
        if not ok:
            self._drop()
            raise ExpressionError("the symbolic engine did not start")
        self._greeted = True

    def _alive(self):
        return self._proc is not None and self._proc.poll() is None

    def _drop(self):
        """Kill the worker and close its pipes. Call with the lock held."""
        proc, fds = self._proc, (self._wfd, self._rfd)
        self._proc = self._wfd = self._rfd = None
        stop_child(proc, *fds)

    def _ensure_started(self):
        """Start a worker unless one is running (lock held)."""
        self._stopped = False
        if not self._alive():
            self._drop()
            self._spawn()
        if not self._greeted:
            self._greet()

    def warm_up(self):
        """Start the worker now so the first formula is fast."""
        with self._lock:
            self._ensure_started()

    def warm_up_async(self):
        """Start the worker in the background (at app start, so the first formula does not wait).
        From the main thread the process starts at once and only its loading is waited for
        in the background."""
        # (never blocks: a held lock means a request or a start is under way)
        if threading.current_thread() is threading.main_thread() and self._lock.acquire(False):
            try:
                if not self._stopped and not self._alive():
                    self._drop()
                    self._spawn()
            except ExpressionError:
                return  # the next request tries again and reports the problem
            finally:
                self._lock.release()

        def start():
            with self._lock:
                if self._stopped:
                    return  # kill() came first: do not bring a worker back
                try:
                    self._ensure_started()
                except ExpressionError:
                    pass  # the next request tries again and reports the problem

        threading.Thread(target=start, daemon=True, name="gd-explorer-sandbox-start").start()

    def kill(self):
        """Stop the worker now; a request in progress fails. The next request starts a new one."""
        proc = self._proc
        if proc is not None:
            proc.kill()  # first, so a request holding the lock ends at once
        if self._lock.acquire(timeout=10.0):
            try:
                self._stopped = True
                self._drop()
            finally:
                self._lock.release()

    def cancel(self):
        """Stop the request in progress (from another thread); it fails with CANCELLED."""
        proc, running = self._proc, self._running
        if proc is not None and running is not None:
            self._cancelled = running
            proc.kill()

    # --- requests ---------------------------------------------------------------------------

    def run(self, ir, time_limit=None):
        """Analyse the IR; return the worker's payload or raise ExpressionError."""
        limit = self.time_limit if time_limit is None else time_limit
        with self._lock:
            self._ensure_started()
            rid = next(self._ids)
            try:
                message = worker.encode_request(rid, ir)
            except ValueError:
                raise ExpressionError("too complex: the formula is too large to analyse") from None
            self._running = rid
            try:
                status, payload = self._exchange(rid, message, limit)
            finally:
                self._running = None
        if status == "ok":
            return payload
        if status == "too_complex":
            raise ExpressionError(f"too complex: {payload}")
        raise ExpressionError(payload)

    def _exchange(self, rid, message, limit):
        """Send one request and read its reply. Any failure drops the worker (lock held)."""
        sending = True
        try:
            worker.write_all(self._wfd, message, time.monotonic() + limit)
            sending = False
            self._await_reply(limit)
            reply_id, body = worker.read_frame(self._rfd, worker.MAX_REPLY,
                                               time.monotonic() + TRANSFER_LIMIT)
            if reply_id != rid:
                raise worker.ProtocolError(f"a reply for request {reply_id}, not {rid}")
            status, payload = worker.decode_reply(body)
            if status == "ready":
                raise worker.ProtocolError("a second 'ready' message")
            return status, payload
        except (OSError, EOFError, worker.ProtocolError) as exc:  # TimeoutError is an OSError
            self._restart()
            raise ExpressionError(self._failure(exc, rid, sending, limit)) from exc

    def _await_reply(self, limit):
        """Wait until the reply begins to arrive (or the pipe closes). TimeoutError once the
        worker has computed for more than ``limit`` seconds of CPU time, or has been silent
        for WALL_FACTOR times that long (a hung worker, or a machine without CPU times)."""
        pid = self._proc.pid
        start, cpu0 = time.monotonic(), cpu_seconds(pid)
        while not worker.wait_readable(self._rfd, time.monotonic() + SLICE):
            elapsed = time.monotonic() - start
            cpu = cpu_seconds(pid)
            used = cpu - cpu0 if cpu is not None and cpu0 is not None else elapsed
            if used > limit or elapsed > WALL_FACTOR * limit:
                raise TimeoutError("the worker computed past the time limit")

    def _failure(self, exc, rid, sending, limit):
        """The message for a request that failed with `exc`."""
        if self._cancelled == rid:
            return CANCELLED
        if isinstance(exc, TimeoutError):
            return UNRESPONSIVE if sending else _too_slow(limit)
        if isinstance(exc, worker.ProtocolError):
            return MALFORMED
        return LOST  # EOF or a broken pipe: the worker died or was killed

    def _restart(self):
        self._drop()
        self.warm_up_async()


_shared = {}  # name -> Sandbox
_shared_lock = threading.Lock()
_default = None  # the symbolic worker's (tests put a misbehaving one here)


def shared_sandbox(name, make):
    """The process-wide Sandbox called ``name``: ``make()`` builds it on first use, and it is
    killed at exit."""
    with _shared_lock:
        if name not in _shared:
            _shared[name] = make()
            atexit.register(_shared[name].kill)
        return _shared[name]


def default_sandbox():
    """The symbolic worker's Sandbox."""
    global _default
    if _default is None:
        _default = shared_sandbox("symbolic", Sandbox)
    return _default
