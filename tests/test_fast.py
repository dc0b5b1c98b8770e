"""Edit → redraw (issue 9): f is drawn from the parser's tree at once, one sampling per edit,
and the sampling after a pan runs off the GUI thread. Work is counted, never timed."""
import threading

import numpy as np
import pytest
from PySide6.QtWidgets import QWidget

from gd_explorer.core import ExpressionError
from gd_explorer.gui import compiler as compiler_module
from gd_explorer.gui import contour_view as contour_module


@pytest.fixture
def window(qtbot, shown_window):
    with qtbot.waitSignal(shown_window.model.functionChanged, timeout=15000):
        shown_window.model.set_expression("x^2 + y^2")
    return shown_window


class HeldCompiles:
    """Holds the symbolic worker's answers until released, to look at the window meanwhile."""

    def __init__(self, monkeypatch):
        self.gate = threading.Event()
        self.failure = None
        real = compiler_module.parse_function

        def held(text):
            self.gate.wait(60)
            if self.failure:
                raise ExpressionError(self.failure)
            return real(text)

        monkeypatch.setattr(compiler_module, "parse_function", held)


def test_one_sampling_per_edit(qtbot, window):
    view, model = window.contour, window.model
    for text in ("x^2 + 3*y^2 + sin(x*y)", "(x^2 + y - 11)^2 + (x + y^2 - 7)^2", "x*y"):
        before = view.recomputes
        with qtbot.waitSignal(model.functionChanged, timeout=15000):
            model.set_expression(text)
        assert view.recomputes - before == 1, text


def test_f_is_drawn_before_the_derivatives_arrive(qtbot, window, monkeypatch):
    view, model = window.contour, window.model
    held = HeldCompiles(monkeypatch)
    old = model.function
    model.set_expression("x*y + 3")
    # the worker has not answered: the map already shows x*y + 3, and nothing of the old f
    assert model.function is old and model.preview.text == "x*y + 3"
    g = view.grid
    assert np.allclose(g.z, g.xs[np.newaxis, :] * g.ys[:, np.newaxis] + 3)
    assert not view.trajectory.isVisible() and not view.grad_shaft.isVisible()
    before = view.recomputes
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        held.gate.set()
    assert model.function.text == "x*y + 3" and view.recomputes == before  # not drawn again
    assert view.trajectory.isVisible() and view.grad_shaft.isVisible()


def test_a_formula_the_worker_rejects_puts_the_last_function_back(qtbot, window, monkeypatch):
    view, model = window.contour, window.model
    held = HeldCompiles(monkeypatch)
    held.failure = "too complex: working out the derivatives took more than 2 s"
    model.set_expression("x*y + 3")
    assert model.preview is not None
    with qtbot.waitSignal(model.functionError, timeout=15000):
        held.gate.set()
    assert model.preview is None and model.function.text == "x^2 + y^2"
    g = view.grid
    assert np.allclose(g.z, g.xs[np.newaxis, :] ** 2 + g.ys[:, np.newaxis] ** 2)
    assert view.trajectory.isVisible()


def test_a_preset_waits_for_its_function_and_its_window(qtbot, window):
    view, model = window.contour, window.model
    before = view.recomputes
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.load_preset("Rosenbrock")
        assert model.preview is None  # a preset brings a window: no preview in the old one
    assert view.recomputes - before == 1


def test_sampling_after_a_pan_runs_on_a_thread(qtbot, window, monkeypatch):
    view, model = window.contour, window.model
    threads = []
    real = contour_module.map_layers

    def spy(*args):
        threads.append(threading.current_thread() is threading.main_thread())
        return real(*args)

    monkeypatch.setattr(contour_module, "map_layers", spy)
    vb = view.getViewBox()
    window_before, grid_before = model.window, view.grid
    vb.translateBy(x=0.7, y=-0.4)
    vb.sigRangeChangedManually.emit(vb.state["mouseEnabled"])  # as a drag does
    qtbot.waitUntil(lambda: model.window != window_before, timeout=15000)
    qtbot.waitUntil(lambda: view.grid is not grid_before, timeout=15000)
    assert view.grid.xs[0] == pytest.approx(grid_before.xs[0] + 0.7)
    assert threads and not any(threads)  # never on the GUI thread
    # a function change still draws at once (its preview must not wait)
    threads.clear()
    model.set_expression("x - y")
    assert threads == [True]


def test_an_older_background_result_is_dropped(qtbot, window):
    view = window.contour
    grid = view.grid
    view._apply_layers(view._job - 1, "cannot draw this window: stale")  # a late old result
    assert view.grid is grid and not view.message.isVisible()


def test_going_back_to_the_current_formula_drops_one_still_compiling(qtbot, window, monkeypatch):
    model = window.model
    held = HeldCompiles(monkeypatch)
    changes = []
    model.functionChanged.connect(changes.append)
    model.set_expression("x*y + 3")          # typed …
    assert model.preview is not None
    model.clear_function_error()             # … and the editor is back at x^2 + y^2
    assert model.preview is None
    held.gate.set()
    qtbot.waitUntil(lambda: not model.compiling, timeout=15000)
    qtbot.wait(50)
    assert changes == [] and model.function.text == "x^2 + y^2"


