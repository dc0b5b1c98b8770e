"""OpenGL pieces of the 3-D view: the GL widget and the scene items, created once.

Imported only once OpenGL is known to work (see surface_view.opengl_status).
"""
import itertools
import math
import traceback

import numpy as np
import pyqtgraph as pg
import pyqtgraph.opengl as gl
from OpenGL import GL
from pyqtgraph.opengl import shaders
from pyqtgraph.opengl.GLGraphicsItem import GLGraphicsItem
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QFont, QFontMetricsF, QMatrix4x4, QPainter, QPolygonF
from PySide6.QtOpenGL import QOpenGLPaintDevice

from ..core import surface_mesh as sm

# blend colour by alpha but keep the framebuffer opaque (else Qt composes odd colours)
_BLEND = (GL.GL_SRC_ALPHA, GL.GL_ONE_MINUS_SRC_ALPHA, GL.GL_ONE, GL.GL_ONE_MINUS_SRC_ALPHA)
ON_TOP = {GL.GL_DEPTH_TEST: False, GL.GL_BLEND: True, GL.GL_CULL_FACE: False,
          "glBlendFuncSeparate": _BLEND}
DEPTH = {GL.GL_DEPTH_TEST: True, GL.GL_BLEND: True, GL.GL_CULL_FACE: False,
         "glBlendFuncSeparate": _BLEND, "glDepthFunc": (GL.GL_LEQUAL,)}
# Every depth-tested item sets its depth test itself: QPainter (labels, critical points)
# leaves GL_LESS behind, and lines on the surface's edge would flicker between frames.
OPAQUE = {GL.GL_DEPTH_TEST: True, GL.GL_BLEND: False, GL.GL_CULL_FACE: False,
          "glDepthFunc": (GL.GL_LEQUAL,)}

# Two-sided soft lighting: colours stay close to the colour map, the shape still reads.
_LIT = None
_LIT_VERTEX = """
uniform mat4 u_mvp;
uniform mat3 u_normal;
attribute vec4 a_position;
attribute vec3 a_normal;
attribute vec4 a_color;
varying vec4 v_color;
varying vec3 v_normal;
void main() {
    v_normal = normalize(u_normal * a_normal);
    v_color = a_color;
    gl_Position = u_mvp * a_position;
}
"""
_LIT_FRAGMENT = """
#ifdef GL_ES
precision mediump float;
#endif
varying vec4 v_color;
varying vec3 v_normal;
void main() {
    float p = abs(dot(normalize(v_normal), normalize(vec3(-0.4, 0.6, 0.7))));
    gl_FragColor = vec4(v_color.rgb * (0.6 + 0.4 * p), v_color.a);
}
"""


def lit_shader():
    global _LIT
    if _LIT is None:
        _LIT = shaders.ShaderProgram("gdExplorerLit", [shaders.VertexShader(_LIT_VERTEX),
                                                       shaders.FragmentShader(_LIT_FRAGMENT)])
    return _LIT


class GLView(gl.GLViewWidget):
    """GLViewWidget that survives several views in one process and never raises in paintGL.

    pyqtgraph caches compiled shader programs globally, but a program belongs to one GL
    context; when a different view paints, the caches are dropped so they are rebuilt.
    """

    resized = Signal()
    turned = Signal()     # the camera's azimuth or elevation changed

    _serials = itertools.count()
    _last_painter = None

    def __init__(self, parent=None):
        super().__init__(parent)
        self._serial = next(GLView._serials)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self.resized.emit()

    def orbit(self, azim, elev):
        super().orbit(azim, elev)
        self.turned.emit()

    def setCameraPosition(self, *args, **kwargs):
        super().setCameraPosition(*args, **kwargs)
        self.turned.emit()

    def initializeGL(self):
        try:
            super().initializeGL()
        except Exception:
            traceback.print_exc()

    def paintGL(self):
        try:
            if GLView._last_painter != self._serial:
                _forget_programs()
                GLView._last_painter = self._serial
            super().paintGL()
        except Exception:  # an exception escaping paint code can take PySide6 down
            traceback.print_exc()


