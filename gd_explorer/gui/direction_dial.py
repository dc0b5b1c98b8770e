"""A round dial for the direction angle phi, showing u, grad f and the angle theta between them."""
import math
import traceback

from PySide6.QtCore import QPointF, QRectF, QSize, QSizeF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPalette, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from ..core.fmt import fmt
from .colors import CASING_COLOR, GRAD_COLOR, TANGENT_COLOR, U_COLOR
from .scale import px

TWO_PI = 2 * math.pi
STEP = math.radians(1.0)
PAGE_STEP = math.radians(15.0)
WHEEL_NOTCH = 120  # angleDelta units per wheel notch
THETA_COLOR = "#6a3d9a"
PROJECTION_COLOR = "#1b9e77"  # the leg ‖∇f‖ cos θ: ∇f projected onto u
GRAD_LENGTH = 0.72            # the ∇f arrow's length, as a fraction of the radius


def normalize(phi):
    """phi in [0, 2 pi)."""
    phi = math.fmod(phi, TWO_PI)
    if phi < 0:
        phi += TWO_PI
    return 0.0 if phi >= TWO_PI else phi


class DirectionDial(QWidget):
    """Angles in radians, math convention: 0 points right (+x), counter-clockwise is positive.

    Drag (or press anywhere) to point the needle at the mouse; the wheel and the arrow keys
    turn it by 1 degree, Page Up / Page Down by 15 degrees. ``angleChanging`` is emitted
    while dragging, ``angleChanged`` when a drag ends and after a key or wheel turn.
    ``setAngle``, ``setGradient`` and ``setNote`` never emit.
    """

    angleChanging = Signal(float)
    angleChanged = Signal(float)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("directionDial")
        self.setFocusPolicy(Qt.StrongFocus)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Preferred)
        self.setAccessibleName("Direction dial")
        self.setToolTip("Direction u: drag, scroll, or use the arrow keys (Page Up/Down: 15°)")
        self._phi = 0.0
        self._grad = None  # direction angle of grad f, or None when hidden
        self._note = ""    # why grad f is not drawn, e.g. "f is undefined here"
        self._dragging = False
        self._wheel = 0
        self._face = (None, None)  # (key, pixmap) of the background, the circle and the ticks
        self.setAttribute(Qt.WA_OpaquePaintEvent)  # a turn repaints the dial, not what is under it
        self._describe()

    # ----- public API -----------------------------------------------------------------
    def angle(self):
        return self._phi

    def setAngle(self, phi):
        """Set the needle (radians) without emitting anything."""
        phi = float(phi)
        if not math.isfinite(phi):
            return
        phi = normalize(phi)
        if phi != self._phi:
            self._phi = phi
            self._describe()
            self.update()

    def setGradient(self, gx, gy):
        """Show grad f's direction; hidden when it is zero or not finite."""
        gx, gy = float(gx), float(gy)
        ok = math.isfinite(gx) and math.isfinite(gy) and (gx != 0 or gy != 0)
        grad = normalize(math.atan2(gy, gx)) if ok else None
        if grad != self._grad:
            self._grad = grad
            self._describe()
            self.update()

    def setNote(self, text):
        """Words shown on the dial in place of ∇f ("" for none)."""
        if text != self._note:
            self._note = text
            self._describe()
            self.update()

    def note(self):
        return self._note

    def gradientAngle(self):
        """grad f's direction in radians, or None when hidden."""
        return self._grad

    def projection(self):
        """(foot, tip) in widget coordinates, or None where ∇f is not drawn: ∇f's tip and its
        foot on u's line, at the signed distance ‖∇f‖ cos θ from the centre along u (on the
        ∇f arrow's scale, where ‖∇f‖ is the arrow's length)."""
        if self._grad is None:
            return None
        length = GRAD_LENGTH * self.radius()
        leg = length * math.cos(self._phi - self._grad)
        return self._at(self._phi, leg), self._at(self._grad, length)

    def sizeHint(self):
        side = round(px(170))  # larger in presentation mode
        return QSize(side, side)

    def minimumSizeHint(self):
        side = round(px(110))
        return QSize(side, side)

    def hasHeightForWidth(self):
        return True

    def heightForWidth(self, width):
        return width

    # ----- geometry -------------------------------------------------------------------
    def center(self):
        return QPointF(self.width() / 2.0, self.height() / 2.0)

    def radius(self):
        return max(min(self.width(), self.height()) / 2.0 - 6.0, 10.0)

    def _at(self, angle, dist):
        c = self.center()
        return QPointF(c.x() + dist * math.cos(angle), c.y() - dist * math.sin(angle))

    def angle_at(self, pos):
        """The angle of the widget position ``pos`` seen from the centre, or None at the centre."""
        c = self.center()
        dx, dy = pos.x() - c.x(), c.y() - pos.y()
        if math.hypot(dx, dy) < 2.0:
            return None
        return normalize(math.atan2(dy, dx))

    # ----- input ----------------------------------------------------------------------
    def mousePressEvent(self, event):
        if event.button() != Qt.LeftButton:
            super().mousePressEvent(event)
            return
        self._dragging = True
        self._drag_to(event.position())
        event.accept()

    def mouseMoveEvent(self, event):
        if self._dragging:
            self._drag_to(event.position())
            event.accept()
        else:
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event):
        if event.button() == Qt.LeftButton and self._dragging:
            self._drag_to(event.position())
            self._dragging = False
            self.angleChanged.emit(self._phi)
            event.accept()
        else:
            super().mouseReleaseEvent(event)

    def _drag_to(self, pos):
        phi = self.angle_at(pos)
        if phi is None:
            return
        if phi != self._phi:
            self.setAngle(phi)
            self.angleChanging.emit(self._phi)

    def wheelEvent(self, event):
        self._wheel += event.angleDelta().y() or event.angleDelta().x()
        notches = int(self._wheel / WHEEL_NOTCH)  # rounds toward zero, keeps the remainder
        if notches:
            self._wheel -= notches * WHEEL_NOTCH
            self._turn(notches * STEP)
        event.accept()

    def keyPressEvent(self, event):
        step = {Qt.Key_Right: STEP, Qt.Key_Up: STEP, Qt.Key_Left: -STEP, Qt.Key_Down: -STEP,
                Qt.Key_PageUp: PAGE_STEP, Qt.Key_PageDown: -PAGE_STEP}.get(event.key())
        if step is None:
            super().keyPressEvent(event)
            return
        self._turn(step)
        event.accept()

    def _turn(self, delta):
        self.setAngle(self._phi + delta)
        self.angleChanged.emit(self._phi)

    def _describe(self):
        text = f"Direction u at φ = {fmt(math.degrees(self._phi), scale=360)}°"
        if self._grad is not None:
            text += f"; ∇f points at {fmt(math.degrees(self._grad), scale=360)}°"
        if self._note:
            text += f"; {self._note}"
        self.setAccessibleDescription(text)

    # ----- painting -------------------------------------------------------------------
    def paintEvent(self, _event):
        painter = QPainter(self)
        try:
            self._paint(painter)
        except Exception:  # an exception escaping paintEvent can crash PySide6
            traceback.print_exc()
        finally:
            painter.end()

    def _paint(self, p):
        pal = self.palette()
        c, r, k = self.center(), self.radius(), px(1.0)  # k: line widths and marks
        p.drawPixmap(0, 0, self._face_pixmap())
        p.setRenderHint(QPainter.Antialiasing)
        if self._grad is not None:
            level = self._grad + math.pi / 2
            ends = self._at(level, 0.7 * r), self._at(level + math.pi, 0.7 * r)
            p.setPen(QPen(QColor(CASING_COLOR), 3.5 * k))
            p.drawLine(*ends)
            p.setPen(QPen(QColor(TANGENT_COLOR), 1.5 * k, Qt.DotLine))
            p.drawLine(*ends)
            self._paint_theta(p, r)
            self._paint_projection(p)
            self._paint_arrow(p, self._grad, GRAD_LENGTH * r, QColor(GRAD_COLOR), 3.0 * k)
        self._paint_arrow(p, self._phi, 0.9 * r, QColor(U_COLOR), 3.5 * k)
        if self._grad is not None:
            self._paint_projection_label(p)
        p.setPen(QPen(QColor("#333333"), k))
        p.setBrush(QColor(U_COLOR))
        p.drawEllipse(self._at(self._phi, 0.9 * r), 5.0 * k, 5.0 * k)  # the knob to drag
        p.setBrush(QColor("#333333"))
        p.drawEllipse(c, 3.0 * k, 3.0 * k)
        if self._note:
            self._paint_note(p, r, pal.color(QPalette.Text))
        if self.hasFocus():
            p.setPen(QPen(pal.color(QPalette.Highlight), 2.0 * k, Qt.DashLine))
            p.setBrush(Qt.NoBrush)
            p.drawEllipse(c, r + 3.0, r + 3.0)

    def _face_pixmap(self):
        """The background, the circle, the ticks and their labels: they change only with the
        size, the palette or the font, so they are drawn once into a pixmap."""
        ratio = self.devicePixelRatioF()
        pal = self.palette()
        key = (self.width(), self.height(), ratio, pal.cacheKey(), self.font().key())
        if self._face[0] != key:
            pixmap = QPixmap(max(1, round(self.width() * ratio)), max(1, round(self.height() * ratio)))
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(pal.color(QPalette.Window))
            p = QPainter(pixmap)
            try:
                p.setRenderHint(QPainter.Antialiasing)
                r = self.radius()
                p.setPen(QPen(pal.color(QPalette.Mid), px(1.5)))
                p.setBrush(pal.color(QPalette.Base))
                p.drawEllipse(self.center(), r, r)
                self._paint_ticks(p, r, pal.color(QPalette.Text))
            finally:
                p.end()
            self._face = (key, pixmap)
        return self._face[1]

    def _paint_ticks(self, p, r, color):
        p.setPen(QPen(color, px(1.0)))
        for k in range(24):
            a = math.radians(15 * k)
            inner = 0.86 * r if k % 6 else 0.8 * r
            p.drawLine(self._at(a, inner), self._at(a, r))
        font = QFont(self.font())
        font.setPointSizeF(max(px(6.5), min(px(9.0), r / 10.0)))
        p.setFont(font)
        box = 2.2 * font.pointSizeF() + 8
        for deg in (0, 90, 180, 270):
            pt = self._at(math.radians(deg), 0.66 * r)
            p.drawText(QRectF(pt.x() - box / 2, pt.y() - box / 4, box, box / 2),
                       Qt.AlignCenter, f"{deg}°")

    def _paint_theta(self, p, r):
        delta = math.remainder(self._phi - self._grad, TWO_PI)  # signed, from grad f to u
        if abs(delta) < math.radians(0.5):
            return
        rr = 0.34 * r
        path = QPainterPath()
        rect = QRectF(self.center().x() - rr, self.center().y() - rr, 2 * rr, 2 * rr)
        path.arcMoveTo(rect, math.degrees(self._grad))
        path.arcTo(rect, math.degrees(self._grad), math.degrees(delta))
        p.setPen(QPen(QColor(THETA_COLOR), px(2.0)))
        p.setBrush(Qt.NoBrush)
        p.drawPath(path)
        box = self._theta_label_box()
        if box is not None:
            p.drawText(box, Qt.AlignCenter, "θ")

    def _theta_label_box(self):
        """Where "θ" is written beside its arc, or None when the arc is too short for it."""
        delta = math.remainder(self._phi - self._grad, TWO_PI)
        if abs(delta) <= math.radians(12):
            return None
        k = px(1.0)
        pt = self._at(self._grad + delta / 2, 0.34 * self.radius() + 11 * k)
        return QRectF(pt.x() - 8 * k, pt.y() - 8 * k, 16 * k, 16 * k)

    def _paint_projection(self, p):
        """The leg ‖∇f‖ cos θ along u (a wide band under u's arrow, behind the centre when
        cos θ < 0) and the dashed perpendicular from ∇f's tip down to it."""
        foot, tip = self.projection()
        color = QColor(PROJECTION_COLOR)
        k = px(1.0)
        p.setPen(QPen(color, 1.5 * k, Qt.DashLine))
        p.drawLine(tip, foot)
        band = QColor(color)
        band.setAlpha(150)
        p.setPen(QPen(band, 11.0 * k, Qt.SolidLine, Qt.FlatCap))
        p.drawLine(self.center(), foot)
        p.setPen(QPen(color, 2.0 * k, Qt.SolidLine, Qt.FlatCap))  # the foot: a tick across u
        nx, ny = 7 * k * math.sin(self._phi), 7 * k * math.cos(self._phi)
        p.drawLine(QPointF(foot.x() - nx, foot.y() - ny), QPointF(foot.x() + nx, foot.y() + ny))

    def _paint_projection_label(self, p):
        """"‖∇f‖cos θ" beside the leg, where it hides the least of the leg, the perpendicular,
        the arrows and the degree labels (preferring the leg's middle, away from the right
        triangle centre–foot–tip)."""
        foot, tip = self.projection()
        c, r = self.center(), self.radius()
        if math.hypot(foot.x() - c.x(), foot.y() - c.y()) < 3:
            return  # θ ≈ 90°: no leg to name
        font = QFont(self.font())
        font.setPointSizeF(max(px(6.5), min(px(8.0), r / 11.0)))
        p.setFont(font)
        text = "‖∇f‖cos θ"
        w, h = p.fontMetrics().horizontalAdvance(text) + 6, p.fontMetrics().height() + 2
        nx, ny = math.sin(self._phi), math.cos(self._phi)  # a normal to u on screen
        clear = w / 2 * abs(nx) + h / 2 * abs(ny) + 3        # box centre to line: no overlap

        def points(a, b, weight, step=5.0):
            n = max(1, int(math.hypot(b.x() - a.x(), b.y() - a.y()) / step))
            return [(a.x() + (b.x() - a.x()) * k / n, a.y() + (b.y() - a.y()) * k / n, weight)
                    for k in range(n + 1)]

        keep = (points(c, foot, 10) + points(tip, foot, 10) + points(c, tip, 3)
                + points(c, self._at(self._phi, 0.9 * r), 3))
        k = px(1.0)
        taken = [QRectF(self._at(math.radians(deg), 0.66 * r) - QPointF(14 * k, 8 * k),
                        QSizeF(28 * k, 16 * k))
                 for deg in (0, 90, 180, 270)]
        if self._theta_label_box() is not None:
            taken.append(self._theta_label_box())

        def box(t, side):
            at = QPointF(c.x() + t * (foot.x() - c.x()) + side * nx * clear,
                         c.y() + t * (foot.y() - c.y()) + side * ny * clear)
            b = QRectF(at.x() - w / 2, at.y() - h / 2, w, h)
            b.moveLeft(min(max(b.left(), 0.0), self.width() - w))  # stay on the widget
            b.moveTop(min(max(b.top(), 0.0), self.height() - h))
            return b

        def hidden(b):
            x0, y0, x1, y1 = b.left(), b.top(), b.right(), b.bottom()
            covered = sum(weight for x, y, weight in keep if x0 <= x <= x1 and y0 <= y <= y1)
            return covered + sum(b.intersected(t).width() * b.intersected(t).height()
                                 for t in taken) / 40

        away = -1 if (tip.x() - c.x()) * nx + (tip.y() - c.y()) * ny > 0 else 1
        places = [box(t, side) for t in (0.5, 1.0, 0.0) for side in (away, -away)]
        rect = min(places, key=hidden)  # the first of the best: the preferred order above
        p.setPen(Qt.NoPen)
        p.setBrush(QColor(255, 255, 255, 215))
        p.drawRoundedRect(rect, 3, 3)
        p.setPen(QPen(QColor(PROJECTION_COLOR).darker(130)))
        p.drawText(rect, Qt.AlignCenter, text)

    def _paint_note(self, p, r, color):
        """The note in a light box across the lower half, where ∇f would be."""
        font = QFont(self.font())
        font.setPointSizeF(max(px(6.5), min(px(8.5), r / 10.5)))
        p.setFont(font)
        box = QRectF(self.center().x() - 0.8 * r, self.center().y() + 0.14 * r, 1.6 * r, 0.42 * r)
        p.setPen(Qt.NoPen)
        p.setBrush(QColor(255, 255, 255, 225))
        p.drawRoundedRect(box, 4, 4)
        p.setPen(QPen(color))
        p.drawText(box, Qt.AlignCenter | Qt.TextWordWrap, self._note)

    def _paint_arrow(self, p, angle, length, color, width):
        """A coloured arrow on a dark casing, as on the map."""
        k = px(1.0)
        tip = self._at(angle, length)
        base = self._at(angle, length - 12 * k)
        nx, ny = math.sin(angle) * 6 * k, math.cos(angle) * 6 * k  # normal on screen (y down)
        head = QPolygonF([tip, QPointF(base.x() + nx, base.y() + ny),
                          QPointF(base.x() - nx, base.y() - ny)])
        casing = QColor(CASING_COLOR)
        for pen_color, pen_width in ((casing, width + 2.5 * k), (color, width)):
            p.setPen(QPen(pen_color, pen_width, Qt.SolidLine, Qt.RoundCap))
            p.drawLine(self.center(), self._at(angle, length - 8 * k))
        p.setPen(QPen(casing, 1.5 * k))
        p.setBrush(color)
        p.drawPolygon(head)
