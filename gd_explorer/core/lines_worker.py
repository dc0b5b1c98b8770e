"""The contour-lines process (`python -m gd_explorer.core.lines_worker`): it works out a share
of an edited map's contour tiles while the window's process works out the rest and paints.

Why a process: a second thread in the window's process gains nothing (the two hand the
interpreter lock to each other between numpy and contourpy calls); a process has its own.

It speaks core/worker.py's framing (a 16-byte header, then the body), with numbers only:
a request body is REQUEST (rows, columns, levels, tiles), then the rows x columns samples,
the columns' x and the rows' y (float64), the levels (float64) and a row of TILE_FIELDS int32
a tile (first row, row stop, first column, column stop, first level, level stop); the reply
body is the tiles' lines, contour_points' (N, 2) float64 points with a NaN row after each
line, in the tiles' order. Nothing is unpickled or evaluated: a body whose sizes do not add
up ends the process (its parent then works the tiles out itself).
"""
try:
    import fcntl
except ImportError:  # not on this system: pipes of the default size
    fcntl = None
import itertools
import os
import select
import struct
import sys
import threading
import time

import numpy as np

from . import worker

REQUEST = struct.Struct("!IIII")  # rows, columns, levels, tiles
TILE_FIELDS = 6
MAX_BODY = 64 << 20  # a 2000² grid's samples are 32 MB
SILENT_LIMIT = 2.0   # seconds: a process silent this long with a request is stopped
FAILURES = 3         # processes lost in a row before the parent stops starting new ones
PIPE_SIZE = 1 << 20  # a request's samples fit in the pipe: writing them does not wait


def encode_request(xs, ys, z, tiles):
    """The parts of a request body (to write one after another): samples ``z`` (rows x
    columns) at ``xs`` x ``ys``; ``tiles`` [(rows, cols, levels)] with slices into z."""
    flat, rows = [], []
    for r, c, tile_levels in tiles:
        rows.append((r.start, r.stop, c.start, c.stop, len(flat), len(flat) + len(tile_levels)))
        flat += tile_levels
    z = np.ascontiguousarray(z, dtype=np.float64)
    return [REQUEST.pack(z.shape[0], z.shape[1], len(flat), len(rows)), z,
            np.ascontiguousarray(xs, dtype=np.float64), np.ascontiguousarray(ys, dtype=np.float64),
            np.asarray(flat, dtype=np.float64), np.asarray(rows, dtype=np.int32).reshape(-1, TILE_FIELDS)]


def decode_request(body):
    """(Grid, tiles) of a request body; ValueError when its sizes do not add up or a tile
    reaches outside the samples or the levels."""
    from .grid import Grid

    if len(body) < REQUEST.size:
        raise ValueError("a lines request is too short")
    ny, nx, nl, nt = REQUEST.unpack_from(body)
    sizes = (8 * ny * nx, 8 * nx, 8 * ny, 8 * nl, 4 * TILE_FIELDS * nt)
    if len(body) != REQUEST.size + sum(sizes):
        raise ValueError("a lines request's sizes do not add up")
    at, parts = REQUEST.size, []
    for size, dtype in zip(sizes, (np.float64,) * 4 + (np.int32,)):  # the parent's own order
        parts.append(np.frombuffer(body, dtype=dtype, count=size // np.dtype(dtype).itemsize,
                                   offset=at))
        at += size
    z, xs, ys, levels, table = parts
    table = table.reshape(nt, TILE_FIELDS)
    tiles = []
    for r0, r1, c0, c1, l0, l1 in table.tolist():
        if not (0 <= r0 <= r1 - 2 and r1 <= ny and 0 <= c0 <= c1 - 2 and c1 <= nx
                and 0 <= l0 <= l1 <= nl):  # a tile has at least one cell
            raise ValueError("a tile reaches outside the samples or the levels")
        tiles.append((slice(r0, r1), slice(c0, c1), levels[l0:l1].tolist()))
    return Grid(xs, ys, z.reshape(ny, nx)), tiles


def lines(body):
    """The reply body of a request body."""
    from .grid import joined, tile_lines

    grid, tiles = decode_request(body)
    points = joined(tile_lines(grid, tiles, True))
    return np.ascontiguousarray(points, dtype=np.float64).tobytes()


def serve(rfd, wfd):
    from . import grid  # noqa: F401  (numpy and contourpy loaded before "ready")

    worker.write_all(wfd, worker.frame(0, b""))  # ready
    while True:
        try:
            rid, body = worker.read_frame(rfd, MAX_BODY)
            worker.write_all(wfd, worker.frame(rid, lines(body)))
        except (EOFError, worker.ProtocolError, ValueError, OSError):
            os._exit(0)  # the parent is gone, or wrote what no parent of ours writes


def main():
    worker.die_with_parent()
    serve(*worker.private_pipes())


