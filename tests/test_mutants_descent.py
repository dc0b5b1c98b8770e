"""core.descent: tests that kill the mutants tools/mutate.py found surviving (issue 13)."""
import numpy as np
import pytest

from gd_explorer.core import InputError, descend, parse_function
from gd_explorer.core.descent import Descent, NextStep, next_point, still_falling


@pytest.fixture(scope="module")
def bowl():
    return parse_function("x^2 + y^2")  # ∇f = (2x, 2y)


# ----- the limits of the settings, at their ends ----------------------------------------------
def test_ten_million_steps_is_the_most(bowl):
    assert Descent(bowl, (1.0, 1.0), 0.1, max_steps=10_000_000).max_steps == 10_000_000
    with pytest.raises(InputError) as info:
        Descent(bowl, (1.0, 1.0), 0.1, max_steps=10_000_001)
    assert str(info.value) == "the number of steps must be between 1 and 10,000,000"


def test_1e_12_is_the_smallest_learning_rate(bowl):
    assert Descent(bowl, (1.0, 1.0), 1.5e-12).learning_rate == 1.5e-12
    assert Descent(bowl, (1.0, 1.0), 1e-12).learning_rate == 1e-12
    with pytest.raises(InputError) as info:
        Descent(bowl, (1.0, 1.0), 9e-13)
    assert str(info.value) == "the learning rate must be between 1e-12 and 1e6"


def test_huge_values_of_f_up_to_1e150_are_descended_on():
    # f = 1e120 + x² + y² is 1e120 in floating point, with ∇f = (2x, 2y): with lr = 0.25 each
    # step halves the point, and ‖∇f‖ = 2√2 / 2^k < 1e-6 first at k = 22
    r = descend(parse_function("1e120 + x^2 + y^2"), (1.0, 1.0), 0.25, max_steps=100)
    assert r.status == "converged" and r.nit == 22 and r.fun == 1e120


def test_a_step_to_where_f_is_beyond_1e150_is_the_step_that_diverged():
    # f = x^20 from x = 2 with lr = 10: x1 = 2 - 10·20·2^19 = -104857598, well inside the
    # run-away distance (1e12 times the start's), but f(x1) = 2.6e160: diverged at step 1
    r = descend(parse_function("x^20 + y^2"), (2.0, 0.0), 10.0, max_steps=100)
    assert r.status == "diverged" and r.nit == 0
    assert r.message == "diverged after 0 steps (step 1 ran away): try a smaller learning rate"


def test_a_start_with_one_undefined_partial_derivative_is_refused():
    with pytest.raises(InputError) as info:
        Descent(parse_function("x + sqrt(y)"), (1.0, 0.0), 0.1)  # ∂f/∂y = 1/(2√y) = ∞
    assert str(info.value).startswith("the gradient of f is not defined at the start point (1, 0)")


# ----- stepping -------------------------------------------------------------------------------
def test_step_takes_one_step_by_default(bowl):
    run = Descent(bowl, (1.0, 1.0), 0.25)
    assert run.step() == 1 and run.steps == 1
    assert run.row(-1)[1:3].tolist() == [0.5, 0.5]


def test_step_with_a_callback_takes_exactly_the_count(bowl):
    run = Descent(bowl, (1.0, 1.0), 0.25)
    seen = []
    assert run.step(3, callback=lambda row: seen.append(row[0])) == 3
    assert run.steps == 3 and seen == [1.0, 2.0, 3.0] and not run.finished


def test_view_is_the_rows_read_only(bowl):
    run = Descent(bowl, (1.0, 1.0), 0.25)
    run.step(2)
    rows = run.view()
    assert rows[:, 1].tolist() == [1.0, 0.5, 0.25] and not rows.flags.writeable
    np.testing.assert_array_equal(rows, run.trajectory)


# ----- resuming saved rows ---------------------------------------------------------------------
def test_a_run_saved_before_its_first_step_resumes(bowl):
    rows = [[0.0, 1.0, 1.0, 2.0, 2.0, 2.0, 8 ** 0.5]]
    run = Descent.resume(bowl, rows, learning_rate=0.25)
    assert run.steps == 0
    run.step(1)
    assert run.trajectory[:, 1:3].tolist() == [[1.0, 1.0], [0.5, 0.5]]


def test_a_resumed_run_has_the_default_tolerance_1e_6(bowl):
    # from x = 1.5e-6 (y = 0) a step of lr = 0.25 halves x: ‖∇f‖ = 2x = 1.5e-6, not below 1e-6
    rows = [[0.0, 1.5e-6, 0.0, 2.25e-12, 3e-6, 0.0, 3e-6]]
    run = Descent.resume(bowl, rows, learning_rate=0.25)
    run.step(1)
    assert not run.finished
    run.step(1)  # x = 3.75e-7: ‖∇f‖ = 7.5e-7
    assert run.status == "converged" and run.steps == 2


def test_resume_keeps_the_start_of_the_rows(bowl):
    rows = [[0.0, 2.0, -1.0, 5.0, 4.0, -2.0, 20 ** 0.5], [1.0, 1.0, -0.5, 1.25, 2.0, -1.0, 5 ** 0.5]]
    run = Descent.resume(bowl, rows, learning_rate=0.25)
    run.step(1)
    assert run.trajectory[:, 1:3].tolist() == [[2.0, -1.0], [1.0, -0.5], [0.5, -0.25]]


