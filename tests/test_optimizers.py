"""The optimizer registry: each rule's first steps against recurrences written out by hand,
with non-default hyperparameters, so that a wrong constant anywhere fails a test."""
import math

import numpy as np
import pytest

import gd_explorer
from gd_explorer.core import InputError, descend, parse_function
from gd_explorer.core.optimizers import OPTIMIZERS, SCHEDULES

QUAD = "x^2 + 10*y^2"  # gradient (2x, 20y)
START = (1.5, -0.8)


@pytest.fixture(scope="module")
def quad():
    return parse_function(QUAD)


def quad_grad(x, y):
    return 2 * x, 20 * y


def first_points(fn, optimizer, lr, hyper, steps=3, start=START, schedule=None):
    r = descend(fn, start, lr, max_steps=steps, tol=0.0, optimizer=optimizer,
                hyperparameters=hyper, schedule=schedule)
    assert r.nit == steps, r.message
    return [tuple(row[1:3]) for row in r.trajectory]


def test_registry_lists_eight_optimizers_with_labels_and_sources():
    assert list(gd_explorer.OPTIMIZERS) == ["gd", "momentum", "nesterov", "adagrad", "rmsprop",
                                            "adam", "armijo", "newton"]
    for spec in OPTIMIZERS.values():
        assert spec.label and spec.source
        for h in spec.hyperparameters:
            assert h.meaning and h.check(h.default, spec.label) == h.default


def test_gd_by_hand(quad):
    lr = 0.04
    x, y = START
    want = [(x, y)]
    for _ in range(3):
        gx, gy = quad_grad(x, y)
        x, y = x - lr * gx, y - lr * gy
        want.append((x, y))
    assert first_points(quad, "gd", lr, None) == want


def test_momentum_by_hand_with_beta_0_8(quad):
    lr, beta = 0.02, 0.8
    x, y, vx, vy = *START, 0.0, 0.0
    want = [(x, y)]
    for _ in range(3):
        gx, gy = quad_grad(x, y)
        vx, vy = beta * vx - lr * gx, beta * vy - lr * gy
        x, y = x + vx, y + vy
        want.append((x, y))
    assert first_points(quad, "momentum", lr, {"beta": 0.8}) == want


def test_nesterov_by_hand_with_beta_0_7(quad):
    lr, beta = 0.02, 0.7
    x, y, vx, vy = *START, 0.0, 0.0
    want = [(x, y)]
    for _ in range(3):
        gx, gy = quad_grad(x + beta * vx, y + beta * vy)  # the gradient after the momentum
        vx, vy = beta * vx - lr * gx, beta * vy - lr * gy
        x, y = x + vx, y + vy
        want.append((x, y))
    assert first_points(quad, "nesterov", lr, {"beta": 0.7}) == want


def test_nesterov_differs_from_momentum_on_a_non_quadratic_function():
    fn = parse_function("(1 - x)^2 + 100*(y - x^2)^2")
    a = first_points(fn, "momentum", 1e-3, {"beta": 0.9}, steps=5, start=(-1.2, 1.0))
    b = first_points(fn, "nesterov", 1e-3, {"beta": 0.9}, steps=5, start=(-1.2, 1.0))
    assert a[:2] == b[:2]  # the first step has no momentum yet
    assert all(abs(p[0] - q[0]) > 1e-6 for p, q in zip(a[2:], b[2:]))


def test_adagrad_by_hand_with_eps_1e_3(quad):
    lr, eps = 0.3, 1e-3
    x, y, Gx, Gy = *START, 0.0, 0.0
    want = [(x, y)]
    for _ in range(3):
        gx, gy = quad_grad(x, y)
        Gx, Gy = Gx + gx * gx, Gy + gy * gy
        x, y = x - lr * gx / (math.sqrt(Gx) + eps), y - lr * gy / (math.sqrt(Gy) + eps)
        want.append((x, y))
    assert first_points(quad, "adagrad", lr, {"eps": 1e-3}) == want


def test_rmsprop_by_hand_with_rho_0_5(quad):
    lr, rho, eps = 0.05, 0.5, 1e-4
    x, y, sx, sy = *START, 0.0, 0.0
    want = [(x, y)]
    for _ in range(3):
        gx, gy = quad_grad(x, y)
        sx, sy = rho * sx + (1 - rho) * gx * gx, rho * sy + (1 - rho) * gy * gy
        x, y = x - lr * gx / (math.sqrt(sx) + eps), y - lr * gy / (math.sqrt(sy) + eps)
        want.append((x, y))
    assert first_points(quad, "rmsprop", lr, {"rho": 0.5, "eps": 1e-4}) == want