def test_a_closed_windows_compile_does_not_stop_the_next_ones(qtbot, monkeypatch):
    import shiboken6

    gate, real = threading.Event(), compiler_module.parse_function
    monkeypatch.setattr(compiler_module, "parse_function",
                        lambda text: gate.wait(60) and real(text))
    gone = compiler_module.Compiler()
    gone.submit("x^2 + y")                 # held on the compiling thread
    shiboken6.delete(gone)                 # its window closes meanwhile
    gate.set()
    fresh = compiler_module.Compiler()
    with qtbot.waitSignal(fresh.compiled, timeout=15000) as blocker:
        fresh.submit("x*y")
    assert blocker.args[0].value_and_gradient(2.0, 3.0) == (6.0, 3.0, 2.0)


def test_a_map_sampled_after_the_view_closed_is_dropped(qtbot, window, monkeypatch):
    gate, done, real = threading.Event(), threading.Event(), contour_module.map_layers

    def held(*args):
        gate.wait(60)
        try:
            return real(*args)
        finally:
            done.set()

    view = contour_module.ContourView(window.model)
    qtbot.addWidget(view)
    monkeypatch.setattr(contour_module, "map_layers", held)
    view._recompute(force=True, background=True)      # on a thread, held
    assert view.map_pending()
    applied = []
    monkeypatch.setattr(view, "_show_message", lambda text: applied.append(text))
    view.close()
    assert not view.map_pending()
    gate.set()
    assert done.wait(60)
    qtbot.wait(50)                                     # deliver the thread's signal
    assert applied == []                               # nothing drawn into the closed view


def test_the_compile_starts_after_the_edit_is_drawn(qtbot, window, monkeypatch):
    """The map of an edit comes first: the compiling thread (which takes the interpreter lock)
    and the worker start once the event loop runs again, and a formula replaced before then
    is never compiled (the compiles are counted)."""
    view, model = window.contour, window.model
    asked = []
    real = compiler_module.parse_function
    monkeypatch.setattr(compiler_module, "parse_function",
                        lambda text: (asked.append(text), real(text))[1])
    model.set_expression("x*y + 1")
    model.set_expression("x*y + 2")  # typed on before the event loop ran
    assert model.preview.text == "x*y + 2" and view.grid is not None
    assert model.compiling and asked == []  # drawn, nothing compiled yet
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        pass
    assert model.function.text == "x*y + 2" and asked == ["x*y + 2"]


def test_the_busy_cue_of_an_edit_moves_nothing_in_the_editor(qtbot, window, monkeypatch):
    """"working out derivatives…" shows in a line kept for it: the formulas under it are not
    laid out and painted again in the edit's frame (nor jump down and back up)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    from gd_explorer.gui.math_view import all_typeset

    editor = window.findChild(QWidget, "functionEditorPanel")
    parts = [editor.formula, editor.dfdx, editor.dfdy, editor.hessian, editor.values]
    qtbot.waitUntil(lambda: all_typeset(window), timeout=30000)  # they change the heights
    QApplication.sendPostedEvents(None, QEvent.LayoutRequest)
    before = [w.geometry() for w in parts]
    held = HeldCompiles(monkeypatch)
    window.model.set_expression("x*y + 3")
    QApplication.sendPostedEvents(None, QEvent.LayoutRequest)
    assert editor.busy.isVisible()
    assert [w.geometry() for w in parts] == before
    with qtbot.waitSignal(window.model.functionChanged, timeout=15000):
        held.gate.set()


@pytest.mark.parametrize("rows", [50, 700])  # 700 rows of 60: three blocks of rows (BLOCK)
@pytest.mark.parametrize("lut", [
    "viridis",
    np.array([[255, 0, 0, 128], [0, 0, 255, 255], [0, 255, 0, 3]], dtype=np.uint8)])
def test_the_map_image_has_pyqtgraphs_colours_in_a_format_qt_draws_as_it_is(qtbot, lut, rows):
    """MapImage renders ARGB32 itself (pyqtgraph's Indexed8 is converted again at each
    paint; premultiplied when every colour is opaque), a block of rows at a time, with the very colours of pyqtgraph's ImageItem: the
    same colour for each value, transparent where f is undefined."""
    import pyqtgraph as pg
    from PySide6.QtGui import QImage

    from gd_explorer.gui.cached_curves import MapImage

    if isinstance(lut, str):
        lut = pg.colormap.get(lut).getLookupTable(nPts=256)
    z = np.random.default_rng(1).normal(size=(rows, 60))
    z[3:5, 7:9] = np.nan

    def rgba(item):
        item.setImage(z, lut=lut, levels=(-1.5, 1.2), autoLevels=False)
        item.render()
        image = item.qimage.convertToFormat(QImage.Format_RGBA8888)
        bits = np.array(image.constBits(), dtype=np.uint8).reshape(rows, image.bytesPerLine())
        return item.qimage.format(), bits[:, :60 * 4].reshape(rows, 60, 4)

    fmt, ours = rgba(MapImage(axisOrder="row-major"))
    _, theirs = rgba(pg.ImageItem(axisOrder="row-major"))
    # opaque colours (and NaN's transparent 0) are the same bits premultiplied, which Qt
    # scales by its fast path; translucent ones stay as they are
    opaque = lut.shape[1] == 3 or (lut[:, 3] == 255).all()
    assert fmt == (QImage.Format_ARGB32_Premultiplied if opaque else QImage.Format_ARGB32)
    assert np.array_equal(ours[..., 3], theirs[..., 3]) and (ours[3:5, 7:9, 3] == 0).all()
    shown = theirs[..., 3] > 0
    assert np.array_equal(ours[shown], theirs[shown])
