"""Layout helpers: a scroll area that never grows past a share of its parent's height, a
collapsible section, a one-line label that elides and shows the whole text on hover, a label
selectable while the pointer is on it, and a splitter whose bottom pane starts small and
collapses."""
from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtWidgets import (QApplication, QFrame, QLabel, QScrollArea, QSizePolicy,
                               QSplitter, QToolButton, QVBoxLayout, QWidget)

def readout(name):
    """A label for a readout that may hold rich text, wraps, and can be selected to copy."""
    label = QLabel(objectName=name)
    label.setTextFormat(Qt.RichText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextSelectableByMouse)
    return label


# focus lost without the user moving on: QLabel keeps its selection then, and so do we
KEEPS_SELECTION = (Qt.ActiveWindowFocusReason, Qt.PopupFocusReason)


class SelectableOnHover(QObject):
    """The event filter ``selectable_on_hover`` installs."""

    def __init__(self, label):
        super().__init__(label)
        self.label = label
        self._inside = False  # the pointer is on the label
        label.installEventFilter(self)
        self._drop()

    def eventFilter(self, obj, event):
        kind = event.type()
        if kind == QEvent.Enter:
            self._inside = True
            obj.setTextInteractionFlags(Qt.TextSelectableByMouse)
        elif kind == QEvent.Leave:
            self._inside = False
            # kept while it has a selection to copy (Ctrl+C) or the focus (a click, its
            # context menu: Copy, Select All)
            if not (obj.hasSelectedText() or obj.hasFocus()
                    or QApplication.activePopupWidget() is not None):
                self._drop()
        elif kind == QEvent.FocusOut and not self._inside \
                and event.reason() not in KEEPS_SELECTION:  # clicked elsewhere: let go
            self._drop()
        return False

    def _drop(self):
        self.label.setTextInteractionFlags(Qt.NoTextInteraction)


def selectable_on_hover(label):
    """Let ``label`` (a readout rewritten at each step) be selected to copy while the pointer
    is on it, and keep a selection made until the label loses focus. A selectable QLabel lays out
    and paints its text as a rich-text document: a quarter of a millisecond of each step's
    frame for the point's values and the run's status, most with the pointer elsewhere."""
    return SelectableOnHover(label)


# the side panel's tabs: key (as lessons name them), short title, full name (the tooltip)
SIDE_TABS = (("descent", "Descent", "Gradient descent: runs, settings, Step and Play"),
             ("direction", "Directional", "Directional derivative: the dial, D_u f, slices"),
             ("differential", "Differential", "Total differential: df = f_x dx + f_y dy"),
             ("sweep", "Rate sweep", "Learning-rate sweep: how each rate ends"))


class CappedScrollArea(QScrollArea):
    """Shows ``widget`` whole while it is at most ``share`` of the parent's height, and
    scrolls it beyond that, so long content never pushes what follows off the screen.
    With ``shrink`` the layout may also make it smaller than that, down to a few lines."""

    def __init__(self, widget, share=1.0, shrink=False, parent=None, objectName=""):
        super().__init__(parent, objectName=objectName)
        self.share, self.shrink = share, shrink
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.NoFrame)
        self.setSizePolicy(QSizePolicy.Preferred,
                           QSizePolicy.Maximum if shrink else QSizePolicy.Fixed)
        self.setWidget(widget)
        widget.installEventFilter(self)

    def content_height(self):
        """The widget's height at the viewport's width."""
        widget = self.widget()
        width = self.viewport().width()
        height = widget.heightForWidth(width) if widget.hasHeightForWidth() else -1
        return height if height > 0 else widget.sizeHint().height()

    def cap(self):
        parent = self.parentWidget()
        return max(int(parent.height() * self.share), 60) if parent is not None else 10**6

    def sizeHint(self):
        frame = 2 * self.frameWidth()
        return QSize(super().sizeHint().width(), min(self.content_height(), self.cap()) + frame)

    def minimumSizeHint(self):
        if self.shrink:
            return super().minimumSizeHint()
        return QSize(super().minimumSizeHint().width(), self.sizeHint().height())

    def setParent(self, parent, *args):
        super().setParent(parent, *args)
        self._watch_parent()

    def showEvent(self, event):
        super().showEvent(event)
        self._watch_parent()

    def _watch_parent(self):
        parent = self.parentWidget()
        if parent is not None and getattr(self, "_watched", None) is not parent:
            self._watched = parent
            parent.installEventFilter(self)

    def eventFilter(self, obj, event):
        # the content's layout changed (relayout only if its height did: a label's new text
        # while descent plays must not relayout the panel), or the parent's size (the cap)
        if obj is self.widget() and event.type() == QEvent.LayoutRequest:
            self._update_hint()
        elif obj is self.parentWidget() and event.type() == QEvent.Resize:
            self._update_hint()
        return False

    def resizeEvent(self, event):
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self._update_hint()  # wrapped text needs another height at another width

    def _update_hint(self):
        hint = self.sizeHint().height()
        if hint != getattr(self, "_hint", None):
            self._hint = hint
            self.updateGeometry()