def test_adam_by_hand_with_beta2_0_99(quad):
    lr, b1, b2, eps = 0.1, 0.8, 0.99, 1e-3
    x, y, mx, my, vx, vy = *START, 0.0, 0.0, 0.0, 0.0
    want = [(x, y)]
    for t in (1, 2, 3):
        gx, gy = quad_grad(x, y)
        mx, my = b1 * mx + (1 - b1) * gx, b1 * my + (1 - b1) * gy
        vx, vy = b2 * vx + (1 - b2) * gx * gx, b2 * vy + (1 - b2) * gy * gy
        x = x - lr * (mx / (1 - b1 ** t)) / (math.sqrt(vx / (1 - b2 ** t)) + eps)
        y = y - lr * (my / (1 - b1 ** t)) / (math.sqrt(vy / (1 - b2 ** t)) + eps)
        want.append((x, y))
    assert first_points(quad, "adam", lr, {"beta1": 0.8, "beta2": 0.99, "eps": 1e-3}) == want


def test_adam_defaults_are_kingma_and_ba(quad):
    """β1 = 0.9, β2 = 0.999, eps = 1e-8: the second step tells β2 apart from 0.99."""
    lr = 0.1
    x, y, mx, my, vx, vy = *START, 0.0, 0.0, 0.0, 0.0
    want = [(x, y)]
    for t in (1, 2, 3):
        gx, gy = quad_grad(x, y)
        mx, my = 0.9 * mx + (1 - 0.9) * gx, 0.9 * my + (1 - 0.9) * gy
        vx, vy = 0.999 * vx + (1 - 0.999) * gx * gx, 0.999 * vy + (1 - 0.999) * gy * gy
        x = x - lr * (mx / (1 - 0.9 ** t)) / (math.sqrt(vx / (1 - 0.999 ** t)) + 1e-8)
        y = y - lr * (my / (1 - 0.9 ** t)) / (math.sqrt(vy / (1 - 0.999 ** t)) + 1e-8)
        want.append((x, y))
    assert first_points(quad, "adam", lr, None) == want


def armijo_by_hand(f, grad, x, y, lr, c, shrink, steps):
    points, halvings = [(x, y)], []
    for _ in range(steps):
        gx, gy = grad(x, y)
        gg = gx * gx + gy * gy
        t, n = lr, 0
        for _ in range(60):
            if f(x - t * gx, y - t * gy) <= f(x, y) - c * t * gg:
                break
            t, n = t * shrink, n + 1
        x, y = x - t * gx, y - t * gy
        points.append((x, y))
        halvings.append(n)
    return points, halvings


def test_armijo_shrinks_until_sufficient_decrease(quad):
    lr, c, shrink = 1.0, 0.3, 0.6
    want, halvings = armijo_by_hand(lambda x, y: x * x + 10 * (y * y), quad_grad, *START, lr,
                                    c, shrink, 3)
    # step 1: t = 1, 0.6, …, 0.6^5 overshoot the y valley (f rises); 0.6^6 decreases enough
    assert halvings == [6, 3, 5]
    assert first_points(quad, "armijo", lr, {"c": c, "shrink": shrink}) == want


def test_armijo_takes_the_full_step_when_it_decreases_enough(quad):
    # a small rate is accepted at once: the steps are plain gradient steps
    assert first_points(quad, "armijo", 0.01, None) == first_points(quad, "gd", 0.01, None)


def test_newton_converges_in_one_step_on_a_quadratic():
    fn = parse_function("3*x^2 + 2*x*y + y^2 - 4*x + 6*y")
    r = descend(fn, (5.0, -7.0), 1.0, max_steps=50, tol=1e-9, optimizer="newton")
    # ∇f = (6x + 2y - 4, 2x + 2y + 6) = 0 at x = 2.5, y = -5.5
    assert r.status == "converged" and r.nit == 1
    assert r.x.tolist() == pytest.approx([2.5, -5.5], abs=1e-12)


def test_damped_newton_by_hand():
    fn = parse_function("x^4 + y^2 + x*y")
    lr = 0.5
    x, y = 1.0, 1.0
    want = [(x, y)]
    for _ in range(3):
        gx, gy = 4 * x ** 3 + y, 2 * y + x
        hxx, hxy, hyy = 12 * x * x, 1.0, 2.0
        det = hxx * hyy - hxy * hxy
        x, y = x - lr * ((hyy * gx - hxy * gy) / det), y - lr * ((hxx * gy - hxy * gx) / det)
        want.append((x, y))
    got = first_points(fn, "newton", lr, None, start=(1.0, 1.0))
    assert got == [pytest.approx(p, rel=1e-14) for p in want]


