"""The 3-D surface view (issue 5).

The OpenGL tests need a real X server:
    xvfb-run -a -s "-screen 0 1600x1200x24" env QT_QPA_PLATFORM=xcb python -m pytest -m opengl
Elsewhere they skip; the fallback test runs in the normal offscreen suite.
"""
import math

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtGui import QGuiApplication, QImage, QOpenGLContext
from PySide6.QtOpenGLWidgets import QOpenGLWidget
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from gd_explorer.core.function import parse_function
from gd_explorer.gui import surface_view
from gd_explorer.gui.colors import CRITICAL_COLORS, U_COLOR
from gd_explorer.gui.model import ExplorerModel
from gd_explorer.gui.surface_view import COLORMAP_NAME, SurfaceView
from test_surface_mesh import image_colors

GOLDSTEIN_PRICE = ("(1 + (x + y + 1)^2*(19 - 14*x + 3*x^2 - 14*y + 6*x*y + 3*y^2))"
                   "*(30 + (2*x - 3*y)^2*(18 - 32*x + 12*x^2 + 48*y - 36*x*y + 27*y^2))")
HIMMELBLAU = "(x^2 + y - 11)^2 + (x + y^2 - 7)^2"

XVFB = 'xvfb-run -a -s "-screen 0 1600x1200x24" env QT_QPA_PLATFORM=xcb python -m pytest -m opengl'


@pytest.fixture
def gl_ready(qapp):
    platform = QGuiApplication.platformName()
    if platform != "xcb":
        pytest.skip(f"OpenGL test: needs the xcb platform under Xvfb, not {platform!r}; run {XVFB}")
    if not QOpenGLContext().create():
        pytest.skip("OpenGL test: no OpenGL context can be created on this display")


def make_model(text="x^2 + y^2", window=((-2, 2), (-2, 2)), start=(1, 1)):
    model = ExplorerModel()
    model.set_function(parse_function(text))
    model.set_window(*window)
    model.set_start(*start)
    return model


def shown_view(qtbot, model, size=(700, 600)):
    view = SurfaceView(model)
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    settle()
    return view


def settle():
    for _ in range(5):
        QApplication.processEvents()


def pixels(image):
    image = image.convertToFormat(QImage.Format_RGB888)
    w, h, stride = image.width(), image.height(), image.bytesPerLine()
    buf = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * h)
    return buf.reshape(h, stride)[:, : 3 * w].reshape(h, w, 3).astype(float)


def colormap_fraction(image, tol=22.0):
    """Share of pixels close to a colour of the map, allowing the view's shading (x0.6-1)."""
    px = pixels(image).reshape(-1, 3)[::5]
    lut = pg.colormap.get(COLORMAP_NAME).getLookupTable(0.0, 1.0, 128, alpha=False).astype(float)
    k = np.clip(px @ lut.T / (lut ** 2).sum(axis=1), 0.55, 1.05)       # best shade per colour
    dist = np.linalg.norm(px[:, None, :] - k[:, :, None] * lut[None], axis=2).min(axis=1)
    return float(np.mean(dist < tol))


def f_at(model, pts):
    return model.function.value(pts[:, 0], pts[:, 1])


# ----- without OpenGL ------------------------------------------------------------------
def test_offscreen_shows_a_message_instead_of_a_3d_view(qtbot):
    if QGuiApplication.platformName() != "offscreen":
        pytest.skip("checks the offscreen platform (the normal test run)")
    model = make_model()
    view = SurfaceView(model)
    qtbot.addWidget(view)
    view.show()
    label = view.findChild(QLabel, "surfaceUnavailable")
    assert label is not None and label.isVisible()
    assert "3-D view unavailable" in label.text() and "offscreen" in label.text()
    assert "contour view and everything else still work" in label.text()
    assert view.objectName() == "surfacePane" and not view.available
    assert view.findChildren(QOpenGLWidget) == [] and view.gl is None
    assert view.render_image() is None and len(view.surface_vertices()) == 0
    assert model.step(3) == 3  # the model still works


