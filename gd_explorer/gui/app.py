"""Starting the window, and the --screenshot mode."""
import gc
import os
import sys
from importlib import resources

from ..core.errors import InputError
from ..core.sandbox import default_sandbox

SCREENSHOT_SIZE = (1600, 1000)
LOAD_TIMEOUT = 15.0  # seconds the first function may take to arrive


def start_workers():
    """Start the symbolic worker and the typesetter now, before Qt is imported: sympy and
    ziamath load in processes of their own while the window is built."""
    from .typeset_worker import typesetter

    default_sandbox().warm_up_async()
    typesetter().warm_up_async()


def _first_formula(function):
    """The formula the window shows first: ``function``, or the default preset's."""
    from ..core.presets import DEFAULT_PRESET, preset_by_name

    return function or preset_by_name(DEFAULT_PRESET).expression


def _prefetch(function):
    """Start compiling the first formula at once: the worker differentiates it while Qt
    loads and the window is built."""
    from .compiler import prefetch

    prefetch(_first_formula(function))


def _typeset_ahead(window, function, timeout=LOAD_TIMEOUT):
    """Once the first formula is compiled, have its formulas typeset while the function is
    applied to the window (its views would ask for them only after the map is drawn)."""
    from .compiler import prefetched

    fn = prefetched(_first_formula(function), timeout)  # what prepare_window waits for anyway
    if fn is not None:
        window.editor.typeset_ahead(fn)


def make_app():
    """The QApplication, configured once (pyqtgraph options, icon)."""
    import pyqtgraph as pg
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("gd-explorer")
    app.setOrganizationName("gd-explorer")
    pg.setConfigOptions(antialias=True, background="w", foreground="k")
    icon = resources.files("gd_explorer.resources").joinpath("icon.svg")
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    return app


def _start_point(text):
    from ..cli import parse_point

    return parse_point(text, "--start")


def prepare_window(window, function=None, start=None, steps=None, timeout=LOAD_TIMEOUT):
    """Load a function (or the default preset), set the start point, take steps. Raises on bad input."""
    from ..core.errors import ExpressionError

    model = window.model
    errors = []
    model.functionError.connect(lambda msg, col: errors.append((msg, col)))
    if function:
        model.set_expression(function)
    else:
        model.load_default()
    model.wait_idle(timeout)
    if errors:
        msg, col = errors[-1]
        raise ExpressionError(msg, None if col < 0 else col)
    if model.function is None:
        raise InputError("the function could not be loaded in time")
    if start is not None:
        model.set_start(*_start_point(start))
    if steps:
        if steps < 0:
            raise InputError("--steps must be 0 or more")
        model.step(steps)


def screenshot_size(text):
    """(width, height) from "WxH" (None: SCREENSHOT_SIZE)."""
    if text is None:
        return SCREENSHOT_SIZE
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise InputError("--size must be WIDTHxHEIGHT, e.g. 1280x800") from None
    if not (200 <= width <= 8000 and 200 <= height <= 8000):
        raise InputError("--size must be between 200x200 and 8000x8000")
    return width, height


def scale_percent(text):
    """The --scale percentage (None: not given)."""
    if text is None:
        return None
    from .scale import STEPS

    try:
        percent = int(text.strip().rstrip("%"))
    except ValueError:
        raise InputError(f"--scale must be a whole percentage, e.g. 150, not '{text}'") from None
    if not STEPS[0] <= percent <= STEPS[-1]:
        raise InputError(f"--scale must be between {STEPS[0]} and {STEPS[-1]}, not {percent}")
    return percent


def present(window, size=SCREENSHOT_SIZE):
    """Show ``window`` at ``size``, not painted until screenshot(); before the function loads,
    so that its map is sampled once, for the final size of the view."""
    window.setUpdatesEnabled(False)
    window.resize(*size)
    window.show()


def save_screenshot(window, path, size=SCREENSHOT_SIZE, function=None, start=None, steps=None):
    """--screenshot: load the function into a new window and render it to ``path``."""
    present(window, size)
    prepare_window(window, function, start, steps)
    screenshot(window, path, size)


def screenshot(window, path, size=SCREENSHOT_SIZE):
    """Render the window at ``size`` to a PNG or JPEG file (by the path's suffix)."""
    from PySide6.QtWidgets import QApplication

    from ..cli import screenshot_format

    fmt = screenshot_format(path)
    present(window, size)
    for _ in range(10):
        QApplication.processEvents()
    from .math_view import wait_typeset

    wait_typeset(window)  # the formulas render on a background thread
    _wait_for_map(window)  # and the map of a resized view on another
    _finish_animations(window)
    window.setUpdatesEnabled(True)  # painted now that everything has arrived
    _settle()
    if _wait_for_map(window):  # the axes took another width, and the map did not cover it
        _settle()
    from ..core.fileio import atomic_write_bytes
    from .export_image import qimage_bytes

    atomic_write_bytes(path, qimage_bytes(window.grab().toImage(), fmt, quick=True))


