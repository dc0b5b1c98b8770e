"""A symbolic worker that misbehaves once, for tests/test_sandbox.py.

    python fake_worker.py MODE STATE

STATE is a file path where this script counts its lives (each restart is a new life).
From life 2 on it is the real worker. In life 1 it answers request 1 and misbehaves
on request 2, as MODE says, except:
  stale   - life 1 keeps request 1 unanswered (it times out); life 2 answers its own
            first request with the reply to that old request, under the old id.
  busy-c  - request 1 keeps the worker busy in C code that holds the GIL, for ages.
  busy-py - request 1 keeps the worker busy in Python for ever, with the Linux
            parent-death signal off (so only the worker's reader thread can notice).
  deaf    - life 1 says it is ready and then never reads a request.
  sleep   - request 2 is answered after a second of sleep (no computing).
The busy modes create STATE + ".busy" when the work starts.
"""
import os
import pickle
import re
import signal
import sys
import time

from gd_explorer.core import worker


def hang():
    while True:
        time.sleep(60)


def busy_c(ir):
    open(STATE + ".busy", "w").close()
    re.fullmatch(r"(a|aa)*c", "a" * 80)  # backtracks for ages inside _sre, holding the GIL
    return "error", "unreachable"


def busy_py(ir):
    open(STATE + ".busy", "w").close()
    while True:
        sum(range(1000))


def misbehave(mode, rid, ir, body, wfd):
    send = lambda data: worker.write_all(wfd, data)  # noqa: E731
    if mode == "garbage":
        send(b"this is not a message, only some text\n")
    elif mode == "garbage-body":
        send(worker.frame(rid, b"\x80\x05not a pickle at all"))
    elif mode == "bad-shape":
        send(worker.frame(rid, pickle.dumps({"status": "ok"})))
    elif mode == "torn-eof":
        good = worker.encode_reply(rid, *worker.analyse(ir))
        send(good[:len(good) // 2])
        os._exit(0)
    elif mode == "torn-hang":  # at once, not after sympy: torn well before the deadline
        send(worker.HEADER.pack(worker.MAGIC, rid, 1000) + b"x" * 100)
    elif mode == "oversized":
        send(worker.HEADER.pack(worker.MAGIC, rid, 0xFFFFFFFF))
    elif mode == "eof":
        os._exit(0)
    elif mode == "sleep":  # slow without computing: as on a machine busy with other work
        time.sleep(1.0)
        send(worker.encode_reply(rid, *worker.analyse(ir)))
        return
    elif mode == "wrong-id":
        send(worker.encode_reply(rid + 1, *worker.analyse(ir)))
    elif mode == "stale":  # life 1: keep the request for life 2, answer nothing
        with open(STATE + ".stale", "wb") as f:
            f.write(worker.frame(rid, body))
    elif mode == "stale-2":  # life 2: answer the old request under its old id
        with open(STATE + ".stale", "rb") as f:
            old_rid, old_body = worker.read_frame(f.fileno(), worker.MAX_REQUEST)
        send(worker.encode_reply(old_rid, *worker.analyse(worker.decode_request(old_body))))
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    hang()


def serve(mode, bad_request):
    worker.die_with_parent()
    rfd, wfd = os.dup(0), os.dup(1)
    os.dup2(2, 1)
    worker.write_all(wfd, worker.encode_reply(0, "ready", None))
    count = 0
    while True:
        try:
            rid, body = worker.read_frame(rfd, worker.MAX_REQUEST)
        except EOFError:
            return
        ir = worker.decode_request(body)
        count += 1
        if count == bad_request:
            misbehave(mode, rid, ir, body, wfd)
            continue  # the modes that return have answered
        worker.write_all(wfd, worker.encode_reply(rid, *worker.analyse(ir)))


def main():
    mode = sys.argv[1]
    life = 1
    if os.path.exists(STATE):
        with open(STATE) as f:
            life = int(f.read()) + 1
    with open(STATE, "w") as f:
        f.write(str(life))
    if life == 2 and mode == "stale":
        serve("stale-2", 1)
    elif life > 1:
        worker.main()
    elif mode == "busy-c":
        worker.main(handle=busy_c)
    elif mode == "busy-py":
        worker.main(handle=busy_py, kernel_watch=False)
    elif mode == "deaf":
        worker.die_with_parent()
        worker.write_all(1, worker.encode_reply(0, "ready", None))
        hang()
    else:
        serve(mode, 1 if mode == "stale" else 2)


STATE = sys.argv[2]

if __name__ == "__main__":
    main()
