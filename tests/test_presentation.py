"""Presentation mode: Ctrl+= / Ctrl+- scale fonts, line widths and markers in every pane, the
choice is remembered, and at 150 % on a 1920×1080 projector nothing is clipped."""
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (QAbstractButton, QAbstractScrollArea, QAbstractSpinBox, QApplication,
                               QComboBox, QLabel, QLineEdit, QScrollArea, QTabBar, QTableView,
                               QTabWidget,                                QWidget)

from gd_explorer.gui.scale import SETTINGS_KEY, STEPS, ui_scale

CHECKED = (QLabel, QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox)


def _room(widget):
    """The width and height the widget needs to show all of itself: its minimum size hint,
    and for wrapped text the height for its width."""
    hint = widget.minimumSizeHint()
    need_h = hint.height()
    if widget.hasHeightForWidth():
        need_h = max(need_h, widget.heightForWidth(widget.width()))
    return hint.width(), need_h


def _visible_part(widget, window):
    """Whether the parents cut the widget off (outside a scroll area's scrolling)."""
    rect = widget.rect()
    child, parent = widget, widget.parentWidget()
    while parent is not None and child is not window:
        area = parent.parentWidget()
        if isinstance(area, QAbstractScrollArea) and parent is area.viewport():
            return True  # inside a scroll area: it scrolls to the rest
        rect = rect.translated(child.pos())
        if not parent.rect().contains(rect):
            return False
        child, parent = parent, parent.parentWidget()
    return True


def clipped(window):
    """Lines naming each visible widget of ``window`` that cannot show all of itself."""
    found = []
    for table in window.findChildren(QTableView):
        if table.isVisible() and table.verticalHeader().defaultSectionSize() < \
                table.fontMetrics().height() + 2:
            found.append(f"rows of {table.objectName()}: {table.verticalHeader().defaultSectionSize()}"
                         f" px for text {table.fontMetrics().height()} px high")
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, CHECKED + (QTabBar,)):
            continue
        if not widget.isVisible() or widget.window() is not window:
            continue
        name = f"{type(widget).__name__} {widget.objectName() or ''} " \
               f"'{getattr(widget, 'text', lambda: '')()[:30]}'"
        if isinstance(widget, QTabBar):
            if widget.sizeHint().width() > widget.width():
                found.append(f"{name}: tabs need {widget.sizeHint().width()} px, "
                             f"have {widget.width()}")
            continue
        if isinstance(widget.parentWidget(), (QTabBar, QLineEdit)) or isinstance(widget, QLineEdit) and \
                isinstance(widget.parentWidget(), (QComboBox, QAbstractSpinBox)):
            continue  # Qt's own parts: scroll buttons, a line edit's clear button, a box's editor
        need_w, need_h = _room(widget)
        if widget.width() < need_w or widget.height() < need_h:
            found.append(f"{name}: needs {need_w}×{need_h}, has {widget.width()}×{widget.height()}")
        elif not _visible_part(widget, window):
            found.append(f"{name}: cut off by its parents at {widget.mapTo(window, widget.rect().topLeft())}")
    return found


def every_tab(window, settle):
    """Show each tab of the side panel with each bottom tab, and each tab of the tab widgets
    inside them, in turn; ``settle()`` lays them out. Yields a name for each state."""
    side, bottom = window.tabs, window.bottom_tabs
    for i in range(side.count()):
        side.setCurrentIndex(i)
        for j in range(bottom.count()):
            bottom.setCurrentIndex(j)
            settle()
            yield f"{side.tabText(i)} + {bottom.tabText(j)}"
        inner = [t for t in window.findChildren(QTabWidget)
                 if t not in (side, bottom) and t.isVisible()]
        for tabs in inner:
            for k in range(tabs.count()):
                tabs.setCurrentIndex(k)
                settle()
                yield f"{side.tabText(i)} > {tabs.tabText(k)}"