def test_message_when_opengl_is_turned_off(qtbot, monkeypatch):
    monkeypatch.setenv(surface_view.NO_GL_ENV, "1")
    monkeypatch.setattr(surface_view, "_status", {})
    view = SurfaceView(make_model())
    qtbot.addWidget(view)
    label = view.findChild(QLabel, "surfaceUnavailable")
    assert surface_view.NO_GL_ENV in label.text()
    assert view.findChildren(QOpenGLWidget) == []


# ----- with OpenGL ---------------------------------------------------------------------
@pytest.mark.opengl
def test_surface_renders_in_the_colour_map(qtbot, gl_ready):
    view = shown_view(qtbot, make_model())
    assert view.available and view.findChild(QOpenGLWidget, "surfaceView") is view.gl
    for name in ("tangentPlaneToggle", "zScale", "resetCameraButton"):
        assert view.findChild(QWidget, name) is not None
    image = view.render_image()
    assert not image.isNull() and image.width() > 300
    share = colormap_fraction(image)
    assert share > 0.2, f"only {share:.0%} of the pixels look like the surface"
    background = np.all(np.abs(pixels(image) - surface_view.BACKGROUND) < 3, axis=2).mean()
    assert 0.1 < background < 0.9


@pytest.mark.opengl
def test_surface_follows_function_and_window(qtbot, gl_ready):
    model = make_model()
    view = shown_view(qtbot, model)
    before = view.surface_vertices()
    n = surface_view.RESOLUTION
    assert before.shape == (n * n, 3)                       # a bowl needs no cut
    assert np.allclose(before[:, 2], f_at(model, before))
    model.set_function(parse_function("x^3 - 3*x*y^2"))
    after = view.surface_vertices()
    assert after.shape == (n * n, 3) and not np.allclose(before[:, 2], after[:, 2])
    assert np.allclose(after[:, 2], f_at(model, after))
    model.set_window((-1, 1), (0, 3))
    qtbot.waitUntil(lambda: view.surface_vertices()[:, 1].max() == pytest.approx(3), timeout=15000)
    verts = view.surface_vertices()
    assert verts[:, 0].min() == pytest.approx(-1) and verts[:, 1].min() == pytest.approx(0)
    settle()
    assert colormap_fraction(view.render_image()) > 0.1   # a narrow window: a narrow box


@pytest.mark.opengl
def test_trajectory_follows_descent_steps(qtbot, gl_ready):
    model = make_model()
    model.set_learning_rate(0.1)
    view = shown_view(qtbot, model)
    assert len(view.trajectory_points()) == 1
    model.step(5)
    path = view.trajectory_points()
    assert path.shape == (6, 3)
    assert np.allclose(path, model.run.trajectory[:, 1:4])
    assert np.allclose(path[:, 2], f_at(model, path))
    model.reset()
    assert len(view.trajectory_points()) == 1


@pytest.mark.opengl
def test_long_runs_are_subsampled(qtbot, gl_ready):
    model = make_model()
    model.set_learning_rate(1e-5)
    model.set_tol(0)
    model.set_max_steps(100_000)
    view = shown_view(qtbot, model)
    model.step(100_000)
    path, rows = view.trajectory_points(), model.run.trajectory
    assert len(rows) == 100_001 and len(path) <= surface_view.MAX_PATH_POINTS
    assert np.allclose(path[0], rows[0, 1:4]) and np.allclose(path[-1], rows[-1, 1:4])


