"""The worker protocol: ids, size caps, deadlines, restarts, and a worker that dies with its parent.

Bad bytes come from tests/fake_worker.py, a worker that misbehaves once in a chosen way.
"""
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from gd_explorer.core import ExpressionError, parse_function, sandbox, worker
from gd_explorer.core.parser import parse_ir
from gd_explorer.core.sandbox import CANCELLED, LOST, MALFORMED, UNRESPONSIVE, Sandbox

ROOT = Path(__file__).resolve().parent.parent
FAKE = str(Path(__file__).resolve().parent / "fake_worker.py")
GENEROUS_S = 60.0  # for waits that must end on any machine; never a measurement


def _lives(state):
    return int(state.read_text())


def _wait_for(condition):
    deadline = time.monotonic() + GENEROUS_S
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _running(pid):
    """True while a thread of process pid still runs. Dead threads wait as zombies until
    reaped, and a process whose main thread is a zombie may still have others running."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except (FileNotFoundError, ProcessLookupError):
        return False
    except OSError:  # no /proc here
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] not in "ZX":
                    return True
        except (FileNotFoundError, ProcessLookupError):  # the thread is gone
            pass
    return False


@pytest.fixture
def fake(tmp_path, monkeypatch):
    """fake(mode) -> (Sandbox running fake_worker.py in that mode, its state file);
    parse_function uses it for the rest of the test."""
    made = []

    def make(mode):
        state = tmp_path / "state"
        box = Sandbox(time_limit=GENEROUS_S, command=[sys.executable, FAKE, mode, str(state)])
        monkeypatch.setattr(sandbox, "_default", box)
        made.append(box)
        return box, state

    yield make
    for box in made:
        box.kill()


# --- each broken reply fails clearly, and the next parse returns the right function ----------

BROKEN = [
    # mode, message, what the protocol saw
    ("garbage", MALFORMED, "the header is garbage"),
    ("garbage-body", MALFORMED, "unreadable reply body"),
    ("bad-shape", MALFORMED, "wrong shape"),
    ("torn-eof", MALFORMED, "torn message: it ended"),
    ("torn-hang", MALFORMED, "torn message: it stopped after 100 of 1000 bytes"),
    ("oversized", MALFORMED, "oversized message: 4294967295 bytes"),
    ("wrong-id", MALFORMED, "a reply for request 3, not 2"),
    ("eof", LOST, ""),
]


@pytest.mark.parametrize("mode, message, seen", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_reply_fails_clearly_then_the_next_parse_is_right(fake, mode, message, seen):
    box, state = fake(mode)
    assert parse_function("x^2").display["fx"] == "2*x"
    # torn-hang sends its bytes at once, so its torn message is noticed before any deadline
    limit = 5.0 if mode == "torn-hang" else None
    with pytest.raises(ExpressionError) as info:
        parse_function("x^3", time_limit=limit)
    assert info.value.message == message
    assert seen in str(info.value.__cause__)
    # the next parse gets a fresh worker and the function of ITS formula, not the previous one
    fn = parse_function("x^3")
    assert fn.text == "x^3"
    assert fn.display["fx"] == "3*x^2"
    assert _lives(state) == 2


def test_stale_reply_from_a_timed_out_request_is_never_used(fake):
    box, state = fake("stale")
    with pytest.raises(ExpressionError, match="too complex: working out the derivatives took"):
        parse_function("x^2", time_limit=5.0)  # life 1 never answers request 1
    # life 2 answers request 2 ("x^3") with the reply to request 1 ("x^2"), under id 1
    with pytest.raises(ExpressionError) as info:
        parse_function("x^3")
    assert info.value.message == MALFORMED
    assert "a reply for request 1, not 2" in str(info.value.__cause__)
    assert parse_function("x^3").display["fx"] == "3*x^2"
    assert _lives(state) == 3


def _kill_from_outside(box):
    os.kill(box.pid, signal.SIGKILL)


@pytest.mark.parametrize("stop, message", [(_kill_from_outside, LOST), (Sandbox.cancel, CANCELLED)],
                         ids=["killed-from-outside", "cancelled"])
def test_busy_worker_stopped_says_why_not_too_complex(fake, stop, message):
    box, state = fake("busy-c")
    box.warm_up()
    outcome = []
    thread = threading.Thread(target=lambda: outcome.append(_try_run(box, "x^3")))
    thread.start()
    assert _wait_for(lambda: os.path.exists(f"{state}.busy"))
    stop(box)
    thread.join(GENEROUS_S)
    assert outcome == [message]
    assert parse_function("x^3").display["fx"] == "3*x^2"


def test_worker_that_takes_no_request_is_unresponsive(fake):
    box, state = fake("deaf")
    # far more than a pipe holds, so writing it must wait for the worker to read
    big = ("call", "Max", tuple(("var", "x") for _ in range(60000)))
    assert len(worker.encode_request(1, big)) > 10 * 65536
    with pytest.raises(ExpressionError) as info:
        box.run(big, time_limit=2.0)
    assert info.value.message == UNRESPONSIVE
    assert parse_function("x^3").display["fx"] == "3*x^2"
    assert _lives(state) == 2


def _try_run(box, text):
    try:
        box.run(parse_ir(text))
    except ExpressionError as exc:
        return exc.message
    return "no error"


def test_idle_worker_killed_from_outside_is_replaced_quietly():
    box = Sandbox(time_limit=GENEROUS_S)
    try:
        box.warm_up()
        pid = box.pid
        os.kill(pid, signal.SIGKILL)
        assert _wait_for(lambda: not _running(pid))
        assert _fx(box, "x*y") == "y"
        assert box.pid != pid
    finally:
        box.kill()


def _fx(box, text):
    from gd_explorer.core.function import Function

    return Function(text, box.run(parse_ir(text))).display["fx"]


# --- worker life ---------------------------------------------------------------------------

def test_worker_started_from_a_short_lived_thread_outlives_it():
    # Linux sends the parent-death signal when the *thread* that started the worker ends
    box = Sandbox(time_limit=GENEROUS_S)
    try:
        thread = threading.Thread(target=box.warm_up)
        thread.start()
        thread.join()
        pid = box.pid
        assert _fx(box, "x^2") == "2*x"
        assert _fx(box, "x^3") == "3*x^2"
        assert box.pid == pid and _running(pid)
    finally:
        box.kill()


def test_warm_up_async_starts_the_worker_in_the_background():
    box = Sandbox(time_limit=GENEROUS_S)
    try:
        box.warm_up_async()
        assert _wait_for(lambda: box.pid is not None)
        pid = box.pid
        assert _fx(box, "x^2") == "2*x"
        assert box.pid == pid
    finally:
        box.kill()


def test_kill_stops_a_pending_background_restart():
    box = Sandbox(time_limit=GENEROUS_S)
    box.kill()
    box.warm_up_async()  # comes after kill(): must not bring a worker back
    box.warm_up()        # an explicit start still works
    try:
        assert _fx(box, "x") == "1"
    finally:
        box.kill()
    assert box.pid is None


def test_worker_ignores_modules_in_the_current_folder(tmp_path, monkeypatch):
    (tmp_path / "sympy.py").write_text("raise ImportError('a sympy.py in the current folder')\n")
    monkeypatch.chdir(tmp_path)
    box = Sandbox(time_limit=GENEROUS_S)
    try:
        assert _fx(box, "x^3") == "3*x^2"
    finally:
        box.kill()


PARENT = """
import sys
from gd_explorer.core.parser import parse_ir
from gd_explorer.core.sandbox import Sandbox