def _wait_for_map(window, timeout=10.0):
    """Process events until the contour map is sampled for the view's final size; True if
    it was not."""
    from .events import process_events_until

    window.contour.settle_now()  # no user pans or zooms here: no need to wait for one to end
    pending = window.contour.map_pending()
    process_events_until(lambda: not window.contour.map_pending(), timeout)
    return pending


def _settle(passes=10):
    """Process events until a pass paints nothing: pyqtgraph fits its axes to their labels
    as it paints, and the window is laid out again."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    class Paints(QObject):
        count = 0

        def eventFilter(self, _obj, event):
            if event.type() == QEvent.Paint:
                self.count += 1
            return False

    app, paints = QApplication.instance(), Paints()
    app.installEventFilter(paints)
    try:
        for _ in range(passes):
            paints.count = 0
            app.processEvents()
            if not paints.count:
                break
    finally:
        app.removeEventFilter(paints)


def _finish_animations(window):
    """Jump every running animation in the window to its end (the formula's clear button
    fades in for 160 ms): the picture shows the window settled, as a user sees it."""
    from PySide6.QtCore import QAbstractAnimation

    for animation in window.findChildren(QAbstractAnimation):
        if animation.state() == QAbstractAnimation.Running and animation.totalDuration() > 0:
            animation.setCurrentTime(animation.totalDuration())


def check_display(screenshot):
    """On Linux without a display: render screenshots offscreen, refuse the window clearly."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return
    if screenshot:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # the 3-D pane then says it has no OpenGL
        return
    raise InputError("no display found (DISPLAY is not set): run it on a desktop, under "
                     "xvfb-run, or use --screenshot PATH")


def _quiet_platform_notes():
    """The offscreen platform prints a harmless note for every window; keep other messages."""
    from PySide6.QtCore import qInstallMessageHandler

    def handler(_kind, _context, message):
        if "propagateSizeHints" not in message:
            sys.stderr.write(message + "\n")

    qInstallMessageHandler(handler)


def run_app(args):
    # Startup makes ~75,000 objects that live as long as the window; collecting cycles while
    # they are made costs ~30 ms and finds a few hundred. The collector runs again once the
    # window is up (and always when this returns).
    gc.disable()
    try:
        return _run_app(args)
    finally:
        gc.enable()


def _run_app(args):
    size = screenshot_size(getattr(args, "size", None))
    percent = scale_percent(getattr(args, "scale", None))
    check_display(args.screenshot)
    start_workers()
    _prefetch(args.function)
    _quiet_platform_notes()
    app = make_app()
    from .main_window import MainWindow

    from .crash import CrashHandler

    window = MainWindow()
    from .scale import ui_scale

    if percent is not None:  # for this run only
        ui_scale().set_percent(percent, save=False)
    elif not args.screenshot:
        ui_scale().load()
    _typeset_ahead(window, args.function)  # at the size the presentation scale gives
    if args.screenshot:
        save_screenshot(window, args.screenshot, size, args.function, args.start, args.steps)
        window.close()
        return 0
    prepare_window(window, args.function, args.start, args.steps)
    window.crash_handler = CrashHandler(window).install()
    from .recent_folders import clean_recent_folders

    clean_recent_folders()  # temp files a killed write of an earlier run left behind
    window.resize(1500, 950)
    restore_layout(window)
    app.aboutToQuit.connect(lambda: save_layout(window))
    window.show()
    gc.enable()
    return app.exec()


def restore_layout(window):
    """Window geometry, splitter sizes and view mode from the last session (QSettings); the
    function always starts fresh."""
    from PySide6.QtCore import QSettings

    settings = QSettings()
    geometry = settings.value("window/geometry")
    if geometry is not None:
        window.restoreGeometry(geometry)
    mode = settings.value("window/viewMode")
    if mode in ("contour", "surface", "both"):
        window.set_view_mode(mode)
    window.restore_layout_state({key: settings.value(f"window/{key}")
                                 for key in window.layout_state()})


def save_layout(window):
    from PySide6.QtCore import QSettings

    settings = QSettings()
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("window/viewMode", window.view_mode)
    for key, value in window.layout_state().items():  # splitter sizes, sections
        settings.setValue(f"window/{key}", value)
