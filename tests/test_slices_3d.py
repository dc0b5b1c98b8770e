"""Slices through the point and the total differential on the 3-D surface (issue 11, items 3
and 4). OpenGL tests: run under Xvfb,
    xvfb-run -a -s "-screen 0 1600x1200x24" env QT_QPA_PLATFORM=xcb python -m pytest -m opengl
"""
import math

import numpy as np
import pyqtgraph as pg
import pytest

from gd_explorer.core import slices
from gd_explorer.core.fmt import fmt
from gd_explorer.gui import surface_view
from gd_explorer.gui.colors import DS_COLOR, GAP_COLOR, TANGENT_COLOR, TRACE_X_COLOR, TRACE_Y_COLOR
from test_surface import gl_ready, make_model, pixels, settle, shown_view  # noqa: F401

WAVY = "x^2 + 3*y^2 + sin(x*y)"


def to_data(view, display):
    """Display points (N, 3) of an item back to data (x, y, f), the lift taken off."""
    box = view._box
    p = np.asarray(display, dtype=float).reshape(-1, 3)
    (x0, x1), (y0, y1), (lo, _hi) = box.xrange, box.yrange, box.zrange
    return np.column_stack([p[:, 0] / box.scale + 0.5 * (x0 + x1),
                            p[:, 1] / box.scale + 0.5 * (y0 + y1), p[:, 2] / box.zscale + lo])


def drawn(item):
    """An item's points as drawn (display coordinates), or an empty array when hidden."""
    if not item.visible() or item.pos is None:
        return np.empty((0, 3))
    return np.asarray(item.pos, dtype=float).reshape(-1, 3)


def slope_along(points, u):
    """Rise of a straight line through ``points`` (data) per unit along u, and its offset
    from straight."""
    run = (points[:, :2] - points[0, :2]) @ np.asarray(u)
    rise = points[:, 2] - points[0, 2]
    slope = rise[-1] / run[-1]
    return slope, np.abs(rise - slope * run).max()


def segments_of(view, item, color):
    """Data segments (M, 2, 3) of a per-vertex coloured lines item drawn in ``color``."""
    pos = drawn(item)
    rgba = np.asarray(item.color, dtype=float).reshape(-1, 4)
    keep = np.all(np.abs(rgba[:, :3] - pg.mkColor(color).getRgbF()[:3]) < 1e-6, axis=1)
    return to_data(view, pos[keep]).reshape(-1, 2, 3)


@pytest.mark.opengl
def test_trace_tangents_have_slopes_f_x_and_f_y(qtbot, gl_ready):
    model = make_model(WAVY, start=(0.7, -0.4))
    view = shown_view(qtbot, model)
    a, b = model.current_point
    f, fx, fy = model.function.value_and_gradient(a, b)
    lift = 0.5 * surface_view.LIFT * surface_view.HEIGHT / view._box.zscale
    for key, u, slope, fixed in (("x", (1, 0), fx, (1, b)), ("y", (0, 1), fy, (0, a))):
        pts = to_data(view, drawn(view.items.tangents[key]))
        assert len(pts) >= 4                                  # dashes of one line
        measured, bend = slope_along(pts, u)
        assert measured == pytest.approx(slope, rel=1e-5) and bend < 1e-6
        assert np.allclose(pts[:, fixed[0]], fixed[1])         # y = b, resp. x = a
        # through (p, f(p)): the point at p on the line is at height f
        t = (np.array([a, b]) - pts[0, :2]) @ np.asarray(u, dtype=float)
        assert pts[0, 2] - lift + slope * t == pytest.approx(f, rel=1e-5)  # GL keeps float32
    # the trace curves are on the surface: f(x, b) and f(a, y)
    lift = surface_view.LIFT * surface_view.HEIGHT / view._box.zscale
    for color, index, fixed in ((TRACE_X_COLOR, 1, b), (TRACE_Y_COLOR, 0, a)):
        curve = segments_of(view, view.items.slices, color).reshape(-1, 3)
        assert len(curve) > 40 and np.allclose(curve[:, index], fixed)
        assert np.allclose(curve[:, 2] - lift, model.function.value(curve[:, 0], curve[:, 1]))
    assert np.ptp(segments_of(view, view.items.slices, TRACE_X_COLOR)[:, :, 0]) == pytest.approx(
        2 * surface_view.SLICE_FRACTION * 4)                  # a quarter of the window either side


