"""View → Larger / Smaller / Actual size and the Size submenu: the presentation scale's menu."""
from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup, QKeySequence

from .scale import STEPS, ui_scale

LARGER_KEYS = ("Ctrl+=", "Ctrl++")
SMALLER_KEYS = ("Ctrl+-",)
ACTUAL_KEYS = ("Ctrl+Alt+0",)   # Ctrl+0 resets the plots' view


def _action(parent, text, name, keys, slot):
    action = QAction(text, parent, objectName=name)
    action.setShortcuts([QKeySequence(k) for k in keys])
    action.triggered.connect(lambda _checked=False: slot())
    return action


class SizeActions(QObject):
    """Larger, Smaller, Actual size and a Presentation size submenu (one checked entry per
    step), added to ``menu``; each change is written briefly in ``window``'s status bar."""

    def __init__(self, menu, window):
        super().__init__(window)
        self.window = window
        scale = ui_scale()
        self.larger = _action(window, "&Larger text and lines", "largerAction", LARGER_KEYS,
                              scale.larger)
        self.smaller = _action(window, "S&maller text and lines", "smallerAction", SMALLER_KEYS,
                               scale.smaller)
        self.actual = _action(window, "&Actual size (100 %)", "actualSizeAction", ACTUAL_KEYS,
                              scale.reset)
        for action in (self.larger, self.smaller, self.actual):
            menu.addAction(action)
        sizes = menu.addMenu("Presentation si&ze")
        sizes.setObjectName("sizeMenu")
        group = QActionGroup(self)
        self.steps = {}
        for percent in STEPS:
            action = QAction(f"{percent} %", window, checkable=True,
                             objectName=f"size{percent}Action")
            action.triggered.connect(lambda _checked=False, p=percent: scale.set_percent(p))
            group.addAction(action)
            sizes.addAction(action)
            self.steps[percent] = action
        self._show(scale.percent)
        scale.scaleChanged.connect(self._on_scale_changed)

    def _show(self, percent):
        for step, action in self.steps.items():
            action.setChecked(step == percent)
        self.larger.setEnabled(percent < STEPS[-1])
        self.smaller.setEnabled(percent > STEPS[0])

    def _on_scale_changed(self, percent):
        self._show(percent)
        self.window.statusBar().showMessage(
            f"Presentation size {percent} %  (View → Larger: Ctrl+=, Smaller: Ctrl+−, "
            "Actual size: Ctrl+Alt+0)", 4000)
