"""No derivative is drawn where there is none (issue 12): where f or ∇f is undefined, or
‖∇f‖ is below the tolerance or round-off, every pane says so in words and draws no ∇f."""
import math

import pytest
from PySide6.QtGui import QColor

from gd_explorer.gui.colors import GRAD_COLOR, TANGENT_COLOR
from gd_explorer.gui.direction_dial import THETA_COLOR


def load(qtbot, win, text):
    with qtbot.waitSignal(win.model.functionChanged, timeout=15000):
        win.model.set_expression(text)
    return win.model


def derivative_items_drawn(view):
    """Which of the map's derivative items (∇f, −∇f, level tangent) are drawn."""
    drawn = {}
    for name, item in (("grad", view.grad_shaft), ("neg", view.neg_shaft), ("tangent", view.tangent)):
        xs, _ = item.getData()
        drawn[name] = xs is not None and len(xs) > 0
    drawn["grad head"] = view.grad_head.isVisible()
    drawn["neg head"] = view.neg_head.isVisible()
    return {name for name, shown in drawn.items() if shown}


def dial_pixels(dial, color, tolerance=40):
    """How many of the dial's pixels are close to ``color``."""
    image = dial.grab().toImage()
    target = QColor(color)
    count = 0
    for y in range(0, image.height()):
        for x in range(0, image.width()):
            c = image.pixelColor(x, y)
            if (abs(c.red() - target.red()) + abs(c.green() - target.green())
                    + abs(c.blue() - target.blue())) < tolerance:
                count += 1
    return count


def panes(win):
    """The words and numbers every pane shows for the current point."""
    d = win.direction
    return {"map": win.contour.point_note.toPlainText() if win.contour.point_note.isVisible() else "",
            "dial": win.direction.dial.note(), "editor": win.editor.values.text(),
            "gradient": d.grad_label.text(), "message": d.message.text(),
            "curvature": win.descent.curvature.text()}


def test_where_f_is_undefined_no_pane_draws_a_gradient(qtbot, shown_window):
    win = shown_window
    model = load(qtbot, win, "log(x*y)")
    model.set_start(1.0, 2.0)  # f defined: everything drawn, as a control
    assert derivative_items_drawn(win.contour) == {"grad", "neg", "tangent", "grad head", "neg head"}
    assert win.direction.dial.gradientAngle() is not None
    assert dial_pixels(win.direction.dial, GRAD_COLOR) > 20
    model.set_start(-1.2, 1.0)  # log(-1.2): undefined, though 1/x and 1/y are numbers
    assert derivative_items_drawn(win.contour) == set()
    shown = panes(win)
    assert shown["map"] == "f is undefined here" and shown["dial"] == "f is undefined here"
    assert shown["editor"] == "(x, y) = (-1.2, 1)\nf is undefined here"
    assert "∇f =" not in shown["editor"] and "-0.83" not in shown["editor"]
    assert shown["gradient"] == "undefined here"
    assert shown["message"].startswith("f is undefined here")
    assert shown["curvature"] == "curvature here: undefined (f is undefined here)"
    dial = win.direction.dial
    assert dial.gradientAngle() is None
    assert dial_pixels(dial, GRAD_COLOR) == 0 and dial_pixels(dial, THETA_COLOR) == 0
    assert dial_pixels(dial, TANGENT_COLOR) == 0
    # u is a direction, not a derivative: it stays
    assert win.contour.arrow_tip("u") is not None


def test_where_the_gradient_is_undefined_every_pane_says_so(qtbot, shown_window):
    win = shown_window
    model = load(qtbot, win, "sqrt(x^2 + y^2)")
    model.set_start(0.0, 0.0)  # the tip of the cone: f = 0, ∇f = (x, y)/‖(x, y)‖ = 0/0
    assert derivative_items_drawn(win.contour) == set()
    shown = panes(win)
    assert shown["map"] == shown["dial"] == "∇f is undefined here"
    assert shown["editor"] == "(x, y) = (0, 0)\nf = 0   ∇f is undefined here"
    assert shown["gradient"] == "undefined here"
    assert shown["curvature"] == "curvature here: undefined (∇f is undefined here)"
    assert win.direction.dial.gradientAngle() is None


def test_a_converged_point_shows_no_arrows_along_noise(qtbot, shown_window):
    win = shown_window
    model = win.model
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.load_preset("Himmelblau")
    model.step(1000)
    assert model.run.status == "converged"
    norm = model.run.row(-1)[6]
    assert 0 < norm < model.tol  # about 4e-7: a direction of round-off size
    assert derivative_items_drawn(win.contour) == set()
    shown = panes(win)
    assert shown["map"] == shown["dial"] == "∇f ≈ 0 (critical point)"
    assert shown["editor"].endswith("\n∇f ≈ 0 (critical point)")
    assert "‖∇f‖ = 4.1" in shown["editor"]  # the numbers are still given
    assert shown["message"].startswith("∇f ≈ 0 (critical point)")
    assert win.direction.theta_label.text() == "undefined: ∇f ≈ 0"
    assert not win.direction.snap_along.isEnabled()
    assert win.direction.dial.gradientAngle() is None
    assert win.direction.extrema.getData()[0] is None or len(win.direction.extrema.getData()[0]) == 0
    assert dial_pixels(win.direction.dial, GRAD_COLOR) == 0
    # with a tolerance of 0 the same point has a real (tiny) slope again, drawn as such
    model.set_tol(0.0)
    model.step(1)
    assert model.point_state().kind == "sloped"
    assert derivative_items_drawn(win.contour) == {"grad", "neg", "tangent", "grad head", "neg head"}
    assert panes(win)["map"] == ""


def test_round_off_counts_as_zero_even_with_no_tolerance(qtbot, shown_window):
    win = shown_window
    model = load(qtbot, win, "x^2 + y^2")
    model.set_tol(0.0)
    model.set_start(1e-12, 0.0)  # ‖∇f‖ = 2e-12, while ‖∇f‖ reaches about 8 in the window
    assert model.point_state().kind == "flat"
    assert derivative_items_drawn(win.contour) == set()
    assert panes(win)["map"] == "∇f ≈ 0 (critical point)"
    model.set_start(1e-3, 0.0)  # 2e-3 is a slope
    assert derivative_items_drawn(win.contour) == {"grad", "neg", "tangent", "grad head", "neg head"}
    tip = win.contour.arrow_tip("grad")
    assert tip[1] == pytest.approx(0.0, abs=1e-12) and tip[0] > 1e-3  # along +x
    assert math.isclose(win.direction.dial.gradientAngle(), 0.0, abs_tol=1e-12)


def test_the_note_at_a_point_stays_inside_the_map(qtbot, shown_window):
    from gd_explorer import parse_function

    win = shown_window
    model = load(qtbot, win, "x^2 + y^2")
    model.set_window((-3.0, 3.0), (-3.0, 3.0))
    vb, note = win.contour.getViewBox(), win.contour.point_note
    (_x0, x1), (y0, _y1) = vb.viewRange()
    y = y0 + 1.5
    for x in (-2.0, x1 - 0.05):                       # mid-map, then at the right edge
        model.set_function(parse_function(f"(x - {x})^2 + (y - {y})^2"))
        model.set_start(x, y)                         # the minimum: "∇f ≈ 0 (critical point)"
        assert note.isVisible() and "critical point" in note.toPlainText()
        box, inside = note.sceneBoundingRect(), vb.sceneBoundingRect()
        assert inside.left() <= box.left() and box.right() <= inside.right()
