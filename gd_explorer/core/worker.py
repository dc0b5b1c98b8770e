"""The symbolic worker process (`python -m gd_explorer.core.worker`) and the wire format both ends use.

A message is a 16-byte header (magic, request id, body length) and a body:
a request body is the IR as JSON, a reply body is (status, payload) pickled, where
status is "ready" (sent once at start), "ok", "too_complex" or "error".

Why these encodings: the worker never unpickles anything, so nothing the parent sends
can run code in it; JSON carries the IR (tuples of strings) exactly. Replies carry
whatever the symbolic code returns (sympy objects, float trees with NaN) and JSON
cannot, so they are pickled. Only the sandbox unpickles them, from the private pipe
of a child it started itself, after checking the header, the id and the size cap.
Nothing from files or other processes is ever unpickled.

Reads wait with poll() against a deadline and os.read() what has arrived, so no
read blocks past its time limit, and a header cannot make anyone wait for or
allocate more than the cap.
"""
import json
import os
import pickle
import queue
import select
import signal
import struct
import sys
import threading
import time

MAGIC = b"GDw1"
HEADER = struct.Struct("!4sQI")     # magic, request id, body length
MAX_REQUEST = 1 << 20               # 1 MB; a formula's IR is a few kB
MAX_REPLY = 64 << 20                # 64 MB; a large analysis is a few MB
PARENT_ENV = "GD_EXPLORER_PARENT_PID"
PARENT_CHECK_S = 0.5                # the fallback watch for a dead parent looks this often


class ProtocolError(Exception):
    """A message that breaks the wire format: garbage, torn, oversized or of the wrong shape."""


# --- reading and writing with a deadline --------------------------------------------------

def _wait(fd, event, deadline):
    """True when fd is ready for `event` (select.POLLIN / POLLOUT) before the deadline (None: wait)."""
    poller = select.poll()
    poller.register(fd, event)
    if deadline is None:
        return bool(poller.poll())
    remaining = deadline - time.monotonic()
    return remaining > 0 and bool(poller.poll(remaining * 1000.0))


def wait_readable(fd, deadline):
    """True when fd has data (or has closed) before the deadline."""
    return _wait(fd, select.POLLIN, deadline)


def _read_exact(fd, size, deadline, started):
    """Read exactly `size` bytes. Nothing by the deadline or at EOF raises TimeoutError or
    EOFError; once a message has started, either one means it was torn (ProtocolError)."""
    data = bytearray()
    while len(data) < size:
        if _wait(fd, select.POLLIN, deadline):
            chunk = os.read(fd, min(size - len(data), 1 << 20))
            if chunk:
                data += chunk
                continue
            end, quiet = "ended", EOFError
        else:
            end, quiet = "stopped", TimeoutError
        if started or data:
            raise ProtocolError(f"torn message: it {end} after {len(data)} of {size} bytes")
        raise quiet
    return bytes(data)


def read_frame(fd, max_size, deadline=None):
    """One message from fd: (request id, body bytes).

    Raises TimeoutError if nothing arrived by the deadline, EOFError if the stream ended
    between messages, ProtocolError for a bad header, a body over max_size or a torn message.
    """
    magic, rid, size = HEADER.unpack(_read_exact(fd, HEADER.size, deadline, started=False))
    if magic != MAGIC:
        raise ProtocolError("not a message: the header is garbage")
    if size > max_size:
        raise ProtocolError(f"oversized message: {size} bytes, the limit is {max_size}")
    return rid, _read_exact(fd, size, deadline, started=True)


def write_all(fd, data, deadline=None):
    """Write all of data. With a deadline fd must be non-blocking; TimeoutError when it passes."""
    view = memoryview(data)
    while view:
        if deadline is not None and not _wait(fd, select.POLLOUT, deadline):
            raise TimeoutError
        try:
            view = view[os.write(fd, view):]
        except BlockingIOError:
            pass


def frame(rid, body):
    return HEADER.pack(MAGIC, rid, len(body)) + body


def encode_request(rid, ir):
    """A request message; ValueError if it is over MAX_REQUEST."""
    body = json.dumps(ir, allow_nan=False, separators=(",", ":")).encode()
    if len(body) > MAX_REQUEST:
        raise ValueError(f"the request is over {MAX_REQUEST} bytes")
    return frame(rid, body)


def _tuples(value):
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def decode_request(body):
    return _tuples(json.loads(body.decode()))