def _forget_programs():
    for program in shaders.ShaderProgram.names.values():
        program.prog = None
    gl.GLScatterPlotItem._shaderProgram = None
    gl.GLLinePlotItem._shaderProgram = None


class _Painted(GLGraphicsItem):
    """An item drawn with QPainter into the GL framebuffer (so grabs include it)."""

    def screen_projection(self):
        """A function from (N, 3) points to (N, 2) pixels, for the current paint."""
        rect = QRectF(self.view().rect())
        to_pixels = QMatrix4x4()
        to_pixels.viewport(rect.left(), rect.bottom(), rect.width(), -rect.height())
        matrix = np.array((to_pixels * self.mvpMatrix()).data(), dtype=np.float64).reshape(4, 4).T

        def screen(points):
            pts = np.asarray(points, dtype=np.float64).reshape(-1, 3)
            q = np.column_stack([pts, np.ones(len(pts))]) @ matrix.T
            return q[:, :2] / q[:, 3:]

        return screen

    def begin(self):
        view = self.view()
        device = QOpenGLPaintDevice(view.deviceWidth(), view.deviceHeight())
        device.setDevicePixelRatio(view.devicePixelRatioF())
        painter = QPainter(device)
        painter.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        return device, painter


class _Glyphs(_Painted):
    """Critical points as the contour map marks them: ▼ minimum, ▲ maximum, × saddle,
    ◆ degenerate, in their colours with a dark outline."""

    SIZE = 7.0  # half-size in pixels

    def __init__(self, colors):
        super().__init__()
        self.colors = {kind: pg.mkColor(c) for kind, c in colors.items()}
        self.points, self.kinds = np.empty((0, 3)), []

    def setData(self, points, kinds):
        self.points, self.kinds = np.asarray(points, dtype=np.float64).reshape(-1, 3), list(kinds)
        self.update()

    def paint(self):
        if not len(self.points):
            return
        _device, painter = self.begin()
        s = self.SIZE
        shapes = {"minimum": [(-s, -0.8 * s), (s, -0.8 * s), (0, 0.9 * s)],
                  "maximum": [(-s, 0.8 * s), (s, 0.8 * s), (0, -0.9 * s)],
                  "degenerate": [(0, -s), (s, 0), (0, s), (-s, 0)]}
        dark = pg.mkPen((25, 25, 25), width=1.5)
        for (x, y), kind in zip(self.screen_projection()(self.points), self.kinds):
            color = self.colors[kind]
            if kind == "saddle":
                for pen in (pg.mkPen((25, 25, 25), width=5), pg.mkPen(color, width=2.5)):
                    painter.setPen(pen)
                    painter.drawLine(QPointF(x - s, y - s), QPointF(x + s, y + s))
                    painter.drawLine(QPointF(x - s, y + s), QPointF(x + s, y - s))
                continue
            painter.setPen(dark)
            painter.setBrush(color)
            painter.drawPolygon(QPolygonF([QPointF(x + dx, y + dy) for dx, dy in shapes[kind]]))
        painter.end()


class _Tags(_Painted):
    """Short texts beside 3-D points, on a light box: above or below the point."""

    def __init__(self, font):
        super().__init__()
        self.font, self.tags = font, []

    def setData(self, tags):
        """[(point (3,), text, above)]."""
        self.tags = list(tags)
        self.update()

    def paint(self):
        if not self.tags:
            return
        _device, painter = self.begin()
        painter.setFont(self.font)
        metrics = QFontMetricsF(self.font)
        points = self.screen_projection()(np.array([tag[0] for tag in self.tags]))
        for (x, y), (_p, text, above) in zip(points, self.tags):
            size = metrics.size(0, text)
            w, h = size.width() + 6, size.height() + 2
            box = QRectF(x + 8, y - h - 2 if above else y + 2, w, h)
            painter.setPen(pg.mkPen((60, 60, 60)))
            painter.setBrush(pg.mkBrush(255, 255, 255, 225))
            painter.drawRoundedRect(box, 3, 3)
            painter.setPen(pg.mkPen((17, 17, 17)))
            painter.drawText(box, Qt.AlignCenter, text)
        painter.end()


