"""Gradient descent: the exact update rule, stability bound, statuses and argument checks."""
import math

import numpy as np
import pytest

from gd_explorer.core import COLUMNS, Descent, InputError, descend, parse_function

# f = x^2 + 10 y^2: grad = (2x, 20y), Hessian diag(2, 20), lambda_max = 20.
# x_{t+1} = (1 - 2 lr) x_t and y_{t+1} = (1 - 20 lr) y_t: stable iff lr < 2/20 = 0.1.
QUAD = "x^2 + 10*y^2"
ROSENBROCK = "(1 - x)^2 + 100*(y - x^2)^2"


@pytest.fixture(scope="module")
def quad():
    return parse_function(QUAD)


@pytest.fixture(scope="module")
def rosen():
    return parse_function(ROSENBROCK)


def hand_quad_run(x, y, lr, steps):
    """The same run by hand: rows (step, x, y, f, df_dx, df_dy, grad_norm)."""
    rows = []
    for t in range(steps + 1):
        gx, gy = 2 * x, 20 * y
        rows.append((t, x, y, x * x + 10 * (y * y), gx, gy, math.hypot(gx, gy)))
        x, y = x - lr * gx, y - lr * gy
    return rows


# --- the update rule ---------------------------------------------------------------------------

def test_steps_match_hand_recurrence_bit_for_bit(quad):
    lr = 0.03
    result = descend(quad, (1.7, -0.9), lr, max_steps=12, tol=0.0)
    traj = result.trajectory
    assert traj.shape == (13, len(COLUMNS))
    assert traj.dtype == np.float64
    want = np.array(hand_quad_run(1.7, -0.9, lr, 12))
    assert traj.tobytes() == want.tobytes()  # bit-for-bit, not approximately
    # and the first step written out: x1 = 1.7 - 0.03*3.4, y1 = -0.9 - 0.03*(-18)
    assert traj[1, 1] == 1.7 - 0.03 * 3.4
    assert traj[1, 2] == -0.9 - 0.03 * -18.0


def test_each_step_is_x_minus_lr_times_gradient(rosen):
    lr = 0.001
    traj = descend(rosen, (-1.2, 1.0), lr, max_steps=50, tol=0.0).trajectory
    assert len(traj) == 51
    for prev, row in zip(traj[:-1], traj[1:]):
        assert row[0] == prev[0] + 1
        assert row[1] == prev[1] - lr * prev[4]
        assert row[2] == prev[2] - lr * prev[5]
        x, y = row[1], row[2]
        # the stored gradient is Rosenbrock's, written by hand
        assert row[3] == pytest.approx((1 - x) ** 2 + 100 * (y - x ** 2) ** 2, rel=1e-12)
        assert row[4] == pytest.approx(-2 * (1 - x) - 400 * x * (y - x ** 2), rel=1e-10, abs=1e-12)
        assert row[5] == pytest.approx(200 * (y - x ** 2), rel=1e-10, abs=1e-12)
        assert row[6] == math.hypot(row[4], row[5])
    # the first step by hand: grad(-1.2, 1) = (-215.6, -88)
    assert traj[1, 1] == pytest.approx(-1.2 + 0.2156, rel=1e-14)
    assert traj[1, 2] == pytest.approx(1.0 + 0.088, rel=1e-14)


def test_deterministic(rosen):
    a = descend(rosen, (-1.2, 1.0), 0.001, max_steps=500)
    b = descend(rosen, (-1.2, 1.0), 0.001, max_steps=500)
    assert a.trajectory.tobytes() == b.trajectory.tobytes()
    assert (a.status, a.message, a.nit, a.fun) == (b.status, b.message, b.nit, b.fun)


def test_stepping_in_chunks_equals_one_run(rosen):
    whole = descend(rosen, (-1.2, 1.0), 0.001, max_steps=200)
    run = Descent(rosen, (-1.2, 1.0), 0.001, max_steps=200)
    assert run.step(7) == 7
    assert run.steps == 7 and not run.finished
    run.step(1)
    run.step(1000)
    assert run.finished
    assert run.trajectory.tobytes() == whole.trajectory.tobytes()
    assert run.step(5) == 0  # a finished run does not move


# --- stability: lr < 2 / lambda_max ------------------------------------------------------------

@pytest.mark.parametrize("lr", [0.01, 0.05, 0.09, 0.099])
def test_converges_below_two_over_lambda_max(quad, lr):
    result = descend(quad, (1.5, -1.0), lr, max_steps=20000, tol=1e-8)
    assert result.status == "converged"
    assert result.success
    assert result.message.startswith(f"converged after {result.nit} steps")
    assert np.all(np.abs(result.x) < 1e-8)
    assert result.trajectory[-1, 6] < 1e-8 <= result.trajectory[-2, 6]
    # the slowest factor is max(|1 - 2 lr|, |1 - 20 lr|); the step count follows from it
    rate = max(abs(1 - 2 * lr), abs(1 - 20 * lr))
    assert result.nit < math.log(1e-8 / 100) / math.log(rate) + 5