box = Sandbox(time_limit=600, command=[sys.executable, {fake!r}, {mode!r}, {state!r}])
box.warm_up()
print(box.pid, flush=True)
box.run(parse_ir("x"))
"""


@pytest.mark.parametrize("mode", ["busy-c", "busy-py"])
def test_busy_worker_dies_with_its_parent(tmp_path, mode):
    # busy-c holds the GIL, so only the kernel's parent-death signal can end it;
    # busy-py has that signal off, so the worker's reader thread must notice
    state = str(tmp_path / "state")
    script = PARENT.format(fake=FAKE, mode=mode, state=state)
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE)
    try:
        pid = int(parent.stdout.readline())
        assert _wait_for(lambda: os.path.exists(state + ".busy"))
        assert _running(pid)
    finally:
        parent.kill()
        parent.wait()
        parent.stdout.close()
    try:
        assert _wait_for(lambda: not _running(pid))
    finally:
        if _running(pid):
            os.kill(pid, signal.SIGKILL)


# --- the wire format -------------------------------------------------------------------------

@pytest.fixture
def pipe():
    rfd, wfd = os.pipe()
    yield rfd, wfd
    for fd in (rfd, wfd):
        try:
            os.close(fd)
        except OSError:
            pass


def test_read_frame_rejects_an_oversized_header_without_reading_on(pipe):
    rfd, wfd = pipe
    os.write(wfd, worker.HEADER.pack(worker.MAGIC, 7, worker.MAX_REQUEST + 1))
    with pytest.raises(worker.ProtocolError, match="oversized"):
        worker.read_frame(rfd, worker.MAX_REQUEST)  # no deadline: without the cap it would block


def test_read_frame_ends_at_the_deadline(pipe):
    rfd, wfd = pipe
    with pytest.raises(TimeoutError):
        worker.read_frame(rfd, 100, deadline=time.monotonic() + 0.05)
    os.write(wfd, worker.frame(5, b"abc")[:10])
    with pytest.raises(worker.ProtocolError, match="torn message: it stopped"):
        worker.read_frame(rfd, 100, deadline=time.monotonic() + 0.05)


def test_read_frame_eof_between_and_inside_messages(pipe):
    rfd, wfd = pipe
    os.write(wfd, worker.frame(5, b"abc") + worker.frame(6, b"defg")[:-1])
    os.close(wfd)
    assert worker.read_frame(rfd, 100) == (5, b"abc")
    with pytest.raises(worker.ProtocolError, match="torn message: it ended after 3 of 4 bytes"):
        worker.read_frame(rfd, 100)
    with pytest.raises(EOFError):
        worker.read_frame(rfd, 100)


def test_request_round_trip_keeps_tuples():
    ir = parse_ir("max(x, 2*y, sin(x))")
    _, body = _split(worker.encode_request(9, ir))
    assert worker.decode_request(body) == ir


def test_request_over_the_cap_is_refused_before_sending():
    huge = ("call", "Max", tuple(("var", "x") for _ in range(worker.MAX_REQUEST // 10)))
    with pytest.raises(ValueError):
        worker.encode_request(1, huge)
    box = Sandbox(time_limit=GENEROUS_S)
    try:
        with pytest.raises(ExpressionError, match="too complex: the formula is too large"):
            box.run(huge)
        assert _fx(box, "x*y") == "y"
    finally:
        box.kill()


def test_reply_over_the_cap_becomes_too_complex():
    rid, body = _split(worker.encode_reply(4, "ok", "x" * 5000, max_size=1000))
    assert rid == 4
    status, message = worker.decode_reply(body)
    assert status == "too_complex"
    assert message == "the result is too large to send back"


def _split(message):
    magic, rid, size = worker.HEADER.unpack(message[:worker.HEADER.size])
    assert magic == worker.MAGIC and size == len(message) - worker.HEADER.size
    return rid, message[worker.HEADER.size:]


# --- the time limit counts computing, not waiting ---------------------------------------------

def test_a_slow_reply_without_computing_is_not_too_complex(fake):
    # the worker sleeps a second (as if the machine were busy) but computes almost nothing
    box, state = fake("sleep")
    assert parse_function("x^2").display["fx"] == "2*x"
    assert parse_function("x^3", time_limit=0.3).display["fx"] == "3*x^2"


def test_computing_past_the_limit_is_too_complex(fake):
    box, state = fake("busy-py")  # computes for ever
    with pytest.raises(ExpressionError, match="too complex: working out the derivatives took "
                                              "more than 0.3 s"):
        parse_function("x^2", time_limit=0.3)


def test_cpu_time_of_this_process_grows_with_work():
    before = sandbox.cpu_seconds(os.getpid())
    assert before is not None
    sum(i * i for i in range(3_000_000))
    assert sandbox.cpu_seconds(os.getpid()) > before
