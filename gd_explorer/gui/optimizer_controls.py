"""Controls for the selected run's hyperparameters and learning-rate schedule, built from the
optimizer registry (core/optimizers.py): a number field per hyperparameter, with a slider
for those in [0, 1) such as β and ρ, and the schedule with its parameters."""
import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QSlider, QVBoxLayout,
                               QWidget)

from ..core.optimizers import OPTIMIZERS, SCHEDULES
from .number_fields import NumberSpinBox

SLIDER_STEPS = 1000


class OptimizerControls(QWidget):
    """objectNames: "hyper_<name>" (field), "hyper_<name>Slider", "schedule",
    "schedule_<name>" (schedule parameter fields)."""

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.setObjectName("optimizerControls")
        self.model = model
        self.hyper_form = QFormLayout()     # rebuilt for each optimizer
        self.schedule_form = QFormLayout()  # the schedule, then its parameters
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.hyper_form)
        layout.addLayout(self.schedule_form)
        self.schedule = QComboBox(objectName="schedule")
        for spec in SCHEDULES.values():
            self.schedule.addItem(spec.label, spec.name)
        self.schedule.setToolTip("How the learning rate changes with the step number t: ε at "
                                 "first, then smaller")
        self.schedule.currentIndexChanged.connect(
            lambda i: model.set_schedule(self.schedule.itemData(i)))
        self.schedule_form.addRow("schedule", self.schedule)
        self.fields = {}   # hyperparameter name -> (field, slider or None)
        self.schedule_fields = {}
        self._built = None  # (optimizer, schedule name) the rows are built for
        model.settingsChanged.connect(self._on_settings_changed)
        self._on_settings_changed()

    def _on_settings_changed(self):
        m = self.model
        key = (m.optimizer, m.schedule[0])
        if key != self._built:
            self._build(*key)
        values = OPTIMIZERS[m.optimizer].check(m.hyperparameters)
        for name, (field, slider) in self.fields.items():
            self._show(field, slider, values[name])
        params = SCHEDULES[m.schedule[0]].check(m.schedule[1])
        for name, field in self.schedule_fields.items():
            self._show(field, None, params[name])
        index = self.schedule.findData(m.schedule[0])
        if index != self.schedule.currentIndex():
            self.schedule.blockSignals(True)
            self.schedule.setCurrentIndex(index)
            self.schedule.blockSignals(False)

    @staticmethod
    def _show(field, slider, value):
        if field.value() != value:
            field.blockSignals(True)
            field.setValue(value)
            field.blockSignals(False)
        if slider is not None:
            slider.blockSignals(True)
            slider.setValue(round(value * SLIDER_STEPS))
            slider.blockSignals(False)

    def _build(self, optimizer, schedule):
        if self._built is None or self._built[0] != optimizer:
            self._build_hyperparameters(optimizer)
        if self._built is None or self._built[1] != schedule:
            self._build_schedule(schedule)
        self._built = (optimizer, schedule)

    def _build_hyperparameters(self, optimizer):
        while self.hyper_form.rowCount():
            self.hyper_form.removeRow(0)  # deletes the row's widgets
        self.fields = {}
        for h in OPTIMIZERS[optimizer].hyperparameters:
            field, slider = self._field(h, f"hyper_{h.name}")
            field.valueChanged.connect(lambda v, n=h.name: self.model.set_hyperparameter(n, v))
            row = QHBoxLayout()
            row.addWidget(field, 1)  # a share of the row: its size hint fits only "0" or "1"
            if slider is not None:
                slider.valueChanged.connect(
                    lambda v, f=field, h=h: f.setValue(min(v / SLIDER_STEPS, _below(h))))
                row.addWidget(slider, 2)
            self.hyper_form.addRow(h.name, row)
            self.fields[h.name] = (field, slider)

    def _build_schedule(self, schedule):
        while self.schedule_form.rowCount() > 1:  # the schedule box itself stays
            self.schedule_form.removeRow(1)
        self.schedule_fields = {}
        for p in SCHEDULES[schedule].parameters:
            field, _ = self._field(p, f"schedule_{p.name}", slider=False)
            field.valueChanged.connect(lambda v, n=p.name: self._set_schedule_parameter(n, v))
            self.schedule_form.addRow(f"  {p.name}", field)
            self.schedule_fields[p.name] = field

    def _field(self, spec, name, slider=True):
        field = NumberSpinBox(spec.low, spec.high, objectName=name)
        field.setKeyboardTracking(False)
        field.setToolTip(f"{spec.meaning}; in {spec.range_text()}")
        bar = None
        if slider and spec.slider:
            bar = QSlider(Qt.Horizontal, objectName=f"{name}Slider")
            bar.setRange(0, SLIDER_STEPS - (1 if spec.high_open else 0))
            bar.setToolTip(spec.meaning)
        return field, bar

    def _set_schedule_parameter(self, name, value):
        sched, params = self.model.schedule
        params = dict(params)
        params[name] = value
        self.model.set_schedule(sched, params)


def _below(spec):
    """The largest value a slider may give: just under an open upper end."""
    return math.nextafter(spec.high, spec.low) if spec.high_open else spec.high
