"""The symbolic worker process: `python -m gd_explorer.core.worker`, spoken to over stdin/stdout.

Each request is an IR tree (pickled by multiprocessing.connection); each reply is
("ok", analysis) or ("too_complex" | "error", message).
"""
import os
from multiprocessing.connection import Connection


def serve(conn_in, conn_out):
    from . import symbolic  # imports sympy once per worker

    conn_out.send(("ready", None))
    while True:
        try:
            request = conn_in.recv()
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
        except ValueError as exc:
            if "digits" in str(exc):  # Python's limit on converting huge integers
                result = ("too_complex", "a number in the result is too large")
            else:
                result = ("error", str(exc) or "ValueError")
        except Exception as exc:  # anything sympy raises becomes a message
            result = ("error", str(exc) or type(exc).__name__)
        try:
            conn_out.send(result)
        except (OSError, EOFError):
            return
        except Exception as exc:
            conn_out.send(("error", f"the result could not be sent back: {exc}"))


def main():
    # Keep the protocol on private descriptors; stray prints go to stderr.
    rfd, wfd = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(2, 1)
    serve(Connection(rfd, writable=False), Connection(wfd, readable=False))


if __name__ == "__main__":
    main()
