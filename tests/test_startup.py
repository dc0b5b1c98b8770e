"""Startup does only the work its first frame needs: counted in modules loaded, never timed.

Each check runs in a fresh interpreter (this test process has loaded everything already).
"""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def loaded_after(code):
    """The names in sys.modules after running ``code`` in a fresh interpreter."""
    script = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, check=True).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_the_symbolic_worker_loads_sympy_but_not_numpy_or_the_rest_of_the_core():
    # the worker starts at launch beside the window: what it imports competes for the CPU
    loaded = loaded_after("import gd_explorer.core.worker, gd_explorer.core.symbolic")
    assert "sympy" in loaded
    assert "numpy" not in loaded and "contourpy" not in loaded
    assert not {"gd_explorer.core.descent", "gd_explorer.core.function"} & loaded


def test_the_package_names_still_load_on_use():
    loaded = loaded_after("from gd_explorer import parse_function, Grid, __version__\n"
                          "from gd_explorer.core import session, InputError\n"
                          "assert parse_function('x^2 + y').text")
    assert {"gd_explorer.core.function", "gd_explorer.core.grid",
            "gd_explorer.core.session", "gd_explorer.core.errors"} <= loaded


# ----- panels on hidden tabs are built when first shown ---------------------------------------

def _open_tab(window, key):
    """Open a side tab by its key (layout_parts.SIDE_TABS), or the Loss tab below the map."""
    if key == "loss":
        tabs = window.bottom_tabs
        tabs.setCurrentIndex([tabs.tabText(i) for i in range(tabs.count())].index("Loss"))
        return
    tabs = window.tabs
    tabs.setCurrentIndex([tabs.widget(i).property("sideTab") for i in range(tabs.count())]
                         .index(key))


def _panel_classes():
    from gd_explorer.gui.curve_view import CurvePane
    from gd_explorer.gui.differential_panel import DifferentialPanel
    from gd_explorer.gui.direction_panel import DirectionPanel
    from gd_explorer.gui.loss_plot import LossPlots
    from gd_explorer.gui.sweep_panel import SweepPanel

    return {"direction": DirectionPanel, "differential": DifferentialPanel,
            "sweep": SweepPanel, "loss": LossPlots, "curve": CurvePane}


def _labels(panel):
    from PySide6.QtWidgets import QLabel

    return {label.objectName(): label.text() for label in panel.findChildren(QLabel)
            if label.objectName()}


def test_hidden_panels_are_built_when_their_tab_is_first_shown(qtbot, shown_window):
    win, classes = shown_window, _panel_classes()
    assert all(not win.findChildren(cls) for cls in classes.values())  # none at startup
    for key in ("direction", "differential", "sweep", "loss"):
        _open_tab(win, key)
        assert len(win.findChildren(classes[key])) == 1
        assert win.findChildren(classes[key])[0].isVisible()
    assert not win.findChildren(classes["curve"])  # only for f of x alone
    model = win.model
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.set_expression("x^3 - x")
    assert len(win.findChildren(classes["curve"])) == 1 and win.curve_pane.isVisible()


def test_a_panel_built_late_shows_what_one_built_at_startup_shows(qtbot, shown_window):
    from gd_explorer.gui.direction_panel import DirectionPanel

    win = shown_window
    model = win.model
    early = DirectionPanel(model)  # built before the function, as every panel used to be
    qtbot.addWidget(early)
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.set_expression("x^2 + 3*y^2 + x*y")
    model.set_start(1.0, -2.0)
    model.set_angle(0.5)
    _open_tab(win, "direction")
    late = win.direction
    assert late is not early and late.isVisible()
    assert _labels(late)["directionalDerivativeValue"]  # something to compare
    assert _labels(late) == _labels(early)


def test_formulas_are_typeset_in_a_process_of_their_own():
    # ziamath is pure Python: in the window's process it would hold the interpreter lock
    loaded = loaded_after("from gd_explorer.gui.math_view import render_svg\n"
                          "assert render_svg('x^{2}', 16).startswith(b'<svg')")
    assert "ziamath" not in loaded


def test_the_hidden_panels_modules_load_with_their_panels():
    loaded = loaded_after("import gd_explorer.gui.main_window")
    later = {f"gd_explorer.gui.{name}" for name in (
        "direction_panel", "differential_panel", "loss_plot", "sweep_panel", "curve_view")}
    assert "gd_explorer.gui.contour_view" in loaded and not later & loaded


def test_the_window_and_the_command_line_load_no_module_only_a_button_needs():
    # critical points, basins and sweeps (core.analysis and the batch engine), the help
    # window and pyqtgraph's exporters load when first used, not for the first frame
    loaded = loaded_after("import gd_explorer.cli, gd_explorer.gui.main_window")
    later = {"gd_explorer.core.analysis", "gd_explorer.core.batch", "gd_explorer.gui.help_window",
             "pyqtgraph.exporters"}
    assert "gd_explorer.gui.contour_view" in loaded and not later & loaded


def test_the_workers_start_before_qt_is_imported():
    # spawned by the main thread at once: a launcher thread would wait for the interpreter
    # lock while the main thread imports Qt, and sympy would load that much later
    loaded = loaded_after(
        "from gd_explorer.gui.app import start_workers\n"
        "from gd_explorer.core.sandbox import default_sandbox\n"
        "from gd_explorer.gui.typeset_worker import typesetter\n"
        "start_workers()\n"
        "assert default_sandbox().pid is not None and typesetter().pid is not None")
    assert not {name for name in loaded if name.startswith(("PySide6", "pyqtgraph"))}


