"""The total differential (issue 11, item 4): df = f_x dx + f_y dy against Δf for a step ds,
the gap of order ‖ds‖², the panel with typed dx and dy, and the handle on the map; and the
geometry of the slices through the point (item 3) that the 3-D view draws."""
import math

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QLabel

from gd_explorer.core import slices
from gd_explorer.core.calculus import differential, gap_order, total_differential
from gd_explorer.core.errors import InputError
from gd_explorer.core.function import parse_function
from gd_explorer.gui.differential_panel import DifferentialPanel
from gd_explorer.gui.model import ExplorerModel
from gd_explorer.gui.number_fields import refusal

BOWL = "x^2 + 3*y^2"
WAVY = "x^2 + 3*y^2 + sin(x*y)"
ROSENBROCK = "(1 - x)^2 + 100*(y - x^2)^2"
LINEAR = "2*x - 3*y + 1"


# ----- core: the differential and its gap ---------------------------------------------------
def test_differential_against_hand_computed_values():
    # f = x² + 3y² at p = (1, 2), ds = (0.5, 0.25): f = 13, ∇f = (2, 12)
    d = differential(parse_function(BOWL), (1, 2), (0.5, 0.25))
    assert d.f == 13 and d.gradient == (2, 12)
    assert d.df == 2 * 0.5 + 12 * 0.25 == 4.0             # f_x dx + f_y dy
    assert d.f_step == 1.5 ** 2 + 3 * 2.25 ** 2 == 17.4375
    assert d.actual == 4.4375 and d.gap == 0.4375          # Δf − df = dx² + 3 dy²
    assert d.plane_point == (1.5, 2.25, 17.0) and d.surface_point == (1.5, 2.25, 17.4375)
    assert d.df_scale == 1 + 3 and d.gap_scale == 13 + 17.4375 + 4


def test_the_direction_panels_differential_is_the_same_rule():
    fn = parse_function(BOWL)
    df, actual = total_differential(fn, (1, 2), math.atan2(0.25, 0.5), math.hypot(0.5, 0.25))
    assert df == pytest.approx(4.0, rel=1e-14) and actual == pytest.approx(4.4375, rel=1e-14)


def test_differential_for_many_steps_at_once():
    d = differential(parse_function(BOWL), (1, 2), (np.array([0.5, 0.25]), np.array([0.25, 0.125])))
    np.testing.assert_array_equal(d.df, [4.0, 2.0])
    np.testing.assert_array_equal(d.gap, [0.4375, 0.4375 / 4])


@pytest.mark.parametrize("text, point", [(WAVY, (0.7, -0.4)), (WAVY, (-1.0, 0.5)),
                                         (ROSENBROCK, (-1.2, 1.0)), (ROSENBROCK, (0.5, 0.5))])
def test_the_gap_is_of_order_ds_squared(text, point):
    order = gap_order(parse_function(text), point, (0.3, 0.2))
    assert order.resolved.all() and len(order.norms) == 12
    np.testing.assert_allclose(order.norms[1:] / order.norms[:-1], 0.5)
    # the slope of log |Δf − df| against log ‖ds‖, fitted over the smaller steps
    assert order.order == pytest.approx(2.0, abs=0.02)
    fit = np.polyfit(np.log(order.norms[5:]), np.log(order.gaps[5:]), 1)[0]
    assert fit == pytest.approx(order.order)
    # and halving ds divides the gap by about 4 at the small end
    assert order.gaps[-2] / order.gaps[-1] == pytest.approx(4.0, rel=0.01)


def test_the_gap_of_a_linear_function_is_exactly_zero():
    fn = parse_function(LINEAR)
    d = differential(fn, (1, 2), (0.5, 0.25))
    assert d.df == 2 * 0.5 - 3 * 0.25 and d.gap == 0.0
    order = gap_order(fn, (1, 2), (0.5, 0.25))
    assert (order.gaps == 0.0).all() and not order.resolved.any() and math.isnan(order.order)
    # at a point where round-off gives a tiny gap, that gap counts as 0 too
    order = gap_order(fn, (0.3, 0.7), (0.3, 0.2))
    assert not order.resolved.any() and math.isnan(order.order)


