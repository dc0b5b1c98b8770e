"""The explorer window (issue 3): editor, contour view, clicks, descent controls, table, export."""
import csv
import math
import os
import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from gd_explorer.core.descent import descend
from gd_explorer.core.presets import PRESETS, preset_by_name
from gd_explorer.gui.app import make_app
from gd_explorer.gui.main_window import MainWindow


@pytest.fixture
def window(qtbot, shown_window):
    win = shown_window
    return win


def load(qtbot, win, preset_name):
    with qtbot.waitSignal(win.model.functionChanged, timeout=15000):
        win.model.load_preset(preset_name)
    return win.model


def type_formula(qtbot, win, text):
    edit = win.editor.edit
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key_Return)


def test_opens_on_a_useful_default(qtbot):
    from gd_explorer.gui.app import prepare_window

    make_app()
    win = MainWindow()
    qtbot.addWidget(win)
    prepare_window(win)
    assert win.model.function is not None
    assert win.model.preset is not None and win.model.preset.name == "Himmelblau"
    assert win.model.run is not None and win.model.run.steps == 0
    assert np.isfinite(win.contour.grid.z).any()
    assert win.findChild(type(win.editor.edit), "functionEditor").text() == win.model.text


def test_typing_a_function_changes_image_and_derivatives(qtbot, window):
    model = load(qtbot, window, "Quadratic bowl")
    before = window.contour.image.image.copy()
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        type_formula(qtbot, window, "x^3 - 3*x*y^2")
    after = window.contour.image.image
    assert model.text == "x^3 - 3*x*y^2"
    assert not np.allclose(np.nan_to_num(before), np.nan_to_num(after))
    assert window.editor.dfdx.text() == "3*x^2 - 3*y^2"
    assert window.editor.dfdy.text() == "-6*x*y"
    # the image is f on the grid
    grid = window.contour.grid
    i, j = 40, 170
    assert grid.z[i, j] == pytest.approx(grid.xs[j] ** 3 - 3 * grid.xs[j] * grid.ys[i] ** 2)


def test_bad_formula_shows_message_and_keeps_old_plot(qtbot, window):
    model = load(qtbot, window, "Booth")
    fn, image = model.function, window.contour.image.image.copy()
    with qtbot.waitSignal(model.functionError, timeout=15000) as sig:
        type_formula(qtbot, window, "x + * y")
    message, column = sig.args
    assert "column" not in message and column == 4
    error = window.findChild(type(window.editor.error), "functionError")
    assert error.isVisible()
    assert message in error.text() and "    ^" in error.text()
    assert model.function is fn
    np.testing.assert_array_equal(np.nan_to_num(window.contour.image.image), np.nan_to_num(image))
    # a good formula afterwards clears the message
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        type_formula(qtbot, window, "x*y")
    assert not error.isVisible()


def test_typing_is_debounced_and_applied_after_a_pause(qtbot, window):
    model = load(qtbot, window, "Quadratic bowl")
    edit = window.editor.edit
    submitted = []
    real = model.set_expression
    model.set_expression = lambda text, **kw: (submitted.append(text), real(text, **kw))
    edit.selectAll()
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        qtbot.keyClicks(edit, "x^2 + 2*y^2")  # no events between the keys: no pause yet
        assert submitted == []                # so no prefix ("x", "x^", "x^2 ", …) was sent
    assert submitted == ["x^2 + 2*y^2"]       # the pause sent the whole formula, once
    assert model.text == "x^2 + 2*y^2"


def test_click_sets_start_within_one_pixel(qtbot, window):
    model = load(qtbot, window, "Himmelblau")
    view = window.contour
    vb = view.getViewBox()
    (x0, x1), (y0, y1) = vb.viewRange()
    a, b = x0 + 0.3 * (x1 - x0), y0 + 0.7 * (y1 - y0)
    pixel = view.data_to_viewport(a, b)
    with qtbot.waitSignal(model.startChanged, timeout=15000):
        qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=pixel)
    px_w = (x1 - x0) / vb.width()
    px_h = (y1 - y0) / vb.height()
    assert abs(model.start[0] - a) <= px_w
    assert abs(model.start[1] - b) <= px_h
    assert model.current_point == model.start


