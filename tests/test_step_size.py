"""Size, not only direction (issue 11, item 6): the next step computed by the run's own rule,
∇f arrows to one scale, the gradient field, the step drawn before it is taken, and each
coordinate's move in the descent panel and the iteration table (Δx, Δy)."""
import math

import numpy as np
import pytest

from gd_explorer.core import Descent, parse_function
from gd_explorer.core.descent import next_point
from gd_explorer.core.field import arrow_factor, gradient_field, round_down
from gd_explorer.core.fmt import fmt
from gd_explorer.gui.arrow_layer import FIELD_CAP, field_segments
from gd_explorer.gui.iteration_table import HEADERS


@pytest.fixture(scope="module")
def quad():
    return parse_function("x^2 + 10*y^2")  # ∇f = (2x, 20y)


# ----- the next step (core) ----------------------------------------------------------------
def test_next_point_of_gradient_descent_is_x_minus_eps_grad_and_changes_nothing(quad):
    run = Descent(quad, (1.0, 1.0), 0.01)
    before = run.trajectory.copy()
    step = next_point(run)
    # x - ε f_x = 1 - 0.01·2 = 0.98, y - ε f_y = 1 - 0.01·20 = 0.8
    assert (step.x, step.y) == pytest.approx((0.98, 0.8), rel=1e-15)
    assert (step.dx, step.dy) == pytest.approx((-0.02, -0.2), rel=1e-12)
    assert step.f == pytest.approx(0.98 ** 2 + 10 * 0.8 ** 2, rel=1e-15)
    assert run.steps == 0 and np.array_equal(run.trajectory, before)
    assert next_point(run) == step  # asking again gives the same step
    run.step(1)
    assert (run.row(1)[1], run.row(1)[2]) == (step.x, step.y)  # the step taken, bit for bit


def test_next_point_is_worked_out_once_per_step_of_the_run(quad, monkeypatch):
    """Several panes ask for it after each step: the run's loop runs once for them all, and
    again after a step or a stop."""
    run = Descent(quad, (1.0, 1.0), 0.01)
    loops = []
    real = run._call_loop
    monkeypatch.setattr(run, "_call_loop", lambda *a: loops.append(a) or real(*a))
    first = next_point(run)
    assert next_point(run) is first and len(loops) == 1
    run.step(1)  # one loop call for the step itself
    second = next_point(run)
    assert next_point(run) is second and len(loops) == 3
    assert (second.x, second.y) == pytest.approx((0.98 - 0.01 * 2 * 0.98, 0.8 - 0.01 * 20 * 0.8),
                                                 rel=1e-15)
    run.stop()
    assert next_point(run) is None and len(loops) == 3


def test_next_point_of_momentum_uses_and_keeps_its_memory(quad):
    run = Descent(quad, (1.0, 1.0), 0.01, optimizer="momentum")  # β = 0.9
    run.step(1)  # v = -ε g = (-0.02, -0.2): x = (0.98, 0.8)
    state = run.state
    step = next_point(run)
    # g = (1.96, 16); v = 0.9 v - 0.01 g = (-0.0376, -0.34); x + v = (0.9424, 0.46)
    assert (step.x, step.y) == pytest.approx((0.9424, 0.46), rel=1e-12)
    assert run.state == state and run.steps == 1
    run.step(1)
    assert tuple(run.row(-1)[1:3]) == (step.x, step.y)


@pytest.mark.parametrize("optimizer", ["nesterov", "adagrad", "rmsprop", "adam", "armijo",
                                       "newton"])
def test_next_point_is_the_step_every_optimizer_takes(quad, optimizer):
    run = Descent(quad, (1.0, 1.0), 0.01, optimizer=optimizer, schedule="cosine")
    for _ in range(4):
        step = next_point(run)
        run.step(1)
        assert tuple(run.row(-1)[1:3]) == (step.x, step.y)


def test_no_next_point_when_the_run_is_over_or_has_no_step():
    flat = Descent(parse_function("x^2"), (0.0, 1.0), 0.1, optimizer="newton")  # ∇f = 0
    assert flat.finished and next_point(flat) is None
    newton = Descent(parse_function("x^3 + y"), (0.0, 1.0), 0.1, optimizer="newton")
    assert next_point(newton) is None  # the Hessian is singular: Newton has no step
    assert newton.steps == 0 and not newton.finished