def test_undefined_steps_and_bad_input():
    fn = parse_function("sqrt(x) + y")
    d = differential(fn, (0.25, 0), (-1.0, 0.0))            # p + ds has x < 0
    assert math.isnan(d.f_step) and math.isnan(d.actual) and math.isnan(d.gap)
    assert d.df == pytest.approx(-1.0)                      # f_x = 1 / (2 √x) = 1
    order = gap_order(fn, (0.25, 0), (-1.0, 0.0))           # ds/4 and smaller are defined
    assert not order.resolved[:2].any() and order.resolved[2:].all()
    with pytest.raises(InputError):
        differential(fn, (0.25, 0), (math.inf, 0))
    with pytest.raises(InputError):
        gap_order(fn, (0.25, 0), ("a", 0))


# ----- core: the slices' geometry --------------------------------------------------------------
def test_slice_curves_lie_on_the_surface_along_their_line():
    fn = parse_function(WAVY)
    p = (0.7, -0.4)
    for u in (slices.ALONG_X, slices.ALONG_Y, (0.6, 0.8)):
        pts = slices.slice_curve(fn, p, u, 0.5, count=11)
        assert pts.shape == (11, 3)
        np.testing.assert_allclose(pts[:, 2], fn.value(pts[:, 0], pts[:, 1]))
        offsets = pts[:, :2] - p                       # on the line p + z u, z from −0.5 to 0.5
        np.testing.assert_allclose(offsets[:, 0] * u[1] - offsets[:, 1] * u[0], 0, atol=1e-15)
        np.testing.assert_allclose(offsets @ np.array(u), np.linspace(-0.5, 0.5, 11), atol=1e-15)
    # the traces keep x = a, resp. y = b, exactly
    assert (slices.slice_curve(fn, p, slices.ALONG_Y, 0.5)[:, 0] == 0.7).all()
    assert (slices.slice_curve(fn, p, slices.ALONG_X, 0.5)[:, 1] == -0.4).all()


def test_slice_tangent_vertical_plane_and_dashes():
    ends = slices.slice_tangent((1, 2), 5.0, (0.6, 0.8), 3.0, 0.5)
    np.testing.assert_allclose(ends, [(0.7, 1.6, 3.5), (1.3, 2.4, 6.5)])  # rise 3 per unit
    plane = slices.vertical_plane((1, 2), (0.6, 0.8), 0.5, (-3, 3), (-3, 3), (0, 10))
    np.testing.assert_allclose(plane, [(0.7, 1.6, 0), (1.3, 2.4, 0), (1.3, 2.4, 10), (0.7, 1.6, 10)])
    # cut where it leaves the window: here at y = 2.2
    plane = slices.vertical_plane((1, 2), (0.6, 0.8), 0.5, (-3, 3), (-3, 2.2), (0, 10))
    np.testing.assert_allclose(plane[1], (1.15, 2.2, 0))
    assert len(slices.vertical_plane((5, 5), (1, 0), 0.5, (-3, 3), (-3, 3), (0, 1))) == 0
    dashes = slices.dashes([(0, 0, 0), (9, 0, 9)], count=9)
    assert dashes.shape == (5, 2, 3)
    np.testing.assert_allclose(dashes[0], [(0, 0, 0), (1, 0, 1)])
    np.testing.assert_allclose(dashes[-1], [(8, 0, 8), (9, 0, 9)])


