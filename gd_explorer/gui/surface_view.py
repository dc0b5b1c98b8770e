"""The 3-D view (issue 5): the surface z = f(x, y), the descent path on it, the tangent plane.

Where OpenGL is unavailable (offscreen platform, no driver, no PyOpenGL) the pane shows
a message instead, and the rest of the app works as before.
"""
import math
import os

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication, QOpenGLContext
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout,
                               QWidget)

from ..core import surface_mesh as sm
from ..core.fmt import fmt, fmt_point
from ..core.grid import color_scale, sample_grid
from .colors import COLORMAP_NAME, START_COLOR, TANGENT_COLOR, TRAJ_COLOR, U_COLOR
from .number_fields import NumberSpinBox

RESOLUTION = 100       # surface mesh is RESOLUTION x RESOLUTION vertices
SETTLE_MS = 150        # re-sample this long after the last window change
HEIGHT = 1.0           # box height at z scale 1 (the box is 2 wide along its longer side)
LIFT = 0.012           # markers and path float this fraction of the box height above f
MAX_PATH_POINTS = 2000
MAX_STEP_DOTS = 400
FAR = 3.0              # the path is cut where it goes this far out (box half-width is 1)
CAMERA = dict(distance=4.6, elevation=36, azimuth=-100, fov=45)
BACKGROUND = (250, 250, 250)
NO_GL_ENV = "GD_EXPLORER_NO_OPENGL"

_status = {}


def opengl_status():
    """(True, "") if a 3-D view can be created on this display, else (False, reason)."""
    platform = QGuiApplication.platformName()
    if platform not in _status:
        _status[platform] = _probe(platform)
    return _status[platform]


def _probe(platform):
    if os.environ.get(NO_GL_ENV):
        return False, f"turned off by {NO_GL_ENV}"
    if platform in ("offscreen", "minimal", ""):
        return False, f"this display has no OpenGL ({platform or 'no'} platform)"
    try:
        import pyqtgraph.opengl  # noqa: F401
        from OpenGL import GL  # noqa: F401
    except Exception as exc:  # ImportError, or PyOpenGL failing to find libGL
        return False, f"PyOpenGL could not be loaded ({type(exc).__name__}: {exc})"
    ctx = QOpenGLContext()
    if not ctx.create():
        return False, "no OpenGL context could be created (graphics driver)"
    version = tuple(ctx.format().version())
    if not ctx.isOpenGLES() and version < (2, 1):
        return False, f"OpenGL {version[0]}.{version[1]} is too old (2.1 needed)"
    return True, ""


def _toward(a, b, bound):
    """The point where segment a→b leaves |x|, |y| <= bound (a is inside)."""
    d = b - a
    t = 1.0
    for k in (0, 1):
        if abs(b[k]) > bound and d[k] != 0:
            t = min(t, (math.copysign(bound, b[k]) - a[k]) / d[k])
    return a + t * d if math.isfinite(t) else a


def unavailable_message(reason):
    return (f"3-D view unavailable: {reason}. "
            "The contour view and everything else still work.")


