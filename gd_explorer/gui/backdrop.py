"""Readouts that repaint alone: a widget filled with the one colour its parents paint behind it.

A label is not opaque, so each new text of a readout (the run's status, the next step, f at
the point) made Qt repaint every panel under it first: the window, the splitter, the tab
widget's pane, the group box. The palette's colour would not do as a fill: Fusion paints the
tab pane and the group boxes in shades of their own. ``keep_backdrop(widget)`` renders what
the widget's ancestors paint behind it (each without its children) and, when that is one
colour, fills the widget with that colour (autoFillBackground: Qt then paints nothing under
it). It looks again when that may change: the widget shown, moved in the window, resized, a
new palette, style or enabled state, the window activated.
"""
import numpy as np
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt
from PySide6.QtGui import QImage, QPainter, QRegion
from PySide6.QtWidgets import QWidget

PAINT = QEvent.Paint
CHANGES = frozenset((QEvent.Show, QEvent.Move, QEvent.Resize, QEvent.PaletteChange,
                     QEvent.ApplicationPaletteChange, QEvent.StyleChange, QEvent.EnabledChange,
                     QEvent.ParentChange, QEvent.ActivationChange))
# an ancestor's own painting, not its children's; the window fills its background, the others
# do when they do so on screen (autoFillBackground)
WINDOW, OWN = QWidget.RenderFlag.DrawWindowBackground, QWidget.RenderFlag(0)


class Backdrop(QObject):
    """The event filter ``keep_backdrop`` installs (one per widget)."""

    def __init__(self, widget):
        super().__init__(widget)
        self.widget = widget
        self.colour = None  # the fill, or None: not one colour (the widget stays transparent)
        self.renders = 0  # backdrops rendered (tests count them)
        self._key = None
        self._setting = False
        widget.installEventFilter(self)

    def eventFilter(self, obj, event):
        kind = event.type()
        if kind == PAINT:  # a move of an ancestor alone sends the widget no event
            if self._key is not None and self._key[0] != self._place():
                self.match()
                self.widget.update()  # this paint had the old fill
        elif kind in CHANGES and not self._setting and obj.isVisible():
            self.match()
        return False

    def _place(self):
        w = self.widget
        return w.mapTo(w.window(), QPoint(0, 0))

    def _state(self):
        w = self.widget
        return (self._place(), w.size(), w.devicePixelRatioF(), w.isEnabled(),
                w.window().isActiveWindow(), w.palette().cacheKey(), w.style().name())

    def match(self):
        """Fill the widget with the colour behind it, if one; else leave it transparent."""
        state = self._state()
        if state == self._key:
            return
        w = self.widget
        colour = self._uniform(self._render())
        self._setting = True
        try:
            if colour is not None and colour != w.palette().color(w.backgroundRole()):
                palette = w.palette()
                palette.setColor(w.backgroundRole(), colour)
                w.setPalette(palette)
            w.setAutoFillBackground(colour is not None)
        finally:
            self._setting = False
        self.colour = colour
        self._key = self._state()  # with the palette set

    def _render(self):
        """What the widget's ancestors paint under it, each without its children."""
        self.renders += 1
        w = self.widget
        ratio = w.devicePixelRatioF()
        image = QImage(w.size() * ratio, QImage.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(ratio)
        image.fill(Qt.transparent)
        chain, parent = [], w.parentWidget()
        while parent is not None:
            chain.append(parent)
            parent = None if parent.isWindow() else parent.parentWidget()
        painter = QPainter(image)
        for ancestor in reversed(chain):  # the window first
            place = w.mapTo(ancestor, QPoint(0, 0))
            # the region's corner lands on the target offset
            ancestor.render(painter, QPoint(0, 0), QRegion(QRect(place, w.size())),
                            WINDOW if ancestor.isWindow() else OWN)
        painter.end()
        return image

    @staticmethod
    def _uniform(image):
        """The image's one colour, opaque, or None."""
        if image.isNull():
            return None
        pixels = np.frombuffer(image.constBits(), np.uint32,
                               image.bytesPerLine() * image.height() // 4)
        pixels = pixels.reshape(image.height(), -1)[:, :image.width()]
        first = pixels[0, 0]
        if (first >> 24) != 0xFF or (pixels != first).any():
            return None
        return image.pixelColor(0, 0)


def keep_backdrop(widget):
    """Fill ``widget`` (a readout: a label, the status bar) with the one colour behind it."""
    return Backdrop(widget)