# ----- the model's step ds -------------------------------------------------------------------
def test_ds_defaults_to_a_tenth_of_the_window_and_refuses_no_step(qtbot):
    model = ExplorerModel()
    model.set_function(parse_function(BOWL))
    assert model.default_window == ((-3.0, 3.0), (-3.0, 3.0))
    assert model.ds == (0.48, 0.36)                       # 0.6 along (0.8, 0.6)
    with qtbot.waitSignal(model.dsChanged) as signal:
        assert model.set_ds(0.1, -0.2)
    assert signal.args == [0.1, -0.2] and model.ds == (0.1, -0.2)
    notices = []
    model.notice.connect(notices.append)
    for bad in ((0, 0), (math.nan, 1), (1, math.inf)):
        assert not model.set_ds(*bad)
        assert model.ds == (0.1, -0.2)
    assert len(notices) == 3 and "non-zero" in notices[0]
    model.set_window((-1, 1), (-1, 1))                    # zooming keeps the step
    assert model.ds == (0.1, -0.2)


# ----- the panel --------------------------------------------------------------------------------
@pytest.fixture
def panel(qtbot):
    model = ExplorerModel()
    model.set_function(parse_function(BOWL))
    model.set_start(1, 2)
    widget = DifferentialPanel(model)
    qtbot.addWidget(widget)
    widget.resize(420, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return model, widget


def text(widget, name):
    return widget.findChild(QLabel, name).text()


def type_into(qtbot, field, value, key=Qt.Key_Return):
    edit = field.lineEdit()
    field.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, value)
    assert edit.text().startswith(value)
    qtbot.keyClick(edit, key)


def test_panel_shows_df_next_to_delta_f(qtbot, panel):
    model, widget = panel
    assert model.ds_shown  # open: the views draw ds
    type_into(qtbot, widget.dx, "0,5")
    type_into(qtbot, widget.dy, "0.25")
    assert model.ds == (0.5, 0.25)
    assert "= 2·0.5 + 12·0.25 = <b>4</b>" in text(widget, "dfValue")
    assert "= 17.44 − 13 = <b>4.438</b>" in text(widget, "deltaFValue")
    assert "Δf − df = <b>0.4375</b>" in text(widget, "differentialGap")
    assert widget.result.df == 4.0 and widget.result.gap == 0.4375
    # the log–log plot: the gap at ds, ds/2, …, each a quarter of the one before
    plot = widget.plot
    assert plot.objectName() == "differentialGapPlot"
    np.testing.assert_allclose(plot.norms, math.hypot(0.5, 0.25) * 0.5 ** np.arange(12))
    np.testing.assert_allclose(plot.values, 0.4375 * 0.25 ** np.arange(12))
    xs, ys = plot.reference.getData()                  # slope 2 on the log axes (log10 data)
    assert (ys[1] - ys[0]) / (xs[1] - xs[0]) == pytest.approx(2.0)
    assert "Fitted slope: <b>2</b>" in text(widget, "gapOrder")
    # negative factors are put in parentheses
    model.set_ds(-0.5, 0.25)
    assert "= 2·(-0.5) + 12·0.25 = <b>2</b>" in text(widget, "dfValue")


@pytest.mark.parametrize("typed, why", [("1,000", "could be 1000 or 1.000"),
                                        ("abc", "is not a number"), ("1,2,3", "several commas")])
def test_typed_dx_and_dy_refuse_bad_input_visibly(qtbot, panel, typed, why):
    model, widget = panel
    model.set_ds(0.5, 0.25)
    for field in (widget.dx, widget.dy):
        before = model.ds
        type_into(qtbot, field, typed)
        assert model.ds == before and refusal(field) != ""
        message = widget.findChild(QLabel, "dsMessage")
        assert message.isVisible() and why in message.text() and "kept" in message.text()
        assert "border" in field.styleSheet()               # the red border
        type_into(qtbot, field, "0.125")
        assert refusal(field) == "" and not message.isVisible()
    assert model.ds == (0.125, 0.125)


def test_a_step_of_no_length_is_refused(qtbot, panel):
    model, widget = panel
    model.set_ds(0.0, 0.25)
    type_into(qtbot, widget.dy, "0")
    assert model.ds == (0.0, 0.25) and widget.dy.value() == 0.25
    message = widget.findChild(QLabel, "dsMessage")
    assert message.isVisible() and "no length" in message.text() and "kept 0.25" in message.text()