@pytest.mark.parametrize("lr", [0.101, 0.11, 0.15, 0.5])
def test_diverges_above_two_over_lambda_max(quad, lr):
    result = descend(quad, (1.5, -1.0), lr, max_steps=100000)
    assert result.status == "diverged"
    assert not result.success
    k = result.nit + 1
    assert result.message == (f"diverged after {k - 1} steps (step {k} ran away): "
                              "try a smaller learning rate")
    traj = result.trajectory
    assert np.isfinite(traj).all()  # the bad point is not appended
    assert traj[-1, 0] == k - 1
    # y is multiplied by (1 - 20 lr) at every step, |1 - 20 lr| > 1
    ys = traj[:, 2]
    np.testing.assert_allclose(ys[1:] / ys[:-1], 1 - 20 * lr, rtol=1e-12)
    # and the rejected next point really is past the limits
    x, y = traj[-1, 1] - lr * traj[-1, 4], traj[-1, 2] - lr * traj[-1, 5]
    far = 1e12 * (1 + math.hypot(1.5, -1.0))  # a trillion times the start's distance from 0
    assert math.hypot(x, y) > far or x * x + 10 * y * y > 1e150 or not math.isfinite(y)
    assert math.hypot(*traj[-1, 1:3]) <= far  # and the last kept point is not


def test_one_dimensional_bound_on_each_axis():
    # f = 3 x^2 + 0.5 y^2: eigenvalues 6 and 1, so the bound is 2/6
    fn = parse_function("3*x^2 + 0.5*y^2")
    assert descend(fn, (1.0, 1.0), 0.3, max_steps=5000).status == "converged"
    assert descend(fn, (1.0, 1.0), 0.36, max_steps=5000).status == "diverged"
    # starting on the y axis, only the y curvature (1) matters: lr = 1.5 < 2 converges
    assert descend(fn, (0.0, 1.0), 1.5, max_steps=5000).status == "converged"
    assert descend(fn, (0.0, 1.0), 2.5, max_steps=5000).status == "diverged"


# --- statuses and messages -------------------------------------------------------------------

def test_max_steps(quad):
    result = descend(quad, (1.0, 1.0), 0.001, max_steps=5)
    assert result.status == "max_steps"
    assert result.message == "max steps reached (5 steps)"
    assert result.nit == 5 and len(result.trajectory) == 6


def test_left_the_domain():
    fn = parse_function("log(x) + y^2")
    # grad at (1, 1) is (1, 2): the first step goes to (-9, -19), where log is undefined
    result = descend(fn, (1.0, 1.0), 10.0, max_steps=100)
    assert result.status == "left_domain"
    assert result.message == "stopped after 0 steps (step 1 left the domain of f)"
    assert len(result.trajectory) == 1
    assert result.nit == 0 and result.fun == 1.0
    # a later exit: sqrt(x) from x = 4 with lr = 20: x1 = 4 - 20/(2*2) = -1
    result = descend(parse_function("sqrt(x) + y^2"), (4.0, 0.5), 20.0, max_steps=100)
    assert result.message == "stopped after 0 steps (step 1 left the domain of f)"
    result = descend(parse_function("log(x)"), (3.0, 0.0), 1.0, max_steps=100)
    # x1 = 3 - 1/3, x2 = x1 - 1/x1, ... until x <= 0
    x, t = 3.0, 0
    while x > 0:
        x, t = x - 1.0 / x, t + 1
    assert result.message == f"stopped after {t - 1} steps (step {t} left the domain of f)"
    assert len(result.trajectory) == t


def test_zero_gradient_at_start(quad):
    result = descend(quad, (0.0, 0.0), 0.1, max_steps=100)
    assert result.status == "critical_start"
    assert "gradient is zero at the start point" in result.message
    assert result.nit == 0 and len(result.trajectory) == 1
    assert result.x.tolist() == [0.0, 0.0]
    saddle = parse_function("x^2 - y^2")
    assert descend(saddle, (0, 0), 0.1).status == "critical_start"


def test_converged_at_start(quad):
    result = descend(quad, (1e-8, 0.0), 0.1, max_steps=100, tol=1e-6)
    assert result.status == "converged"
    assert result.message.startswith("converged after 0 steps")
    assert result.nit == 0