class _Labels(_Painted):
    """Axis labels. Each sits beside a 3-D point, pushed out along a 3-D direction until it
    clears the picture of the box, so it never covers the surface inside it. Tick labels
    that would overlap one already drawn are left out; axis names move on past the tick
    labels."""

    GAP = 4  # pixels between the point and the text

    def __init__(self, color, font, name_font):
        super().__init__()
        self.color, self.font, self.name_font = pg.mkColor(color), font, name_font
        self.labels = []               # (pos, out, text, is_name)
        self.corners = np.empty((0, 3))
        self.drawn = []                # (QRectF, text) of the last paint, for tests
        self.hull = np.empty((0, 2))   # the box's outline on screen at the last paint

    def setData(self, labels, corners):
        """Labels (pos, out, text, is_name) and points (N, 3) outlining what they must clear."""
        self.labels, self.corners = list(labels), np.asarray(corners, dtype=np.float64)
        self.update()

    def texts(self):
        """Every label's text (some ticks may be left out when crowded)."""
        return [label[2] for label in self.labels]

    def layout(self, screen):
        """Where the labels go for a projection ``screen`` ((N, 3) points to (N, 2) pixels):
        (the box's outline, [(QRectF, text, is_name)])."""
        hull = sm.outline(screen(self.corners)) if len(self.corners) else np.empty((0, 2))
        if not self.labels:
            return hull, []
        pos = np.array([label[0] for label in self.labels], dtype=np.float64)
        out = np.array([label[1] for label in self.labels], dtype=np.float64)
        anchors, tips = screen(pos), screen(pos + out)
        boxes = []
        for (_p, _o, text, is_name), a, b in zip(self.labels, anchors, tips):
            d = b - a
            norm = math.hypot(*d)
            size = QFontMetricsF(self.name_font if is_name else self.font).size(0, text)
            boxes.append((a, d / norm if norm > 1e-9 else np.array([0.0, 1.0]),
                          (size.width(), size.height()), is_name))
        placed = sm.layout_labels(boxes, hull, self.GAP)
        return hull, [(QRectF(c[0] - w / 2, c[1] - h / 2, w, h), label[2], label[3])
                      for label, spot in zip(self.labels, placed) if spot
                      for c, (w, h) in [spot]]

    def paint(self):
        self.drawn = []
        if not self.labels:
            return
        self.hull, boxes = self.layout(self.screen_projection())
        _device, painter = self.begin()
        painter.setPen(self.color)
        for box, text, is_name in boxes:
            painter.setFont(self.name_font if is_name else self.font)
            painter.drawText(box, Qt.AlignCenter, text)
            self.drawn.append((box, text))
        painter.end()


class _Mesh(gl.MeshData):
    """MeshData with precomputed normals (pyqtgraph's own loop is slow and NaN-prone)."""

    def __init__(self, vertexes, faces, colors, normals):
        super().__init__(vertexes=vertexes, faces=faces, vertexColors=colors)
        self._given_normals = np.ascontiguousarray(normals, dtype=np.float32)

    def vertexNormals(self, indexed=None):
        if indexed == "faces":
            return self._given_normals[self.faces()]
        return self._given_normals


LIMIT = 1e3  # display coordinates beyond this (the box is about 2 wide) are not drawn


def _drawable(pts):
    """Rows that are finite and near the box, so no inf (or float32 overflow) reaches GL."""
    pts = np.asarray(pts, dtype=np.float64).reshape(-1, 3)
    with np.errstate(invalid="ignore"):
        return np.isfinite(pts).all(axis=1) & (np.abs(pts) <= LIMIT).all(axis=1)


def _rgba(color, alpha=1.0):
    c = pg.mkColor(color)
    return (c.redF(), c.greenF(), c.blueF(), alpha)