def test_panel_says_what_is_undefined(qtbot, panel):
    model, widget = panel
    model.set_function(parse_function("sqrt(x^2 + y^2)"))
    model.set_start(0, 0)                                   # a cone's tip: no ∇f
    assert "undefined" in text(widget, "dfValue") and widget.result is None
    assert "no tangent plane" in text(widget, "differentialMessage")
    assert len(widget.plot.norms) == 0
    model.set_function(parse_function("sqrt(x) + y"))
    model.set_start(0.25, 0)
    model.set_ds(-1.0, 0.0)                                 # p + ds outside the domain
    assert "<b>-1</b>" in text(widget, "dfValue")
    assert "Δf = f(p + ds) − f(p) = undefined" in text(widget, "deltaFValue")
    assert "undefined at p + ds" in text(widget, "differentialMessage")
    assert len(widget.plot.norms) == 0                      # no fit through a part of the steps
    model.set_function(parse_function(LINEAR))
    model.set_start(1, 2)
    model.set_ds(0.5, 0.25)
    assert "Δf − df = <b>0</b>" in text(widget, "differentialGap")
    assert "does not leave its tangent plane" in text(widget, "gapOrder")


# ----- the handle on the map ---------------------------------------------------------------
def _send_mouse(widget, kind, pos, buttons):
    button = Qt.NoButton if kind == QEvent.MouseMove else Qt.LeftButton
    local = QPointF(pos)
    event = QMouseEvent(kind, local, widget.mapToGlobal(local), button, buttons, Qt.NoModifier)
    QApplication.sendEvent(widget, event)


def _open_tab(window, title):
    tabs = window.tabs
    tabs.setCurrentIndex([tabs.tabText(i) for i in range(tabs.count())].index(title))


def test_dragging_the_handle_sets_ds(qtbot, shown_window):
    model = shown_window.model
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.load_preset("Quadratic bowl")
    view = shown_window.contour
    handle = view.ds_handle
    assert not handle.handle.isVisible()                    # only with its panel open
    _open_tab(shown_window, "Differential")
    assert model.ds_shown and handle.handle.isVisible()
    px, py = model.current_point
    dx, dy = model.ds
    assert (handle.handle.pos().x(), handle.handle.pos().y()) == pytest.approx((px + dx, py + dy))
    vb = view.getViewBox()
    (x0, x1), (y0, y1) = vb.viewRange()
    tx, ty = px + dx - 0.15 * (x1 - x0), py + dy - 0.2 * (y1 - y0)
    a, b = view.data_to_viewport(px + dx, py + dy), view.data_to_viewport(tx, ty)
    vp = view.viewport()
    start = model.start
    steps = []
    model.dsChanged.connect(lambda *ds: steps.append(ds))
    _send_mouse(vp, QEvent.MouseButtonPress, a, Qt.LeftButton)
    for k in range(1, 11):
        _send_mouse(vp, QEvent.MouseMove, a + (b - a) * (k / 10), Qt.LeftButton)
    assert len(steps) >= 1                                  # ds follows while dragging
    _send_mouse(vp, QEvent.MouseButtonRelease, b, Qt.NoButton)
    pixel = (x1 - x0) / vb.width()
    assert model.ds[0] == pytest.approx(tx - px, abs=2 * pixel)
    assert model.ds[1] == pytest.approx(ty - py, abs=2 * pixel)
    assert model.start == start                             # the drag moved ds, not the start
    panel = shown_window.findChild(DifferentialPanel)
    assert panel.dx.value() == model.ds[0] and panel.dy.value() == model.ds[1]
    # the vector from p to the handle
    xs, ys = handle.vector.getData()
    assert (xs[0], ys[0]) == (px, py)
    assert (xs[1], ys[1]) == pytest.approx((px + model.ds[0], py + model.ds[1]))


