"""Waiting for background work while the event loop runs (for scripts such as --screenshot)."""
import time


def process_events_until(done, timeout=10.0):
    """Process events until ``done()`` is true or ``timeout`` seconds have passed; returns
    ``done()``."""
    from PySide6.QtCore import QCoreApplication, QEventLoop

    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        QCoreApplication.processEvents(QEventLoop.AllEvents, 20)
        time.sleep(0.005)
    return done()
