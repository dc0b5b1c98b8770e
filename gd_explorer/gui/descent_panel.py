"""Descent controls: learning rate, steps, tolerance, optimizer, Step/Play/Reset, stop reason."""
import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QFormLayout, QGridLayout, QHBoxLayout, QLabel,
                               QPushButton, QSlider, QVBoxLayout, QWidget)

from ..core.calculus import curvature
from ..core.descent import (MAX_LEARNING_RATE, MAX_STEPS_LIMIT, MAX_TOLERANCE, MIN_LEARNING_RATE,
                            OPTIMIZERS, next_point)
from ..core.fmt import ROUND_OFF, fmt, fmt_factor
from .backdrop import keep_backdrop
from .layout_parts import selectable_on_hover
from .number_fields import ERROR_COLOR, CountSpinBox, LogSpinBox, refusal
from .optimizer_controls import OptimizerControls

LR_MIN, LR_MAX = 1e-6, 10.0  # the slider's scale; the spin box takes what the core accepts
SLIDER_STEPS_PER_DECADE = 100
# The keys of the Descent menu (main_window), named in the buttons' tooltips.
SHORTCUTS = {"step": "F6", "play": "F5", "reset": "Ctrl+R"}


def next_step_words(run, step, grad_scale=None):
    """Each coordinate's next move: for gradient descent −ε f_x and −ε f_y with their numbers,
    for the other optimizers the move itself; f_x, f_y round-off against ``grad_scale`` is 0."""
    if step is None:
        return "next step: none, the run has stopped" if run.finished else "next step: none"
    _, x, y, f, gx, gy, _ = run.row(-1)
    if run.optimizer != "gd":
        return f"next step ({run.spec.label}): Δx = {fmt(step.dx)}, Δy = {fmt(step.dy)}"
    # ε of this step: the learning rate, or what the schedule makes of it
    eps = (run.learning_rate if run.schedule.name == "constant"
           else math.hypot(step.dx, step.dy) / math.hypot(gx, gy))
    name = "ε" if run.schedule.name == "constant" else "ε_t"
    moves = [f"Δ{c} = −{name}·f_{c} = -{fmt(eps)} × {fmt_factor(g, grad_scale)} = {fmt(d)}"
             for c, g, d in (("x", gx, step.dx), ("y", gy, step.dy))]
    return "next step −ε∇f:  " + "\n".join(moves)


