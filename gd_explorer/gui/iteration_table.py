"""The iteration table: a model/view table over the run's rows (fast with 100,000 rows)."""
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from ..core.fmt import fmt

HEADERS = ("step", "x", "y", "f", "∂f/∂x", "∂f/∂y", "‖∇f‖")


class TrajectoryTableModel(QAbstractTableModel):
    """Rows of the explorer model's current run; grows by row inserts while a run goes on."""

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.model = model
        self._run = None
        self._rows = 0
        model.trajectoryChanged.connect(self._on_trajectory_changed)
        self._on_trajectory_changed()

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if role == Qt.DisplayRole and orientation == Qt.Horizontal:
            return HEADERS[section]
        return None

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or self._run is None or index.row() >= self._rows:
            return None
        if role == Qt.DisplayRole:
            value = float(self._run.view()[index.row(), index.column()])
            if index.column() == 0:
                return str(int(value))
            return fmt(value)
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role == Qt.ToolTipRole:
            return repr(float(self._run.view()[index.row(), index.column()]) + 0.0)  # exact
        return None

    def value(self, row, column):
        """The float behind a cell."""
        return float(self._run.view()[row, column])

    def _on_trajectory_changed(self):
        run = self.model.run
        count = 0 if run is None else run.steps + 1
        if run is self._run and count >= self._rows:
            if count > self._rows:
                self.beginInsertRows(QModelIndex(), self._rows, count - 1)
                self._rows = count
                self.endInsertRows()
            return
        self.beginResetModel()
        self._run, self._rows = run, count
        self.endResetModel()


class IterationTable(QTableView):
    """QTableView (objectName "iterationTable") that follows the run to its last row."""

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.setObjectName("iterationTable")
        self.table_model = TrajectoryTableModel(model, self)
        self.setModel(self.table_model)
        self.setAlternatingRowColors(True)
        self.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setSectionResizeMode(QHeaderView.Fixed)
        self.verticalHeader().setDefaultSectionSize(20)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.table_model.rowsInserted.connect(lambda *_: self.scrollToBottom())
        self.table_model.modelReset.connect(self.scrollToTop)