@pytest.mark.opengl
def test_tangent_plane_and_direction(qtbot, gl_ready):
    model = make_model("x^2 + 3*y^2 + x*y", start=(0.7, -0.4))
    view = shown_view(qtbot, model)
    px, py = model.current_point
    f, gx, gy = model.function.value_and_gradient(px, py)
    corners = view.tangent_plane_points()
    assert corners.shape == (4, 3)
    assert np.allclose(corners.mean(axis=0), (px, py, f))                 # through (p, f(p))
    assert np.allclose(corners[:, 2], f + gx * (corners[:, 0] - px) + gy * (corners[:, 1] - py))
    phi = 2.2
    model.preview_angle(phi)                                              # angleChanging
    tail, tip = view.direction_points()
    assert np.allclose(tail, (px, py, f))
    d = tip - tail
    length = math.hypot(d[0], d[1])
    assert np.allclose(d[:2] / length, (math.cos(phi), math.sin(phi)))
    assert d[2] / length == pytest.approx(gx * math.cos(phi) + gy * math.sin(phi))  # D_u f
    model.step(1)                                                         # follows the point
    assert np.allclose(view.tangent_plane_points().mean(axis=0)[:2], model.current_point)
    toggle = view.plane_toggle
    assert view.items.plane.visible()
    toggle.setChecked(False)
    assert not view.items.plane.visible()
    model.step(1)
    assert not view.items.plane.visible()
    toggle.setChecked(True)
    assert view.items.plane.visible()


@pytest.mark.opengl
def test_huge_ranges_and_holes_stay_finite(qtbot, gl_ready):
    model = make_model("(1 - x)^2 + 100*(y - x^2)^2", window=((-2, 2), (-1, 3)), start=(-1.2, 1))
    view = shown_view(qtbot, model)
    lo, hi = view.display_range()
    verts = view.surface_vertices()
    assert hi < f_at(model, verts).max() * 10 and verts[:, 2].max() <= hi + 1e-9
    assert colormap_fraction(view.render_image()) > 0.2
    model.set_function(parse_function("sqrt(1 - x^2 - y^2)"))
    verts = view.surface_vertices()
    assert 0 < len(verts) < surface_view.RESOLUTION ** 2 and np.isfinite(verts).all()
    mesh = view.items.surface.opts["meshdata"]
    assert np.isfinite(mesh.vertexes()).all() and np.isfinite(mesh.vertexNormals()).all()
    settle()
    assert colormap_fraction(view.render_image()) > 0.05
    model.set_function(parse_function("sqrt(-1 - x^2)"))                  # undefined everywhere
    assert len(view.surface_vertices()) == 0 and not view.items.surface.visible()
    settle()
    view.render_image()


@pytest.mark.opengl
def test_z_scale_and_camera_reset(qtbot, gl_ready):
    view = shown_view(qtbot, make_model())
    first = pixels(view.render_image())
    view.z_scale.setValue(3.0)
    settle()
    taller = pixels(view.render_image())
    assert np.abs(first - taller).mean() > 1
    view.gl.orbit(70, 20)
    view.gl.opts["distance"] *= 2
    view.z_scale.setValue(1.0)
    view.findChild(QWidget, "resetCameraButton").click()
    settle()
    assert np.abs(first - pixels(view.render_image())).mean() < 1


@pytest.mark.opengl
def test_several_views_in_one_process_all_render(qtbot, gl_ready):
    for text in ("x^2 + y^2", "x^2 - y^2"):
        view = shown_view(qtbot, make_model(text))
        assert colormap_fraction(view.render_image()) > 0.2
        view.close()


def display_box(view):
    """(lower, upper) corners of the box in display coordinates."""
    hx, hy = view._half_sizes()
    return np.array([-hx, -hy, 0.0]), np.array([hx, hy, surface_view.HEIGHT])


def drawn_segments(item):
    return np.asarray(item.pos, dtype=float).reshape(-1, 2, 3)


