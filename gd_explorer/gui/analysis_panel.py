"""Buttons for the whole-window analyses: critical points and basins of attraction."""
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout,
                               QWidget)


class AnalysisPanel(QWidget):
    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.setObjectName("analysisPanel")
        self.analysis = model.analysis
        self.critical_btn = QPushButton("Find critical points", objectName="criticalPointsButton")
        self.critical_btn.setToolTip("Solve ∇f = 0 in the view (Newton's method from many seeds) "
                                     "and mark minima, maxima and saddles")
        self.basins_btn = QPushButton("Show basins", objectName="basinsButton")
        self.basins_btn.setToolTip("Run descent from every point of the view (200 × 200 starts) "
                                   "with the selected run's optimizer and learning rate, and "
                                   "colour each start by where it ends")
        self.clear_btn = QPushButton("Clear", objectName="clearAnalysisButton")
        self.cancel_btn = QPushButton("Cancel", objectName="cancelAnalysisButton")
        self.cancel_btn.setEnabled(False)
        self.progress = QProgressBar(objectName="analysisProgress")
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(True)
        self.progress.setVisible(False)
        self.label = QLabel(objectName="analysisLabel")
        self.label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for pair in ((self.critical_btn, self.basins_btn), (self.clear_btn, self.cancel_btn)):
            row = QHBoxLayout()
            for btn in pair:
                row.addWidget(btn)
            layout.addLayout(row)
        layout.addWidget(self.progress)
        layout.addWidget(self.label)
        self.critical_btn.clicked.connect(lambda _checked=False: self.analysis.find_critical_points())
        self.basins_btn.clicked.connect(lambda _checked=False: self.analysis.show_basins())
        self.clear_btn.clicked.connect(lambda _checked=False: self._clear())
        self.cancel_btn.clicked.connect(lambda _checked=False: self.analysis.cancel())
        self.analysis.busyChanged.connect(self._on_busy_changed)
        self.analysis.progress.connect(self.progress.setValue)
        self.analysis.message.connect(self.label.setText)
        self.analysis.criticalPointsChanged.connect(self._on_results_changed)
        self.analysis.basinsChanged.connect(self._on_results_changed)

    def _clear(self):
        self.analysis.clear()
        self.label.clear()

    def _on_results_changed(self):
        # say only what is on the map now (results go when the function, window or rate change)
        self.label.setText(self.analysis.summary())

    def _on_busy_changed(self, busy):
        self.cancel_btn.setEnabled(busy)
        self.progress.setValue(0)
        self.progress.setVisible(self.analysis.running == "basins")
        if busy:
            self.label.setText("working…")