def test_converged_message(quad):
    # lr = 0.25 on x^2 + 10 y^2 from (1, 0): x halves each step, |grad| = 2 * 0.5^t < 1e-6
    # first at t = 21 (2 * 0.5^21 = 9.5e-7; 2 * 0.5^20 = 1.9e-6)
    result = descend(quad, (1.0, 0.0), 0.25, max_steps=1000, tol=1e-6)
    assert result.nit == 21
    assert result.message.startswith("converged after 21 steps")
    assert result.x.tolist() == [0.5 ** 21, 0.0]


def test_callback_return_true_stops(quad):
    seen = []

    def callback(row):
        seen.append(row)
        return row[0] >= 3

    result = descend(quad, (1.0, 1.0), 0.01, max_steps=100, callback=callback)
    assert result.status == "stopped"
    assert result.message == "stopped at step 3"
    assert len(result.trajectory) == 4 and result.nit == 3
    assert np.array_equal(np.array(seen), result.trajectory[1:])


def test_callback_stop_iteration_stops(quad):
    def callback(row):
        if row[0] == 2:
            raise StopIteration
        return None

    result = descend(quad, (1.0, 1.0), 0.01, max_steps=100, callback=callback)
    assert result.status == "stopped"
    assert result.message == "stopped at step 2"
    assert result.nit == 2


def test_callback_returning_nothing_does_not_stop(quad):
    calls = []
    result = descend(quad, (1.0, 1.0), 0.01, max_steps=10, callback=calls.append)
    assert result.status == "max_steps" and len(calls) == 10


def test_callback_rows_are_copies(quad):
    def callback(row):
        row[:] = -1.0

    result = descend(quad, (1.0, 1.0), 0.01, max_steps=3, callback=callback)
    assert np.array_equal(result.trajectory, np.array(hand_quad_run(1.0, 1.0, 0.01, 3)))


def test_stop_method(quad):
    run = Descent(quad, (1.0, 1.0), 0.01, max_steps=100)
    run.step(4)
    run.stop()
    assert run.status == "stopped" and run.message == "stopped at step 4"
    assert run.step(1) == 0


# --- result fields ---------------------------------------------------------------------------

@pytest.mark.parametrize("lr, steps", [(0.01, 5), (0.09, 5000), (0.2, 5000)])
def test_result_fields_match_last_row(quad, lr, steps):
    result = descend(quad, (1.5, -1.0), lr, max_steps=steps)
    last = result.trajectory[-1]
    assert result.x.tolist() == [last[1], last[2]]
    assert result.fun == last[3]
    assert result.jac.tolist() == [last[4], last[5]]
    assert result.nit == int(last[0]) == len(result.trajectory) - 1
    assert type(result.nit) is int and type(result.fun) is float
    assert result.optimizer == "gd" and result.learning_rate == lr
    assert result.expression == QUAD
    result.x[0] = 1e9  # a copy, not a view of the trajectory
    assert result.trajectory[-1, 1] == last[1]


def test_trajectory_property_is_a_copy(quad):
    run = Descent(quad, (1.0, 1.0), 0.01)
    traj = run.trajectory
    traj[0, 1] = 42.0
    assert run.trajectory[0, 1] == 1.0


# --- other optimizers ------------------------------------------------------------------------

def test_momentum_first_steps_by_hand(quad):
    lr = 0.01
    traj = descend(quad, (1.0, 1.0), lr, max_steps=2, tol=0.0, optimizer="momentum").trajectory
    # v1 = -lr g0, p1 = p0 + v1; v2 = 0.9 v1 - lr g1, p2 = p1 + v2
    x0, y0 = 1.0, 1.0
    v1x, v1y = -lr * (2 * x0), -lr * (20 * y0)
    x1, y1 = x0 + v1x, y0 + v1y
    v2x, v2y = 0.9 * v1x - lr * (2 * x1), 0.9 * v1y - lr * (20 * y1)
    assert traj[1, 1:3].tolist() == [x1, y1]
    assert traj[2, 1:3].tolist() == [x1 + v2x, y1 + v2y]


def test_adam_first_step_is_about_lr_times_sign(quad):
    # after bias correction m = g and v = g^2, so the first step is lr * g / (|g| + eps)
    traj = descend(quad, (1.0, -2.0), 0.05, max_steps=1, optimizer="adam").trajectory
    assert traj[1, 1] == pytest.approx(1.0 - 0.05, rel=1e-9)
    assert traj[1, 2] == pytest.approx(-2.0 + 0.05, rel=1e-9)


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
def test_all_optimizers_reach_the_bowl_minimum(quad, optimizer):
    result = descend(quad, (1.5, -1.0), 0.01, max_steps=20000, tol=1e-6, optimizer=optimizer)
    assert result.status == "converged"
    assert np.all(np.abs(result.x) < 1e-3)