@pytest.mark.opengl
def test_a_diverging_run_is_cut_at_the_box(qtbot, gl_ready):
    model = make_model("(1 - x)^2 + 100*(y - x^2)^2", window=((-2, 2), (-1, 3)), start=(-1.2, 1))
    model.set_learning_rate(0.01)
    view = shown_view(qtbot, model)
    model.step(50)
    assert model.run.status == "diverged"
    segs = drawn_segments(view.items.path)
    lower, upper = display_box(view)
    lift = surface_view.LIFT * surface_view.HEIGHT
    assert np.isfinite(segs).all() and len(segs) >= 1
    assert (segs >= lower - 1e-9 + (0, 0, lift)).all() and (segs <= upper + 1e-9 + (0, 0, lift)).all()
    end = segs[-1, 1] - (0, 0, lift)
    on_face = np.isclose(end, lower, atol=1e-9) | np.isclose(end, upper, atol=1e-9)
    assert on_face.any()                                   # the last segment ends on a face
    assert not view.items.plane.visible() and not view.items.point.visible()
    settle()
    assert colormap_fraction(view.render_image()) > 0.2


@pytest.mark.opengl
def test_a_run_leaving_through_a_side_ends_on_that_side(qtbot, gl_ready):
    model = make_model("x^2 - y^2", window=((-3, 3), (-3, 3)), start=(1, 0.2))
    model.set_learning_rate(0.1)
    view = shown_view(qtbot, model)
    model.step(60)                                        # y runs off to 1e4, f to -1e8
    inside = model.run.trajectory[:, 2] <= 3
    segs = drawn_segments(view.items.path)
    assert len(segs) == inside.sum()                      # one cut segment after the inside ones
    lift = surface_view.LIFT * surface_view.HEIGHT
    ends = view._box.apply(model.run.trajectory[:, 1:4][inside], lift=lift)
    assert np.allclose(segs[:-1, 0], ends[:-1]) and np.allclose(segs[-1, 0], ends[-1])
    lower, upper = display_box(view)
    end = segs[-1, 1] - (0, 0, lift)                     # on the far side (y = 3) or, just
    assert end[1] == pytest.approx(upper[1], abs=0.01)   # before it, on the floor (f = -9)
    assert np.isclose(end, lower, atol=1e-9).any() or np.isclose(end, upper, atol=1e-9).any()
    assert len(view.items.dots.pos) == inside.sum()      # no step dot outside the box


def test_surface_and_contour_use_the_same_colour_scale(qtbot):
    """Both views colour f by the same scale, taken from the model's window."""
    from gd_explorer.core.grid import color_scale, sample_grid
    from gd_explorer.gui.app import make_app
    from gd_explorer.gui.contour_view import ContourView

    make_app()
    model = ExplorerModel()
    view = ContourView(model)
    qtbot.addWidget(view)
    model.set_window((-2.0, 2.0), (-1.0, 3.0))
    model.set_function(parse_function("(1 - x)^2 + 100*(y - x^2)^2"))
    model.set_spacing("log")
    ref = color_scale(sample_grid(model.function, *model.window, 100).z, "log")
    got = view.scale
    assert got.spacing == "log" and got.zmin == pytest.approx(ref.zmin, abs=1e-3)
    assert got.hi == pytest.approx(ref.hi, rel=0.02) and got.lo == pytest.approx(ref.lo, abs=0.3)


# ----- fitting the pane, axes, markers, colours (issue 12) ---------------------------------
def content_box(image, tol=6):
    """Bounds (x0, y0, x1, y1) of what is drawn (not background), and the image size."""
    px = pixels(image)
    drawn = np.abs(px - surface_view.BACKGROUND).max(axis=2) > tol
    ys, xs = np.nonzero(drawn)
    return (xs.min(), ys.min(), xs.max(), ys.max()), (px.shape[1], px.shape[0])


def shown_window(qtbot, model, size, mode):
    from gd_explorer.gui.main_window import MainWindow

    win = MainWindow(model)
    qtbot.addWidget(win)
    win.set_view_mode(mode)
    win.resize(*size)
    win.show()
    qtbot.waitExposed(win)
    settle()
    return win