# ----- the field and the scale (core) ------------------------------------------------------
def test_gradient_field_on_square_cells_with_holes_where_grad_is_undefined():
    field = gradient_field(parse_function("x^2 + y^2"), (-1.0, 1.0), (-1.0, 1.0), 4)
    assert field.spacing == 0.5
    assert field.xs.tolist() == field.ys.tolist() == [-0.75, -0.25, 0.25, 0.75]
    assert np.array_equal(field.gx, np.tile(2 * field.xs, (4, 1)))
    assert np.array_equal(field.gy, np.tile(2 * field.ys[:, None], (1, 4)))
    holes = gradient_field(parse_function("sqrt(x) + y"), (-1.0, 1.0), (-0.5, 0.5), 4)
    assert holes.ys.tolist() == [-0.25, 0.25]  # 1 / 0.5 = 2 rows
    assert np.isnan(holes.gx[:, :2]).all() and np.isnan(holes.gy[:, :2]).all()
    assert np.isfinite(holes.gx[:, 2:]).all()
    # log(x) + y: the gradient's formula (1/x, 1) is a number for x < 0, where f is not
    logs = gradient_field(parse_function("log(x) + y"), (-1.0, 1.0), (-0.5, 0.5), 4)
    assert np.isnan(logs.gx[:, :2]).all() and np.isnan(logs.gy[:, :2]).all()
    assert logs.gy[:, 2:].tolist() == [[1.0, 1.0], [1.0, 1.0]]


@pytest.mark.parametrize("value, rounded", [(0.05, 0.05), (0.0999, 0.05), (0.4, 0.2), (7, 5),
                                            (1, 1), (19.99, 10), (2e-9, 2e-9), (3.3e5, 2e5)])
def test_round_down_to_one_two_five(value, rounded):
    assert round_down(value) == rounded


def test_arrow_factor_from_the_typical_gradient():
    norms = [1.0, 2.0, 3.0, 4.0, np.nan, np.inf, 0.0]  # only the finite non-zero count
    assert arrow_factor(norms, 1.0, 50) == 0.2  # median 2.5: 1 / 2.5 = 0.4 → 0.2
    assert arrow_factor(norms, 1.0, 100) == 0.2  # 1 / 4 = 0.25 → 0.2
    assert arrow_factor(norms, 10.0, 0) == 10.0
    assert arrow_factor([0.0, np.nan], 1.0, 50) is None


def test_field_arrows_point_down_to_scale_and_long_ones_are_cut():
    field = gradient_field(parse_function("x^2 + y^2"), (-1.0, 1.0), (-1.0, 1.0), 4)
    xs, ys, cut = field_segments(field, 0.1)
    assert not cut and xs.size == 16 * 6  # a shaft and two head strokes per arrow
    tails = np.column_stack([xs[0::6], ys[0::6]])
    tips = np.column_stack([xs[1::6], ys[1::6]])
    assert np.allclose(tips - tails, -0.1 * 2 * tails)  # −∇f × 0.1, ∇f = 2 (x, y)
    _, _, cut = field_segments(field, 1.0)  # |−∇f| up to 2.1 > 1.5 cells of 0.5
    assert cut
    xs, ys, _ = field_segments(field, 1.0)
    lengths = np.hypot(xs[1::6] - xs[0::6], ys[1::6] - ys[0::6])
    assert lengths.max() == pytest.approx(FIELD_CAP * 0.5)


# ----- the map -----------------------------------------------------------------------------
def load(qtbot, win, text, window=(-3.0, 3.0)):
    model = win.model
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.set_expression(text)
    model.set_window(window, window)
    return model


def legend_texts(view):
    return {label.text for _, label in view.legend.items}


def arrow_vector(view, which="grad"):
    (px, py), tip = view.model.current_point, view.arrow_tip(which)
    return tip[0] - px, tip[1] - py


def test_arrows_to_scale_have_length_norm_times_one_factor(qtbot, shown_window):
    win = shown_window
    model, view = load(qtbot, win, "x^2 + y^2"), win.contour
    model.set_start(1.0, 0.5)  # ∇f = (2, 1)
    fixed = math.hypot(*arrow_vector(view))
    model.set_start(2.0, 1.0)  # ∇f = (4, 2): twice as large, the same arrow without scale
    assert math.hypot(*arrow_vector(view)) == pytest.approx(fixed, rel=1e-9)
    action = win.findChild(type(win.scale_arrows_action), "scaleArrowsAction")
    action.setChecked(True)
    k = view.arrows.factor
    assert k in {m * 10.0 ** e for m in (1, 2, 5) for e in range(-6, 6)}
    assert arrow_vector(view) == pytest.approx((4 * k, 2 * k), rel=1e-9)
    assert arrow_vector(view, "neg") == pytest.approx((-4 * k, -2 * k), rel=1e-9)
    model.set_start(1.0, 0.5)
    assert arrow_vector(view) == pytest.approx((2 * k, k), rel=1e-9)  # half as long
    assert f"∇f (uphill); length ‖∇f‖ × {fmt(k)}" in legend_texts(view)
    action.setChecked(False)
    assert math.hypot(*arrow_vector(view)) == pytest.approx(fixed, rel=1e-9)
    assert "∇f (uphill)" in legend_texts(view)