class SceneItems:
    """All GL items of the surface view, added once and then updated in place."""

    def __init__(self, view, path_color, start_color, plane_color, u_color, critical_colors,
                 slice_colors):
        """``slice_colors``: colour by slice, "x" (the trace y = b), "y" (x = a), "u"."""
        self.view = view
        dark = (0.1, 0.1, 0.1, 1.0)
        self.surface = gl.GLMeshItem(smooth=True, shader=lit_shader(), glOptions=OPAQUE)
        self.frame = gl.GLLinePlotItem(mode="lines", color=(0.45, 0.45, 0.45, 1.0), width=1,
                                       antialias=True, glOptions=DEPTH)
        self.ticks = gl.GLLinePlotItem(mode="lines", color=(0.3, 0.3, 0.3, 1.0), width=1,
                                       antialias=True, glOptions=DEPTH)
        self.labels = _Labels((60, 60, 60), QFont("Sans", 8), QFont("Serif", 11, italic=True))
        self.plane = gl.GLMeshItem(smooth=False, color=_rgba(plane_color, 0.45), glOptions=DEPTH)
        self.plane_xray = gl.GLMeshItem(smooth=False, color=_rgba(plane_color, 0.18),
                                        glOptions=ON_TOP)
        self.plane_edge = gl.GLLinePlotItem(mode="line_strip", color=_rgba(plane_color), width=2,
                                            antialias=True, glOptions=ON_TOP)
        self.kept = gl.GLLinePlotItem(mode="lines", width=2.5, glOptions=DEPTH)
        self.kept_xray = gl.GLLinePlotItem(mode="lines", width=1.5, glOptions=ON_TOP)
        self.path_xray = gl.GLLinePlotItem(mode="lines", color=_rgba(path_color, 0.45), width=2,
                                           glOptions=ON_TOP)
        self.path_outline = gl.GLLinePlotItem(mode="lines", color=dark, width=5, glOptions=DEPTH)
        self.path = gl.GLLinePlotItem(mode="lines", color=_rgba(path_color), width=3, glOptions=DEPTH)
        self.dots = gl.GLScatterPlotItem(color=dark, size=6, glOptions=DEPTH)
        self.critical = _Glyphs(critical_colors)
        self.start_ring = gl.GLScatterPlotItem(color=dark, size=16, glOptions=ON_TOP)
        self.start = gl.GLScatterPlotItem(color=_rgba(start_color), size=12, glOptions=ON_TOP)
        self.point_ring = gl.GLScatterPlotItem(color=dark, size=15, glOptions=ON_TOP)
        self.point = gl.GLScatterPlotItem(color=(1.0, 1.0, 1.0, 1.0), size=10, glOptions=ON_TOP)
        self.arrow = gl.GLLinePlotItem(mode="lines", color=_rgba(u_color), width=4,
                                       antialias=True, glOptions=ON_TOP)
        # slices through the point: curves on the surface (traces, the slice along u), the
        # vertical plane of u, and each curve's tangent at the point
        self.u_plane = gl.GLMeshItem(smooth=False, color=_rgba(u_color, 0.22), glOptions=DEPTH)
        self.u_plane_edge = gl.GLLinePlotItem(mode="line_strip", color=_rgba(u_color, 0.9),
                                              width=1.5, antialias=True, glOptions=DEPTH)
        self.slices_outline = gl.GLLinePlotItem(mode="lines", color=dark, width=5, glOptions=DEPTH)
        self.slices = gl.GLLinePlotItem(mode="lines", width=3, glOptions=DEPTH)
        self.slices_xray = gl.GLLinePlotItem(mode="lines", width=1.5, glOptions=ON_TOP)
        self.tangents_casing = gl.GLLinePlotItem(mode="lines", color=dark, width=5,
                                                 glOptions=ON_TOP)
        self.tangents = {key: gl.GLLinePlotItem(mode="lines", color=_rgba(c), width=2.5,
                                                glOptions=ON_TOP)
                         for key, c in slice_colors.items()}
        self.slice_colors = {key: _rgba(c) for key, c in slice_colors.items()}
        # the total differential: ds at the height f(p), the rise df to the plane, the gap
        # Δf − df to the surface, and the two points above p + ds
        self.ds_casing = gl.GLLinePlotItem(mode="lines", color=dark, width=6, glOptions=ON_TOP)
        self.ds_lines = gl.GLLinePlotItem(mode="lines", width=3, glOptions=ON_TOP)
        self.ds_ring = gl.GLScatterPlotItem(color=dark, size=11, glOptions=ON_TOP)
        self.ds_points = gl.GLScatterPlotItem(size=7, glOptions=ON_TOP)
        self.tags = _Tags(QFont("Sans", 8))
        # drawn in this order: depth-tested items, the translucent planes, on-top items, the
        # critical points, the markers, the u arrow above the point it starts from, the text
        self.all = [self.surface, self.frame, self.ticks, self.kept, self.path_outline, self.path,
                    self.dots, self.slices_outline, self.slices, self.plane, self.u_plane,
                    self.u_plane_edge, self.kept_xray, self.path_xray, self.slices_xray,
                    self.plane_xray, self.plane_edge, self.tangents_casing,
                    *self.tangents.values(), self.critical, self.start_ring, self.start,
                    self.ds_casing, self.ds_lines, self.point_ring, self.point, self.ds_ring,
                    self.ds_points, self.arrow, self.tags, self.labels]
        for depth, item in enumerate(self.all):
            item.setDepthValue(depth)  # pyqtgraph draws by depth value
            item.setVisible(False)
            view.addItem(item)
        self.z_scale = 1.0
        self.plane_ok = False
        # line widths, marker sizes and font sizes at 100 %, for the presentation scale
        self._widths = {item: item.width for item in self.all
                        if isinstance(item, gl.GLLinePlotItem)}
        self._sizes = {item: item.size for item in self.all
                       if isinstance(item, gl.GLScatterPlotItem) and np.ndim(item.size) == 0}
        self._fonts = {font: font.pointSizeF()
                       for font in (self.labels.font, self.labels.name_font, self.tags.font)}

    def set_scale(self, factor):
        """Lines, markers and texts ``factor`` times their size at 100 % (presentation)."""
        for item, width in self._widths.items():
            item.setData(width=width * factor)
        for item, size in self._sizes.items():
            item.setData(size=size * factor)
        for font, points in self._fonts.items():
            font.setPointSizeF(points * factor)
        self.labels.update()
        self.tags.update()

    def set_z_scale(self, s):
        self.z_scale = float(s)
        tr = pg.Transform3D()
        tr.scale(1.0, 1.0, self.z_scale)
        for item in self.all:
            item.setTransform(tr)

    # ----- surface, frame and axes ----------------------------------------------------
    def set_surface(self, verts, faces, colors, normals):
        if len(faces) == 0 or not _drawable(verts).all() or not np.isfinite(normals).all():
            self.clear_surface()
            return
        self.surface.setMeshData(meshdata=_Mesh(verts, faces, colors, normals))
        self.surface.setVisible(True)

    def clear_surface(self):
        self.surface.setVisible(False)

    def set_axes(self, frame, ticks, labels, outline):
        """Frame and tick segments (M, 2, 3), labels [(pos, out, text, is_name)] and points
        (N, 3) whose outline on screen the labels keep out of."""
        self._show_segments((self.frame,), frame)
        self._show_segments((self.ticks,), ticks)
        self.labels.setData(labels, outline)
        self.labels.setVisible(bool(labels))

    # ----- overlays -----------------------------------------------------------------
    @staticmethod
    def _show_points(items, pts, **data):
        ok = len(pts) > 0 and bool(_drawable(pts).all())
        for item in items:
            if ok:
                item.setData(pos=pts, **data)
            item.setVisible(ok)

    @staticmethod
    def _show_segments(items, segs, colors=None):
        """Line segments (M, 2, 3), with an RGBA colour (M, 4) each if given."""
        segs = np.asarray(segs, dtype=np.float64).reshape(-1, 2, 3)
        keep = _drawable(segs.reshape(-1, 3)).reshape(-1, 2).all(axis=1)
        pos = segs[keep].reshape(-1, 3)
        data = {} if colors is None else {"color": np.repeat(np.asarray(colors)[keep], 2, axis=0)}
        SceneItems._show_points(items, pos, **data)

    def set_start(self, pts):
        self._show_points((self.start_ring, self.start), pts)

    def set_point(self, pts):
        self._show_points((self.point_ring, self.point), pts)

    def set_critical(self, pts, kinds):
        ok = len(pts) > 0 and bool(_drawable(pts).all())
        self.critical.setData(pts if ok else np.empty((0, 3)), kinds if ok else [])
        self.critical.setVisible(ok)

    def set_path_color(self, color):
        """The selected run's colour (its path on the map has the same)."""
        self.path.setData(color=_rgba(color))
        self.path_xray.setData(color=_rgba(color, 0.45))

    def set_path(self, segs, dots):
        """The selected run: segments (M, 2, 3) and the step dots (K, 3)."""
        self._show_segments((self.path_xray, self.path_outline, self.path), segs)
        self._show_points((self.dots,), dots)

    def set_kept(self, segs, colors):
        """Kept runs: segments (M, 2, 3) with an RGBA colour each."""
        self._show_segments((self.kept,), segs, colors)
        xray = np.array(colors, dtype=np.float64).reshape(-1, 4)
        xray[:, 3] = 0.35
        self._show_segments((self.kept_xray,), segs, xray)

    def set_plane(self, corners, visible):
        self.plane_ok = len(corners) == 4 and bool(_drawable(corners).all())
        if self.plane_ok:
            faces = np.array([[0, 1, 2], [0, 2, 3]], dtype=np.uint32)
            self.plane.setMeshData(vertexes=corners, faces=faces)
            self.plane_xray.setMeshData(vertexes=corners, faces=faces)
            self.plane_edge.setData(pos=np.vstack([corners, corners[:1]]))
        self.set_plane_visible(visible)

    def set_plane_visible(self, on):
        on = bool(on) and self.plane_ok
        for item in (self.plane, self.plane_xray, self.plane_edge):
            item.setVisible(on)

    def set_arrow(self, segs):
        self._show_points((self.arrow,), segs)

    # ----- slices through the point and the total differential -------------------------------
    def set_slices(self, curves, tangents, plane):
        """``curves``: {key: display segments (M, 2, 3)} on the surface; ``tangents``: {key:
        dashes (K, 2, 3)}; ``plane``: (4, 3) corners of the vertical plane of u, or empty."""
        segs = [np.asarray(curves.get(k, np.empty((0, 2, 3)))).reshape(-1, 2, 3)
                for k in self.slice_colors]
        colors = [np.tile(self.slice_colors[k], (len(s), 1)) for k, s in zip(self.slice_colors, segs)]
        segs, colors = np.concatenate(segs), np.concatenate(colors)
        self._show_segments((self.slices_outline,), segs)
        self._show_segments((self.slices,), segs, colors)
        faint = colors.copy()
        faint[:, 3] = 0.35
        self._show_segments((self.slices_xray,), segs, faint)
        dashes = [np.asarray(tangents.get(k, np.empty((0, 2, 3)))).reshape(-1, 2, 3)
                  for k in self.tangents]
        for item, segs in zip(self.tangents.values(), dashes):
            self._show_segments((item,), segs)
        self._show_segments((self.tangents_casing,), np.concatenate(dashes))
        ok = len(plane) == 4 and bool(_drawable(plane).all())
        if ok:
            self.u_plane.setMeshData(vertexes=np.asarray(plane, dtype=np.float64),
                                     faces=np.array([[0, 1, 2], [0, 2, 3]], dtype=np.uint32))
            self.u_plane_edge.setData(pos=np.vstack([plane, plane[:1]]))
        for item in (self.u_plane, self.u_plane_edge):
            item.setVisible(ok)

    def set_differential(self, segs, colors, points, point_colors, tags=()):
        """The total differential's segments (M, 2, 3) with RGBA colours (M, 4), its points
        (K, 3) with RGBA colours (K, 4), and tags [(point, text, above)] beside them."""
        tags = [tag for tag in tags if _drawable(tag[0]).all()]
        self.tags.setData(tags)
        self.tags.setVisible(bool(tags))
        self._show_segments((self.ds_casing,), segs)
        self._show_segments((self.ds_lines,), segs, colors)
        points = np.asarray(points, dtype=np.float64).reshape(-1, 3)
        keep = _drawable(points)
        self._show_points((self.ds_ring,), points[keep])
        self._show_points((self.ds_points,), points[keep],
                          color=np.asarray(point_colors, dtype=np.float64).reshape(-1, 4)[keep])
