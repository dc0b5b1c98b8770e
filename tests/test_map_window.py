"""The map's window (issue 12): a run that leaves the view is reported, "Show whole path"
brings it back, and a log colour bar has readable ticks."""
import math

import numpy as np
import pytest
from PySide6.QtGui import QAction

from gd_explorer.core.fmt import fmt, fmt_point
from gd_explorer.gui.contour_view import log_ticks


def bowl(qtbot, win, start=(1.0, 0.5), lr=1.02):
    """x² + y² on [-3, 3]²: with ε > 1 each step multiplies the point by 1 − 2ε = −1.04."""
    model = win.model
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.set_expression("x^2 + y^2")
    model.set_window((-3.0, 3.0), (-3.0, 3.0))
    model.set_tol(0.0)
    model.set_learning_rate(lr)
    model.set_start(*start)
    return model


def test_the_status_says_where_the_run_left_the_view(qtbot, shown_window):
    model = bowl(qtbot, shown_window)
    statuses = []
    model.statusChanged.connect(statuses.append)
    model.step(28)  # x = 1.04^28 = 2.9987: still inside
    assert "left the view" not in statuses[-1]
    model.step(72)  # in one batch: the point left at step 29, x = -1.04^29 = -3.1187
    step, x, y, f = model.run.row(29)[:4]
    assert (x, y) == pytest.approx((-(1.04 ** 29), -0.5 * 1.04 ** 29), rel=1e-12)
    assert f == pytest.approx(1.25 * 1.04 ** 58, rel=1e-12)
    note = f"left the view at step 29: f = {fmt(f)} at {fmt_point((x, y))}"
    assert note == "left the view at step 29: f = 12.16 at (-3.119, -1.559)"
    assert statuses[-1] == f"step 100: ready; {note}"
    assert shown_window.descent.status.text() == statuses[-1]
    model.step(5)  # still outside: the same step is named
    assert statuses[-1] == f"step 105: ready; {note}"


def test_show_whole_path_fits_the_path_and_the_start(qtbot, shown_window):
    model = bowl(qtbot, shown_window, start=(2.0, 1.0))
    model.step(40)
    assert "left the view at step" in model.status_text()
    action = shown_window.findChild(QAction, "showWholePathAction")
    assert action is not None and action.text() == "Show whole path"
    with qtbot.waitSignal(model.windowChanged, timeout=15000):
        action.trigger()
    rows = model.run.view()
    (x0, x1), (y0, y1) = model.window
    xs, ys = np.append(rows[:, 1], 2.0), np.append(rows[:, 2], 1.0)
    assert x0 < xs.min() and xs.max() < x1 and y0 < ys.min() and ys.max() < y1
    # a tenth of the path's size around it, not more
    size = max(xs.max() - xs.min(), ys.max() - ys.min())
    assert x1 - x0 == pytest.approx(xs.max() - xs.min() + 0.2 * size)
    (vx0, vx1), (vy0, vy1) = shown_window.contour.getViewBox().viewRange()
    assert vx0 <= x0 and vx1 >= x1 and vy0 <= y0 and vy1 >= y1  # the map shows it all
    assert model.status_text() == "step 40: ready"  # the point is in view again


def test_coming_back_into_view_forgets_the_note_and_a_new_exit_is_named(qtbot, shown_window):
    model = bowl(qtbot, shown_window)
    model.step(30)
    assert "left the view at step 29" in model.status_text()
    model.set_window((-4.0, 4.0), (-4.0, 4.0))  # the user zooms out: the point is in view
    assert model.status_text() == "step 30: ready"
    model.step(10)  # |x| = 1.04^36 = 4.10 > 4 at step 36
    assert "left the view at step 36: " in model.status_text()


