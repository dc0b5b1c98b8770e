"""Runs side by side (issue 10): a list of runs with their own settings, a fair race, the run
list and the hyperparameter controls, exports and undo over several runs."""
import math

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSlider

from gd_explorer.core import descend, read_csv
from gd_explorer.core.presets import preset_by_name
from gd_explorer.gui import model as model_module
from gd_explorer.gui.model import FRAME_MS, State
from gd_explorer.gui.number_fields import NumberSpinBox


@pytest.fixture
def window(qtbot, shown_window):
    with qtbot.waitSignal(shown_window.model.functionChanged, timeout=15000):
        shown_window.model.load_preset("Himmelblau")
    return shown_window


def three_runs(model):
    """gd from the preset's start, momentum (β = 0.8) from (-4, 4), Adam from (4, -4); none
    stops at a tolerance."""
    model.set_tol(0.0)
    model.add_run((-4.0, 4.0))
    model.set_optimizer("momentum", {"beta": 0.8})
    model.add_run((4.0, -4.0))
    model.set_optimizer("adam")
    return model.runs


def test_a_preset_starts_one_run_of_plain_gradient_descent(qtbot, window):
    model = window.model
    model.set_optimizer("adam")
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.load_preset("Quadratic bowl")  # its note: "walks straight to the minimum"
    assert len(model.runs) == 1 and model.optimizer == "gd"
    assert model.hyperparameters == {} and model.schedule == ("constant", {})
    assert window.descent.optimizer.currentData() == "gd"
    assert model.start == preset_by_name("Quadratic bowl").start


def test_each_run_keeps_its_own_settings(qtbot, window):
    model = window.model
    gd, momentum, adam = three_runs(model)
    assert [r.settings.optimizer for r in model.runs] == ["gd", "momentum", "adam"]
    assert momentum.settings.start == (-4.0, 4.0) and dict(momentum.settings.hyperparameters) == {
        "beta": 0.8}
    assert model.selected == 2 and model.optimizer == "adam"
    model.select_run(1)  # the controls show the selected run's settings
    assert model.optimizer == "momentum" and model.start == (-4.0, 4.0)
    assert window.descent.optimizer.currentData() == "momentum"
    assert window.findChild(NumberSpinBox, "hyper_beta").value() == 0.8


def test_a_setting_resets_only_the_selected_run(qtbot, window):
    model = window.model
    three_runs(model)
    model.step(7)
    model.select_run(1)
    model.set_learning_rate(0.002)
    assert [r.descent.steps for r in model.runs] == [7, 0, 7]
    assert model.runs[1].settings.learning_rate == 0.002
    assert model.runs[0].settings.learning_rate == preset_by_name("Himmelblau").learning_rate


def test_play_races_every_visible_run_one_step_per_tick(qtbot, window, monkeypatch):
    model = window.model
    three_runs(model)
    model.set_run_visible(1, False)
    model.set_speed(1000.0 / FRAME_MS)  # one step per tick
    model.play()
    model.pause()  # drive the ticks by hand: no wall clock
    for _ in range(5):
        model._on_tick()
    assert [r.descent.steps for r in model.runs] == [5, 0, 5]  # the hidden run does not move


def test_steps_race_in_lockstep_within_the_frame_budget(qtbot, window):
    model = window.model
    three_runs(model)
    now = [0.0]

    def clock():  # each call of the clock is 0.6 ms later
        now[0] += 0.0006
        return now[0]

    model.clock = clock
    taken = model._steps_within_budget(10_000)
    steps = [r.descent.steps for r in model.runs]
    assert steps == [taken] * 3 and 0 < taken < 10_000  # the budget ended the frame early


def test_step_buttons_step_every_visible_run(qtbot, window):
    model = window.model
    three_runs(model)
    window.descent.step100_btn.click()
    assert [r.descent.steps for r in model.runs] == [100, 100, 100]


def test_add_remove_rename_and_hide_from_the_run_list(qtbot, window):
    model, runs = window.model, window.run_list
    runs.add_btn.click()
    assert len(model.runs) == 2 and model.selected == 1
    tree = runs.list
    assert tree.objectName() == "runList" and tree.topLevelItemCount() == 2
    item = tree.topLevelItem(1)
    item.setText(0, "my run")  # as the editor does
    assert model.runs[1].name == "my run" and tree.topLevelItem(1) is item
    item.setCheckState(0, Qt.Unchecked)
    assert not model.runs[1].visible and "hidden" in tree.topLevelItem(1).text(1)
    tree.setCurrentItem(tree.topLevelItem(0))
    assert model.selected == 0
    runs.remove_btn.click()
    assert [r.name for r in model.runs] == ["my run"] and model.selected == 0
    assert tree.topLevelItemCount() == 1