def test_gradient_field_is_recomputed_once_when_the_view_settles(qtbot, shown_window):
    win = shown_window
    model, view = load(qtbot, win, "sqrt(x) + y^2"), win.contour
    action = win.findChild(type(win.gradient_field_action), "gradientFieldAction")
    assert not view.arrows.curve.isVisible()  # no field: nothing for Qt to paint at each frame
    action.setChecked(True)
    layer = view.arrows
    assert layer.curve.isVisible()
    xs, ys = view.arrows.curve.getData()
    assert len(xs) > 0 and (xs[0::6] > 0).all()  # no arrow where ∇f is undefined (x ≤ 0)
    k = layer.factor
    tips = np.column_stack([xs[1::6] - xs[0::6], ys[1::6] - ys[0::6]])
    gx, gy = model.function.gradient(xs[0::6], ys[0::6])
    uncut = np.hypot(gx, gy) * k < FIELD_CAP * layer.field.spacing
    assert np.allclose(tips[uncut], -k * np.column_stack([gx, gy])[uncut])  # −∇f × k
    # near x = 0 the gradient of sqrt(x) grows without bound: arrows cut short are said to be
    cut = ", some cut short" if not uncut.all() else ""
    assert f"−∇f field; length ‖∇f‖ × {fmt(k)}{cut}" in legend_texts(view)
    count, first = layer.recomputes, layer.field.xs[0]
    vb = view.getViewBox()
    for _ in range(5):  # a drag: many range changes, one recompute once it settles
        vb.translateBy(x=0.1)
    assert layer.recomputes == count
    qtbot.waitUntil(lambda: layer.recomputes == count + 1, timeout=10000)
    qtbot.wait(400)
    assert layer.recomputes == count + 1
    assert layer.field.xs[0] == pytest.approx(first + 0.5)  # the grid follows the view
    action.setChecked(False)
    assert not layer.curve.isVisible() and len(layer.curve.getData()[0]) == 0


def test_the_next_step_is_drawn_to_scale_and_written_per_coordinate(qtbot, shown_window):
    win = shown_window
    model, view = load(qtbot, win, "x^2 + 10*y^2"), win.contour
    model.set_learning_rate(0.01)
    model.set_start(1.0, 1.0)
    xs, ys = view.step_preview.shaft.getData()
    assert list(xs) == [1.0, 0.98] and list(ys) == [1.0, pytest.approx(0.8, rel=1e-15)]
    ring = view.step_preview.ring.getData()
    assert (ring[0][0], ring[1][0]) == (0.98, pytest.approx(0.8, rel=1e-15))
    label = win.findChild(type(win.descent.status), "nextStepLabel")
    assert "next step (to scale)" in legend_texts(view)
    assert label.text() == ("next step −ε∇f:  Δx = −ε·f_x = -0.01 × 2 = -0.02\n"
                            "Δy = −ε·f_y = -0.01 × 20 = -0.2")
    model.step(1)  # at (0.98, 0.8): ∇f = (1.96, 16)
    assert label.text() == ("next step −ε∇f:  Δx = −ε·f_x = -0.01 × 1.96 = -0.0196\n"
                            "Δy = −ε·f_y = -0.01 × 16 = -0.16")
    xs, _ = view.step_preview.shaft.getData()
    assert list(xs) == [0.98, pytest.approx(0.9604, rel=1e-15)]
    model.set_optimizer("adam")  # the optimizer's own step, whatever it is
    step = next_point(model.run)
    assert label.text() == "next step (Adam): Δx = -0.01, Δy = -0.01"  # Adam's first step: ε
    model.step(1)
    assert tuple(model.run.row(-1)[1:3]) == (step.x, step.y)
    model.set_tol(100.0)  # stops at once: no step to show
    assert model.run.finished
    assert view.step_preview.shaft.getData()[0] is None or len(view.step_preview.shaft.getData()[0]) == 0
    assert label.text() == "next step: none, the run has stopped"
    assert "next step (to scale)" not in legend_texts(view)


def test_iteration_table_moves_are_minus_eps_times_the_partials(qtbot, shown_window):
    win = shown_window
    model = load(qtbot, win, "x^2 + 10*y^2")
    model.set_learning_rate(0.01)
    model.set_start(1.0, 1.0)
    table = win.table.table_model
    assert HEADERS[-2:] == ("Δx", "Δy") and table.columnCount() == 9
    changed = []
    table.dataChanged.connect(lambda a, b: changed.append((a.row(), a.column(), b.column())))
    model.step(3)
    assert changed[-1] == (0, 7, 8)  # row 0's move is known once row 1 is there
    model.step(2)
    rows = model.run.trajectory
    for r in range(5):
        fx, fy = rows[r, 4], rows[r, 5]
        assert table.value(r, 7) == pytest.approx(-0.01 * fx, rel=1e-12, abs=1e-16)
        assert table.value(r, 8) == pytest.approx(-0.01 * fy, rel=1e-12, abs=1e-16)
        assert table.value(r, 7) == rows[r + 1, 1] - rows[r, 1]  # the actual move
    assert table.value(0, 7) == pytest.approx(-0.02) and table.value(0, 8) == pytest.approx(-0.2)
    assert table.value(5, 7) is None  # the last row's step is not taken yet
    assert table.data(table.index(5, 7)) == ""
    assert table.data(table.index(1, 8)) == "-0.16"
