"""The critical points found in view as a table (x, y, f, kind, Hessian eigenvalues), lowest f
first, with a filter for the kind; clicking a row starts the selected run there."""
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QTableView, QVBoxLayout, QWidget)

from ..core.fmt import fmt
from .analysis import KIND_WORDS
from .iteration_table import HeadedTableModel
from .scale import fit_rows

HEADERS = ("x", "y", "f", "kind", "λ1", "λ2")
ALL = "all kinds"


class CriticalPointsModel(HeadedTableModel):
    """The analysis' critical points of one kind (or all), in its order (lowest f first)."""

    headers = HEADERS

    def __init__(self, analysis, parent=None):
        super().__init__(parent)
        self.analysis = analysis
        self.kind = None  # None: every kind
        self.points = ()
        analysis.criticalPointsChanged.connect(self.refresh)
        self.refresh()

    def set_kind(self, kind):
        self.kind = kind
        self.refresh()

    def refresh(self):
        self.beginResetModel()
        self.points = tuple(p for p in self.analysis.critical or ()
                            if self.kind is None or p.kind == self.kind)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.points)

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or index.row() >= len(self.points):
            return None
        p, column = self.points[index.row()], index.column()
        if role == Qt.DisplayRole:
            if column == 3:
                return p.kind
            lo, hi = p.eigenvalues
            size = abs(lo) + abs(hi)  # an eigenvalue below round-off of this shows as 0
            return (fmt(p.x), fmt(p.y), fmt(p.f), None, fmt(lo, scale=size),
                    fmt(hi, scale=size))[column]
        if role == Qt.TextAlignmentRole:
            return int((Qt.AlignLeft if column == 3 else Qt.AlignRight) | Qt.AlignVCenter)
        if role == Qt.ToolTipRole:
            return "Click to start the selected run here"
        return None


class CriticalTable(QWidget):
    """The table (objectName "criticalTable"), its kind filter ("criticalKindFilter") and a
    line saying how many are shown."""

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.model = model
        self.table_model = CriticalPointsModel(model.analysis, self)
        self.filter = QComboBox(objectName="criticalKindFilter")
        self.filter.addItem(ALL, None)
        for kind in KIND_WORDS:
            self.filter.addItem(kind, kind)
        self.filter.setToolTip("Show the critical points of one kind only")
        self.count = QLabel(objectName="criticalCount")
        self.count.setWordWrap(True)
        self.table = QTableView(objectName="criticalTable")
        self.table.setModel(self.table_model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        fit_rows(self.table)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.table.setMinimumHeight(150)
        self.table.setToolTip("Click a row to start the selected run at that point")
        row = QHBoxLayout()
        row.addWidget(QLabel("show"))
        row.addWidget(self.filter, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.table)
        layout.addWidget(self.count)
        self.filter.currentIndexChanged.connect(
            lambda i: self.table_model.set_kind(self.filter.itemData(i)))
        self.table.clicked.connect(self._on_clicked)
        self.table_model.modelReset.connect(self._on_reset)
        self._on_reset()

    def _on_clicked(self, index):
        p = self.table_model.points[index.row()]
        self.model.set_start(p.x, p.y)

    def _on_reset(self):
        analysis = self.model.analysis
        found = analysis.critical
        self.setVisible(found is not None)
        if found is None:
            return
        shown = len(self.table_model.points)
        words = KIND_WORDS.get(self.table_model.kind, ("critical point", "critical points"))
        text = f"{shown:,} {words[shown != 1]} listed"
        if analysis.critical_total > len(found):
            text += (f"; only the {len(found):,} lowest of the {analysis.critical_total:,} "
                     "found are kept")
        self.count.setText(text)
