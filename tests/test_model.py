"""The explorer model on its own: order of signals, settings bounds, stale analyses."""
import math
import threading

import pytest

from gd_explorer.core.function import parse_function
from gd_explorer.core.presets import preset_by_name
from gd_explorer.gui.app import make_app
from gd_explorer.gui.model import ExplorerModel


@pytest.fixture
def model(qtbot):
    make_app()
    return ExplorerModel()


def test_views_never_see_the_old_run_with_the_new_function(model):
    model.set_function(parse_function("x^2 + y^2"))
    model.set_start(2.0, 1.0)
    model.step(5)
    seen = []
    model.functionChanged.connect(lambda fn: seen.append((model.run.function is fn, model.run.steps,
                                                          model.current_point)))
    model.set_function(parse_function("x^2 + y"), preset_by_name("Booth"))
    assert seen == [(True, 0, (-8.0, -8.0))]


def test_session_is_applied_before_anyone_is_told(model, qtbot):
    model.set_function(parse_function("x^2 + 3*y^2"))
    model.set_start(1.5, -1.0)
    model.set_learning_rate(0.05)
    model.step(4)
    session = model.session()
    model.set_function(parse_function("sqrt(x)"))  # start (1.5, -1) still defined; different f
    seen = []
    model.functionChanged.connect(lambda fn: seen.append((model.learning_rate, model.start,
                                                          model.run.steps)))
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.load_session(session)
    assert seen == [(0.05, (1.5, -1.0), 4)]


def test_settings_outside_the_core_bounds_are_refused_with_a_message(model):
    model.set_function(parse_function("x^2"))
    notes = []
    model.notice.connect(notes.append)
    for bad in (0.0, -1.0, 1e7, math.nan):
        model.set_learning_rate(bad)
    assert model.learning_rate == 0.01
    assert len(notes) == 4 and all("learning rate" in n for n in notes)


def test_descent_panel_shows_what_the_model_uses(qtbot):
    from gd_explorer.gui.descent_panel import DescentPanel

    make_app()
    model = ExplorerModel()
    panel = DescentPanel(model)
    qtbot.addWidget(panel)
    model.set_function(parse_function("x^2"))
    for lr in (1e-9, 250.0, 1e-6, 10.0):
        model.set_learning_rate(lr)
        assert panel.lr.value() == pytest.approx(lr)
    model.set_tol(0.0)
    assert panel.tol.value() == 0.0 and model.tol == 0.0
    panel.tol.stepBy(1)
    assert model.tol > 0


def test_basins_are_cleared_when_the_learning_rate_changes(model, qtbot):
    model.set_function(parse_function("x^2 + y^2"))
    with qtbot.waitSignal(model.analysis.basinsChanged, timeout=10000):
        model.analysis.show_basins(resolution=20, steps=500)
    assert model.analysis.basins is not None
    assert model.analysis.basins_method[0] == model.learning_rate
    with qtbot.waitSignal(model.analysis.basinsChanged, timeout=15000):
        model.set_learning_rate(0.2)
    assert model.analysis.basins is None


def test_editor_keeps_text_typed_while_a_compile_finishes(qtbot):
    from gd_explorer.gui.function_editor import FunctionEditor

    make_app()
    model = ExplorerModel()
    editor = FunctionEditor(model)
    qtbot.addWidget(editor)
    edit = editor.edit
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        edit.setText("x^3")
        edit.returnPressed.emit()
        qtbot.keyClicks(edit, " + y")  # typing goes on before the compile result arrives
    assert edit.text() == "x^3 + y"
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        pass  # the debounced edit is applied after the pause
    assert model.text == "x^3 + y" and edit.text() == "x^3 + y"


def test_error_caret_points_into_the_submitted_text(qtbot):
    from gd_explorer.gui.function_editor import FunctionEditor

    make_app()
    model = ExplorerModel()
    editor = FunctionEditor(model)
    qtbot.addWidget(editor)
    with qtbot.waitSignal(model.functionError, timeout=15000):
        editor.edit.setText("x + * y")
        editor.edit.returnPressed.emit()
    editor.edit.setText("something else entirely")
    model.functionError.emit("invalid syntax", 4)  # a late error for the submitted text
    assert editor.error.text().splitlines()[1:] == ["  x + * y", "      ^"]


def test_critical_points_include_rastrigins_global_minimum():
    from gd_explorer.core.analysis import critical_points

    p = preset_by_name("Rastrigin")
    best = critical_points(parse_function(p.expression), p.xrange, p.yrange).points[0]
    assert best.kind == "minimum" and abs(best.x) < 1e-9 and abs(best.y) < 1e-9 and best.f < 1e-12


def test_basins_in_a_tiny_window_of_a_bowl_end_at_one_point():
    from gd_explorer.core.analysis import basin_map

    result = basin_map(parse_function("x^2 + y^2"), (-1e-5, 1e-5), (-1e-5, 1e-5), 0.1, 20, 2000)
    assert len(result.ends) == 1 and (result.labels == 0).all()


def test_analysis_text_follows_what_is_on_the_map(qtbot):
    from gd_explorer.gui.analysis_panel import AnalysisPanel

    make_app()
    model = ExplorerModel()
    panel = AnalysisPanel(model)
    qtbot.addWidget(panel)
    model.set_function(parse_function("(1 - x)^2 + 100*(y - x^2)^2"))
    model.set_learning_rate(1e-6)
    with qtbot.waitSignal(model.analysis.basinsChanged, timeout=20000):
        model.analysis.show_basins(resolution=8, steps=50)  # no grid point at the minimum (1, 1)
    assert panel.label.text() == ("basins: no start settled within 50 steps (Gradient descent, "
                                  "ε = 1e-6); try a larger ε")
    with qtbot.waitSignal(model.analysis.criticalPointsChanged, timeout=15000):
        model.analysis.find_critical_points()
    assert panel.label.text().splitlines()[0].startswith("critical points found in view: 1 minimum")
    model.set_function(parse_function("x*y"))  # new function: the old results are gone
    assert panel.label.text() == ""


def test_a_running_basin_job_is_dropped_when_the_rate_changes(model, qtbot):
    model.set_function(parse_function("(1 - x)^2 + 100*(y - x^2)^2"))
    model.set_learning_rate(1e-4)
    model.analysis.show_basins(resolution=150, steps=200000)
    assert model.analysis.busy
    model.set_learning_rate(2e-4)
    assert not model.analysis.busy
    # the job's thread stops at its next iteration; a late result would come through the loop
    qtbot.waitUntil(lambda: not any(t.name == "gd-explorer-basins" for t in threading.enumerate()),
                    timeout=60000)
    qtbot.wait(50)
    assert model.analysis.basins is None