def test_resume_has_the_defaults_of_a_new_run(bowl):
    run = Descent.resume(bowl, [[0.0, 1.0, 1.0, 2.0, 2.0, 2.0, 8 ** 0.5]])
    assert (run.learning_rate, run.max_steps) == (0.01, 1000)


def test_a_resumed_run_at_its_last_step_takes_no_more(bowl):
    # three rows (steps 0, 1, 2) saved as running, with max_steps 2: nothing is left to take
    rows = [[0.0, 1.0, 1.0, 2.0, 2.0, 2.0, 8 ** 0.5], [1.0, 0.5, 0.5, 0.5, 1.0, 1.0, 2 ** 0.5],
            [2.0, 0.25, 0.25, 0.125, 0.5, 0.5, 0.5 ** 0.5]]
    run = Descent.resume(bowl, rows, learning_rate=0.25, max_steps=2)
    assert run.step(5) == 0 and run.steps == 2


@pytest.mark.parametrize("text, start, lr", [
    ("x^2 + y^2", (1.0, 1.0), 0.5),   # x - 0.5·2x = 0
    ("x^4 + y^2", (0.5, 0.0), 1.0),   # 0.5 - 4·0.5³ = 0, where the Hessian is singular
])
def test_a_step_onto_the_minimum_itself_converges(text, start, lr):
    # ∇f = (0, 0) exactly after one step: converged, nothing to probe along -∇f
    r = descend(parse_function(text), start, lr)
    assert r.status == "converged" and r.nit == 1 and r.x.tolist() == [0.0, 0.0]


# ----- the next step, as the step preview shows it ---------------------------------------------
def test_next_point_is_the_runs_own_next_step_without_taking_it(bowl):
    run = Descent(bowl, (1.0, 1.0), 0.25)  # x - 0.25·2x = x/2
    assert next_point(run) == NextStep(0.5, 0.5, 0.5, -0.5, -0.5)
    assert run.steps == 0
    run.step(1)
    assert next_point(run) == NextStep(0.25, 0.25, 0.125, -0.25, -0.25)


def test_a_finished_run_has_no_next_step(bowl):
    run = Descent(bowl, (1.0, 1.0), 0.5)
    run.step(10)
    assert run.status == "converged" and run.steps == 1 and next_point(run) is None
    rows = [[0.0, 1.0, 1.0, 2.0, 2.0, 2.0, 8 ** 0.5], [1.0, 0.5, 0.5, 0.5, 1.0, 1.0, 2 ** 0.5]]
    assert next_point(Descent.resume(bowl, rows, learning_rate=0.25, max_steps=1)) is None


# ----- why a run stops -------------------------------------------------------------------------
def test_f_falling_to_minus_infinity_is_no_minimum_not_a_too_large_rate():
    # f = -exp(x), lr = 2: x = 0, 2, 2 + 2e² = 16.78, then 16.78 + 2e^16.78 ≈ 3.9e7 where
    # f = -∞: f fell at every step and falls on, so there is no minimum that way
    r = descend(parse_function("-exp(x) + y^2"), (0.0, 0.0), 2.0)
    assert r.status == "diverged" and r.nit == 2
    assert r.message == ("diverged after 2 steps (step 3 ran away): f decreases without bound "
                         "along the path, so there is no minimum to reach this way")


def test_a_start_with_a_tiny_gradient_where_f_still_falls_is_still_falling():
    # f = 1e-7·x - x² + y² at (0, 0): ‖∇f‖ = 1e-7 < tol, but f falls along -x as far as we
    # look (-1e-7·t - t²), from 1/256 of a unit (the point's size is below 1) to 16 units
    run = Descent(parse_function("1e-7*x - x^2 + y^2"), (0.0, 0.0), 0.1)
    assert run.status == "still_falling"


def test_f_rising_within_the_first_probe_is_not_still_falling():
    # f = 0.001x + x² + 2x³ - y² along -∇f = -x, g(t) = f(-t) = -0.001t + t² - 2t³ rises
    # at t = 1/256 (a minimum at t ≈ 0.0005), though it falls for every t from 1 on
    fn = parse_function("0.001*x + x^2 + 2*x^3 - y^2")
    assert still_falling(fn, (0.0, 0.0), 0.0, (0.001, 0.0)) is False


@pytest.mark.parametrize("text, start, words", [
    ("1/x^2 + y^2", (0.0, 0.0), "f is not defined at the start point (0, 0)"),  # a pole
    # exp(x) overflows from x = 709.7827 on: at 709.783 it is finite 7e-4 to the left
    ("exp(x)", (709.783, 0.0), "f is not defined at the start point (709.8, 0)"),
    ("exp(x)", (710.0, 0.0), "f overflows at the start point (710, 0)"),
])
def test_f_overflows_at_the_start_only_when_it_is_infinite_all_round(text, start, words):
    with pytest.raises(InputError) as info:
        Descent(parse_function(text), start, 0.1)
    assert str(info.value).startswith(words)
