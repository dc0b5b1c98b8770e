"""A pytest plugin for hunting hangs and slow tests: when a test (setup, call and teardown)
runs longer than HANG_S seconds (default 25), it samples the main thread's Python stack 100
times over 5 s and counts the Qt events delivered meanwhile (type, receiver, its view's
objectName, and an axis's or label's size), then appends both to HANG_OUT
(default ./hang_report.txt). It found the map's endless axis-width layout loop.

    PYTHONPATH=tools HANG_S=20 python -m pytest -p hangwatch tests/test_layout.py
"""
import collections, os, sys, threading, time, traceback
import pytest

HANG_S = float(os.environ.get("HANG_S", "25"))
OUT = os.environ.get("HANG_OUT", "hang_report.txt")
_counting = {"on": False, "counts": collections.Counter()}
_filter = None

def _install():
    global _filter
    from PySide6.QtCore import QObject
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance()
    if app is None or _filter is not None:
        return
    class F(QObject):
        def eventFilter(self, obj, ev):
            if _counting["on"]:
                try:
                    t = int(ev.type().value) if hasattr(ev.type(), 'value') else int(ev.type())
                    view = ""
                    if hasattr(obj, "scene") and callable(obj.scene) and obj.scene() is not None and obj.scene().views():
                        view = obj.scene().views()[0].objectName()
                    extra = ""
                    if type(obj).__name__ == "AxisItem" or hasattr(obj, "orientation") and t == 181:
                        extra = f"{obj.orientation} w={obj.width():.0f} h={obj.height():.0f} range={[round(v, 6) for v in obj.range]} tw={obj.textWidth}"
                    if type(obj).__name__ == "LabelItem" and t == 181:
                        extra = f"text={obj.text[:40]!r} w={obj.width():.0f} h={obj.height():.0f}"
                    _counting["counts"][(t, type(obj).__name__, obj.objectName(), view, extra)] += 1
                except Exception as e:
                    _counting["counts"][("err", str(e)[:40], "")] += 1
            return False
    _filter = F()
    app.installEventFilter(_filter)

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    main_id = threading.get_ident()
    stop = threading.Event()

    def watch():
        if stop.wait(HANG_S):
            return
        _counting["counts"].clear()
        _counting["on"] = True
        stacks = collections.Counter()
        for _ in range(100):
            if stop.is_set():
                break
            frame = sys._current_frames().get(main_id)
            if frame is not None:
                stack = traceback.extract_stack(frame)[-14:]
                del frame  # a frame kept alive keeps its locals (a QPainter) alive
                stacks["\n".join(f"  {f.filename.split('site-packages/')[-1]}:{f.lineno} {f.name}" for f in stack)] += 1
            time.sleep(0.05)
        _counting["on"] = False
        with open(OUT, "a") as fh:
            fh.write(f"==== {item.nodeid} still running after {HANG_S}s\n")
            for s, n in stacks.most_common(6):
                fh.write(f"-- {n} samples\n{s}\n")
            fh.write("events in 5 s:\n")
            for k, n in _counting["counts"].most_common(30):
                fh.write(f"  {n} {k}\n")
    t = threading.Thread(target=watch, daemon=True)
    t.start()
    try:
        yield
    finally:
        stop.set()

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    _install()
    yield
