"""OpenGL pieces of the 3-D view: the GL widget and the scene items, created once.

Imported only once OpenGL is known to work (see surface_view.opengl_status).
"""
import itertools
import traceback

import numpy as np
import pyqtgraph as pg
import pyqtgraph.opengl as gl
from OpenGL import GL
from pyqtgraph.opengl import shaders
from PySide6.QtGui import QPainter, QVector3D
from PySide6.QtOpenGL import QOpenGLPaintDevice

from ..core.fmt import fmt

# blend colour by alpha but keep the framebuffer opaque (else Qt composes odd colours)
_BLEND = (GL.GL_SRC_ALPHA, GL.GL_ONE_MINUS_SRC_ALPHA, GL.GL_ONE, GL.GL_ONE_MINUS_SRC_ALPHA)
ON_TOP = {GL.GL_DEPTH_TEST: False, GL.GL_BLEND: True, GL.GL_CULL_FACE: False,
          "glBlendFuncSeparate": _BLEND}
DEPTH = {GL.GL_DEPTH_TEST: True, GL.GL_BLEND: True, GL.GL_CULL_FACE: False,
         "glBlendFuncSeparate": _BLEND, "glDepthFunc": (GL.GL_LEQUAL,)}

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

    _serials = itertools.count()
    _last_painter = None

    def __init__(self, parent=None):
        super().__init__(parent)
        self._serial = next(GLView._serials)

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