# ----- --screenshot ---------------------------------------------------------------------------

def test_a_screenshot_samples_the_map_once_and_paints_only_what_has_arrived(qtbot, tmp_path):
    from PySide6.QtCore import QAbstractAnimation, QEvent, QObject, QPoint, QRect
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QApplication, QToolButton

    from gd_explorer.gui.app import make_app, save_screenshot
    from gd_explorer.gui.main_window import MainWindow

    make_app()
    win = MainWindow()
    qtbot.addWidget(win)
    painted = []  # for each paint of the map: had the function and its typeset formulas come?
    formulas = [win.editor.formula, win.editor.dfdx, win.editor.dfdy, win.editor.hessian]

    class Paints(QObject):
        def eventFilter(self, _obj, event):
            if event.type() == QEvent.Paint:
                painted.append(win.model.function is not None
                               and all(v.is_typeset() for v in formulas))
            return False

    paints = Paints()
    win.contour.viewport().installEventFilter(paints)
    path = tmp_path / "shot.png"
    save_screenshot(win, str(path), (1200, 800), "x^2 + 3*y^2")
    assert win.contour.recomputes == 1  # laid out at its final size before the map was drawn
    assert painted and all(painted)     # painted only once everything had arrived
    # the formula's clear button fades in for 160 ms after the text is set: shown settled
    assert not [a for a in win.findChildren(QAbstractAnimation)
                if a.state() == QAbstractAnimation.Running]
    clear = [b for b in win.editor.edit.findChildren(QToolButton) if b.isVisible()]
    assert clear and all(b.property("opacity") == 1.0 for b in clear)
    image = QImage(str(path))
    assert (image.width(), image.height()) == (1200, 800)
    # the map as it looks once the window has settled (pyqtgraph fits its axes to their
    # labels as it paints, and the window is laid out again)
    for _ in range(20):
        QApplication.processEvents()
    later = win.contour.grab().toImage().convertToFormat(QImage.Format_RGB32)
    corner = win.contour.mapTo(win, QPoint(0, 0))
    shot = image.copy(QRect(corner, win.contour.size())).convertToFormat(QImage.Format_RGB32)
    assert shot == later


def test_a_quick_png_is_lossless_and_compressed(qtbot):
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QColor, QImage, QPainter

    from gd_explorer.gui.export_image import qimage_bytes

    image = QImage(400, 300, QImage.Format_RGB32)
    image.fill(Qt.white)
    painter = QPainter(image)
    for i in range(30):
        painter.fillRect(QRect(i * 13, i * 7, 60, 40), QColor(i * 8, 255 - i * 8, 90))
    painter.drawText(20, 280, "f(x, y) = x^2 + 3*y^2")
    painter.end()
    data = qimage_bytes(image, "PNG", quick=True)
    assert data.startswith(b"\x89PNG")
    assert len(data) < image.sizeInBytes() // 10   # compressed, not stored
    decoded = QImage.fromData(data).convertToFormat(QImage.Format_RGB32)
    assert decoded == image                        # every pixel as drawn


def test_the_first_formula_is_compiled_once_while_the_window_loads(qtbot, sandbox_requests):
    # run_app asks for it before Qt loads; the window's request then takes that result
    from gd_explorer.gui.compiler import prefetch
    from gd_explorer.gui.model import ExplorerModel

    text = "x^2 + 3*y^2 + x*y/4"
    prefetch(text)
    model = ExplorerModel()
    with qtbot.waitSignal(model.functionChanged, timeout=20000):
        model.set_expression(text)
    assert model.function.text == text and model.function.value(1.0, 2.0) == 13.5
    assert len(sandbox_requests) == 1


def test_startup_collects_no_garbage_and_turns_the_collector_back_on(qtbot, tmp_path):
    # ~75,000 long-lived objects are made at startup: collecting meanwhile costs ~30 ms
    import gc

    from gd_explorer.cli import build_parser
    from gd_explorer.gui.app import run_app

    path = tmp_path / "shot.png"
    args = build_parser().parse_args(["--screenshot", str(path), "--function", "x^2 + y",
                                      "--size", "800x600"])
    collections = []

    def count(phase, info):
        if phase == "start":
            collections.append(info["generation"])

    gc.callbacks.append(count)
    try:
        assert run_app(args) == 0
    finally:
        gc.callbacks.remove(count)
    assert path.stat().st_size > 0
    assert collections == [] and gc.isenabled()


def test_a_first_formula_that_failed_early_is_compiled_again_when_asked(qtbot, monkeypatch):
    # e.g. the worker was restarted meanwhile: the window must not get that stale failure
    from gd_explorer.core import ExpressionError
    from gd_explorer.gui import compiler
    from gd_explorer.gui.model import ExplorerModel

    real, calls = compiler.parse_function, []

    def fails_once(text):
        calls.append(text)
        if len(calls) == 1:
            raise ExpressionError("the symbolic engine stopped unexpectedly and was restarted")
        return real(text)

    monkeypatch.setattr(compiler, "parse_function", fails_once)
    text = "x^2 + 2*y^2 + x*y/8"
    compiler.prefetch(text)
    model = ExplorerModel()
    with qtbot.waitSignal(model.functionChanged, timeout=20000):
        model.set_expression(text)
    assert model.function.text == text and calls == [text, text]