def test_click_on_an_axis_does_not_move_start(qtbot, window):
    model = load(qtbot, window, "Himmelblau")
    start = model.start
    axis = window.contour.getPlotItem().getAxis("bottom")
    scene_pt = axis.sceneBoundingRect().center()
    pixel = window.contour.mapFromScene(scene_pt)
    qtbot.mouseClick(window.contour.viewport(), Qt.LeftButton, pos=pixel)
    assert model.start == start


def test_step_moves_exactly_against_the_gradient(qtbot, window):
    model = load(qtbot, window, "Rosenbrock")
    fn, (x, y) = model.function, model.start
    lr = window.descent.lr.value()
    assert lr == pytest.approx(0.001)
    qtbot.mouseClick(window.descent.step_btn, Qt.LeftButton)
    _, gx, gy = fn.value_and_gradient(x, y)
    assert model.current_point == (x - lr * gx, y - lr * gy)
    marker = window.contour.current.getData()
    assert (marker[0][0], marker[1][0]) == model.current_point
    qtbot.mouseClick(window.descent.step10_btn, Qt.LeftButton)
    assert model.run.steps == 11
    assert window.table.model().rowCount() == 12


def test_small_learning_rate_is_not_rounded(qtbot, window):
    model = load(qtbot, window, "Goldstein-Price")
    spin = window.findChild(type(window.descent.lr), "learningRate")
    assert spin.value() == pytest.approx(1e-5)
    spin.setValue(2.5e-6)
    assert model.learning_rate == pytest.approx(2.5e-6)
    assert spin.text() == "2.5e-6"
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "3e-6")
    qtbot.keyClick(spin.lineEdit(), Qt.Key_Return)
    assert model.learning_rate == pytest.approx(3e-6)


def test_play_runs_to_convergence_on_the_bowl(qtbot, window):
    model = load(qtbot, window, "Quadratic bowl")
    model.set_speed(5000)
    qtbot.mouseClick(window.descent.play_btn, Qt.LeftButton)
    assert model.playing and window.descent.play_btn.text().endswith("Pause")
    qtbot.waitUntil(lambda: model.run.finished, timeout=10000)
    expected = descend(model.function, model.start, model.learning_rate, model.max_steps, model.tol)
    assert model.run.status == "converged"
    assert window.descent.status.text() == (
        f"converged after {expected.nit} steps (‖∇f‖ < 1e-6); stopped at a minimum (Hessian "
        "eigenvalues 2, 2): Find critical points to see whether a lower minimum is in view")
    assert not model.playing and window.descent.play_btn.text().endswith("Play")


def test_large_learning_rate_diverges(qtbot, window):
    model = load(qtbot, window, "Quadratic bowl")
    window.descent.lr.setValue(1.5)  # curvature 2: diverges above 2/2 = 1
    for _ in range(20):
        qtbot.mouseClick(window.descent.step100_btn, Qt.LeftButton)
        if model.run.finished:
            break
    assert model.run.status == "diverged"
    reason, left = window.descent.status.text().split("; ")
    assert reason.startswith("diverged after ") and reason.endswith(": try a smaller learning rate")
    assert left.startswith("left the view at step ")  # the quadratic bowl's window is ±3


def test_reset_returns_to_start(qtbot, window):
    model = load(qtbot, window, "Booth")
    model.step(25)
    qtbot.mouseClick(window.descent.reset_btn, Qt.LeftButton)
    assert model.run.steps == 0 and model.current_point == model.start
    assert window.table.model().rowCount() == 1


def test_every_preset_loads_without_a_warning(qtbot, window, recwarn):
    for preset in PRESETS:
        model = load(qtbot, window, preset.name)
        assert model.window == (tuple(map(float, preset.xrange)), tuple(map(float, preset.yrange)))
        assert model.start == tuple(map(float, preset.start))
        grid = window.contour.grid
        assert np.isfinite(grid.z).mean() > 0.99, preset.name
        assert len(window.contour.levels) >= 10, preset.name
        xs, _ = window.contour.contours.getData()
        assert xs is not None and np.isfinite(xs).sum() > 100, preset.name
    assert not [w for w in recwarn.list], [str(w.message) for w in recwarn.list]