@pytest.mark.opengl
@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)])
@pytest.mark.parametrize("mode", ["both", "surface"])
def test_surface_fills_its_pane_and_is_not_cut_off(qtbot, gl_ready, size, mode):
    model = make_model(GOLDSTEIN_PRICE, window=((-3, 3), (-3, 3)), start=(0.2, -0.8))
    win = shown_window(qtbot, model, size, mode)
    view = win.surface
    for _ in range(2):          # the same after switching layouts
        settle()
        (x0, y0, x1, y1), (w, h) = content_box(view.render_image())
        margin = min(x0, y0, w - 1 - x1, h - 1 - y1)
        assert margin >= 2, f"cut off at the pane's edge ({mode}, {size})"
        fill = max((x1 - x0) / w, (y1 - y0) / h)
        assert fill > 0.9, f"the box and its labels fill only {fill:.0%} of the pane"
        win.set_view_mode("both" if mode == "surface" else "surface")
        win.set_view_mode(mode)


@pytest.mark.opengl
def test_fit_keeps_the_users_zoom_on_resize(qtbot, gl_ready):
    view = shown_view(qtbot, make_model(), size=(700, 600))
    fitted = view.gl.opts["distance"]
    view.gl.opts["distance"] *= 1.5                       # as the mouse wheel does
    view.resize(500, 700)
    settle()
    assert view.gl.opts["distance"] == pytest.approx(1.5 * view._fitted)
    assert view._fitted != pytest.approx(fitted)          # refitted for the new shape
    view.reset_camera()
    assert view.gl.opts["distance"] == pytest.approx(view._fitted)


@pytest.mark.opengl
def test_to_pixels_matches_the_gl_projection(qtbot, gl_ready):
    from PySide6.QtGui import QMatrix4x4, QVector3D

    view = shown_view(qtbot, make_model())
    view.z_scale.setValue(2.0)
    view.gl.orbit(33, 12)
    w, h = view.gl.width(), view.gl.height()
    pts = np.array([(-2.0, -2.0, 0.0), (1.0, 2.0, 8.0), (0.5, -1.5, 3.0)])
    to_pixels = QMatrix4x4()
    to_pixels.viewport(0, h, w, -h)
    scale = QMatrix4x4()
    scale.scale(1.0, 1.0, 2.0)
    mvp = to_pixels * view.gl.projectionMatrix((0, 0, w, h), (0, 0, w, h)) * view.gl.viewMatrix() * scale
    want = [mvp.map(QVector3D(*p)) for p in view._box.apply(pts, clip=False)]
    assert np.allclose(view.to_pixels(pts), [(q.x(), q.y()) for q in want], atol=1e-3)


@pytest.mark.opengl
@pytest.mark.parametrize("text", [GOLDSTEIN_PRICE, HIMMELBLAU, "x^2 - y^2"])
def test_axis_labels_never_sit_on_the_surface(qtbot, gl_ready, text):
    view = shown_view(qtbot, make_model(text, window=((-3, 3), (-3, 3)), start=(0.1, 0.1)))
    for azimuth in (-100, -30, 45, 150):
        view.gl.orbit(azimuth - view.gl.opts["azimuth"], 0)
        settle()
        labelled = pixels(view.render_image())
        texts = [t for _, t in view.items.labels.drawn]
        assert {"x", "y", "f"} <= set(texts) and len(texts) >= 9
        view.items.labels.setVisible(False)
        settle()
        bare = pixels(view.render_image())
        view.items.labels.setVisible(True)
        text_px = np.abs(labelled - bare).max(axis=2) > 10
        background = np.abs(bare - surface_view.BACKGROUND).max(axis=2) < 4
        assert text_px.sum() > 200
        covered = (text_px & ~background).sum()
        assert covered == 0, f"{covered} label pixels cover the picture at azimuth {azimuth}"