def test_newton_stops_where_the_hessian_is_singular():
    r = descend(parse_function("x^2 + y"), (1.0, 1.0), 1.0, max_steps=10, optimizer="newton")
    assert r.status == "no_step" and r.nit == 0
    assert r.message == ("stopped after 0 steps: the Hessian is singular here, so Newton's "
                         "method has no step")


@pytest.mark.parametrize("name, params, rate", [
    ("step", {"gamma": 0.5, "every": 2}, lambda s: 0.1 * 0.5 ** (s // 2)),
    ("exponential", {"gamma": 0.9}, lambda s: 0.1 * 0.9 ** s),
    ("inverse_time", {"k": 0.5}, lambda s: 0.1 / (1 + 0.5 * s)),
    ("cosine", {}, lambda s: 0.1 * 0.5 * (1 + math.cos(math.pi * s / 4))),
])
def test_schedules_scale_the_rate_by_step(quad, name, params, rate):
    x, y = START
    want = [(x, y)]
    for s in range(4):  # s steps done before this one
        gx, gy = quad_grad(x, y)
        x, y = x - rate(s) * gx, y - rate(s) * gy
        want.append((x, y))
    got = first_points(quad, "gd", 0.1, None, steps=4, schedule=(name, params))
    assert got == [pytest.approx(p, rel=1e-15, abs=1e-300) for p in want]


def test_schedule_by_name_alone_uses_its_defaults(quad):
    assert first_points(quad, "gd", 0.1, None, schedule="constant") == first_points(
        quad, "gd", 0.1, None)
    assert set(SCHEDULES) == {"constant", "step", "exponential", "inverse_time", "cosine"}


@pytest.mark.parametrize("optimizer, hyper, words", [
    ("sgd", None, "unknown optimizer 'sgd': choose one of gd, momentum"),
    ("momentum", {"beta": 1.0}, "Momentum (heavy ball) beta must be in [0, 1), got 1"),
    ("momentum", {"beta": -0.1}, "beta must be in [0, 1), got -0.1"),
    ("adam", {"beta2": 1.5}, "Adam beta2 must be in [0, 1), got 1.5"),
    ("adam", {"gamma": 0.5}, "Adam has no hyperparameter 'gamma' (its hyperparameters: beta1, "
                             "beta2, eps)"),
    ("gd", {"beta": 0.9}, "Gradient descent has no hyperparameter 'beta' (its hyperparameters: "
                          "none)"),
    ("rmsprop", {"eps": 0.0}, "RMSProp eps must be in (0, 1], got 0"),
    ("armijo", {"shrink": 1.0}, "shrink must be in (0, 1), got 1"),
    ("adam", {"eps": math.nan}, "Adam eps must be in (0, 1], got nan"),
    ("adam", {"eps": "small"}, "Adam eps must be a number"),
])
def test_bad_optimizer_or_hyperparameter_is_refused_with_the_range(quad, optimizer, hyper, words):
    with pytest.raises(InputError) as info:
        descend(quad, START, 0.1, optimizer=optimizer, hyperparameters=hyper)
    assert words in str(info.value)


@pytest.mark.parametrize("schedule, words", [
    ("linear", "unknown schedule 'linear': choose one of constant, step"),
    (("step", {"gamma": 2.0}), "the step decay schedule gamma must be in (0, 1], got 2"),
    (("step", {"every": 2.5}), "every must be a whole number, got 2.5"),
    (("cosine", {"k": 1}), "has no hyperparameter 'k'"),
    (("step", 0.5), "a schedule is a name or a (name, parameters) pair"),
])
def test_bad_schedule_is_refused(quad, schedule, words):
    with pytest.raises(InputError) as info:
        descend(quad, START, 0.1, schedule=schedule)
    assert words in str(info.value)


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_every_optimizer_reaches_the_bowl_minimum_and_keeps_its_memory(quad, optimizer):
    lr = {"newton": 1.0, "adagrad": 0.5, "armijo": 1.0}.get(optimizer, 0.02)
    r = descend(quad, START, lr, max_steps=20000, tol=1e-6, optimizer=optimizer)
    assert r.status == "converged", r.message
    assert np.all(np.abs(r.x) < 1e-3)


def test_stepping_in_chunks_equals_one_run_for_stateful_optimizers(quad):
    from gd_explorer.core import Descent

    for name in ("momentum", "adam", "nesterov", "rmsprop"):
        whole = descend(quad, START, 0.01, max_steps=300, tol=0.0, optimizer=name).trajectory
        run = Descent(quad, START, 0.01, max_steps=300, tol=0.0, optimizer=name)
        for n in (1, 7, 50, 1000):
            run.step(n)
        assert run.trajectory.tobytes() == whole.tobytes(), name
        assert len(run.state) == OPTIMIZERS[name].state_size