def test_the_run_list_says_each_runs_state_in_words(qtbot, window):
    model = window.model
    model.set_learning_rate(0.01)
    model.step(5000)  # converges
    model.add_run((4.0, 4.0))
    model.set_learning_rate(0.3)  # diverges on Himmelblau
    model.step(200)
    states = [window.run_list.list.topLevelItem(i).text(1) for i in range(2)]
    assert states[0].startswith("converged after ")
    assert states[1].startswith("diverged after ")


def test_shift_click_adds_a_run_there_and_a_click_moves_the_start(qtbot, window):
    model, view = window.model, window.contour
    pos = view.data_to_viewport(1.5, -2.0)
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, Qt.ShiftModifier, pos)
    assert len(model.runs) == 2 and model.selected == 1
    assert model.start == pytest.approx((1.5, -2.0), abs=0.05)
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, Qt.NoModifier, view.data_to_viewport(-1, 1))
    assert len(model.runs) == 2 and model.start == pytest.approx((-1.0, 1.0), abs=0.05)
    assert model.runs[0].settings.start == preset_by_name("Himmelblau").start


def test_other_runs_are_drawn_in_their_colours_with_their_current_points(qtbot, window):
    model, view = window.model, window.contour
    three_runs(model)
    model.step(10)
    assert len(view.other_items) == 2
    for (path, end), run in zip(view.other_items, model.runs[:2]):
        xs, ys = path.getData()
        assert len(xs) > 1 and (xs[-1], ys[-1]) == pytest.approx(run.current_point)
        assert end.data["x"][0] == pytest.approx(run.current_point[0])
        assert path.opts["pen"].color().name() == run.color


def test_hyperparameter_field_and_slider_set_the_selected_run(qtbot, window):
    model = window.model
    model.set_optimizer("rmsprop")
    field = window.findChild(NumberSpinBox, "hyper_rho")
    slider = window.findChild(QSlider, "hyper_rhoSlider")
    assert field is not None and slider is not None and field.value() == 0.9
    assert window.findChild(NumberSpinBox, "hyper_eps").value() == 1e-8
    assert window.findChild(QSlider, "hyper_epsSlider") is None  # no slider for eps
    field.lineEdit().selectAll()
    qtbot.keyClicks(field.lineEdit(), "0,5")
    qtbot.keyClick(field.lineEdit(), Qt.Key_Return)
    assert model.hyperparameters == {"rho": 0.5, "eps": 1e-8}
    assert slider.value() == 500
    slider.setValue(750)
    assert model.hyperparameters["rho"] == 0.75 and model.run.steps == 0
    model.set_optimizer("gd")  # no hyperparameters: no rows
    assert window.findChild(NumberSpinBox, "hyper_rho") is None


def test_schedule_and_its_parameters(qtbot, window):
    model = window.model
    controls = window.descent.optimizer_controls
    controls.schedule.setCurrentIndex(controls.schedule.findData("step"))
    assert model.schedule == ("step", {"every": 100.0, "gamma": 0.5})
    every = window.findChild(NumberSpinBox, "schedule_every")
    every.setValue(10)
    assert model.schedule == ("step", {"every": 10.0, "gamma": 0.5})
    model.step(25)
    run = model.run
    want = descend(model.function, model.start, model.learning_rate, 25, model.tol,
                   schedule=("step", {"every": 10, "gamma": 0.5}))
    np.testing.assert_array_equal(run.trajectory, want.trajectory)


def test_refused_hyperparameter_keeps_the_run_and_says_why(qtbot, window):
    model = window.model
    model.set_optimizer("momentum")
    notices = []
    model.notice.connect(notices.append)
    model.step(3)
    model.set_hyperparameter("beta", 1.0)
    assert notices == ["Momentum (heavy ball) beta must be in [0, 1), got 1"]
    assert model.hyperparameters == {"beta": 0.9} and model.run.steps == 3


