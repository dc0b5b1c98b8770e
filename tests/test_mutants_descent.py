"""core.descent: tests that kill the mutants tools/mutate.py found surviving (issue 13)."""
import numpy as np
import pytest

from gd_explorer.core import InputError, descend, parse_function
from gd_explorer.core.descent import Descent


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
