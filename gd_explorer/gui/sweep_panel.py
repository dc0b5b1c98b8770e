"""The learning-rate sweep panel: rates from / to and how many, Run sweep ("sweepButton") with
progress and Cancel, and the plot ("sweepPlot") of the final f, or the steps to converge,
against the rate on a log axis. Diverged runs are marked; a dashed line marks 2/λmax at the
start; clicking a point gives the selected run that learning rate."""
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLabel, QProgressBar,
                               QPushButton, QVBoxLayout, QWidget)

from ..core.descent import (CONVERGED, CRITICAL_START, DIVERGED, MAX_LEARNING_RATE, MAX_STEPS,
                             MIN_LEARNING_RATE)
from .colors import CASING_COLOR
from .number_fields import CountSpinBox, LogSpinBox
from .observing import observe, stop_observing
from .plot_scales import choose_scale, fmt_axes, lowest_minimum
from .sweep import RateSweep

FINAL_F, STEPS = "final f", "steps to converge"
# how each ending is marked: (legend glyph, legend text, symbol, colour, size); the last two
# are drawn in a row above the values, where the y axis has no ticks
MARKS = {
    CONVERGED: ("●", "converged", "o", "#1f5fa8", 7),
    MAX_STEPS: ("○", "ran out of steps", "o", None, 7),        # hollow
    DIVERGED: ("✖", "diverged (top row)", "x", "#d62728", 11),
    "other": ("▼", "left the domain or stopped (top row)", "t", "#777777", 9),
}
LINE_COLOR = "#1f5fa8"
BOUND_COLOR = "#2ca02c"