@pytest.mark.opengl
def test_axes_follow_the_camera(qtbot, gl_ready):
    view = shown_view(qtbot, make_model(window=((-2, 2), (-1, 1))))
    y_edge, x_edge, _ = view._edges
    assert y_edge < 0 and x_edge < 0                     # camera at azimuth -100: from -y, -x
    view.gl.orbit(180, 0)
    y_edge, x_edge, _ = view._edges
    assert y_edge > 0 and x_edge > 0
    ticks = view.items.ticks.pos.reshape(-1, 2, 3)
    assert np.any(np.isclose(ticks[:, 0, 1], y_edge))    # x ticks now on the far (y = 1) edge


def u_pixels_at(view, image, point, radius=4):
    """How many pixels within ``radius`` of the point's picture have the colour of u."""
    (cx, cy), = view.to_pixels([point], lift=surface_view.LIFT * surface_view.HEIGHT)
    px = pixels(image)
    ys, xs = np.mgrid[0:px.shape[0], 0:px.shape[1]]
    near = (xs - cx) ** 2 + (ys - cy) ** 2 <= radius ** 2
    u = np.array(pg.mkColor(U_COLOR).getRgb()[:3], dtype=float)
    return int((near & (np.abs(px - u).max(axis=2) < 40)).sum())


@pytest.mark.opengl
def test_u_arrow_is_drawn_over_the_point_marker(qtbot, gl_ready):
    model = make_model("x^2 + 3*y^2", start=(0.4, -0.3))
    view = shown_view(qtbot, model)
    for phi in (0.3, 2.0, 4.0):
        model.set_angle(phi)
        settle()
        x, y = model.current_point
        count = u_pixels_at(view, view.render_image(), (x, y, float(model.function.value(x, y))))
        assert count >= 4, f"the u arrow is hidden under the point marker (phi = {phi})"


@pytest.mark.opengl
@pytest.mark.parametrize("text, spacing", [(GOLDSTEIN_PRICE, "log"), (HIMMELBLAU, "linear")])
def test_surface_colours_are_the_contour_images_colours(qtbot, gl_ready, text, spacing):
    """For surface vertices, the colour the contour image gives the same f (its scale, its
    lookup table and levels, pyqtgraph's ImageItem rendering) is the vertex colour."""
    from gd_explorer.gui.contour_view import ContourView

    model = make_model(text, window=((-3, 3), (-3, 3)))
    assert model.spacing == spacing
    contour = ContourView(model)
    qtbot.addWidget(contour)
    contour.resize(600, 500)
    contour.show()
    view = shown_view(qtbot, model)
    verts, colors = view.surface_vertices(), view.surface_colors()
    pick = np.linspace(0, len(verts) - 1, 80).astype(int)
    image = contour.image
    want = image_colors(image.lut, image.levels, contour.scale.transform(verts[pick, 2]))
    got = np.rint(colors[pick, :3] * 255).astype(int)
    assert np.array_equal(got, want)
    assert len(np.unique(got, axis=0)) > 20               # a range of colours, not one


