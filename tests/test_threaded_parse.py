"""Formulas parsed on two threads at once (the window checks a typed formula while a compile
thread parses it again or generates code): CPython 3.11's ast.parse is not safe for that, so
every parse in the package goes through core/pyast.py's lock."""
import gc
import sys
import threading

import pytest

from gd_explorer.core.parser import parse_ir

FORMULA = " + ".join(f"sin(x*{i} + ({i} - y)^2)" for i in range(30))


class Churn:
    """Cyclic garbage with a finalizer: the collector runs Python code in the middle of a
    parse, which is where the interpreter switches threads."""

    def __init__(self):
        self.me = self

    def __del__(self):
        sum(range(20))


@pytest.fixture
def eager_thread_switches():
    interval, thresholds = sys.getswitchinterval(), gc.get_threshold()
    sys.setswitchinterval(1e-6)
    gc.set_threshold(50, 5, 5)
    yield
    sys.setswitchinterval(interval)
    gc.set_threshold(*thresholds)


def test_parsing_on_two_threads_at_once_never_fails(eager_thread_switches):
    errors = []

    def work(parse):
        try:
            for _ in range(150):
                for _ in range(20):
                    Churn()
                parse()
        except Exception as exc:  # noqa: BLE001 - any failure is the finding
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=work, args=(lambda: parse_ir(FORMULA),)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