def test_show_whole_path_refuses_a_path_too_large_to_draw(qtbot, shown_window):
    model = bowl(qtbot, shown_window, start=(5.0, 0.0), lr=3.0)  # x ← −5x
    model.step(100)
    assert model.run.status == "diverged" and abs(model.run.row(-1)[1]) > 1e12
    notices = []
    model.notice.connect(notices.append)
    before = model.window
    assert model.show_whole_path() is False
    assert notices == ["cannot show the whole path: the x range is too small or too large to draw"]
    assert model.window == before


def test_a_path_of_one_point_keeps_the_window_size(qtbot, shown_window):
    model = bowl(qtbot, shown_window, start=(10.0, 0.0))
    model.show_whole_path()
    assert model.window == ((7.0, 13.0), (-3.0, 3.0))


def test_log_colour_bar_of_rosenbrock_is_labelled_at_decades_of_f(qtbot, shown_window):
    model = shown_window.model
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.load_preset("Rosenbrock")
    assert model.spacing == "log"
    view = shown_window.contour
    scale = view.scale
    ticks = view.colorbar.axis._tickLevels[0]
    assert len(ticks) >= 3
    labels = [label for _, label in ticks]
    assert labels[-4:] == ["1", "10", "100", "1000"]
    for t, label in ticks:
        # a round f (1, 10, 100 …), where the bar shows that f
        mantissa = float(label) / 10.0 ** math.floor(math.log10(float(label)))
        assert mantissa == pytest.approx(1.0)
        assert scale.value_at(t) == pytest.approx(float(label), rel=1e-9)
        assert scale.lo < t < scale.hi  # never at an end, where a label is cut off


def test_log_ticks_of_a_narrow_bar_give_three_or_more_labels():
    from gd_explorer.core.grid import ColorScale

    # a window whose lowest f is not 0 (Himmelblau's, 0.0047) or is below 0 (six-hump camel,
    # -1.03): still 1, 10, 100, placed where the bar shows those values of f
    for scale, expected in ((ColorScale("log", 0.004695, 4.859, 0.687, 2.758), ["1", "10", "100"]),
                            (ColorScale("log", -1.0316, 0.4063, -0.391, 2.097),
                             ["0.1", "1", "10", "100"])):
        ticks = log_ticks(scale)
        assert [label for _, label in ticks] == expected
        assert [scale.value_at(t) for t, _ in ticks] == pytest.approx(
            [float(label) for label in expected], rel=1e-9)
    # f from 0 to 10 with offset 1: 0.1 and 1 are the only decades inside the bar's ends,
    # so the steps are 1, 2, 5 …
    scale = ColorScale("log", zmin=0.0, offset=1.0, lo=0.0, hi=math.log10(11.0))
    labels = [label for _, label in log_ticks(scale)]
    assert labels == ["0.2", "0.5", "1", "2", "5"]
    # a bar spanning a factor of 1.2: three even steps, labelled with their f values
    scale = ColorScale("log", zmin=5.0, offset=10.0, lo=1.0, hi=math.log10(12.0))
    ticks = log_ticks(scale)
    assert len(ticks) == 3 and all(scale.lo < t < scale.hi for t, _ in ticks)
    assert [float(label) for _, label in ticks] == pytest.approx(
        [scale.value_at(t) for t, _ in ticks], rel=5e-3)
    # twelve decades (1e6 at the very end is left out): every other one, at most 7 labels
    scale = ColorScale("log", zmin=0.0, offset=1e-6, lo=-6.0, hi=6.0)
    labels = [label for _, label in log_ticks(scale)]
    assert labels == ["1e-5", "0.001", "0.1", "10", "1000", "100000"]


