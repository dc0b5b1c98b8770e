"""The list of runs (objectName "runList"): each run's colour, name (editable), visibility and
state in words; Add, Remove and Keep-only buttons. It observes the model and calls it."""
from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QPushButton,
                               QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

SWATCH = 14
VISIBLE_ROWS = 3  # runs shown before the list scrolls


def swatch(color):
    """A small square of the run's colour on its black casing, as drawn on the map."""
    pix = QPixmap(SWATCH, SWATCH)
    pix.fill(QColor("#000000"))
    painter = QPainter(pix)
    painter.fillRect(2, 2, SWATCH - 4, SWATCH - 4, QColor(color))
    painter.end()
    return QIcon(pix)


class RunList(QWidget):
    """Runs of the model: click to select, double-click or F2 to rename, tick to show."""

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.model = model
        self.list = QTreeWidget(objectName="runList")
        self.list.setColumnCount(2)
        self.list.setHeaderLabels(["run", "state"])
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setIconSize(QSize(SWATCH, SWATCH))
        self.list.setSelectionMode(QAbstractItemView.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed)
        header = self.list.header()
        header.setSectionResizeMode(0, QHeaderView.Interactive)
        header.setSectionResizeMode(1, QHeaderView.Stretch)
        header.setStretchLastSection(True)
        self.list.setToolTip("Each run has its own start, optimizer and settings. Click one to "
                             "select it (the controls below change it); untick to hide it; "
                             "double-click its name to rename it. Shift+click on the map adds a "
                             "run there.")
        self.add_btn = QPushButton("Add run", objectName="addRunButton")
        self.add_btn.setToolTip("A new run with the selected run's settings (then change its "
                                "optimizer or learning rate to compare)")
        self.remove_btn = QPushButton("Remove", objectName="removeRunButton")
        self.remove_btn.setToolTip("Remove the selected run")
        self.only_btn = QPushButton("Keep only this", objectName="keepOnlyRunButton")
        self.only_btn.setToolTip("Remove every run but the selected one")
        buttons = QHBoxLayout()
        for b in (self.add_btn, self.remove_btn, self.only_btn):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)

        self.add_btn.clicked.connect(lambda _checked=False: model.add_run())
        self.remove_btn.clicked.connect(lambda _checked=False: model.remove_run(model.selected))
        self.only_btn.clicked.connect(lambda _checked=False: model.clear_other_runs())
        self.list.currentItemChanged.connect(self._on_current_changed)
        self.list.itemChanged.connect(self._on_item_changed)
        model.runsChanged.connect(self._rebuild)
        # every change of a run's rows ends with statusChanged (or runsChanged): one update
        model.statusChanged.connect(lambda _text: self._update_states())
        # an item's tooltip (its run's state in full) is written when it is asked for: written
        # at every step, each repainted the row's name, icon and box as well as its state
        self.list.viewport().installEventFilter(self)
        self._filling = False
        self._rebuild()

    def sizeHint(self):
        """Compact: the header and VISIBLE_ROWS runs, then the list scrolls."""
        row = self.list.sizeHintForRow(0) if self.list.topLevelItemCount() else -1
        row = max(row, self.fontMetrics().height() + 2)
        height = (self.list.header().sizeHint().height() + VISIBLE_ROWS * row
                  + 2 * self.list.frameWidth() + self.layout().spacing()
                  + self.add_btn.sizeHint().height())
        return QSize(320, height)

    # ----- model → list ---------------------------------------------------------------
    def _rebuild(self):
        """Items follow the runs; existing items are updated in place (an item being edited
        must not be deleted under the editor)."""
        self._filling = True
        runs = self.model.runs
        while self.list.topLevelItemCount() > len(runs):
            self.list.takeTopLevelItem(self.list.topLevelItemCount() - 1)
        while self.list.topLevelItemCount() < len(runs):
            item = QTreeWidgetItem(["", ""])
            item.setFlags(item.flags() | Qt.ItemIsEditable | Qt.ItemIsUserCheckable)
            self.list.addTopLevelItem(item)
        for i, run in enumerate(runs):
            item = self.list.topLevelItem(i)
            if item.text(0) != run.name:
                item.setText(0, run.name)
            item.setIcon(0, swatch(run.color))
            item.setCheckState(0, Qt.Checked if run.visible else Qt.Unchecked)
        if 0 <= self.model.selected < len(runs):
            self.list.setCurrentItem(self.list.topLevelItem(self.model.selected))
        self.list.resizeColumnToContents(0)
        self._filling = False
        self._update_states()
        self.remove_btn.setEnabled(bool(runs))
        self.only_btn.setEnabled(len(runs) > 1)

    def _update_states(self):
        self._filling = True
        for i, run in enumerate(self.model.runs):
            item = self.list.topLevelItem(i)
            if item is not None:
                item.setText(1, self._state(run))
        self._filling = False

    @staticmethod
    def _state(run):
        return run.status_text if run.visible else f"hidden; {run.status_text}"

    def eventFilter(self, obj, event):
        if event.type() == QEvent.ToolTip:
            self._filling = True
            for i, run in enumerate(self.model.runs):
                item = self.list.topLevelItem(i)
                if item is not None:
                    item.setToolTip(0, f"{run.name}: {run.status_text}")
                    item.setToolTip(1, self._state(run))
            self._filling = False
        return super().eventFilter(obj, event)

    # ----- list → model ---------------------------------------------------------------
    def _on_current_changed(self, current, _previous):
        if not self._filling and current is not None:
            self.model.select_run(self.list.indexOfTopLevelItem(current))

    def _on_item_changed(self, item, column):
        if self._filling or column != 0:
            return
        row = self.list.indexOfTopLevelItem(item)
        if not 0 <= row < len(self.model.runs):
            return
        run = self.model.runs[row]
        visible = item.checkState(0) == Qt.Checked
        if visible != run.visible:
            self.model.set_run_visible(row, visible)
        name = item.text(0).strip()
        if name != run.name:
            if name:
                self.model.rename_run(row, name)
            else:  # an empty name is refused: the old one comes back
                self._filling = True
                item.setText(0, run.name)
                self._filling = False
