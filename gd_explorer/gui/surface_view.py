"""The 3-D view (issue 5): the surface z = f(x, y), the descent path on it, the tangent plane.

Where OpenGL is unavailable (offscreen platform, no driver, no PyOpenGL) the pane shows
a message instead, and the rest of the app works as before.
"""
import math
import os

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QOpenGLContext
from PySide6.QtWidgets import (QCheckBox, QGridLayout, QHBoxLayout, QLabel, QPushButton,
                               QVBoxLayout, QWidget)

from ..core import slices
from ..core import surface_mesh as sm
from ..core.calculus import derivative_curve, differential
from ..core.fmt import fmt, fmt_point
from ..core.grid import sample_grid, window_color_scale
from .colors import (COLORMAP_NAME, CRITICAL_COLORS, DS_COLOR, GAP_COLOR, START_COLOR,
                     TANGENT_COLOR, TRACE_X_COLOR, TRACE_Y_COLOR, TRAJ_COLOR, U_COLOR)
from .number_fields import NumberSpinBox
from .scale import ui_scale

RESOLUTION = 100       # surface mesh is RESOLUTION x RESOLUTION vertices
SETTLE_MS = 150        # re-sample this long after the last window change
HEIGHT = 1.0           # box height at z scale 1 (the box is 2 wide along its longer side)
LIFT = 0.012           # markers and path float this fraction of the box height above f
MAX_PATH_POINTS = 2000
MAX_STEP_DOTS = 400
LUT_SIZE = 256         # colours in the table, as the contour image (pyqtgraph's ImageItem) uses
CAMERA = dict(elevation=36, azimuth=-100, fov=40)
MOST_TICKS = 6         # per axis
TICK = 0.04            # tick length, in box units (the box is 2 wide)
ZTOL = 0.02            # markers and paths this fraction of the height below or above the box
                       # are drawn on its floor or lid; further out they are not drawn
FIT_MARGIN = 6         # pixels left free around the box and its labels
FIT_ROUNDS = 3
BACKGROUND = (250, 250, 250)
SLICE_FRACTION = 0.25  # the slices reach this fraction of the window's width either side of p
SLICE_COLORS = {"x": TRACE_X_COLOR, "y": TRACE_Y_COLOR, "u": U_COLOR}
ALONG = {"x": slices.ALONG_X, "y": slices.ALONG_Y}
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


def unavailable_message(reason):
    return (f"3-D view unavailable: {reason}. "
            "The contour view and everything else still work.")