def curvature_hint(low, high, bound):
    """The hint under the learning rate, from the Hessian's eigenvalues: 2/λmax only where the
    Hessian is positive definite (or flat along one direction only)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return "curvature here: undefined"
    size = abs(low) + abs(high)  # an eigenvalue below round-off of this is 0
    eigen = f"curvature here: λ = {fmt(low, scale=size)}, {fmt(high, scale=size)}; "
    flat = abs(low) <= ROUND_OFF * size
    if bound is None or high <= ROUND_OFF * size:
        return eigen + "no positive curvature, so no step-size limit from it"
    if low < 0 and not flat:
        return eigen + "near a saddle there is no stable rate from curvature"
    if flat:
        return eigen + f"flat along one direction; across it stable for ε < 2/λmax ≈ {fmt(bound)}"
    return eigen + f"stable for ε < 2/λmax ≈ {fmt(bound)}"


class DescentPanel(QWidget):
    """Controls bound to the model's descent settings and run."""

    def __init__(self, model, parent=None, own_transport=True):
        super().__init__(parent)
        self.setObjectName("descentPanel")
        self.model = model

        self.lr = LogSpinBox(MIN_LEARNING_RATE, MAX_LEARNING_RATE, objectName="learningRate")
        self.lr.setToolTip("Learning rate ε in x ← x − ε∇f(x): type any value from 1e-12 to 1e6; "
                           "the slider covers 1e-6 to 10 on a log scale")
        self.lr_slider = QSlider(Qt.Horizontal, objectName="learningRateSlider")
        self.lr_slider.setRange(0, round(math.log10(LR_MAX / LR_MIN) * SLIDER_STEPS_PER_DECADE))
        self.lr_slider.setToolTip("Learning rate on a logarithmic scale")
        self.steps = CountSpinBox(1, MAX_STEPS_LIMIT, objectName="maxSteps")
        self.steps.setKeyboardTracking(False)
        self.tol = LogSpinBox(0.0, MAX_TOLERANCE, objectName="tolerance")
        self.tol.setToolTip("Stop when ‖∇f‖ is below this")
        self.optimizer = QComboBox(objectName="optimizer")
        for key, spec in OPTIMIZERS.items():
            self.optimizer.addItem(spec.label, key)

        self.step_btn = QPushButton("Step", objectName="stepButton")
        self.step10_btn = QPushButton("×10", objectName="step10Button")
        self.step100_btn = QPushButton("×100", objectName="step100Button")
        self.play_btn = QPushButton("▶ Play", objectName="playButton")
        self.play_btn.setCheckable(True)
        self.reset_btn = QPushButton("↺ Reset", objectName="resetButton")
        for btn, tip in ((self.step_btn, f"One step: x ← x − ε∇f(x) ({SHORTCUTS['step']})"),
                         (self.step10_btn, "Ten steps"), (self.step100_btn, "A hundred steps"),
                         (self.play_btn, f"Animate descent, or pause it ({SHORTCUTS['play']})"),
                         (self.reset_btn, f"Back to the start point ({SHORTCUTS['reset']})")):
            btn.setToolTip(tip)
        self.speed = QSlider(Qt.Horizontal, objectName="speedSlider")
        self.speed.setRange(0, 400)  # 10^(v/100) steps per second: 1 … 10,000
        self.speed.setToolTip("Animation speed")
        self.speed_label = QLabel(objectName="speedLabel")
        self.curvature = QLabel(objectName="curvatureLabel")
        self.curvature.setWordWrap(True)
        self.curvature.setStyleSheet("color: #444;")
        self.curvature.setToolTip("Near a minimum, plain gradient descent converges when "
                                  "ε < 2/λmax, λmax the largest eigenvalue of the Hessian")
        self.field_message = QLabel(objectName="descentFieldMessage")  # a refused typed value
        self.field_message.setWordWrap(True)
        self.field_message.setStyleSheet(f"color: {ERROR_COLOR};")
        self.field_message.setVisible(False)
        self.next_step = QLabel(objectName="nextStepLabel")  # each coordinate's next move
        self.next_step.setWordWrap(True)
        self.next_step.setToolTip("The next step, drawn dashed on the map from the current point "
                                  "to the point it leads to: each coordinate moves by its own "
                                  "partial derivative")
        self.status = QLabel(objectName="statusLabel")
        self.status.setWordWrap(True)
        selectable_on_hover(self.status)
        for readout in (self.next_step, self.status):  # new texts at each step
            keep_backdrop(readout)

        form = QFormLayout()
        lr_row = QHBoxLayout()
        lr_row.addWidget(self.lr)
        lr_row.addWidget(self.lr_slider, 1)
        form.addRow("learning rate ε", lr_row)
        form.addRow("", self.curvature)
        form.addRow("max steps", self.steps)
        form.addRow("tolerance ‖∇f‖ <", self.tol)
        form.addRow("optimizer", self.optimizer)
        self.optimizer_controls = OptimizerControls(model)
        form.addRow(self.optimizer_controls)
        form.addRow(self.field_message)
        buttons = QGridLayout()
        buttons.addWidget(self.step_btn, 0, 0)
        buttons.addWidget(self.step10_btn, 0, 1)
        buttons.addWidget(self.step100_btn, 0, 2)
        buttons.addWidget(self.play_btn, 1, 0, 1, 2)
        buttons.addWidget(self.reset_btn, 1, 2)
        speed_row = QHBoxLayout()
        speed_row.addWidget(QLabel("speed"))
        speed_row.addWidget(self.speed, 1)
        speed_row.addWidget(self.speed_label)
        # Step … Reset, the speed and the stop reason; a window may place them itself
        # (own_transport=False), e.g. below a scroll area so they never scroll away
        self.transport = QWidget(objectName="descentTransport")
        transport = QVBoxLayout(self.transport)
        transport.setContentsMargins(0, 0, 0, 0)
        transport.addLayout(buttons)
        transport.addLayout(speed_row)
        transport.addWidget(self.next_step)
        transport.addWidget(self.status)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        if own_transport:
            layout.addWidget(self.transport)

        self.lr.valueChanged.connect(self._on_lr_edited)
        for field in (self.lr, self.steps, self.tol):
            field.refused.connect(self._show_refusals)
        self.lr_slider.valueChanged.connect(self._on_lr_slider_moved)
        self.steps.valueChanged.connect(model.set_max_steps)
        self.tol.valueChanged.connect(model.set_tol)
        self.optimizer.currentIndexChanged.connect(
            lambda i: model.set_optimizer(self.optimizer.itemData(i)))
        self.step_btn.clicked.connect(lambda _checked=False: model.step(1))
        self.step10_btn.clicked.connect(lambda _checked=False: model.step(10))
        self.step100_btn.clicked.connect(lambda _checked=False: model.step(100))
        self.play_btn.clicked.connect(lambda _checked=False: model.toggle_play())
        self.reset_btn.clicked.connect(lambda _checked=False: model.reset())
        self.speed.valueChanged.connect(lambda v: model.set_speed(10 ** (v / 100)))
        model.pointChanged.connect(self._on_point_changed)
        model.functionChanged.connect(lambda _fn: self._on_point_changed(*model.current_point))
        model.settingsChanged.connect(self._on_settings_changed)
        model.statusChanged.connect(self._on_status_changed)
        model.playingChanged.connect(self._on_playing_changed)
        model.speedChanged.connect(self._on_speed_changed)
        self._on_settings_changed()
        self._on_speed_changed(model.speed)
        self._on_status_changed(model.status_text())

    # ----- widgets → model --------------------------------------------------------
    def _on_lr_edited(self, value):
        self._sync_slider(value)
        self.model.set_learning_rate(value)

    def _show_refusals(self, *_args):
        text = "\n".join(filter(None, (refusal(f) for f in (self.lr, self.steps, self.tol))))
        self.field_message.setText(text)
        self.field_message.setVisible(bool(text))

    def _on_lr_slider_moved(self, position):
        if getattr(self, "_syncing", False):
            return
        value = LR_MIN * 10 ** (position / SLIDER_STEPS_PER_DECADE)
        self.lr.setValue(float(fmt(min(value, LR_MAX), digits=3)))  # a round rate

    def _sync_slider(self, value):
        self._syncing = True
        value = min(max(value, LR_MIN), LR_MAX)  # the slider stops at its ends
        self.lr_slider.setValue(round(math.log10(value / LR_MIN) * SLIDER_STEPS_PER_DECADE))
        self._syncing = False

    # ----- model → widgets --------------------------------------------------------
    def _on_settings_changed(self):
        m = self.model
        for widget, value in ((self.lr, m.learning_rate), (self.steps, m.max_steps), (self.tol, m.tol)):
            if widget.value() != value:
                widget.blockSignals(True)
                widget.setValue(value)
                widget.blockSignals(False)
        self._sync_slider(m.learning_rate)
        self._show_refusals()  # a value from the model replaces a refused text
        index = self.optimizer.findData(m.optimizer)
        if index != self.optimizer.currentIndex():
            self.optimizer.blockSignals(True)
            self.optimizer.setCurrentIndex(index)
            self.optimizer.blockSignals(False)

    def _on_status_changed(self, text):
        self.status.setText(text)
        run = self.model.run
        status = run.status if run is not None else "none"
        color = {"converged": "#1b7f3b", "diverged": "#b00020", "left_domain": "#b00020",
                 "critical_start": "#8a6d00", "max_steps": "#8a6d00",
                 "still_falling": "#8a6d00"}.get(status, "#333")
        sheet = f"color: {color}; font-weight: bold;"
        if self.status.styleSheet() != sheet:  # a new style sheet re-polishes the label
            self.status.setStyleSheet(sheet)

    def _on_point_changed(self, x, y):
        run = self.model.run
        self.next_step.setText("" if run is None else
                               next_step_words(run, next_point(run), self.model.gradient_scale()))
        state = self.model.point_state()
        if state is None:
            self.curvature.clear()
            return
        if not state.has_gradient:
            self.curvature.setText(f"curvature here: undefined ({state.words})")
            return
        self.curvature.setText(curvature_hint(*curvature(self.model.function, (x, y))))

    def _on_playing_changed(self, playing):
        self.play_btn.setChecked(playing)
        self.play_btn.setText("⏸ Pause" if playing else "▶ Play")

    def _on_speed_changed(self, value):
        self.speed.blockSignals(True)
        self.speed.setValue(round(100 * math.log10(value)))
        self.speed.blockSignals(False)
        self.speed_label.setText(f"{fmt(round(value))} steps/s")