def test_csv_has_every_run_with_its_name_optimizer_and_hyperparameters(qtbot, window, tmp_path):
    model = window.model
    three_runs(model)
    model.rename_run(0, "plain")
    model.step(4)
    path = tmp_path / "runs.csv"
    assert window.export_csv(str(path))
    rows = read_csv(path)
    assert len(rows) == 3 * 5
    by_run = {}
    for row in rows:
        by_run.setdefault(row["run"], []).append(row)
    assert [by_run[i][0]["run_name"] for i in (1, 2, 3)] == ["plain", model.runs[1].name,
                                                             model.runs[2].name]
    assert [by_run[i][0]["optimizer"] for i in (1, 2, 3)] == ["gd", "momentum", "adam"]
    assert by_run[2][0]["hyperparameters"] == {"beta": 0.8}
    assert by_run[3][0]["hyperparameters"] == {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    for i, run in enumerate(model.runs, start=1):
        got = np.array([[r["x"], r["y"], r["f"]] for r in by_run[i]])
        np.testing.assert_array_equal(got, run.descent.trajectory[:, 1:4])


def test_one_place_applies_a_state(qtbot, window, tmp_path, monkeypatch):
    model = window.model
    applied = []
    real = model_module.ExplorerModel.apply
    monkeypatch.setattr(model_module.ExplorerModel, "apply",
                        lambda self, state: (applied.append(state), real(self, state))[1])
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.set_expression("x^2 + 2*y^2")   # a new function
    # the history records a step once the signals of a change have settled: wait for each
    qtbot.waitUntil(window.history.canUndo, timeout=15000)
    model.set_start(1.0, 1.0)
    qtbot.waitUntil(lambda: window.history.undoText() == "move the start to (1, 1)",
                    timeout=15000)
    window.undo_action.trigger()           # undo
    path = tmp_path / "s.gdx.json"
    assert window.save_session(str(path))
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        window.open_session(str(path))     # a session
    assert len(applied) == 3 and all(isinstance(s, State) for s in applied)
    snapshot = model.snapshot()
    assert snapshot.function is model.function and snapshot.runs == tuple(model.runs)
    assert snapshot.settings.start == model.start and snapshot.selected == model.selected


def test_undo_brings_back_a_moved_start_of_one_of_several_runs(qtbot, window):
    model = window.model
    three_runs(model)
    model.select_run(1)
    qtbot.wait(10)
    model.set_start(0.5, 0.5)
    qtbot.wait(10)
    assert window.history.undoText() == "move the start to (0.5, 0.5)"
    window.undo_action.trigger()
    assert model.start == (-4.0, 4.0) and len(model.runs) == 3 and model.selected == 1
    assert model.runs[1].settings.optimizer == "momentum"


def test_basins_follow_the_selected_runs_optimizer(qtbot, window):
    model = window.model
    analysis = model.analysis
    with qtbot.waitSignal(analysis.basinsChanged, timeout=60000):
        analysis.show_basins(resolution=30, steps=300)
    assert analysis.basins_method[2] == "gd" and len(analysis.basins.ends) == 4
    model.set_optimizer("newton")
    model.set_learning_rate(1.0)
    assert analysis.basins is None  # the map belonged to gradient descent
    with qtbot.waitSignal(analysis.basinsChanged, timeout=60000):
        analysis.show_basins(resolution=30, steps=100)
    assert analysis.basins_method[2] == "newton" and len(analysis.basins.ends) > 4
    assert "Newton's method (damped) from this window ends at" in window.analysis.label.text()


def test_a_runs_name_follows_its_optimizer_unless_the_user_named_it(qtbot, window):
    model, tree = window.model, window.run_list.list
    assert model.runs[0].name == "run 1: Gradient descent"
    model.set_optimizer("adam")
    assert model.runs[0].name == "run 1: Adam" and tree.topLevelItem(0).text(0) == "run 1: Adam"
    model.rename_run(0, "fast one: Adam")       # the user's own name stays
    model.set_optimizer("momentum")
    assert model.runs[0].name == "fast one: Adam"
    model.rename_run(0, "run 7: Adam")          # looks automatic, but names another optimizer
    model.set_optimizer("gd")
    assert model.runs[0].name == "run 7: Adam"


def test_with_no_run_moving_the_start_moves_the_current_point_in_every_pane(qtbot, window):
    model = window.model
    while model.runs:
        model.remove_run(0)
    points = []
    model.pointChanged.connect(lambda x, y: points.append((x, y)))
    model.set_start(1.0, 2.0)
    assert model.current_point == (1.0, 2.0) and points == [(1.0, 2.0)]
    assert window.editor.values.text().startswith("(x, y) = (1, 2)")