class CollapsibleSection(QWidget):
    """A bold title with an arrow; clicking it shows or hides ``content``."""
    toggled = Signal(bool)

    def __init__(self, title, content, expanded=True, parent=None, objectName=""):
        super().__init__(parent, objectName=objectName)
        self.button = QToolButton(text=title, checkable=True, checked=expanded,
                                  objectName=f"{objectName}Toggle" if objectName else "")
        self.button.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.button.setAutoRaise(True)
        self.button.setStyleSheet("QToolButton { font-weight: bold; border: none; }")
        self.button.setToolTip(f"Show or hide “{title}”")
        self.content = content
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.button)
        layout.addWidget(content)
        self.button.toggled.connect(self._on_toggled)
        self._on_toggled(expanded, emit=False)

    @property
    def expanded(self):
        return self.button.isChecked()

    def set_expanded(self, expanded):
        self.button.setChecked(bool(expanded))

    def _on_toggled(self, expanded, emit=True):
        self.button.setArrowType(Qt.DownArrow if expanded else Qt.RightArrow)
        self.content.setVisible(expanded)
        if emit:
            self.toggled.emit(expanded)


class ElidedLabel(QLabel):
    """One line of text, cut with "…" when the label is narrower; the tooltip has it all.
    Its minimum width does not depend on the text, so a long text never widens the window."""

    def __init__(self, text="", parent=None, objectName=""):
        super().__init__(parent, objectName=objectName)
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self._full = ""
        self.setText(text)

    def setText(self, text):
        self._full = text
        self.setToolTip(text)
        self._elide()

    def full_text(self):
        return self._full

    def minimumSizeHint(self):
        return QSize(10, super().minimumSizeHint().height())

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._elide()

    def _elide(self):
        width = self.contentsRect().width()
        super().setText(self.fontMetrics().elidedText(self._full, Qt.ElideRight, width))


class BottomPaneSplitter(QSplitter):
    """A vertical splitter whose bottom pane starts ``first_height`` pixels tall (on the first
    show, unless a saved state was restored), keeps its height when the window grows, and
    collapses to nothing; the top pane never collapses."""
    shownChanged = Signal(bool)  # the bottom pane collapsed (False) or came back (True)

    def __init__(self, top, bottom, first_height, parent=None, objectName=""):
        super().__init__(Qt.Vertical, parent, objectName=objectName)
        self.first_height = first_height
        self._last_height = first_height
        self._placed = False
        self.addWidget(top)
        self.addWidget(bottom)
        self.setStretchFactor(0, 1)
        self.setStretchFactor(1, 0)
        self.setCollapsible(0, False)
        self.setCollapsible(1, True)
        self._shown = True
        self.splitterMoved.connect(lambda *_: self._announce())

    def bottom_height(self):
        return self.sizes()[1]

    def set_bottom_height(self, height):
        """Give the bottom pane ``height`` pixels (0 collapses it); the top pane the rest."""
        total = sum(self.sizes()) or self.height()
        height = max(0, min(int(height), total - 100))
        self.setSizes([total - height, height])
        self._announce()

    def set_bottom_shown(self, shown):
        """Collapse the bottom pane, or bring it back at the height it had (at least
        ``first_height``: a drag to collapse passes through its smallest height)."""
        if shown and self.bottom_height() == 0:
            self.set_bottom_height(max(self._last_height, self.first_height))
        elif not shown and self.bottom_height() > 0:
            self.set_bottom_height(0)

    def restoreState(self, state):
        restored = super().restoreState(state)
        if restored:
            self._placed = True  # the saved sizes win over first_height
            self._announce()
        return restored

    def showEvent(self, event):
        super().showEvent(event)
        if not self._placed:
            self._placed = True
            self.set_bottom_height(self.first_height)

    def _announce(self):
        shown = self.bottom_height() > 0
        if shown:
            self._last_height = self.bottom_height()
        if shown != self._shown:
            self._shown = shown
            self.shownChanged.emit(shown)