def encode_reply(rid, status, payload, max_size=MAX_REPLY):
    """A reply message. A payload that cannot be sent becomes an error reply instead."""
    try:
        body = pickle.dumps((status, payload), protocol=pickle.HIGHEST_PROTOCOL)
    except RecursionError:
        body = pickle.dumps(("too_complex", "the result is nested too deeply to send back"))
    except Exception as exc:
        body = pickle.dumps(("error", f"the result could not be sent back: {exc}"))
    if len(body) > max_size:
        body = pickle.dumps(("too_complex", "the result is too large to send back"))
    return frame(rid, body)


REPLY_STATUSES = ("ready", "ok", "too_complex", "error")


def decode_reply(body):
    """(status, payload) from a reply body; ProtocolError if it is not one."""
    try:
        reply = pickle.loads(body)  # our own child's reply, checked by read_frame first
    except Exception as exc:  # garbage can fail in many ways inside pickle
        raise ProtocolError(f"unreadable reply body ({type(exc).__name__})") from None
    if not (isinstance(reply, tuple) and len(reply) == 2 and reply[0] in REPLY_STATUSES):
        raise ProtocolError("a reply of the wrong shape")
    if reply[0] not in ("ok", "ready") and not isinstance(reply[1], str):
        raise ProtocolError("an error reply without a message")
    return reply


# --- the worker ---------------------------------------------------------------------------

def analyse(ir):
    """(status, payload) for one request: the analysis, or why there is none."""
    from . import symbolic  # loaded by serve() already

    try:
        return "ok", symbolic.analyse(ir)
    except symbolic.TooComplex as exc:
        return "too_complex", str(exc)
    except RecursionError:
        return "too_complex", "nested too deeply"
    except MemoryError:
        return "too_complex", "needs too much memory"
    except ValueError as exc:
        if "digits" in str(exc):  # Python's limit on converting huge integers
            return "too_complex", "a number in the result is too large"
        return "error", str(exc) or "ValueError"
    except Exception as exc:  # anything sympy raises becomes a message
        return "error", str(exc) or type(exc).__name__


def die_with_parent():
    """Ask Linux to SIGKILL this process when its parent dies, even while it is busy in C code."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            PR_SET_PDEATHSIG = 1
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the reader thread in serve() still notices


def _read_requests(rfd, parent, requests):
    """Reader thread: queues each request; ends the process as soon as the parent is gone.

    It keeps reading while the main thread is busy, so it sees the pipe close (EOF) or
    the parent pid change within PARENT_CHECK_S whenever Python lets it run.
    """
    while True:
        try:
            if _wait(rfd, select.POLLIN, time.monotonic() + PARENT_CHECK_S):
                requests.put(read_frame(rfd, MAX_REQUEST))
        except (EOFError, ProtocolError, OSError):
            os._exit(0)  # the parent closed the pipe or wrote nonsense: it will start a new worker
        if os.getppid() != parent:
            os._exit(0)


def load_symbolic():
    from . import symbolic  # noqa: F401


def serve(rfd, wfd, parent, handle=analyse, load=load_symbolic):
    """Answer requests from rfd on wfd until the parent goes away. ``load`` runs before
    "ready" (sympy loads then), so that time limits cover only the work."""
    load()
    write_all(wfd, encode_reply(0, "ready", None))
    requests = queue.SimpleQueue()
    threading.Thread(target=_read_requests, args=(rfd, parent, requests), daemon=True,
                     name="gd-explorer-worker-reader").start()
    while True:
        rid, body = requests.get()
        try:
            ir = decode_request(body)
        except ValueError:
            os._exit(0)  # not from our sandbox
        status, payload = handle(ir)
        try:
            write_all(wfd, encode_reply(rid, status, payload))
        except OSError:
            os._exit(0)


def main(handle=analyse, kernel_watch=True, load=load_symbolic):
    parent = int(os.environ.get(PARENT_ENV) or os.getppid())
    if kernel_watch:  # tests turn it off to check the reader thread alone
        die_with_parent()
    if os.getppid() != parent:  # the parent died before we could ask
        os._exit(0)
    rfd, wfd = private_pipes()
    serve(rfd, wfd, parent, handle, load)


def private_pipes():
    """(read fd, write fd): the protocol on private descriptors, stdin then reading nothing
    and stray prints going to stderr."""
    rfd, wfd = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(2, 1)
    return rfd, wfd


def lower_priority(niceness):
    """On a busy machine, let the window's process go first (it draws a new formula's map from
    the parser's tree while this process works out the derivatives)."""
    try:
        os.nice(niceness)
    except (AttributeError, OSError):
        pass


if __name__ == "__main__":
    lower_priority(5)
    main()