# --- argument checks ---------------------------------------------------------------------------

class Spy:
    """Counts calls to the function so we can tell that nothing ran."""

    def __init__(self, fn):
        self.fn, self.calls = fn, 0
        self.text = fn.text

    def value_and_gradient(self, x, y):
        self.calls += 1
        return self.fn.value_and_gradient(x, y)


GOOD = dict(start=(1.0, 1.0), learning_rate=0.1, max_steps=10, tol=1e-6, optimizer="gd")


@pytest.mark.parametrize("field, value", [
    ("start", (math.nan, 0.0)), ("start", (0.0, math.inf)), ("start", (1.0,)),
    ("start", (1.0, 2.0, 3.0)), ("start", "ab"), ("start", None), ("start", ("a", 1)),
    ("learning_rate", 0), ("learning_rate", 0.0), ("learning_rate", -0.1),
    ("learning_rate", math.nan), ("learning_rate", math.inf), ("learning_rate", True),
    ("learning_rate", "fast"), ("learning_rate", None), ("learning_rate", 1e7),
    ("max_steps", 0), ("max_steps", -1), ("max_steps", 10 ** 9), ("max_steps", 2.5),
    ("max_steps", True), ("max_steps", "10"), ("max_steps", None), ("max_steps", math.nan),
    ("tol", -1e-6), ("tol", math.nan), ("tol", False),
    ("optimizer", "sgd"), ("optimizer", None), ("optimizer", "GD"),
])
def test_invalid_arguments_rejected_before_running(quad, field, value):
    spy = Spy(quad)
    args = dict(GOOD, **{field: value})
    with pytest.raises(InputError):
        descend(spy, args["start"], args["learning_rate"], args["max_steps"], args["tol"],
                args["optimizer"])
    with pytest.raises(InputError):
        Descent(spy, **args)
    assert spy.calls == 0


def test_good_arguments_for_the_spy(quad):
    spy = Spy(quad)
    result = descend(spy, **GOOD)
    assert spy.calls == 11 and result.nit == 10
    # whole floats and numpy integers are accepted as step counts
    assert descend(quad, (1, 1), 0.01, max_steps=3.0).nit == 3
    assert descend(quad, (1, 1), 0.01, max_steps=np.int64(4)).nit == 4


def test_start_outside_the_domain():
    with pytest.raises(InputError, match="not defined at the start point"):
        descend(parse_function("log(x)"), (-1.0, 0.0), 0.1)


@pytest.mark.parametrize("text,start", [("x^2 - y^2", (1.5, 0.05)), ("x^3 - 3*x*y^2", (1.2, 0.6)),
                                        ("-x^2 - y^2", (0.3, 0.1))])
def test_divergence_on_an_unbounded_function_says_so(text, start):
    # f falls without bound along the path: a smaller learning rate would not help
    result = descend(parse_function(text), start, 0.05, max_steps=100000)
    assert result.status == "diverged"
    assert result.message == (f"diverged after {result.nit} steps (step {result.nit + 1} ran "
                              "away): f decreases without bound "
                              "along the path, so there is no minimum to reach this way")
    fs = result.trajectory[:, 3]
    assert (np.diff(fs[-3:]) < 0).all()


@pytest.mark.parametrize("tol,text", [(1e-6, "1e-6"), (1e-12, "1e-12"), (0.001, "0.001"),
                                      (2.5e-8, "2.5e-8"), (1e5, "100000")])
def test_convergence_message_writes_the_tolerance_as_people_do(tol, text):
    fn = parse_function("x^2 + y^2")
    result = descend(fn, (1.0, 1.0), 0.25, max_steps=10000, tol=tol)
    assert result.message == f"converged after {result.nit} steps (‖∇f‖ < {text})"


def test_runaway_is_caught_early_with_a_huge_learning_rate():
    # x^2 + 10 y^2 with lr = 1e6: |y| grows 2e7-fold per step; within a few steps it is far out
    result = descend(parse_function("x^2 + 10*y^2"), (1.0, 1.0), 1e6, max_steps=1000)
    assert result.status == "diverged" and result.nit <= 3
    assert result.message == (f"diverged after {result.nit} step{'' if result.nit == 1 else 's'} "
                              f"(step {result.nit + 1} ran away): try a smaller learning rate")


def test_start_where_only_the_gradient_is_undefined():
    from gd_explorer.core.descent import Descent

    with pytest.raises(InputError, match="the gradient of f is not defined at the start point"):
        Descent(parse_function("sqrt(x^2 + y^2)"), (0.0, 0.0), 0.1)
    with pytest.raises(InputError, match="^f is not defined at the start point"):
        Descent(parse_function("log(x)"), (-1.0, 0.0), 0.1)