def test_log_spacing_shows_structure_in_rosenbrock(qtbot, window):
    model = load(qtbot, window, "Rosenbrock")
    assert model.spacing == "log"
    levels = window.contour.levels
    # levels crowd near the valley floor: half of them lie below 1% of the top level
    assert np.sum(levels - levels[0] < 0.01 * (levels[-1] - levels[0])) >= len(levels) // 3
    combo = window.view_controls.spacing
    combo.setCurrentIndex(combo.findData("linear"))
    assert model.spacing == "linear"
    lin = window.contour.levels
    np.testing.assert_allclose(np.diff(lin), np.diff(lin)[0], rtol=1e-9)


def test_undefined_region_is_transparent(qtbot, window):
    model = window.model
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.set_expression("log(x) + y")
    z = window.contour.image.image
    grid = window.contour.grid
    assert np.isnan(z[:, grid.xs < 0]).all()
    assert np.isfinite(z[:, grid.xs > 0.01]).all()
    window.contour.image.render()
    rgba = window.contour.image.qimage  # the rendered colour image, with alpha
    left = rgba.pixelColor(2, rgba.height() // 2)
    right = rgba.pixelColor(rgba.width() - 3, rgba.height() // 2)
    assert left.alpha() == 0 and right.alpha() == 255


def test_zoom_recomputes_grid_for_visible_window(qtbot, window):
    model = load(qtbot, window, "Himmelblau")
    width = model.window[0][1] - model.window[0][0]
    vb = window.contour.getViewBox()
    vb.scaleBy((0.25, 0.25))
    vb.sigRangeChangedManually.emit(vb.state["mouseEnabled"])  # as a mouse-wheel zoom does
    qtbot.waitUntil(lambda: model.window[0][1] - model.window[0][0] < 0.5 * width, timeout=15000)
    (x0, x1), _ = model.window
    # after a zoom the grid is sampled on a thread: the old map stays until the new one is in
    qtbot.waitUntil(lambda: window.contour.grid.xs[-1] - window.contour.grid.xs[0] < 0.5 * width,
                    timeout=15000)
    grid = window.contour.grid
    assert grid.xs[-1] - grid.xs[0] < 0.5 * width
    qtbot.mouseClick(window.view_controls.reset, Qt.LeftButton)
    assert model.window[0][1] - model.window[0][0] >= width - 1e-9


def test_resizing_does_not_change_the_model_window(qtbot, window):
    model = load(qtbot, window, "Himmelblau")
    before = model.window
    window.resize(900, 900)
    qtbot.wait(400)
    assert model.window == before
    (vx0, vx1), (vy0, vy1) = window.contour.getViewBox().viewRange()
    qtbot.waitUntil(lambda: window.contour._grid_covers((vx0, vx1), (vy0, vy1)), timeout=15000)


def test_typed_window_fields(qtbot, window):
    model = load(qtbot, window, "Booth")
    fields = window.view_controls.fields
    for name, value in (("xMin", "-1"), ("xMax", "3"), ("yMin", "0"), ("yMax", "4")):
        fields[name].setText(value)
    fields["yMax"].setFocus()
    qtbot.keyClick(fields["yMax"], Qt.Key_Return)
    assert model.window == ((-1.0, 3.0), (0.0, 4.0))
    (vx0, vx1), (vy0, vy1) = window.contour.getViewBox().viewRange()
    assert vx0 <= -1 + 1e-6 and vx1 >= 3 - 1e-6 and vy0 <= 1e-6 and vy1 >= 4 - 1e-6


def test_hover_reports_x_y_and_f(qtbot, window):
    load(qtbot, window, "Quadratic bowl")
    view = window.contour
    texts = []
    view.hovered.connect(texts.append)
    scene = view.getViewBox().mapViewToScene(__import__("pyqtgraph").Point(1.0, 2.0))
    view.scene().sigMouseMoved.emit(scene)
    assert texts and texts[-1].startswith("x = 1, y = 2, f(x, y) = 5")


def test_arrows_and_tangent_at_current_point(qtbot, window):
    model = load(qtbot, window, "Quadratic bowl")
    model.set_start(1.0, 2.0)
    px, py = model.current_point
    tip = window.contour.arrow_tip("grad")
    neg = window.contour.arrow_tip("neg")
    g = np.array([2.0, 4.0]) / math.hypot(2, 4)
    d = np.array(tip) - (px, py)
    assert np.allclose(d / np.linalg.norm(d), g)
    assert np.allclose(np.array(neg) - (px, py), -d)
    tx, ty = window.contour.tangent.getData()
    tangent = np.array([tx[1] - tx[0], ty[1] - ty[0]])
    assert abs(tangent @ g) < 1e-9 * np.linalg.norm(tangent)


def test_iteration_table_with_100000_rows(qtbot, window):
    model = window.model
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.set_expression("x^2 + y^2")
    model.set_tol(0.0)
    model.set_max_steps(100000)
    model.set_learning_rate(1e-5)
    model.set_start(1.0, -1.0)
    model.step(100000)
    table = window.table.model()
    assert table.rowCount() == 100001
    last = model.run.row(-1)
    assert table.value(100000, 1) == last[1]
    assert table.data(table.index(100000, 0)) == "100000"
    window.table.scrollToBottom()
    qtbot.wait(10)


def test_export_matches_engine_row_by_row(qtbot, window, tmp_path):
    model = load(qtbot, window, "Rosenbrock")
    model.step(57)
    path = tmp_path / "run.csv"
    assert window.export_csv(str(path))
    expected = descend(model.function, model.start, model.learning_rate, 57, model.tol)
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["run", "expression", "optimizer", "learning_rate", "step", "x", "y", "f",
                       "df_dx", "df_dy", "grad_norm", "run_name", "hyperparameters", "schedule"]
    assert len(rows) == 1 + 58
    for got, want in zip(rows[1:], expected.trajectory):
        assert got[1] == model.text and got[2] == "gd" and float(got[3]) == model.learning_rate
        assert int(got[4]) == int(want[0])
        assert [float(v) for v in got[5:11]] == list(want[1:])
        assert got[11:] == [model.selected_run.name, "{}", '{"name":"constant"}']


def test_export_error_shows_message_and_keeps_trajectory(qtbot, window, tmp_path):
    model = load(qtbot, window, "Booth")
    model.step(5)
    assert not window.export_csv(str(tmp_path / "missing" / "run.csv"))
    assert "does not exist" in window.last_error
    assert model.run.steps == 5
    dialog = window.findChild(__import__("PySide6.QtWidgets").QtWidgets.QMessageBox, "errorDialog")
    assert dialog is not None and dialog.isVisible()
    dialog.close()


def test_export_action_has_ctrl_e(window):
    assert window.export_action.shortcut().toString() == "Ctrl+E"


def _run_screenshot(tmp_path, *extra):
    path = tmp_path / "shot.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, "-m", "gd_explorer", "--screenshot", str(path), *extra],
                          capture_output=True, text=True, timeout=120, env=env)
    return proc, path


def test_screenshot_writes_a_non_blank_png(tmp_path):
    proc, path = _run_screenshot(tmp_path, "--function", "x^2 + 3*y^2", "--start", "-2,1",
                                 "--steps", "5")
    assert proc.returncode == 0, proc.stderr
    image = QImage(str(path))
    assert (image.width(), image.height()) == (1600, 1000)
    colors = {image.pixel(x, y) for x in range(0, 1600, 25) for y in range(0, 1000, 25)}
    assert len(colors) > 50


def test_screenshot_with_bad_function_exits_2(tmp_path):
    proc, path = _run_screenshot(tmp_path, "--function", "x +")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "Traceback" not in proc.stderr
    assert not path.exists()


def _send_mouse(widget, kind, pos, buttons):
    from PySide6.QtCore import QEvent, QPointF
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    button = Qt.NoButton if kind == QEvent.MouseMove else Qt.LeftButton
    local = QPointF(pos)
    event = QMouseEvent(kind, local, widget.mapToGlobal(local), button, buttons, Qt.NoModifier)
    QApplication.sendEvent(widget, event)


def test_dragging_the_start_marker_moves_the_start(qtbot, window):
    from PySide6.QtCore import QEvent

    model = load(qtbot, window, "Himmelblau")
    view = window.contour
    vb = view.getViewBox()
    (x0, x1), (y0, y1) = vb.viewRange()
    sx, sy = model.start
    tx, ty = sx + 0.2 * (x1 - x0), sy + 0.15 * (y1 - y0)
    a, b = view.data_to_viewport(sx, sy), view.data_to_viewport(tx, ty)
    vp = view.viewport()
    _send_mouse(vp, QEvent.MouseButtonPress, a, Qt.LeftButton)
    for k in range(1, 11):
        p = a + (b - a) * (k / 10)
        _send_mouse(vp, QEvent.MouseMove, p, Qt.LeftButton)
    with qtbot.waitSignal(model.startChanged, timeout=15000):
        _send_mouse(vp, QEvent.MouseButtonRelease, b, Qt.NoButton)
    px = (x1 - x0) / vb.width()
    assert abs(model.start[0] - tx) <= 2 * px and abs(model.start[1] - ty) <= 2 * px
    (nx0, nx1), _ = vb.viewRange()
    assert (nx0, nx1) == (x0, x1)


def test_export_png_writes_an_image_and_keeps_old_file_on_error(qtbot, window, tmp_path, monkeypatch):
    load(qtbot, window, "Booth")
    path = tmp_path / "map.png"
    assert window.export_png(str(path), width=800)
    image = QImage(str(path))
    assert image.width() == 800 and image.height() > 300
    colors = {image.pixel(x, y) for x in range(0, 800, 20) for y in range(0, image.height(), 20)}
    assert len(colors) > 30
    old = path.read_bytes()
    monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    assert not window.export_png(str(path), width=400)
    assert "No space left" in window.last_error
    assert path.read_bytes() == old


def test_layout_is_remembered_between_runs(qtbot, tmp_path, monkeypatch):
    from PySide6.QtCore import QSettings

    from gd_explorer.gui.app import restore_layout, save_layout

    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path))
    make_app()
    first = MainWindow()
    qtbot.addWidget(first)
    first.show()
    first.set_view_mode("surface")
    save_layout(first)
    assert QSettings().value("window/geometry") == first.saveGeometry()
    second = MainWindow()
    qtbot.addWidget(second)
    restored = []
    monkeypatch.setattr(second, "restoreGeometry", lambda g: restored.append(g) or True)
    restore_layout(second)
    assert second.view_mode == "surface" and not second.contour.isVisibleTo(second)
    assert restored == [first.saveGeometry()]