class SurfaceView(QWidget):
    """The surface pane (objectName "surfacePane"); its GL view is "surfaceView"."""

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.setObjectName("surfacePane")
        self.model = model
        self.gl = None
        self.unavailable = None
        self._box = None          # BoxTransform of the current mesh
        self._vertices = np.empty((0, 3))
        self._path = np.empty((0, 3))
        self._patch = np.empty((0, 3))
        self._arrow = np.empty((0, 3))
        self._point = None        # (x, y, f, gx, gy) at the current point
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        ok, reason = opengl_status()
        if not ok:
            self.unavailable = QLabel(unavailable_message(reason), objectName="surfaceUnavailable")
            self.unavailable.setWordWrap(True)
            self.unavailable.setAlignment(Qt.AlignCenter)
            self.unavailable.setMargin(24)
            layout.addWidget(self.unavailable)
            return
        self._build(layout)
        self._sampled = None  # (function, spacing, window) the mesh was built for
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._settle.timeout.connect(self._resample)
        model.functionChanged.connect(self._on_function_changed)
        model.windowChanged.connect(self._on_window_changed)
        model.spacingChanged.connect(self._on_spacing_changed)
        model.startChanged.connect(self._on_start_changed)
        model.trajectoryChanged.connect(self._on_trajectory_changed)
        model.pointChanged.connect(self._on_point_changed)
        model.angleChanged.connect(self._on_angle_changed)
        model.angleChanging.connect(self._on_angle_changed)
        self._resample()

    @property
    def available(self):
        return self.gl is not None

    # ----- construction -----------------------------------------------------------
    def _build(self, layout):
        from . import surface_items as si

        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 0)
        self.plane_toggle = QCheckBox("Tangent plane", objectName="tangentPlaneToggle", checked=True)
        self.plane_toggle.setToolTip("Show the plane z = f(p) + ∇f(p)·(q − p) that touches "
                                     "the surface at the current point p")
        self.plane_toggle.toggled.connect(self._on_plane_toggled)
        self.z_scale = NumberSpinBox(0.1, 10.0, objectName="zScale", singleStep=0.1, value=1.0,
                                     suffix=" ×")
        self.z_scale.setToolTip("Stretch or flatten the surface vertically (display only)")
        self.z_scale.valueChanged.connect(self._on_z_scale_changed)
        self.reset_button = QPushButton("Reset camera", objectName="resetCameraButton")
        self.reset_button.clicked.connect(self.reset_camera)
        bar.addWidget(self.plane_toggle)
        bar.addStretch(1)
        bar.addWidget(QLabel("Height"))
        bar.addWidget(self.z_scale)
        bar.addWidget(self.reset_button)
        layout.addLayout(bar)

        self.gl = si.GLView()
        self.gl.setObjectName("surfaceView")
        self.gl.setBackgroundColor(BACKGROUND)
        self.gl.setMinimumSize(200, 200)
        self.items = si.SceneItems(self.gl, COLORMAP_NAME, TRAJ_COLOR, START_COLOR, TANGENT_COLOR,
                                   U_COLOR)
        layout.addWidget(self.gl, 1)
        self.caption = QLabel(objectName="surfaceCaption")
        self.caption.setTextFormat(Qt.RichText)
        self.caption.setWordWrap(True)
        self.caption.setContentsMargins(6, 0, 6, 4)
        layout.addWidget(self.caption)
        self.reset_camera()

    # ----- model → view -----------------------------------------------------------
    def _on_function_changed(self, _fn):
        self._settle.stop()
        self._resample()

    def _on_window_changed(self, _xrange, _yrange):
        self._settle.start()

    def _on_spacing_changed(self, _spacing):
        self._resample()

    def _on_start_changed(self, x, y):
        self._draw_start()

    def _on_trajectory_changed(self):
        self._draw_path()

    def _on_point_changed(self, x, y):
        self._draw_point()

    def _on_angle_changed(self, _phi):
        self._draw_arrow()

    def _on_plane_toggled(self, on):
        self.items.set_plane_visible(on)

    def _on_z_scale_changed(self, value):
        self.items.set_z_scale(value)
        self.gl.opts["center"] = pg.Vector(0, 0, 0.5 * HEIGHT * value)
        self.gl.update()

    def reset_camera(self):
        s = self.z_scale.value()
        self.gl.setCameraParams(center=pg.Vector(0, 0, 0.5 * HEIGHT * s), **CAMERA)
        self.gl.update()

    # ----- surface ----------------------------------------------------------------
    def _resample(self):
        fn = self.model.function
        key = (fn, self.model.spacing, self.model.window)
        if key == self._sampled:
            return  # one model change arrives as several signals: build the mesh once
        self._sampled = key
        self._box = None
        if fn is not None:
            (x0, x1), (y0, y1) = self.model.window
            grid = sample_grid(fn, (x0, x1), (y0, y1), RESOLUTION)
            zrange = sm.display_range(grid.z)
            if zrange is not None:
                self._box = sm.BoxTransform((x0, x1), (y0, y1), zrange, HEIGHT)
                self._build_mesh(grid)
        if self._box is None:
            self._vertices = np.empty((0, 3))
            self.items.clear_surface()
        self.items.set_frame(self._box)
        self._draw_start()
        self._draw_path()
        self._draw_point()

    def _build_mesh(self, grid):
        """Mesh of f trimmed to where f is defined and cut smoothly at the display range."""
        lo, hi = self._box.zrange
        xs, ys = np.meshgrid(grid.xs, grid.ys)
        ok = np.isfinite(grid.z)
        data = np.stack([xs.ravel(), ys.ravel(), np.where(ok, grid.z, lo).ravel()], axis=1)
        faces = sm.triangle_faces(np.ones_like(ok))
        data, faces = sm.trim_domain(data, faces, ok.ravel(), self.model.function.value)
        data, faces = sm.clip_faces(data, faces, hi, keep="below")
        data, faces = sm.clip_faces(data, faces, lo, keep="above")
        data, faces, _ = sm.compact(data, faces)
        scale = color_scale(grid.z, self.model.spacing)  # the contour map's colours
        colors = pg.colormap.get(COLORMAP_NAME).map(scale.fraction(data[:, 2]), mode="float")
        verts = self._box.apply(data, clip=False)
        self._vertices = data
        self.items.set_surface(verts, faces, colors, sm.vertex_normals(verts, faces))

    # ----- markers, path, tangent plane -------------------------------------------
    def _lift(self):
        return LIFT * HEIGHT

    def _draw_start(self):
        fn, box = self.model.function, self._box
        pts = np.empty((0, 3))
        if fn is not None and box is not None:
            x, y = self.model.start
            f = float(fn.value(x, y))
            if math.isfinite(f):
                pts = box.apply([(x, y, f)], lift=self._lift())
        self.items.set_start(pts)

    def _draw_path(self):
        run, box = self.model.run, self._box
        if run is None or box is None:
            self._path = np.empty((0, 3))
            self.items.set_path(self._path, False)
            return
        rows = run.view()
        idx = sm.subsample(len(rows), MAX_PATH_POINTS)
        self._path = rows[idx][:, 1:4].copy()
        shown = box.apply(self._path, lift=self._lift())
        far = ~(np.abs(shown[:, :2]) <= FAR).all(axis=1)   # a diverging run leaves the box
        if far.any():
            k = int(np.argmax(far))
            shown = shown[: k + 1]
            if k > 0:  # end the path where its last segment leaves the region
                shown[k] = _toward(shown[k - 1], shown[k], FAR)
        self.items.set_path(shown, len(idx) <= MAX_STEP_DOTS)

    def _draw_point(self):
        fn, box = self.model.function, self._box
        self._point = None
        if fn is not None and box is not None:
            x, y = self.model.current_point
            f, gx, gy = fn.value_and_gradient(x, y)
            if all(map(math.isfinite, (f, gx, gy))):
                self._point = (x, y, f, gx, gy)
        if self._point is None:
            self._patch = np.empty((0, 3))
            self.items.set_point(np.empty((0, 3)))
            self.items.set_plane(self._patch, False)
        else:
            x, y, f, gx, gy = self._point
            lo, hi = box.zrange
            width = max(box.xrange[1] - box.xrange[0], box.yrange[1] - box.yrange[0])
            half = sm.patch_half_size(width, hi - lo, gx, gy)
            self._patch = sm.tangent_patch(x, y, f, gx, gy, half)
            self.items.set_point(box.apply([(x, y, f)], lift=self._lift()))
            self.items.set_plane(box.apply(self._patch, clip=False, lift=0.5 * self._lift()),
                                 self.plane_toggle.isChecked())
        self._draw_arrow()

    def _draw_arrow(self):
        phi = self.model.angle
        if self._point is None:
            self._arrow = np.empty((0, 3))
            self.items.set_arrow(self._arrow)
            self._set_caption(None, phi)
            return
        x, y, f, gx, gy = self._point
        half = float(np.abs(self._patch[0, 0] - x))
        self._arrow = sm.direction_arrow(x, y, f, gx, gy, phi, half)
        self.items.set_arrow(self._box.apply(self._arrow, clip=False, lift=0.5 * self._lift()))
        self._set_caption(self._point, phi)

    def _set_caption(self, point, phi):
        key = (f"<span style='color:{TRAJ_COLOR};background:#555'>&nbsp;━ path&nbsp;</span> "
               f"<span style='color:{START_COLOR}'>● start</span> "
               "<span>○ current point</span> "
               f"<span style='color:{TANGENT_COLOR}'>▰ tangent plane</span> "
               f"<span style='color:{U_COLOR}'>➔ u</span>")
        if point is None:
            text = "f is not defined at the current point" if self.model.function else ""
        else:
            x, y, f, gx, gy = point
            du = gx * math.cos(phi) + gy * math.sin(phi)
            text = (f"at {fmt_point((x, y))}: f = {fmt(f)}, ∇f = {fmt_point((gx, gy))}, "
                    f"slope along u: D<sub>u</sub>f = ∇f·u = {fmt(du, scale=abs(gx) + abs(gy))}")
        if self._box is not None and self._box.zrange is not None:
            lo, hi = self._box.zrange
            text += f"<br>height shows f from {fmt(lo)} to {fmt(hi)}"
        self.caption.setText(f"{key}<br>{text}")

    # ----- for tests and screenshots ----------------------------------------------
    def render_image(self):
        """The GL view as a QImage (None without OpenGL)."""
        return None if self.gl is None else self.gl.grabFramebuffer()

    def surface_vertices(self):
        """(N, 3) mesh vertices in data coordinates (x, y, f); holes are left out."""
        return self._vertices.copy()

    def trajectory_points(self):
        """(N, 3) drawn path points (x, y, f), subsampled for long runs."""
        return self._path.copy()

    def tangent_plane_points(self):
        """(4, 3) corners (x, y, z) of the tangent-plane patch, or an empty array."""
        return self._patch.copy()

    def direction_points(self):
        """(2, 3) start and tip of the u arrow in the tangent plane, or an empty array."""
        return self._arrow[:2].copy()

    def display_range(self):
        """(lo, hi): the f values mapped to the bottom and top of the box, or None."""
        return None if self._box is None else self._box.zrange