class _Text(gl.GLTextItem):
    """GLTextItem that paints straight into the GL framebuffer, so grabs include it."""

    def paint(self):
        if not self.text:
            return
        view = self.view()
        pos = self.align_text(self.compute_projection().map(QVector3D(*self.pos)).toPointF())
        device = QOpenGLPaintDevice(view.deviceWidth(), view.deviceHeight())
        device.setDevicePixelRatio(view.devicePixelRatioF())
        painter = QPainter(device)
        painter.setPen(self.color)
        painter.setFont(self.font)
        painter.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        painter.drawText(pos, self.text)
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

    def __init__(self, view, cmap_name, path_color, start_color, plane_color, u_color):
        self.view = view
        self.cmap_name = cmap_name
        self.surface = gl.GLMeshItem(smooth=True, shader=lit_shader(), glOptions="opaque")
        self.frame = gl.GLLinePlotItem(mode="lines", color=(0.45, 0.45, 0.45, 1.0), width=1,
                                       antialias=True, glOptions="translucent")
        self.labels = [_Text(color=(60, 60, 60, 255), font=pg.QtGui.QFont("Sans", 9))
                       for _ in range(4)]
        for label in self.labels:
            label.setDepthValue(10)  # after the GL items: QPainter changes GL state
        self.plane = gl.GLMeshItem(smooth=False, color=_rgba(plane_color, 0.45),
                                   glOptions="translucent")
        self.plane_xray = gl.GLMeshItem(smooth=False, color=_rgba(plane_color, 0.18),
                                        glOptions=ON_TOP)
        self.plane_edge = gl.GLLinePlotItem(mode="line_strip", color=_rgba(plane_color), width=2,
                                            antialias=True, glOptions=ON_TOP)
        self.path_xray = gl.GLLinePlotItem(color=_rgba(path_color, 0.45), width=2, glOptions=ON_TOP)
        self.path_outline = gl.GLLinePlotItem(color=(0.1, 0.1, 0.1, 1.0), width=5, glOptions=DEPTH)
        self.path = gl.GLLinePlotItem(color=_rgba(path_color), width=3, glOptions=DEPTH)
        self.dots = gl.GLScatterPlotItem(color=(0.1, 0.1, 0.1, 1.0), size=6, glOptions=DEPTH)
        self.arrow = gl.GLLinePlotItem(mode="lines", color=_rgba(u_color), width=4,
                                       antialias=True, glOptions=ON_TOP)
        self.start_ring = gl.GLScatterPlotItem(color=(0.1, 0.1, 0.1, 1.0), size=16, glOptions=ON_TOP)
        self.start = gl.GLScatterPlotItem(color=_rgba(start_color), size=12, glOptions=ON_TOP)
        self.point_ring = gl.GLScatterPlotItem(color=(0.1, 0.1, 0.1, 1.0), size=15, glOptions=ON_TOP)
        self.point = gl.GLScatterPlotItem(color=(1.0, 1.0, 1.0, 1.0), size=10, glOptions=ON_TOP)
        # drawn in this order: depth-tested items, the translucent plane, then on-top items
        self.all = [self.surface, self.frame, self.path_outline, self.path, self.dots, self.plane,
                    self.path_xray, self.plane_xray, self.plane_edge, self.arrow,
                    self.start_ring, self.start, self.point_ring, self.point, *self.labels]
        for item in self.all:
            item.setVisible(False)
            view.addItem(item)
        self.z_scale = 1.0
        self.plane_ok = False

    def set_z_scale(self, s):
        self.z_scale = float(s)
        tr = pg.Transform3D()
        tr.scale(1.0, 1.0, self.z_scale)
        for item in self.all:
            item.setTransform(tr)

    # ----- surface and frame --------------------------------------------------------
    def set_surface(self, verts, faces, colors, normals):
        if len(faces) == 0 or not _drawable(verts).all() or not np.isfinite(normals).all():
            self.clear_surface()
            return
        self.surface.setMeshData(meshdata=_Mesh(verts, faces, colors, normals))
        self.surface.setVisible(True)

    def clear_surface(self):
        self.surface.setVisible(False)

    def set_frame(self, box):
        """The base rectangle, a vertical f axis and their labels."""
        if box is None:
            for item in (self.frame, *self.labels):
                item.setVisible(False)
            return
        (x0, x1), (y0, y1) = box.xrange, box.yrange
        lo, hi = box.zrange
        c = box.apply([(x0, y0, lo), (x1, y0, lo), (x1, y1, lo), (x0, y1, lo), (x0, y1, hi)])
        segs = np.array([c[0], c[1], c[1], c[2], c[2], c[3], c[3], c[0], c[3], c[4]])
        self.frame.setData(pos=segs)
        self.frame.setVisible(True)
        xm, ym = 0.5 * (c[0] + c[1]), 0.5 * (c[1] + c[2])
        texts = [(xm - (0, 0.1, 0), "x"), (ym + (0.1, 0, 0), "y"),
                 (c[3] - (0.03, 0, 0), f"f = {fmt(lo)}"), (c[4] - (0.03, 0, 0), f"f = {fmt(hi)}")]
        right = pg.QtCore.Qt.AlignRight | pg.QtCore.Qt.AlignVCenter
        aligns = [pg.QtCore.Qt.AlignHCenter | pg.QtCore.Qt.AlignTop, pg.QtCore.Qt.AlignLeft, right, right]
        for label, (pos, text), align in zip(self.labels, texts, aligns):
            label.setData(pos=pos, text=text, alignment=align)
            label.setVisible(True)

    # ----- overlays -----------------------------------------------------------------
    @staticmethod
    def _show_points(items, pts):
        ok = len(pts) > 0 and bool(_drawable(pts).all())
        for item in items:
            if ok:
                item.setData(pos=pts)
            item.setVisible(ok)

    def set_start(self, pts):
        self._show_points((self.start_ring, self.start), pts)

    def set_point(self, pts):
        self._show_points((self.point_ring, self.point), pts)

    def set_path(self, pts, dots):
        pts = pts[_drawable(pts)] if len(pts) else pts
        ok = len(pts) >= 2
        for item in (self.path_xray, self.path_outline, self.path):
            if ok:
                item.setData(pos=pts)
            item.setVisible(ok)
        self._show_points((self.dots,), pts if ok and dots else np.empty((0, 3)))

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