def test_editing_one_window_field_keeps_the_others_exact(qtbot, window):
    model = load(qtbot, window, "Booth")
    model.set_window((1000.1, 1000.1000003), (-0.123456789, 0.987654321))
    fields = window.view_controls.fields
    fields["yMax"].setText("2")
    fields["yMax"].setFocus()
    qtbot.keyClick(fields["yMax"], Qt.Key_Return)
    assert model.window == ((1000.1, 1000.1000003), (-0.123456789, 2.0))
    assert not window.view_controls.message.text()


def test_refused_window_does_not_replace_the_stop_reason(qtbot, window):
    model = load(qtbot, window, "Quadratic bowl")
    model.step(1000)
    reason = window.descent.status.text()
    assert reason.startswith("converged after")
    assert not model.set_window((2.0, 1.0), (0.0, 1.0))
    assert window.descent.status.text() == reason
    assert "range" in window.statusBar().currentMessage()


def test_curvature_hint_gives_the_stable_learning_rate(qtbot, window):
    model = load(qtbot, window, "Elongated quadratic")  # H = diag(2, 20) everywhere
    label = window.findChild(type(window.descent.status), "curvatureLabel")
    assert label.text() == "curvature here: λ = 2, 20; stable for ε < 2/λmax ≈ 0.1"
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.set_expression("-x^2 - y^2")
    assert "no positive curvature" in label.text()