class SweepPanel(QWidget):
    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.setObjectName("sweepPanel")
        self.model = model
        self.sweep = RateSweep(model, self)
        self.lr_from = LogSpinBox(MIN_LEARNING_RATE, MAX_LEARNING_RATE, objectName="sweepFrom")
        self.lr_from.setValue(1e-5)
        self.lr_to = LogSpinBox(MIN_LEARNING_RATE, MAX_LEARNING_RATE, objectName="sweepTo")
        self.lr_to.setValue(1.0)
        self.count = CountSpinBox(2, 10_000, objectName="sweepCount")
        self.count.setValue(40)
        self.run_btn = QPushButton("Run sweep", objectName="sweepButton")
        self.run_btn.setToolTip("Run the selected run's optimizer from its start at every rate, "
                                "all at once, and plot how each ended")
        self.cancel_btn = QPushButton("Cancel", objectName="cancelSweepButton", enabled=False)
        self.progress = QProgressBar(objectName="sweepProgress", visible=False)
        self.progress.setRange(0, 100)
        self.show_box = QComboBox(objectName="sweepShow")
        self.show_box.addItems([FINAL_F, STEPS])
        self.legend = QLabel(objectName="sweepLegend")
        self.summary = QLabel(objectName="sweepSummary", wordWrap=True)
        self.summary.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.summary.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.plot = pg.PlotWidget(background="w", axisItems=fmt_axes(log_x=True))
        self.plot.setObjectName("sweepPlot")
        self.plot.setMinimumSize(260, 240)
        self._build_plot()
        self._layout()
        self.run_btn.clicked.connect(lambda _checked=False: self.run())
        self.cancel_btn.clicked.connect(lambda _checked=False: self.sweep.cancel())
        self.show_box.currentTextChanged.connect(lambda _text: self.redraw())
        for field in (self.lr_from, self.lr_to, self.count):
            field.refused.connect(self.summary.setText)
        self.sweep.busyChanged.connect(self._on_busy_changed)
        self.sweep.progress.connect(self.progress.setValue)
        self.sweep.message.connect(self._on_message)
        self._subscriptions = observe([
            (self.sweep.changed, self.redraw),
            (model.settingsChanged, self._draw_rate),
            (model.analysis.criticalPointsChanged, self.redraw),
        ])
        self.redraw()

    def _layout(self):
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        rates = QHBoxLayout()
        rates.addWidget(self.lr_from, 1)
        rates.addWidget(QLabel("to"))
        rates.addWidget(self.lr_to, 1)
        form.addRow("ε from", rates)
        runs = QHBoxLayout()
        runs.addWidget(self.count)
        runs.addWidget(self.run_btn, 1)
        runs.addWidget(self.cancel_btn)
        form.addRow("rates", runs)
        form.addRow("", self.progress)
        form.addRow("plot", self.show_box)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.legend)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.summary)

    def _build_plot(self):
        item = self.plot.getPlotItem()
        item.setMenuEnabled(False)
        item.showGrid(x=True, y=True, alpha=0.25)
        item.setLabel("bottom", "learning rate ε (log scale)")
        self.curve = pg.PlotDataItem(pen=pg.mkPen(LINE_COLOR, width=1.2), connect="finite")
        item.addItem(self.curve)
        self.marks = {}
        for status, (_glyph, _text, symbol, color, size) in MARKS.items():
            brush = pg.mkBrush(color) if color else pg.mkBrush(255, 255, 255)
            pen = pg.mkPen(color or LINE_COLOR, width=2.5 if status == DIVERGED else 1.5)
            scatter = pg.ScatterPlotItem(symbol=symbol, size=size, brush=brush, pen=pen,
                                         hoverable=True, tip=None)
            scatter.setZValue(5)
            scatter.sigClicked.connect(self._on_points_clicked)
            item.addItem(scatter)
            self.marks[status] = scatter
        self.bound = pg.InfiniteLine(angle=90, movable=False,
                                     pen=pg.mkPen(BOUND_COLOR, width=2, style=Qt.DashLine),
                                     label="2/λmax", labelOpts={"position": 0.85,
                                                                 "color": BOUND_COLOR})
        self.rate_line = pg.InfiniteLine(angle=90, movable=False,
                                         pen=pg.mkPen(CASING_COLOR, width=1),
                                         label="ε now", labelOpts={"position": 0.97,
                                                                   "color": CASING_COLOR})
        self.top_row = pg.InfiniteLine(angle=0, movable=False,
                                       pen=pg.mkPen("#999999", width=1, style=Qt.DotLine))
        for line in (self.bound, self.rate_line, self.top_row):
            line.setVisible(False)
            item.addItem(line)

    def close(self):
        self.sweep.cancel()
        stop_observing(self._subscriptions)
        return super().close()

    # ----- actions ---------------------------------------------------------------------
    def run(self):
        return self.sweep.run(self.lr_from.value(), self.lr_to.value(), self.count.value())

    def pick(self, index):
        """Give the selected run the rate of sweep point ``index``."""
        result = self.sweep.result
        if result is not None and 0 <= index < len(result.rates):
            self.model.set_learning_rate(float(result.rates[index]))

    def _on_points_clicked(self, _item, points, *_args):
        if len(points):
            self.pick(int(points[0].data()))

    def _on_busy_changed(self, busy):
        self.cancel_btn.setEnabled(busy)
        self.progress.setValue(0)
        self.progress.setVisible(busy)
        if busy:
            self.summary.setText("sweeping…")

    def _on_message(self, text):
        if text or self.sweep.result is None:
            self.summary.setText(text)

    # ----- drawing ---------------------------------------------------------------------
    def points(self):
        """(x, y, status, title, log y) of the rates as drawn: x = log10(rate), y in plot
        coordinates (log10 of f or of f − f_min on a log scale), status "converged",
        "max_steps", "diverged" or "other" (those two drawn in a row at the top)."""
        result = self.sweep.result
        if result is None:
            return np.empty(0), np.empty(0), [], "", False, math.inf
        runs = result.sweep.runs
        # a start at a critical point has converged before its first step
        names = [CONVERGED if s == CRITICAL_START else s if s in MARKS else "other"
                 for s in result.status_names()]
        x = np.log10(result.rates)
        settled = np.array([s in (CONVERGED, MAX_STEPS) for s in names])
        if self.show_box.currentText() == STEPS:
            y = np.where(np.array(names) == CONVERGED, runs.steps, result.max_steps)
            y = y.astype(np.float64)
            title, log = "steps to converge", False
        else:
            values = runs.f[settled & np.isfinite(runs.f)]
            low, high = (values.min(), values.max()) if values.size else (math.inf, math.inf)
            scale = choose_scale(low, lowest_minimum(self.model.analysis.critical), high)
            final = np.where(settled, runs.f, np.nan)
            y = scale.coords(final)
            title, log = f"final {scale.title_for(final)}", scale.log
        values = y[settled & np.isfinite(y)]
        highest = values.max() if values.size else 0.0
        span = values.max() - values.min() if values.size else 0.0
        top = highest + (0.6 if log else 0.15 * span if span > 0 else 1.0)
        return x, np.where(settled, y, top), names, title, log, highest

    def redraw(self):
        x, y, names, title, log, highest = self.points()
        item = self.plot.getPlotItem()
        result = self.sweep.result
        names_arr = np.array(names, dtype=object)
        legend = []
        for status, scatter in self.marks.items():
            idx = np.flatnonzero((names_arr == status) & np.isfinite(y)) if len(names) else \
                np.empty(0, int)
            scatter.setData(x[idx], y[idx], data=idx)
            glyph, text, _symbol, color, _size = MARKS[status]
            if idx.size:
                legend.append(f'<span style="color:{color or LINE_COLOR}">{glyph}</span> {text}')
        self.legend.setText("&nbsp;&nbsp; ".join(legend))
        unsettled = [n for n in names if n not in (CONVERGED, MAX_STEPS)]
        self.top_row.setVisible(bool(unsettled))
        margin = 0.3 if log else 0.5 * (y.max() - highest) if unsettled else 0.0
        self.top_row.setValue(highest + margin)
        item.getAxis("left").last_value = highest + margin if unsettled else math.inf
        if result is None:
            self.curve.setData([], [])
            item.getAxis("left").setLogMode(False)
            item.setTitle("Run a sweep: the final f, or the steps to converge, against ε",
                          size="9pt")
            item.setLabel("left", "")
            self.bound.setVisible(False)
            self._draw_rate()
            return
        settled = np.isin(names_arr, [CONVERGED, MAX_STEPS])
        self.curve.setData(x, np.where(settled, y, np.nan))
        item.getAxis("left").setLogMode(log)
        item.setTitle(title, size="9pt")
        item.setLabel("left", "steps" if self.show_box.currentText() == STEPS else "f")
        bound = result.stable_rate()
        self.bound.setVisible(bound is not None)
        if bound is not None:
            self.bound.setValue(math.log10(bound))
            # the bound is plain gradient descent's: said so where another optimizer ran
            self.bound.label.setFormat("2/λmax" if result.optimizer == "gd"
                                       else "2/λmax (plain gd)")
        self.summary.setText(result.summary())
        self._draw_rate()

    def _draw_rate(self):
        """The selected run's learning rate, on the plot while there is a sweep."""
        shown = self.sweep.result is not None
        self.rate_line.setVisible(shown)
        if shown:
            self.rate_line.setValue(math.log10(self.model.learning_rate))

