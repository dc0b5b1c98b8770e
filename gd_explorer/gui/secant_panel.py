"""1-D mode, beside the curve: the h control, the secant and tangent slopes, the limit
table of (f(a + h) − f(a))/h as h shrinks, and the next descent step."""
import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

from ..core.fmt import fmt
from .colors import NEG_GRAD_COLOR, SECANT_COLOR, SLOPE_COLOR
from .direction_plots import LimitTable
from .layout_parts import readout
from .number_fields import ERROR_COLOR, LogSpinBox

H_MIN, H_MAX = 1e-6, 1e6   # what the field takes; the slider runs from H_MIN to the window width
SLIDER_STEPS_PER_DECADE = 100
INTRO = ("The secant through a and a + h has slope Δf / h. As h shrinks it turns into the "
         "tangent at a, whose slope is the derivative f′(a). a is the current point of "
         "gradient descent: click the curve to move it, or take a step.")


def _swatch(color, dashed=False):
    return f"<span style='color:{color}; font-weight:bold'>{'╍╍' if dashed else '━━'}</span>"


class SecantPanel(QWidget):
    """Shows a core Secant (``show_secant``); emits hChanged when the user sets h."""

    hChanged = Signal(float)

    def __init__(self, model, h=0.5, parent=None):
        super().__init__(parent)
        self.setObjectName("secantPanel")
        self.model = model
        title = QLabel("The derivative as a limit of secant slopes")
        title.setStyleSheet("font-weight: bold;")
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        intro.setStyleSheet("color: #444;")
        self.point_label = readout("secantPoint")
        self.h_field = LogSpinBox(H_MIN, H_MAX, objectName="secantH")
        self.h_field.setValue(h)
        self.h_field.setToolTip(f"The step h of the secant: type a number from {fmt(H_MIN)} "
                                f"to {fmt(H_MAX)}, or use the slider (logarithmic)")
        self.h_slider = QSlider(Qt.Horizontal, objectName="secantHSlider")
        self.h_slider.setToolTip("h on a logarithmic scale, from 1e-6 to the window's width")
        self.h_message = QLabel(objectName="secantHMessage")
        self.h_message.setWordWrap(True)
        self.h_message.setStyleSheet(f"color: {ERROR_COLOR};")
        self.h_message.setVisible(False)
        self.secant_label = readout("secantSlope")
        self.tangent_label = readout("tangentSlope")
        self.formula_label = readout("derivativeFormula")
        self.table = LimitTable("secantTable", ("h", "(f(a+h) − f(a))/h", "minus f′(a)"))
        self.step_label = readout("descentStepLabel")
        self.message = QLabel(objectName="secantMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #8a6d00;")
        self.message.setVisible(False)

        h_row = QHBoxLayout()
        h_row.addWidget(QLabel("h"))
        h_row.addWidget(self.h_field)
        h_row.addWidget(self.h_slider, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        for widget in (title, intro, self.point_label):
            layout.addWidget(widget)
        layout.addLayout(h_row)
        for widget in (self.h_message, self.secant_label, self.tangent_label, self.formula_label,
                       self.message):
            layout.addWidget(widget)
        caption = QLabel("As h shrinks, the secant slope tends to f′(a):")
        caption.setStyleSheet("font-weight: bold; margin-top: 6px;")
        layout.addWidget(caption)
        layout.addWidget(self.table)
        layout.addWidget(self.step_label)
        layout.addStretch(1)

        self.h_field.valueChanged.connect(self._on_h_edited)
        self.h_field.refused.connect(self._on_refused)
        self.h_slider.valueChanged.connect(self._on_slider_moved)
        model.windowChanged.connect(self._on_window_changed)
        model.functionChanged.connect(self._on_function_changed)
        self._on_window_changed(*model.window)
        self.show_secant(None, None)

    # ----- h ----------------------------------------------------------------------
    def _on_h_edited(self, value):
        self._sync_slider(value)
        self.hChanged.emit(value)

    def _on_refused(self, message):
        self.h_message.setText(f"h: {message}" if message else "")
        self.h_message.setVisible(bool(message))

    def _on_slider_moved(self, position):
        if not getattr(self, "_syncing", False):
            value = H_MIN * 10 ** (position / SLIDER_STEPS_PER_DECADE)
            self.h_field.setValue(float(fmt(value, digits=2)))  # a round h

    def _sync_slider(self, value):
        self._syncing = True
        self.h_slider.setValue(round(math.log10(value / H_MIN) * SLIDER_STEPS_PER_DECADE))
        self._syncing = False

    def _on_window_changed(self, xrange, _yrange):
        width = min(max(xrange[1] - xrange[0], 10 * H_MIN), H_MAX)
        self._syncing = True
        self.h_slider.setRange(0, round(math.log10(width / H_MIN) * SLIDER_STEPS_PER_DECADE))
        self._syncing = False
        self._sync_slider(self.h_field.value())

    # ----- readouts ---------------------------------------------------------------
    def _on_function_changed(self, fn):
        fx = fn.display.get("fx", "") if fn is not None and not fn.depends_on_y else ""
        self.formula_label.setText(f"f′(x) = {fx}" if fx else "")

    def show_secant(self, s, step):
        """Show the core Secant ``s`` (None: f undefined at a) and the next step
        (ε, Δx) of gradient descent (None: not plain gradient descent, or no step)."""
        if s is None:
            self.point_label.setText("")
            self.secant_label.setText(f"{_swatch(SECANT_COLOR)} secant slope: undefined")
            self.tangent_label.setText(f"{_swatch(SLOPE_COLOR, True)} tangent slope f′(a): "
                                       "undefined")
            self.table.set_quotients(None, math.nan)
            self._say("f is undefined at a: click the curve where it is drawn.")
            self.step_label.setText("")
            return
        self.point_label.setText(f"a = <b>{fmt(s.a)}</b>, f(a) = <b>{fmt(s.fa)}</b>, "
                                 f"f(a + h) = {fmt(s.fah)}")
        self.secant_label.setText(
            f"{_swatch(SECANT_COLOR)} secant slope (f(a + h) − f(a)) / h = <b>{fmt(s.slope)}</b>")
        if s.differentiable:
            gap = fmt(s.slope - s.derivative, scale=abs(s.slope) + abs(s.derivative))
            self.tangent_label.setText(
                f"{_swatch(SLOPE_COLOR, True)} tangent slope f′(a) = <b>{fmt(s.derivative)}</b>"
                f"<br>secant − tangent = {gap}")
            self._say("" if math.isfinite(s.slope) else
                      "f is undefined at a + h: the secant needs both points.")
        else:
            self.tangent_label.setText(f"{_swatch(SLOPE_COLOR, True)} tangent slope f′(a): "
                                       "undefined")
            self._say("f′(a) is undefined here (a kink or a vertical tangent): no tangent "
                      "is drawn, and the secant slopes need not settle.")
        self.table.set_quotients([q for _, q in s.quotients],
                                 s.derivative if s.differentiable else math.nan)
        self._show_step(step)

    def _show_step(self, step):
        run = self.model.run
        if step is not None:
            lr, dx = step
            self.step_label.setText(
                f"{_swatch(NEG_GRAD_COLOR)} next descent step: ε = {fmt(lr)}, "
                f"Δx = −ε f′(a) = <b>{fmt(dx)}</b>")
        elif run is not None and run.finished:
            self.step_label.setText("Descent has stopped: " + run.message)
        else:
            self.step_label.setText("The next-step arrow is drawn for plain gradient descent.")

    def _say(self, text):
        self.message.setText(text)
        self.message.setVisible(bool(text))
