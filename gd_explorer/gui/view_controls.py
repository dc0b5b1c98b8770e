"""A row above the plots: typed x/y window, reset view, contour spacing and which views to show."""
import math

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from .number_fields import NumberEdit, show_refusal

VIEW_MODES = ("contour", "surface", "both")
ONE_D_TIP = ("f depends on x alone, so the curve f(x) is shown instead of the contour map and "
             "the 3-D surface; this applies to functions of x and y")


class ViewControls(QWidget):
    """Edits model.window and model.spacing; emits viewModeChanged for the main window."""

    viewModeChanged = Signal(str)

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.setObjectName("viewControls")
        self.model = model
        self.fields = {}
        outer = QVBoxLayout(self)  # the controls, and under them a message when there is one
        outer.setContentsMargins(4, 2, 4, 2)
        outer.setSpacing(2)
        layout = QHBoxLayout()
        layout.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(layout)
        for axis in ("x", "y"):
            layout.addWidget(QLabel(f"{axis} from"))
            for end, name in (("min", f"{axis}Min"), ("max", f"{axis}Max")):
                field = NumberEdit(objectName=name)
                field.setMaximumWidth(80)
                field.setMinimumWidth(40)
                field.setToolTip(f"{axis} {end} of the view window (press Enter)")
                field.editingFinished.connect(self._on_fields_edited)
                self.fields[name] = field
                layout.addWidget(field)
                if end == "min":
                    layout.addWidget(QLabel("to"))
        self.reset = QPushButton("Reset", objectName="resetViewButton")
        self.reset.setToolTip("Back to this function's default window")
        self.reset.clicked.connect(lambda _checked=False: model.reset_window())
        layout.addWidget(self.reset)
        layout.addSpacing(6)
        layout.addWidget(QLabel("levels"))
        self.spacing = QComboBox(objectName="levelSpacing")
        self.spacing.addItem("linear", "linear")
        self.spacing.addItem("log", "log")
        self.spacing.setToolTip("Contour level spacing: logarithmic shows both valleys and steep walls")
        self.spacing.currentIndexChanged.connect(
            lambda i: model.set_spacing(self.spacing.itemData(i)))
        layout.addWidget(self.spacing)
        layout.addSpacing(6)
        layout.addWidget(QLabel("show"))
        self.mode = QComboBox(objectName="viewMode")
        for mode in VIEW_MODES:
            self.mode.addItem({"contour": "map", "surface": "3-D", "both": "both"}[mode], mode)
        self.mode.currentIndexChanged.connect(
            lambda i: self.viewModeChanged.emit(self.mode.itemData(i)))
        layout.addWidget(self.mode)
        self.message = QLabel(objectName="viewMessage")
        self.message.setStyleSheet("color: #b00020;")
        self.message.setWordWrap(True)  # a long message wraps instead of widening the window
        self.message.setVisible(False)
        outer.addWidget(self.message)
        layout.addStretch(1)
        model.windowChanged.connect(self._on_window_changed)
        model.spacingChanged.connect(self._on_spacing_changed)
        self._on_window_changed(*model.window)
        self._on_spacing_changed(model.spacing)

    def set_mode(self, mode, one_d=False):
        """Show ``mode``; with ``one_d`` (f of x alone, drawn as a curve) the controls that
        only apply to the map and the surface are disabled, and their tooltips say why."""
        self.mode.blockSignals(True)  # the mode is being set, not chosen
        self.mode.setCurrentIndex(VIEW_MODES.index(mode))
        self.mode.blockSignals(False)
        for widget in (self.mode, self.spacing, self.fields["yMin"], self.fields["yMax"]):
            if widget.property("tip2d") is None:
                widget.setProperty("tip2d", widget.toolTip())
            widget.setEnabled(not one_d)
            widget.setToolTip(ONE_D_TIP if one_d else widget.property("tip2d"))

    def _on_window_changed(self, xrange, yrange):
        values = {"xMin": xrange[0], "xMax": xrange[1], "yMin": yrange[0], "yMax": yrange[1]}
        self._shown = {}
        for name, value in values.items():
            self.fields[name].show_number(value)
            self._shown[name] = (self.fields[name].text(), value)  # untouched fields stay exact
        self._say("")

    def _field_value(self, name):
        field = self.fields[name]
        shown = getattr(self, "_shown", {}).get(name)
        if shown is not None and shown[0] == field.text():
            return shown[1]
        try:
            return field.number()
        except ValueError as exc:
            show_refusal(field, str(exc))
            raise ValueError(f"{name[0]} {name[1:].lower()}: {exc}") from None  # "x min: …"

    def _say(self, text):
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _on_spacing_changed(self, spacing):
        index = self.spacing.findData(spacing)
        if index != self.spacing.currentIndex():
            self.spacing.blockSignals(True)
            self.spacing.setCurrentIndex(index)
            self.spacing.blockSignals(False)

    def _on_fields_edited(self):
        try:
            x0, x1, y0, y1 = (self._field_value(n) for n in ("xMin", "xMax", "yMin", "yMax"))
        except ValueError as exc:
            self._say(f"{exc}; the window is kept")
            return
        if not all(map(math.isfinite, (x0, x1, y0, y1))) or not (x1 > x0 and y1 > y0):
            self._say("each range must go from a smaller to a larger number")
            return
        if (x0, x1) == tuple(self.model.window[0]) and (y0, y1) == tuple(self.model.window[1]):
            self._say("")
            return
        if self.model.set_window((x0, x1), (y0, y1)):
            self._say("")
        else:
            self._say("that window cannot be drawn")