@pytest.mark.opengl
def test_the_plane_of_u_and_its_slice_follow_the_dial_cheaply(qtbot, gl_ready, monkeypatch):
    model = make_model(WAVY, start=(0.7, -0.4))
    view = shown_view(qtbot, model)
    p = np.array(model.current_point)
    f, fx, fy = model.function.value_and_gradient(*p)
    traces = drawn(view.items.tangents["x"]).copy()
    curves, original = [], slices.slice_curve
    monkeypatch.setattr(surface_view.slices, "slice_curve",
                        lambda *args, **kw: curves.append(args[2]) or original(*args, **kw))
    mesh = view.items.surface.opts["meshdata"]
    for phi in (0.4, 2.2, 4.0):
        model.preview_angle(phi)                              # angleChanging, while dragging
        u = np.array([math.cos(phi), math.sin(phi)])
        assert curves[-1] == pytest.approx(tuple(u))
        tangent = to_data(view, drawn(view.items.tangents["u"]))
        slope, bend = slope_along(tangent, u)
        assert slope == pytest.approx(fx * u[0] + fy * u[1], rel=1e-5) and bend < 1e-6  # D_u f
        corners = to_data(view, drawn(view.items.u_plane_edge))[:4]
        lo, hi = view._box.zrange
        assert np.allclose(corners[:, 2], [lo, lo, hi, hi])   # vertical, floor to lid
        along = corners[:, :2] - p
        assert np.allclose(along[:, 0] * u[1] - along[:, 1] * u[0], 0, atol=1e-6)  # through p along u
        assert np.allclose(along[:2] @ u, [-1.0, 1.0])        # a quarter of the 4-wide window
    assert len(curves) == 3                                   # only the slice along u, once a move
    assert view.items.surface.opts["meshdata"] is mesh        # the surface is not rebuilt
    assert np.array_equal(drawn(view.items.tangents["x"]), traces)  # nor the traces


@pytest.mark.opengl
def test_df_on_the_plane_and_delta_f_on_the_surface(qtbot, gl_ready):
    model = make_model(WAVY, start=(0.7, -0.4))
    view = shown_view(qtbot, model)
    assert not view.items.ds_points.visible()                 # only with its panel open
    model.show_ds(True)
    model.set_ds(0.5, 0.25)
    a, b = model.current_point
    fn = model.function
    f, fx, fy = fn.value_and_gradient(a, b)
    df = fx * 0.5 + fy * 0.25
    f_step = float(fn.value(a + 0.5, b + 0.25))
    lift = 0.5 * surface_view.LIFT * surface_view.HEIGHT / view._box.zscale
    plane, surface = to_data(view, drawn(view.items.ds_points)) - (0, 0, lift)
    assert plane == pytest.approx((a + 0.5, b + 0.25, f + df))
    assert surface == pytest.approx((a + 0.5, b + 0.25, f_step))
    (base,) = segments_of(view, view.items.ds_lines, DS_COLOR) - (0, 0, lift)
    (rise,) = segments_of(view, view.items.ds_lines, TANGENT_COLOR) - (0, 0, lift)
    (gap,) = segments_of(view, view.items.ds_lines, GAP_COLOR) - (0, 0, lift)
    assert np.allclose(base, [(a, b, f), (a + 0.5, b + 0.25, f)])          # ds at height f(p)
    assert np.allclose(rise, [(a + 0.5, b + 0.25, f), plane])              # df up to the plane
    assert np.allclose(gap, [plane, surface])                               # Δf − df
    # the plane reaches p + ds, and the caption says both numbers
    corners = view.tangent_plane_points()
    assert corners[:, 0].min() <= a + 0.5 <= corners[:, 0].max()
    caption = view.caption.text()
    assert f"= {fmt(df)} to" in caption and f"Δf = {fmt(f_step - f)}" in caption
    model.show_ds(False)
    assert not view.items.ds_points.visible() and not view.items.ds_lines.visible()


@pytest.mark.opengl
def test_no_tangent_where_the_gradient_is_undefined(qtbot, gl_ready):
    model = make_model("sqrt(x^2 + y^2)", start=(0, 0))      # a cone's tip
    model.show_ds(True)
    view = shown_view(qtbot, model)
    assert len(segments_of(view, view.items.slices, TRACE_X_COLOR)) > 20  # f is drawn …
    for item in view.items.tangents.values():
        assert not item.visible()                             # … its derivatives are not
    assert not view.items.plane.visible() and not view.items.ds_points.visible()
    model.set_start(1, 0.5)
    assert all(item.visible() for item in view.items.tangents.values())


@pytest.mark.opengl
def test_the_slices_toggle(qtbot, gl_ready):
    model = make_model(WAVY, start=(0.7, -0.4))
    view = shown_view(qtbot, model, size=(800, 700))
    settle()

    def trace_pixels():
        px = pixels(view.render_image()).reshape(-1, 3)
        return sum(int((np.abs(px - pg.mkColor(c).getRgb()[:3]).max(axis=1) < 30).sum())
                   for c in (TRACE_X_COLOR, TRACE_Y_COLOR))

    assert view.slices_action.isChecked() and view.items.u_plane.visible()
    shown = trace_pixels()
    assert shown > 150
    view.slices_toggle.setChecked(False)                      # the checkbox and the action agree
    assert not view.slices_action.isChecked()
    settle()
    assert trace_pixels() < shown / 10
    assert not view.items.slices.visible() and not view.items.u_plane.visible()
    assert "y&nbsp;=&nbsp;b" not in view.caption.text()
    model.preview_angle(1.0)
    model.set_start(0.2, 0.3)
    assert not view.items.slices.visible() and not view.items.tangents["u"].visible()
    view.slices_action.setChecked(True)
    assert view.slices_toggle.isChecked() and view.items.slices.visible()
    assert "y&nbsp;=&nbsp;b,&nbsp;slope&nbsp;f<sub>x</sub>" in view.caption.text()
