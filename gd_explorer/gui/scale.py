"""Presentation mode: one scale for the fonts, line widths and markers of every pane.

``ui_scale()`` is the one place that holds it (a percentage, remembered with QSettings); it
emits ``scaleChanged`` when it changes. The application font follows it; so do widget fonts
that code made larger or smaller than the application's (made from the application font, so
rescaled by new / old) and widgets with a style sheet (which keep the font they resolved).
Widgets that paint themselves read ``px()``; pyqtgraph views follow ``scaled_items.follow``.
"""
import gc

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

STEPS = (100, 110, 125, 150, 175, 200)   # percent
SETTINGS_KEY = "view/scalePercent"
_SIZE_RESOLVED = 0x0002                  # QFont::SizeResolved: a font with its own size


class UiScale(QObject):
    """The presentation scale of the application (100 % = the normal size)."""
    scaleChanged = Signal(int)  # the new percentage

    def __init__(self, app):
        super().__init__(app)
        self.setObjectName("uiScale")
        self._percent = 100
        self._base_point_size = app.font().pointSizeF()  # the application font at 100 %
        self._old_factor = 1.0  # the factor before the last change (for views walked then)

    @property
    def percent(self):
        return self._percent

    @property
    def factor(self):
        return self._percent / 100.0

    @property
    def base_point_size(self):
        """The application font's point size at 100 %."""
        return self._base_point_size

    def set_percent(self, percent, save=True):
        """Scale everything to ``percent`` (clamped to STEPS' range); remembered unless
        ``save`` is False. Returns the percentage now in effect."""
        percent = int(min(max(round(percent), STEPS[0]), STEPS[-1]))
        if save:
            QSettings().setValue(SETTINGS_KEY, percent)
        if percent == self._percent:
            return percent
        old = self.factor
        self._percent = percent
        self._old_factor = old
        self._apply_fonts(old, self.factor)
        self.scaleChanged.emit(percent)
        return percent

    def larger(self):
        """The next step up (clamped at the largest)."""
        return self.set_percent(next((s for s in STEPS if s > self._percent), STEPS[-1]))

    def smaller(self):
        """The next step down (clamped at 100 %)."""
        return self.set_percent(next((s for s in reversed(STEPS) if s < self._percent), STEPS[0]))

    def reset(self):
        return self.set_percent(100)

    def load(self):
        """The percentage remembered in QSettings (100 when missing or unreadable)."""
        try:
            percent = int(QSettings().value(SETTINGS_KEY, 100))
        except (TypeError, ValueError):
            percent = 100
        return self.set_percent(percent, save=False)

    def old_factor(self):
        return self._old_factor

    def _apply_fonts(self, old, new):
        # Python's garbage collector may delete an unreachable window (and with it the C++
        # children in the list below) at any allocation: collect first, then hold it off
        gc.collect()
        gc.disable()
        try:
            self._apply_fonts_now(old, new)
        finally:
            gc.enable()

    def _apply_fonts_now(self, old, new):
        app = QApplication.instance()
        font = QFont(app.font())
        font.setPointSizeF(self._base_point_size * new)
        # fonts with a size of their own were made from the application font at the old scale
        own = [w for w in app.allWidgets()
               if w.testAttribute(Qt.WA_SetFont) and w.font().resolveMask() & _SIZE_RESOLVED]
        styled = [w for w in app.allWidgets() if w.styleSheet() and w not in own]
        app.setFont(font)
        app.sendPostedEvents(None, QEvent.ApplicationFontChange)  # widgets have it now
        for widget in own:
            own_font = QFont(widget.font())
            own_font.setPointSizeF(own_font.pointSizeF() * new / old)
            widget.setFont(own_font)
        for widget in styled:  # a style sheet keeps the font it resolved: resolve it again
            widget.setStyleSheet(widget.styleSheet())


_instance = []  # [UiScale], the one of the running QApplication


def ui_scale():
    """The application's one UiScale (made at the first call)."""
    app = QApplication.instance()
    if not _instance or _instance[0].parent() is not app:
        _instance[:] = [app.findChild(UiScale, "uiScale") or UiScale(app)]
    return _instance[0]


def px(value):
    """``value`` pixels (a line width, a marker, a gap) at the current scale."""
    return value * ui_scale().factor


class _RowFitter(QObject):
    def __init__(self, table, base, then):
        super().__init__(table)
        self.table, self.base, self.then = table, base, then
        table.installEventFilter(self)
        self.fit()

    def fit(self):
        for header in (self.table.horizontalHeader(), self.table.verticalHeader()):
            header.setFont(QFont())  # its table's font again: Qt's pass can miss a header
        height = max(self.base, self.table.fontMetrics().height() + 4)
        self.table.verticalHeader().setDefaultSectionSize(height)
        if self.then is not None:
            self.then(height)

    def eventFilter(self, obj, event):
        if event.type() == QEvent.FontChange:  # once its header has the new font too
            QTimer.singleShot(0, self, self.fit)
        return False


def fit_rows(table, base=20, then=None):
    """Keep a table's rows ``base`` px high, or as high as its text needs when its font grows
    with the presentation scale; ``then(row_height)`` runs after each change."""
    _RowFitter(table, base, then)
