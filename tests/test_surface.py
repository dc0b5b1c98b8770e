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
from gd_explorer.gui.model import ExplorerModel
from gd_explorer.gui.surface_view import COLORMAP_NAME, SurfaceView

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


@pytest.mark.opengl
def test_a_diverging_run_stays_drawable(qtbot, gl_ready):
    model = make_model("(1 - x)^2 + 100*(y - x^2)^2", window=((-2, 2), (-1, 3)), start=(-1.2, 1))
    model.set_learning_rate(0.01)
    view = shown_view(qtbot, model)
    model.step(50)
    assert model.run.status == "diverged"
    drawn = view.items.path.pos
    assert np.isfinite(drawn).all() and np.abs(drawn[:, :2]).max() <= surface_view.FAR + 1e-6
    assert not view.items.plane.visible() and not view.items.point.visible()
    settle()
    assert colormap_fraction(view.render_image()) > 0.2


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