def _axis_marks(name, ticks, at, out, end, name_out=None):
    """Tick segments and labels (pos, out, text, is_name) of one axis: ``ticks`` is
    (values, step), ``at(v)`` the display point of value v on the axis, ``out`` the way the
    ticks point, ``end`` where the axis name goes (pushed along ``name_out``, else ``out``)."""
    values, step = ticks
    out = np.asarray(out, dtype=float)
    segs, labels = [], []
    for v in values:
        pos = np.asarray(at(v), dtype=float)
        segs.append((pos, pos + TICK * out))
        labels.append((pos + TICK * out, out, sm.tick_text(v, step), False))
    labels.append((np.asarray(end, dtype=float) + TICK * out,
                   out if name_out is None else np.asarray(name_out, dtype=float), name, True))
    return segs, labels


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
        self._colors = np.empty((0, 4))
        self._outline = np.empty((0, 3))  # the surface's display points: labels keep clear
        self._path = np.empty((0, 3))
        self._patch = np.empty((0, 3))
        self._arrow = np.empty((0, 3))
        self._point = None        # (x, y, f, gx, gy) at the current point
        self._at = None           # (x, y, f) at the current point where f is defined in the box
        self._curves, self._tangents = {}, {}  # slices: data points (N, 3), tangent ends (2, 3)
        self._u_plane = np.empty((0, 3))
        self._differential = None  # the core Differential drawn, or None
        self._half = 1.0          # half-size of the tangent plane at its plain size
        self._edges = None        # where the axes were put (see surface_mesh.axis_edges)
        self._fitted = None       # the camera distance that fits the box in the pane
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.slices_action = QAction("Slices through the point (3-D)", self, checkable=True,
                                     checked=True, objectName="showSlicesAction")
        self.slices_action.setToolTip(
            "On the surface: the traces x = a and y = b through the point with their tangents "
            "(slopes f_y and f_x), and the vertical plane of u with the slice g(z) = f(p + z u) "
            "and its tangent (slope D_u f)")
        ok, reason = opengl_status()
        self.slices_action.setEnabled(ok)
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
        model.runsChanged.connect(self._on_runs_changed)
        model.pointChanged.connect(self._on_point_changed)
        model.angleChanged.connect(self._on_angle_changed)
        model.angleChanging.connect(self._on_angle_changed)
        model.dsChanged.connect(self._on_ds_changed)
        model.dsShownChanged.connect(self._on_ds_changed)
        self.slices_action.toggled.connect(self._on_slices_toggled)
        model.analysis.criticalPointsChanged.connect(self._draw_critical)
        self.gl.resized.connect(self._fit_camera)
        self.gl.turned.connect(self._on_camera_turned)
        self._resample()

    @property
    def available(self):
        return self.gl is not None

    # ----- construction -----------------------------------------------------------
    def _build(self, layout):
        from . import surface_items as si

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
        self.slices_toggle = QCheckBox("Slices", objectName="slicesToggle", checked=True)
        self.slices_toggle.setToolTip(self.slices_action.toolTip())
        self.slices_toggle.toggled.connect(self.slices_action.setChecked)
        self.slices_action.toggled.connect(self.slices_toggle.setChecked)
        # the toggles on the left, height and camera on the right; on a narrow pane the right
        # group goes to a second row (so the pane never needs the width of both)
        self._bar_groups = []
        for widgets in ((self.plane_toggle, self.slices_toggle),
                        (QLabel("Height"), self.z_scale, self.reset_button)):
            group = QWidget()
            row = QHBoxLayout(group)
            row.setContentsMargins(0, 0, 0, 0)
            for widget in widgets:
                row.addWidget(widget)
            self._bar_groups.append(group)
        self._bar = QGridLayout()
        self._bar.setContentsMargins(4, 2, 4, 0)
        self._bar.setColumnStretch(1, 1)
        self._bar_rows = 0
        self._arrange_bar(self.width())
        layout.addLayout(self._bar)

        self.gl = si.GLView()
        self.gl.setObjectName("surfaceView")
        self.gl.setBackgroundColor(BACKGROUND)
        self.gl.setMinimumSize(200, 200)
        self.items = si.SceneItems(self.gl, TRAJ_COLOR, START_COLOR, TANGENT_COLOR, U_COLOR,
                                   CRITICAL_COLORS, SLICE_COLORS)
        self.items.set_scale(ui_scale().factor)
        ui_scale().scaleChanged.connect(self._on_scale_changed)
        self.lut = pg.colormap.get(COLORMAP_NAME).getLookupTable(nPts=LUT_SIZE)
        layout.addWidget(self.gl, 1)
        self.caption = QLabel(objectName="surfaceCaption")
        self.caption.setTextFormat(Qt.RichText)
        self.caption.setWordWrap(True)
        self.caption.setContentsMargins(6, 0, 6, 4)
        layout.addWidget(self.caption)
        self.reset_camera()

    def _arrange_bar(self, width):
        """One row of controls where both groups fit in ``width``, else two."""
        left, right = self._bar_groups
        rows = 1 if left.sizeHint().width() + right.sizeHint().width() + 24 <= width else 2
        if rows == self._bar_rows:
            return
        self._bar_rows = rows
        self._bar.addWidget(left, 0, 0, Qt.AlignLeft)
        if rows == 1:
            self._bar.addWidget(right, 0, 2, Qt.AlignRight)
        else:
            self._bar.addWidget(right, 1, 0, 1, 3, Qt.AlignLeft)
        self.setMinimumWidth(max(left.sizeHint().width(), right.sizeHint().width()) + 12)

    def _on_scale_changed(self, _percent):
        self.items.set_scale(ui_scale().factor)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        if getattr(self, "_bar", None) is not None:  # not where OpenGL is unavailable
            self._arrange_bar(event.size().width())

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
        if len(self.model.runs) > 1:  # the other runs step too
            self._draw_kept()

    def _on_point_changed(self, x, y):
        self._draw_point()

    def _on_angle_changed(self, _phi):
        self._draw_u_slice()
        self._draw_arrow()

    def _on_ds_changed(self, *_args):
        self._draw_point()  # the tangent plane grows to reach p + ds

    def _on_slices_toggled(self, _on):
        self._draw_slices()
        self._set_caption(self._point, self.model.angle)

    def _on_plane_toggled(self, on):
        self.items.set_plane_visible(on)

    def _on_z_scale_changed(self, value):
        self.items.set_z_scale(value)
        self._fit_camera()

    # ----- camera -----------------------------------------------------------------
    def reset_camera(self):
        self._fitted = None
        self.gl.setCameraParams(**CAMERA)
        self._fit_camera()

    def _half_sizes(self):
        """Half width and depth of the box in display units."""
        box = self._box
        if box is None:
            return 1.0, 1.0
        (x0, x1), (y0, y1) = box.xrange, box.yrange
        return 0.5 * (x1 - x0) * box.scale, 0.5 * (y1 - y0) * box.scale

    def _fit_camera(self):
        """Centre the box and its labels in the pane and move the camera so they fill it.
        A zoom the user made (wheel) is kept as a factor on the fitted distance."""
        w, h = self.gl.width(), self.gl.height()
        if w < 10 or h < 10:
            return
        opts = self.gl.opts
        zoom = opts["distance"] / self._fitted if self._fitted else 1.0
        hx, hy = self._half_sizes()
        top = HEIGHT * self.z_scale.value()
        corners = [(sx * hx, sy * hy, z) for sx in (-1, 1) for sy in (-1, 1) for z in (0.0, top)]
        center, distance = sm.fit_camera(corners, (0.0, 0.0, 0.5 * top), opts["azimuth"],
                                         opts["elevation"], opts["fov"], (w, h))
        for _ in range(FIT_ROUNDS if self._box is not None else 0):  # room for the labels, centred
            x0, y0, x1, y1 = self._picture_bounds(center, distance)
            room = min((w - 2 * FIT_MARGIN) / (x1 - x0), (h - 2 * FIT_MARGIN) / (y1 - y0))
            right, up, _ = sm.camera_axes(opts["azimuth"], opts["elevation"])
            per_pixel = 2 * distance * math.tan(math.radians(opts["fov"]) / 2) / w
            center = center + per_pixel * (right * (0.5 * (x0 + x1) - 0.5 * w)
                                           - up * (0.5 * (y0 + y1) - 0.5 * h))
            distance /= room
        self._fitted = distance
        opts["center"] = pg.Vector(*center)
        opts["distance"] = distance * zoom
        self.gl.update()

    def _picture_bounds(self, center, distance):
        """Pixel bounds (x0, y0, x1, y1) of the box and its labels for this camera."""
        o, s = self.gl.opts, self.z_scale.value()

        def screen(points):
            pts = np.array(points, dtype=np.float64).reshape(-1, 3) * (1.0, 1.0, s)
            return sm.project(pts, center, distance, o["azimuth"], o["elevation"], o["fov"],
                              (self.gl.width(), self.gl.height()))

        hull, boxes = self.items.labels.layout(screen)
        pts = np.vstack([hull.reshape(-1, 2)] + [[(b.left(), b.top()), (b.right(), b.bottom())]
                                                 for b, _, _ in boxes])
        return (*pts.min(axis=0), *pts.max(axis=0))

    def _on_camera_turned(self):
        if self._box is not None and self._axis_edges() != self._edges:
            self._draw_axes()

    def to_pixels(self, data_points, lift=0.0):
        """Where data points (x, y, f) appear in the GL view, in pixels (for tests)."""
        pts = self._box.apply(data_points, clip=False, lift=lift)
        pts[:, 2] *= self.z_scale.value()
        o = self.gl.opts
        center = (o["center"].x(), o["center"].y(), o["center"].z())
        return sm.project(pts, center, o["distance"], o["azimuth"], o["elevation"], o["fov"],
                          (self.gl.width(), self.gl.height()))

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
            self._colors = np.empty((0, 4))
            self._outline = np.empty((0, 3))
            self.items.clear_surface()
        self._draw_axes()
        self._fit_camera()
        self._draw_start()
        self._draw_path()
        self._draw_kept()
        self._draw_critical()
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
        # the contour map's colours: its scale of the window, looked up in the same table
        scale = window_color_scale(self.model.function, self.model.window, self.model.spacing)
        colors = sm.lut_colors(scale, data[:, 2], self.lut)
        verts = self._box.apply(data, clip=False)
        self._vertices, self._colors = data, colors
        self._outline = verts
        self.items.set_surface(verts, faces, colors, sm.vertex_normals(verts, faces))

    # ----- frame and axes ---------------------------------------------------------
    def _axis_edges(self):
        return sm.axis_edges(*self._half_sizes(), self.gl.opts["azimuth"])

    def _draw_axes(self):
        """The base rectangle, the f axis and ticks with labels on the edges nearest the
        viewer, labels pushed outwards (so they never sit on the surface)."""
        box = self._box
        if box is None:
            self._edges = None
            self.items.set_axes(np.empty((0, 2, 3)), np.empty((0, 2, 3)), [], np.empty((0, 3)))
            return
        self._edges = y_edge, x_edge, (fx, fy) = self._axis_edges()
        hx, hy = self._half_sizes()
        base = [(-hx, -hy, 0), (hx, -hy, 0), (hx, hy, 0), (-hx, hy, 0)]
        frame = [(base[k], base[(k + 1) % 4]) for k in range(4)] + [((fx, fy, 0), (fx, fy, HEIGHT))]
        (x0, x1), (y0, y1), (lo, hi) = box.xrange, box.yrange, box.zrange
        cx, cy = 0.5 * (x0 + x1), 0.5 * (y0 + y1)
        oy, ox = math.copysign(1.0, y_edge), math.copysign(1.0, x_edge)
        parts = [
            _axis_marks("x", sm.nice_ticks(x0, x1, MOST_TICKS),
                        lambda v: ((v - cx) * box.scale, y_edge, 0.0), (0.0, oy, 0.0), (0.0, y_edge, 0.0)),
            _axis_marks("y", sm.nice_ticks(y0, y1, MOST_TICKS),
                        lambda v: (x_edge, (v - cy) * box.scale, 0.0), (ox, 0.0, 0.0), (x_edge, 0.0, 0.0)),
            _axis_marks("f", sm.nice_ticks(lo, hi, MOST_TICKS),
                        lambda v: (fx, fy, (v - lo) * box.zscale),
                        (math.copysign(0.7, fx), math.copysign(0.7, fy), 0.0), (fx, fy, HEIGHT),
                        name_out=(0.0, 0.0, 1.0))]
        ticks = np.array([seg for segs, _ in parts for seg in segs], dtype=float).reshape(-1, 2, 3)
        labels = [label for _, group in parts for label in group]
        floor = [(sx * (hx + TICK), sy * (hy + TICK), 0.0) for sx in (-1, 1) for sy in (-1, 1)]
        outline = np.vstack([floor, [(fx, fy, HEIGHT)], ticks.reshape(-1, 3),
                             self._outline])  # everything drawn but the labels
        self.items.set_axes(np.array(frame, dtype=float), ticks, labels, outline)

    # ----- runs, markers, tangent plane -------------------------------------------
    def _lift(self):
        return LIFT * HEIGHT

    def _box_bounds(self):
        """The box in data coordinates, f widened by ZTOL (a minimum lies a little below the
        lowest sample, the floor): (lower, upper)."""
        box = self._box
        (lo, hi), pad = box.zrange, ZTOL * (box.zrange[1] - box.zrange[0])
        return (box.xrange[0], box.yrange[0], lo - pad), (box.xrange[1], box.yrange[1], hi + pad)

    def _inside(self, pts):
        """Mask of data points (x, y, f) inside the box: markers elsewhere are not drawn."""
        return sm.inside_box(pts, *self._box_bounds(), tol=1e-9)

    def _run_points(self, run):
        """(N, 3) points (x, y, f) of a run, subsampled for long runs."""
        rows = run.view()
        return rows[sm.subsample(len(rows), MAX_PATH_POINTS)][:, 1:4].copy()

    def _segments(self, points):
        """A run's path cut to the box, as display segments (M, 2, 3) lifted above f."""
        segs, _ = sm.clip_segments(points, *self._box_bounds())
        return self._box.apply(segs.reshape(-1, 3), lift=self._lift()).reshape(-1, 2, 3)

    def _draw_path(self):
        run, box = self.model.run, self._box
        if run is None or box is None or not self.model.selected_run.visible:
            self._path = np.empty((0, 3))
            self.items.set_path(np.empty((0, 2, 3)), np.empty((0, 3)))
            return
        self._path = self._run_points(run)
        dots = np.empty((0, 3))
        if len(self._path) <= MAX_STEP_DOTS:
            dots = box.apply(self._path[self._inside(self._path)], lift=self._lift())
        self.items.set_path(self._segments(self._path), dots)

    def _on_runs_changed(self):
        selected = self.model.selected_run
        self.items.set_path_color(selected.color if selected is not None else TRAJ_COLOR)
        self._draw_path()
        self._draw_kept()

    def _draw_kept(self):
        """Every other visible run in its own colour (as on the map)."""
        segs, colors = [np.empty((0, 2, 3))], [np.empty((0, 4))]
        selected = self.model.selected_run
        if self._box is not None:
            for run in self.model.runs:
                if not run.visible or run is selected or run.descent is None:
                    continue
                s = self._segments(self._run_points(run.descent))
                rgba = pg.mkColor(run.color).getRgbF()
                segs.append(s)
                colors.append(np.tile(rgba, (len(s), 1)))
        self.items.set_kept(np.concatenate(segs), np.concatenate(colors))
        self._set_caption(self._point, self.model.angle)

    def _draw_critical(self):
        points = [p for p in (self.model.analysis.critical or []) if self._box is not None
                  and self._inside([(p.x, p.y, p.f)]).all()]
        pts = np.array([(p.x, p.y, p.f) for p in points], dtype=float).reshape(-1, 3)
        if self._box is not None:
            pts = self._box.apply(pts, lift=self._lift())
        self.items.set_critical(pts, [p.kind for p in points])
        self._set_caption(self._point, self.model.angle)

    def _draw_start(self):
        fn, box = self.model.function, self._box
        pts = np.empty((0, 3))
        if fn is not None and box is not None:
            x, y = self.model.start
            p = np.array([(x, y, float(fn.value(x, y)))])
            if self._inside(p).all():
                pts = box.apply(p, lift=self._lift())
        self.items.set_start(pts)

    def _draw_point(self):
        """The current point, its tangent plane and u, the slices and ds: drawn only inside
        the box (the caption still gives the values at a point outside it)."""
        state, box = self.model.point_state(), self._box
        self._point, self._at, shown = None, None, False
        if state is not None and box is not None:
            x, y, f = state.x, state.y, state.f
            inside = math.isfinite(f) and bool(self._inside([(x, y, f)]).all())
            self._at = (x, y, f) if inside else None
            if state.has_gradient:
                self._point = (x, y, f, state.gx, state.gy)
                shown = inside
        self._patch = np.empty((0, 3))
        self._arrow = np.empty((0, 3))
        if shown:
            x, y, f, gx, gy = self._point
            lo, hi = box.zrange
            width = max(box.xrange[1] - box.xrange[0], box.yrange[1] - box.yrange[0])
            half = self._half = sm.patch_half_size(width, hi - lo, gx, gy)
            if self.model.ds_shown:  # wide enough to hold the point above p + ds
                half = max(half, min(1.2 * max(map(abs, self.model.ds)), 0.5 * width))
            self._patch = sm.tangent_patch(x, y, f, gx, gy, half)
            self.items.set_point(box.apply([(x, y, f)], lift=self._lift()))
            self.items.set_plane(box.apply(self._patch, clip=False, lift=0.5 * self._lift()),
                                 self.plane_toggle.isChecked())
        else:
            self.items.set_point(np.empty((0, 3)))
            self.items.set_plane(self._patch, False)
        self._draw_traces()
        self._draw_ds()
        self._draw_u_slice()
        self._draw_arrow()

    # ----- slices through the point -------------------------------------------------
    def _slice_reach(self):
        (x0, x1), (y0, y1) = self._box.xrange, self._box.yrange
        return SLICE_FRACTION * max(x1 - x0, y1 - y0)

    def _slice(self, key, u, slope):
        """The slice along ``u`` through the point: its curve on the surface and, where ∇f
        is defined (``slope`` not None), its tangent there."""
        x, y, f = self._at
        self._curves[key] = slices.slice_curve(self.model.function, (x, y), u, self._slice_reach())
        self._tangents.pop(key, None)
        if slope is not None:
            self._tangents[key] = slices.slice_tangent((x, y), f, u, slope, self._half)

    def _draw_traces(self):
        """The traces y = b and x = a: slopes f_x and f_y."""
        for key in ALONG:
            self._curves.pop(key, None)
            self._tangents.pop(key, None)
        if self._at is not None:
            slopes = self._point[3:] if self._point is not None else (None, None)
            for (key, u), slope in zip(ALONG.items(), slopes):
                self._slice(key, u, slope)

    def _draw_u_slice(self):
        """The vertical plane of u through the point and the slice g(z) = f(p + z u) on it,
        with its tangent of slope D_u f (cheap: it follows the dial while dragged)."""
        self._curves.pop("u", None)
        self._tangents.pop("u", None)
        self._u_plane = np.empty((0, 3))
        if self._at is not None:
            phi = self.model.angle
            u = (math.cos(phi), math.sin(phi))
            slope = None
            if self._point is not None:
                slope = float(derivative_curve(self._point[3:], phi))
            self._slice("u", u, slope)
            box = self._box
            self._u_plane = slices.vertical_plane(self._at[:2], u, self._slice_reach(),
                                                  box.xrange, box.yrange, box.zrange)
        self._draw_slices()

    def _draw_slices(self):
        box = self._box
        if not self.slices_action.isChecked() or box is None:
            self.items.set_slices({}, {}, np.empty((0, 3)))
            return
        lower, upper = self._box_bounds()
        tangents = {}
        for key, ends in self._tangents.items():
            segs, _ = sm.clip_segments(ends, lower, upper)
            if len(segs):  # dashed, unlike the curve it touches
                tangents[key] = box.apply(slices.dashes(segs[0]).reshape(-1, 3), clip=False,
                                          lift=0.5 * self._lift()).reshape(-1, 2, 3)
        self.items.set_slices({k: self._segments(pts) for k, pts in self._curves.items()},
                              tangents, box.apply(self._u_plane, clip=False))

    # ----- the total differential ---------------------------------------------------
    def _draw_ds(self):
        """Above p + ds: ds at the height f(p), the rise df to the tangent plane, the gap
        Δf − df on to the surface, and the points on the plane and on the surface."""
        self._differential = None
        if not (self.model.ds_shown and len(self._patch)):
            self.items.set_differential(np.empty((0, 2, 3)), np.empty((0, 4)),
                                        np.empty((0, 3)), np.empty((0, 4)))
            return
        x, y, f, _gx, _gy = self._point
        d = self._differential = differential(self.model.function, (x, y), self.model.ds)
        foot = (x + d.ds[0], y + d.ds[1], f)
        pieces = [((x, y, f), foot, DS_COLOR), (foot, d.plane_point, TANGENT_COLOR),
                  (d.plane_point, d.surface_point, GAP_COLOR)]
        lower, upper = self._box_bounds()
        segs, colors = [], []
        for a, b, color in pieces:
            cut, _ = sm.clip_segments(np.array([a, b]), lower, upper)
            segs.extend(cut)
            colors.extend([pg.mkColor(color).getRgbF()] * len(cut))
        marks = np.array([d.plane_point, d.surface_point])
        inside = self._inside(marks)
        marks_colors = np.array([pg.mkColor(c).getRgbF() for c in (TANGENT_COLOR, DS_COLOR)])
        box, lift = self._box, 0.5 * self._lift()
        display = box.apply(np.reshape(segs, (-1, 3)), clip=False, lift=lift).reshape(-1, 2, 3)
        shown = box.apply(marks[inside], clip=False, lift=lift)
        higher = d.f_step > d.plane_point[2]  # the higher point's tag goes above it
        tags = [(pt, text, up) for pt, text, up in zip(shown, np.array(
            ["plane: f(p) + df", "surface: f(p + ds)"])[inside], np.array([not higher, higher])[inside])]
        self.items.set_differential(display, np.reshape(colors, (-1, 4)), shown,
                                    marks_colors[inside], tags)

    def _draw_arrow(self):
        phi = self.model.angle
        if len(self._patch):
            x, y, f, gx, gy = self._point
            half = float(np.abs(self._patch[0, 0] - x))
            self._arrow = sm.direction_arrow(x, y, f, gx, gy, phi, half)
            self.items.set_arrow(self._box.apply(self._arrow, clip=False, lift=0.5 * self._lift()))
        else:
            self.items.set_arrow(np.empty((0, 3)))
        self._set_caption(self._point, phi)

    def _caption_key(self):
        """The key to what is drawn; other runs and critical points only while there are some.
        Each glyph in its colour on a dark chip (the colours are made to show on the map's
        colours, not on white), the words in the text colour."""
        selected = self.model.selected_run
        path_color = selected.color if selected is not None else TRAJ_COLOR

        def chip(color, glyph, words):  # one piece, never broken across lines
            words = words.replace(" ", "&nbsp;")
            return (f"<span style='color:{color};background:#333'>&nbsp;{glyph}&nbsp;</span>"
                    f"&nbsp;{words}")

        entries = [chip(path_color, "━", "path"), chip(START_COLOR, "●", "start"),
                   chip("#ffffff", "○", "current point"),
                   chip(TANGENT_COLOR, "▰", "tangent plane"), chip(U_COLOR, "➔", "u")]
        if self.items.kept.visible():
            entries.append(chip("#eeeeee", "━", "other runs"))
        if self.items.critical.visible():
            entries += [chip(CRITICAL_COLORS["minimum"], "▼", "min"),
                        chip(CRITICAL_COLORS["maximum"], "▲", "max"), chip("#ffffff", "×", "saddle")]
        key = " &nbsp;".join(entries)
        if self.slices_action.isChecked() and self._curves:
            key += ("<br>slices through the point and their tangents (╍): "
                    f"{chip(TRACE_X_COLOR, '━', 'y = b, slope f<sub>x</sub>')} &nbsp;"
                    f"{chip(TRACE_Y_COLOR, '━', 'x = a, slope f<sub>y</sub>')} &nbsp;"
                    f"{chip(U_COLOR, '━', 'along u, slope D<sub>u</sub>f')}")
        d = self._differential
        if d is not None:
            key += (f"<br>{chip(DS_COLOR, '━', 'ds')} at height f(p), then "
                    f"{chip(TANGENT_COLOR, '┃', 'df')} = {fmt(d.df, scale=d.df_scale)} to "
                    f"{chip(TANGENT_COLOR, '●', 'the plane')}, {chip(GAP_COLOR, '┃', 'Δf − df')} = "
                    f"{fmt(d.gap, scale=d.gap_scale)} to {chip(DS_COLOR, '●', 'the surface')}: "
                    f"Δf = {fmt(d.actual, scale=d.gap_scale)}")
        return key

    def _set_caption(self, point, phi):
        key = self._caption_key()
        state = self.model.point_state()
        if point is None and state is not None and math.isfinite(state.f):
            # f is defined, ∇f is not (or the point is outside the box): say which
            text = f"at {fmt_point((state.x, state.y))}: f = {fmt(state.f)}"
            text += f"; {state.words}" if state.words else ""
        elif point is None:
            text = "f is not defined at the current point" if self.model.function else ""
        else:
            x, y, f, gx, gy = point
            du = gx * math.cos(phi) + gy * math.sin(phi)
            grad = fmt_point((gx, gy), scale=self.model.gradient_scale())
            text = (f"at {fmt_point((x, y))}: f = {fmt(f)}, ∇f = {grad}, "
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

    def surface_colors(self):
        """(N, 4) RGBA colours (0 to 1) of the mesh vertices, in the same order."""
        return self._colors.copy()

    def trajectory_points(self):
        """(N, 3) points (x, y, f) of the current run that the path is drawn through
        (subsampled for long runs; the drawn path is cut to the box)."""
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
