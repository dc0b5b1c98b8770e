"""gui.model: tests that kill the mutants tools/mutate.py found surviving (issue 13)."""
import math

import pytest

from gd_explorer.core.function import parse_function
from gd_explorer.gui import model as model_module
from gd_explorer.gui.app import make_app
from gd_explorer.gui.model import ExplorerModel


@pytest.fixture
def model(qtbot):
    make_app()
    return ExplorerModel()


@pytest.fixture
def bowl(model):
    model.set_function(parse_function("x^2 + y^2"))  # ∇f = (2x, 2y)
    return model


def test_a_new_model_shows_the_square_from_minus_3_to_3_without_ds(model):
    assert model.window == model.default_window == ((-3.0, 3.0), (-3.0, 3.0))
    assert model.ds_shown is False


@pytest.mark.parametrize("text, spacing", [("x^2 + y^2", "linear"),
                                           ("exp(x^2 + y^2)", "log")])  # 1 to e^18
def test_a_typed_formula_gets_the_spacing_its_values_call_for(model, text, spacing):
    model.set_function(parse_function(text))
    assert model.spacing == spacing


def test_the_spacing_is_chosen_from_a_60_by_60_sample(model, monkeypatch):
    sizes, sample_grid = [], model_module.sample_grid

    def spy(fn, xrange, yrange, n):
        sizes.append(n)
        return sample_grid(fn, xrange, yrange, n)

    monkeypatch.setattr(model_module, "sample_grid", spy)
    model.set_function(parse_function("x^2 + y^2"))
    assert sizes == [60]


def test_the_same_start_at_step_0_changes_nothing(bowl, qtbot):
    bowl.set_start(2.0, 1.0)
    run = bowl.run
    with qtbot.assertNotEmitted(bowl.startChanged):
        bowl.set_start(2.0, 1.0)
    assert bowl.run is run


def test_showing_a_run_past_the_last_does_nothing(bowl, qtbot):
    with qtbot.assertNotEmitted(bowl.runsChanged):
        bowl.set_run_visible(1, False)
    assert [r.visible for r in bowl.runs] == [True]


def test_clearing_the_other_runs_of_two_keeps_the_selected_one(bowl):
    bowl.add_run((1.0, 1.0))
    assert len(bowl.runs) == 2 and bowl.selected == 1
    kept = bowl.runs[1]
    bowl.clear_other_runs()
    assert bowl.runs == [kept] and bowl.selected == 0


def test_stepping_with_no_run_left_to_step_takes_0_steps(bowl):
    bowl.set_run_visible(0, False)
    assert bowl.step(5) == 0


def test_a_selected_run_that_could_not_start_lets_the_others_step(model):
    model.set_function(parse_function("sqrt(x) + y^2"))
    model.set_start(1.0, 1.0)
    model.add_run((-1.0, 0.0))  # f is not defined there: no descent, selected
    assert model.run is None
    assert model.step(2) == 0
    assert model.runs[0].descent.steps == 2


def test_a_run_that_leaves_the_view_says_at_which_step(bowl):
    # lr = 1.5 on x²: x → -2x, from 1: 1, -2, 4, -8; the window ends at 3: out at step 2
    bowl.set_learning_rate(1.5)
    bowl.set_start(1.0, 0.0)
    bowl.step(3)
    assert bowl.selected_run.left_view == "left the view at step 2: f = 16 at (4, 0)"


def test_chunks_grow_to_fill_the_frame_budget_and_no_more(bowl, monkeypatch):
    # a clock that reads the steps taken: each step costs 1 s of a 100 s budget. Chunks double
    # while they fit: after 1 + 2 + … + 32 = 63 steps at 1 s each, 37 are left in the budget
    readings = []

    def clock():
        readings.append(bowl.run.steps)
        return float(bowl.run.steps)

    bowl.clock = clock
    monkeypatch.setattr(model_module, "FRAME_BUDGET_S", 100.0)
    bowl.set_learning_rate(1e-9)
    assert bowl._steps_within_budget(1000) == 100
    chunks = [t1 - t0 for t0, t1 in zip(readings[1::2], readings[2::2])]  # after the deadline
    assert chunks == [1, 2, 4, 8, 16, 32, 37]


def test_the_whole_path_is_shown_with_a_tenth_of_its_size_around_it(bowl):
    # lr 0.25 halves x: (1, 0), (0.5, 0), (0.25, 0): 0.75 wide, padded by 0.075
    bowl.set_learning_rate(0.25)
    bowl.set_start(1.0, 0.0)
    bowl.step(2)
    bowl.show_whole_path()
    (x0, x1), (y0, y1) = bowl.window
    assert (x0, x1, y0, y1) == pytest.approx((0.175, 1.075, -0.075, 0.075), abs=1e-12)


def test_a_tiny_negative_angle_is_0_not_2_pi(model):
    model.set_angle(-1e-17)  # -1e-17 mod 2π rounds up to 2π
    assert model.angle == 0.0


def test_ds_is_a_round_share_of_the_window_until_it_is_set(bowl):
    # DS_FRACTION · 6 = 0.6 (one significant digit), along (0.8, 0.6): (0.48, 0.36)
    assert bowl.ds == (0.48, 0.36)
    assert bowl.set_ds(0.1, -0.2) and bowl.ds == (0.1, -0.2)


@pytest.mark.parametrize("dx, dy, ok", [(0.2, 0.0, True), (0.0, -0.3, True), (0.0, 0.0, False),
                                        (math.inf, 1.0, False), (1.0, math.nan, False)])
def test_ds_may_be_along_an_axis_but_not_zero_or_infinite(bowl, dx, dy, ok):
    assert bowl.set_ds(dx, dy) is ok
    assert bowl.ds == ((dx, dy) if ok else (0.48, 0.36))


def test_a_session_brings_back_each_runs_colour(bowl, qtbot):
    bowl.add_run((1.0, 1.0))
    session = bowl.session()
    session.runs[0].color, session.runs[1].color = "#eedd88", ""  # chosen, and none saved
    with qtbot.waitSignal(bowl.functionChanged, timeout=15000):
        bowl.load_session(session)
    assert [r.color for r in bowl.runs] == ["#eedd88", "#e69f00"]  # "": the first free one