def test_the_handle_is_in_the_legend_only_while_drawn(qtbot, shown_window):
    model = shown_window.model
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.load_preset("Quadratic bowl")
    legend = shown_window.contour.legend

    def names():
        return [label.text for _, label in legend.items]

    assert "ds (drag)" not in names()
    _open_tab(shown_window, "Differential")
    assert "ds (drag)" in names()
    _open_tab(shown_window, "Descent")
    assert "ds (drag)" not in names() and not shown_window.contour.ds_handle.handle.isVisible()
    assert not model.ds_shown
    _open_tab(shown_window, "Differential")
    model.set_expression("sqrt(x^2 + y^2)")
    qtbot.waitUntil(lambda: model.text == "sqrt(x^2 + y^2)", timeout=15000)
    model.set_start(0, 0)                                   # no tangent plane: no ds drawn
    assert not shown_window.contour.ds_handle.handle.isVisible()


def test_clicking_the_handle_leaves_the_start_and_the_view_menu_has_slices(qtbot, shown_window):
    from PySide6.QtGui import QAction

    model = shown_window.model
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.load_preset("Quadratic bowl")
    _open_tab(shown_window, "Differential")
    view = shown_window.contour
    start, ds = model.start, model.ds
    at = view.data_to_viewport(start[0] + ds[0], start[1] + ds[1])
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=at)
    assert model.start == start and model.ds == ds
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=at + QPoint(0, 30))  # beside it
    assert model.start != start and model.ds == ds
    action = shown_window.findChild(QAction, "showSlicesAction")
    view_menu = next(a.menu() for a in shown_window.menuBar().actions() if a.text() == "&View")
    assert action in view_menu.actions() and action.isCheckable() and action.isChecked()
    assert not action.isEnabled()                      # offscreen: no 3-D view to draw them in


def test_round_significant_gives_round_defaults():
    from gd_explorer.core.fmt import round_significant

    assert round_significant(0.6000000000000001) == 0.6
    assert round_significant(0.8 * 0.6, 3) == 0.48 and round_significant(1.6000000000000001, 3) == 1.6
    assert round_significant(-0.0372, 2) == -0.037 and round_significant(123456, 2) == 120000
    assert round_significant(0.0) == 0.0 and math.isnan(round_significant(math.nan))


def test_the_panel_computes_only_while_shown(qtbot, panel, monkeypatch):
    from gd_explorer.gui import differential_panel

    model, widget = panel
    calls = []
    monkeypatch.setattr(differential_panel, "gap_order",
                        lambda *args: calls.append(args) or gap_order(*args))
    widget.hide()
    model.step(5)
    model.set_ds(0.5, 0.25)
    assert calls == []
    widget.show()                                           # brought up to date once shown
    assert len(calls) == 1 and calls[0][1] == model.current_point
    assert widget.dx.value() == 0.5 and widget.result.point == model.current_point


def test_one_step_computes_the_panel_once(qtbot, panel, monkeypatch):
    from gd_explorer.gui import differential_panel

    model, widget = panel
    calls = []
    monkeypatch.setattr(differential_panel, "gap_order",
                        lambda *args: calls.append(args) or gap_order(*args))
    model.step(1)                 # pointChanged and trajectoryChanged: one computation
    assert len(calls) == 1 and calls[0][1] == model.current_point
    model.set_ds(0.5, 0.25)       # a new ds: computed again
    assert len(calls) == 2


def test_the_drag_hint_shows_only_while_the_map_is_shown(qtbot, shown_window):
    win = shown_window
    with qtbot.waitSignal(win.model.functionChanged, timeout=15000):
        win.model.load_preset("Quadratic bowl")
    win.set_view_mode("surface")       # before the panel is built: it learns when built
    _open_tab(win, "Differential")
    hint = win.findChild(QLabel, "dsDragHint")
    assert "drag" in hint.text() and not hint.isVisible()
    win.set_view_mode("both")
    assert hint.isVisible()
    win.set_view_mode("surface")       # the handle is drawn on the map alone
    assert not hint.isVisible()
    win.set_view_mode("contour")
    assert hint.isVisible()