@pytest.mark.opengl
def test_critical_points_and_kept_runs_are_drawn(qtbot, gl_ready):
    model = make_model(HIMMELBLAU, window=((-5, 5), (-5, 5)), start=(0.5, 0.5))
    view = shown_view(qtbot, model)
    lift = surface_view.LIFT * surface_view.HEIGHT
    with qtbot.waitSignal(model.analysis.criticalPointsChanged, timeout=60_000):
        model.analysis.find_critical_points()
    found = model.analysis.critical
    lo, hi = view.display_range()
    pad = surface_view.ZTOL * (hi - lo)
    inside = [p for p in found if lo - pad <= p.f <= hi + pad]
    assert sum(p.kind == "minimum" for p in inside) == 4  # f = 0, a little below the floor
    assert min(p.f for p in inside) < lo
    glyphs = view.items.critical
    assert glyphs.visible() and glyphs.kinds == [p.kind for p in inside]
    assert np.allclose(glyphs.points, view._box.apply([(p.x, p.y, p.f) for p in inside], lift=lift))
    settle()
    image = pixels(view.render_image())
    green = np.array(pg.mkColor(CRITICAL_COLORS["minimum"]).getRgb()[:3], dtype=float)
    for p in inside:
        if p.kind == "minimum":
            (cx, cy), = view.to_pixels([(p.x, p.y, p.f)], lift=lift)
            patch = image[int(cy) - 3:int(cy) + 4, int(cx) - 3:int(cx) + 4].reshape(-1, 3)
            assert (np.abs(patch - green).max(axis=1) < 30).sum() >= 10
    assert "▼&nbsp;</span>&nbsp;min" in view.caption.text()
    assert "other&nbsp;runs" not in view.caption.text()
    model.analysis.clear()
    assert not glyphs.visible() and "min" not in view.caption.text()

    model.set_learning_rate(0.01)
    model.step(30)
    model.add_run((-1.0, 2.0))
    model.add_run((1.0, -2.0))  # selected: drawn as the path, the other two as other runs
    model.step(30)
    kept = view.items.kept
    assert kept.visible() and "other&nbsp;runs" in view.caption.text()
    segs = drawn_segments(kept)
    others = model.runs[:2]
    counts = [len(run.descent.trajectory) - 1 for run in others]   # one segment per step
    assert counts[0] > 30 and counts[1] > 10 and len(segs) == sum(counts)
    colors = np.asarray(kept.color).reshape(-1, 2, 4)[:, 0]
    first = 0
    for run, n in zip(others, counts):
        assert np.allclose(colors[first:first + n], pg.mkColor(run.color).getRgbF())
        rows = run.descent.trajectory
        assert np.allclose(segs[first, 0], view._box.apply(rows[:1, 1:4], lift=lift))
        first += n
    model.set_run_visible(1, False)  # a hidden run is not drawn
    assert len(drawn_segments(kept)) == counts[0]
    model.clear_other_runs()
    assert not kept.visible() and "other&nbsp;runs" not in view.caption.text()


@pytest.mark.opengl
def test_a_narrow_pane_puts_height_and_camera_on_a_second_row(qtbot, gl_ready):
    view = shown_view(qtbot, make_model(), size=(700, 600))
    left, right = view._bar_groups
    assert right.y() == left.y()                       # wide: one row
    view.resize(260, 600)
    qtbot.waitUntil(lambda: right.y() > left.y(), timeout=15000)  # narrow: two rows
    assert view.minimumWidth() < 300 <= left.sizeHint().width() + right.sizeHint().width()
    for widget in (view.plane_toggle, view.slices_toggle, view.z_scale, view.reset_button):
        assert widget.width() >= widget.sizeHint().width()  # nothing clipped
        assert widget.mapTo(view, widget.rect().topRight()).x() <= view.width()
    view.resize(700, 600)
    qtbot.waitUntil(lambda: right.y() == left.y(), timeout=15000)


@pytest.mark.opengl
def test_presentation_scale_widens_the_3d_lines_markers_and_labels(qtbot, gl_ready):
    from gd_explorer.gui.scale import ui_scale

    view = shown_view(qtbot, make_model())
    items = view.items
    before = (items.path.width, items.point.size, items.labels.font.pointSizeF())
    scale = ui_scale()
    try:
        scale.set_percent(150, save=False)
        assert (items.path.width, items.point.size, items.labels.font.pointSizeF()) == \
            pytest.approx(tuple(1.5 * v for v in before))
        second = shown_view(qtbot, make_model())    # made at 150 %: not scaled twice
        assert second.items.path.width == pytest.approx(1.5 * before[0])
    finally:
        scale.set_percent(100, save=False)
    assert (items.path.width, items.point.size, items.labels.font.pointSizeF()) == \
        pytest.approx(before)


@pytest.mark.opengl
def test_the_caption_says_f_is_defined_where_only_the_gradient_is_not(qtbot, gl_ready):
    view = shown_view(qtbot, make_model("sqrt(x^2 + y^2)", start=(0.0, 0.0)))
    text = view.caption.text()
    assert "at (0, 0): f = 0; ∇f is undefined here" in text
    assert "f is not defined" not in text