def test_undo_and_redo_function_and_start_changes(qtbot, window):
    model = load(qtbot, window, "Booth")
    qtbot.wait(10)
    booth = model.function
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        type_formula(qtbot, window, "x*y")
    qtbot.wait(10)
    model.set_start(0.5, 0.25)
    qtbot.wait(10)
    history = window.history
    assert history.undoText() == "move the start to (0.5, 0.25)"
    window.undo_action.trigger()
    assert model.text == "x*y" and model.start == (-8.0, -8.0)
    window.undo_action.trigger()
    assert model.function is booth and model.window == ((-10.0, 10.0), (-10.0, 10.0))
    assert window.editor.edit.text() == booth.text
    assert model.run.steps == 0 and model.current_point == (-8.0, -8.0)
    window.redo_action.trigger()
    window.redo_action.trigger()
    assert model.text == "x*y" and model.start == (0.5, 0.25)
    assert window.redo_action.isEnabled() is False


def test_formula_syntax_help_lists_what_the_parser_accepts(qtbot, window):
    from gd_explorer.core.parser import FUNCTIONS
    from gd_explorer.gui.main_window import SYNTAX_HELP

    box = window.show_syntax_help()
    assert box.isVisible() and box.syntax.toPlainText() == SYNTAX_HELP
    for name in FUNCTIONS:
        if name.islower():
            assert name in SYNTAX_HELP, name
    for example in ("x^2 + 3*y^2", "sin(x)*cos(y)", "log(x^2 + y^2 + 1)"):
        parse = __import__("gd_explorer").parse_function(example)
        assert example in SYNTAX_HELP and parse.text == example
    box.close()