class LinesProcess:
    """The parent's end of one lines process, started when first asked (``start``); at most
    one request in flight. Thread-safe. Nothing here waits for the process's work: a reply is
    taken when it has come (poll), and every failure (no process yet, a request still in
    flight, a lost, silent or garbled process) is answered with None, the caller working the
    tiles out itself, with the same lines. A process silent for SILENT_LIMIT is stopped."""

    def __init__(self, command=None):
        self.command = command or [sys.executable, "-m", "gd_explorer.core.lines_worker"]
        self._lock = threading.Lock()
        self._ids = itertools.count(1)  # 0 is the process's "ready"
        self._proc = self._wfd = self._rfd = None
        self._ready = False
        self._pending = None  # (id, time sent) of the request in flight
        self.failures = 0     # in a row: FAILURES of them and no process is started again
        self.sent = 0         # requests sent (tests count them)

    @property
    def pid(self):
        proc = self._proc
        return None if proc is None else proc.pid

    def submit(self, parts, start=True):
        """Send a request (encode_request's parts); its id, or None when it was not sent."""
        with self._lock:
            if self._proc is None:
                if start and self.failures < FAILURES:
                    self._spawn()
                return None
            if not self._greet():  # not loaded yet (or lost)
                return None
            if self._pending is not None:  # an edit never painted: its reply is dropped
                rid, sent = self._pending
                if self._reply(rid) is None:  # not come yet (or the process was lost)
                    if self._proc is not None and time.monotonic() - sent > SILENT_LIMIT:
                        self._fail()
                    return None
            rid = next(self._ids)
            deadline = time.monotonic() + SILENT_LIMIT
            try:
                worker.write_all(self._wfd, worker.HEADER.pack(
                    worker.MAGIC, rid, sum(memoryview(p).nbytes for p in parts)), deadline)
                for part in parts:
                    worker.write_all(self._wfd, memoryview(part).cast("B"), deadline)
            except (OSError, TimeoutError):
                self._fail()
                return None
            self._pending, self.sent = (rid, time.monotonic()), self.sent + 1
            return rid

    def poll(self, rid, wait=0.0):
        """The reply body of request ``rid`` if it has come within ``wait`` seconds, else
        None."""
        with self._lock:
            if rid is None or self._pending is None or self._pending[0] != rid:
                return None
            return self._reply(rid, wait)

    def wait_ready(self, limit=60.0):
        """Start the process unless it runs, and wait up to ``limit`` seconds until it has
        loaded (for scripts that time edits); whether it has."""
        with self._lock:
            if self._proc is None and self.failures < FAILURES:
                self._spawn()
            return self._greet(limit)

    def stop(self):
        with self._lock:
            self._drop()

    def _greet(self, wait=0.0):
        """Whether the process is ready: its "ready" read if it has come within ``wait``
        seconds (lock held). Anything else it sent, or silence for a whole ``wait``, stops it."""
        if self._proc is not None and not self._ready:
            got = self._reply_now(wait)
            if got is not None and got[0] == 0:
                self._ready = True
            elif self._proc is not None and (got is not None or wait > 0):
                self._fail()
        return self._ready

    def _reply(self, rid, wait=0.0):
        """The pending request's reply body if it has come (lock held); a reply to another
        request or not a whole number of points stops the process."""
        got = self._reply_now(wait)
        if got is None:
            return None
        self._pending = None
        if got[0] != rid or len(got[1]) % 16:
            self._fail()
            return None
        self.failures = 0
        return got[1]

    def _reply_now(self, wait=0.0):
        """(id, body) of a message that has begun to arrive within ``wait`` seconds, or None
        (lock held; a lost or garbled process is stopped)."""
        try:
            poller = select.poll()
            poller.register(self._rfd, select.POLLIN)
            if not poller.poll(wait * 1000.0):
                return None
            return worker.read_frame(self._rfd, MAX_BODY, time.monotonic() + SILENT_LIMIT)
        except (OSError, EOFError, TimeoutError, worker.ProtocolError):
            self._fail()
            return None

    def _spawn(self):
        from .sandbox import start_child

        try:
            self._proc, self._wfd, self._rfd = start_child(self.command)
        except OSError:
            self.failures += 1
            return
        if hasattr(fcntl, "F_SETPIPE_SZ"):
            for fd in (self._wfd, self._rfd):
                try:
                    fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
                except OSError:
                    pass  # a smaller pipe: a request is written as the process reads it
        self._ready, self._pending = False, None

    def _fail(self):
        self.failures += 1
        self._drop()

    def _drop(self):
        from .sandbox import stop_child

        proc, fds = self._proc, (self._wfd, self._rfd)
        self._proc = self._wfd = self._rfd = None
        self._ready, self._pending = False, None
        stop_child(proc, *fds)


if __name__ == "__main__":
    sys.exit(main())