def test_a_run_that_shoots_off_is_drawn_up_to_where_it_leaves(qtbot, shown_window):
    model = shown_window.model
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.set_expression("(1 - x)^2 + 100*(y - x^2)^2")
    model.set_window((-3.0, 3.0), (-3.0, 3.0))
    model.set_learning_rate(0.01)
    model.set_start(-1.2, 1.0)
    model.step(10)  # (-1.2, 1) → (0.956, 1.88) → (4.65, -0.05) → (-399, 43) → (2.5e8, 3.2e5)
    assert model.run.status == "diverged" and model.run.row(-1)[1] > 1e8
    view = shown_window.contour
    xs, ys = view.trajectory.curve.getData()  # what is painted
    drawn = {(round(x, 3), round(y, 3)) for x, y in zip(xs, ys) if np.isfinite(x)}
    assert {(-1.2, 1.0), (0.956, 1.88), (4.651, -0.052)} <= drawn
    (vx0, vx1), (vy0, vy1) = view.getViewBox().viewRange()
    reach = 1e4 * max(vx1 - vx0, vy1 - vy0)  # far points are cut where the segment leaves
    finite = np.isfinite(xs)
    assert np.all(np.abs(xs[finite]) < reach) and np.all(np.abs(ys[finite]) < reach)
    # the segment from (4.65, -0.05) towards (-399, 43) is drawn, in its own direction
    assert np.any(xs[finite] < -100)


def test_cut_to_box_keeps_each_segment_inside_in_its_own_direction():
    from gd_explorer.gui.contour_view import cut_to_box

    box = ((-1.0, 1.0), (-1.0, 1.0))
    inside = np.array([0.0, 0.5]), np.array([0.0, -0.5])
    assert cut_to_box(*inside, box) is not None and cut_to_box(*inside, box)[0] is inside[0]
    # (0, 0) → (10, 0): cut at x = 1; (10, 0) → (10, 5): outside, dropped;
    # (10, 5) → (-10, -5): the line y = x/2 crosses the box from (1, 0.5) to (-1, -0.5)
    xs, ys = cut_to_box(np.array([0.0, 10.0, 10.0, -10.0]), np.array([0.0, 0.0, 5.0, -5.0]), box)
    pieces = [(x, y) for x, y in zip(xs, ys)]
    assert pieces[:2] == [(0.0, 0.0), (1.0, 0.0)] and np.isnan(pieces[2][0])
    assert pieces[3:5] == [pytest.approx((1.0, 0.5)), pytest.approx((-1.0, -0.5))]
    assert len(pieces) == 6 and np.isnan(pieces[5][0])


def test_a_linear_colour_bar_draws_two_levels_of_ticks(qtbot, shown_window):
    """Its major and minor ticks (the labelled ones), not a third level of 40 small ones,
    which an edit's frame would work out and draw again."""
    from PySide6.QtGui import QPainter, QPicture

    model = bowl(qtbot, shown_window)
    axis = shown_window.contour.colorbar.axis
    picture = QPicture()
    painter = QPainter(picture)
    _, ticks, texts = axis.generateDrawSpecs(painter)
    painter.end()
    assert 3 <= len(texts) <= len(ticks) <= 2 * len(texts) + 2
    assert model.spacing == "linear"


@pytest.mark.parametrize("text, expected", [
    ("1e-7*(x^2 + y^2)", {"2e-7", "1e-6", "1.2e-6"}),  # pyqtgraph wrote 2e-07, 1e-06
    ("2e6*(x^2 + 3*y^2)", {"1e7", "5e7"}),             # and 1e+07, 5e+07
])
def test_a_linear_colour_bar_labels_its_ticks_in_the_one_number_format(qtbot, shown_window,
                                                                        text, expected):
    from PySide6.QtGui import QPainter, QPicture

    from gd_explorer.core.fmt import fmt

    model = shown_window.model
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.set_expression(text)
    model.set_window((-3.0, 3.0), (-3.0, 3.0))
    assert model.spacing == "linear"
    axis = shown_window.contour.colorbar.axis
    picture = QPicture()
    painter = QPainter(picture)
    _, _ticks, texts = axis.generateDrawSpecs(painter)
    painter.end()
    labels = {label for _rect, _flags, label in texts}
    assert expected <= labels
    assert all(label == fmt(float(label)) for label in labels)  # as every other pane