def test_undo_of_an_opened_session_and_redo_bring_back_its_runs(qtbot, window, tmp_path):
    model = load(qtbot, window, "Rosenbrock")
    model.step(9)
    model.add_run()
    model.set_learning_rate(0.002)
    model.step(4)
    path = tmp_path / "s.gdx.json"
    assert window.save_session(str(path))
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.load_preset("Booth")
    qtbot.wait(10)
    model.step(3)  # Booth's run goes on before the session is opened
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        assert window.open_session(str(path))
    qtbot.wait(10)
    assert (len(model.runs), model.run.steps, model.learning_rate) == (2, 4, 0.002)
    window.undo_action.trigger()
    assert model.preset.name == "Booth" and model.run.steps == 3 and len(model.runs) == 1
    assert model.learning_rate == preset_by_name("Booth").learning_rate
    window.redo_action.trigger()
    assert (len(model.runs), model.run.steps, model.learning_rate) == (2, 4, 0.002)
    assert model.runs[0].descent.steps == 13


def test_small_display_details(qtbot, window):
    model = window.model
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.set_expression("x^2 - y^2")
    model.set_start(0.0, 0.0)
    assert "∇f = (0, 0)" in window.editor.values.text()  # never "-0"
    table = window.table.model()
    assert table.data(table.index(0, 5)) == "0"
    model.set_angle(-1e-320)
    assert model.angle == 0.0
    labels = [label.text for _, label in window.contour.legend.items]
    assert f"{model.selected_run.name} (selected)" in labels and "saddle" not in labels
    with qtbot.waitSignal(model.analysis.criticalPointsChanged, timeout=15000):
        model.analysis.find_critical_points()
    labels = [label.text for _, label in window.contour.legend.items]
    assert "saddle" in labels and "minimum" not in labels  # only the kinds on the map


def test_constant_function_colour_bar_is_centred_on_its_value(qtbot, window):
    model = window.model
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.set_expression("3")
    lo, hi = window.contour.colorbar.levels()
    assert lo < 3 < hi and (lo + hi) / 2 == pytest.approx(3.0)
