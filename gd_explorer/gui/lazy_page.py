"""A page whose widget is built the first time it is shown or asked for.

A panel on a hidden tab costs startup time (its plots, its first computation) for nothing
the first frame shows. The panels read the model's state when they are built, so one built
later shows what it would have shown had it been built at startup.
"""
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget


class LazyPage(QWidget):
    """Holds the widget ``build()`` returns, built on the first show or ``content()``."""

    built_now = Signal(QWidget)  # the widget, just built

    def __init__(self, build, parent=None, objectName=""):
        super().__init__(parent)
        if objectName:
            self.setObjectName(objectName)
        self._build = build
        self._content = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

    @property
    def built(self):
        return self._content is not None

    def content(self):
        """The widget, built now if it was not yet."""
        if self._content is None:
            build, self._build = self._build, None
            self._content = build()
            self.layout().addWidget(self._content)
            self._content.show()  # a child added to a shown page would wait to be shown
            self.built_now.emit(self._content)
        return self._content

    def showEvent(self, event):
        self.content()
        super().showEvent(event)
