"""The iteration table: a model/view table over the run's rows (fast with 100,000 rows)."""
from contextlib import contextmanager

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QModelRoleDataSpan, Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QScrollBar, QStyle,
                               QStyleOptionSlider, QTableView)

from ..core.fmt import fmt
from .scale import fit_rows

HEADERS = ("step", "x", "y", "f", "∂f/∂x", "∂f/∂y", "‖∇f‖", "Δx", "Δy")
GRADIENT = (4, 5)  # the columns ∂f/∂x and ∂f/∂y
MOVES = 7  # the first of the columns Δx, Δy: the step taken from the row, x_{t+1} − x_t
# data() runs for every cell and role of each repaint (a step repaints every visible row, as
# they all move up one): PySide's enum look-ups cost microseconds each, so they are looked up
# once here, as plain ints
DISPLAY, ALIGNMENT, TOOLTIP = int(Qt.DisplayRole), int(Qt.TextAlignmentRole), int(Qt.ToolTipRole)
RIGHT = int(Qt.AlignRight | Qt.AlignVCenter)
HORIZONTAL = Qt.Horizontal
# the roles a cell's paint asks for in one multiData call (QStyledItemDelegate.initStyleOption:
# font, alignment, colour, check state, icon, text, background); only two have a value here
PAINT_ROLES, PAINT_ALIGNMENT, PAINT_TEXT = 7, 1, 5
KEPT_TEXTS = 4096  # cell texts kept: rows are written once, and shown again after each step


class HeadedTableModel(QAbstractTableModel):
    """A flat table with the column titles ``headers``."""

    headers = ()

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section, orientation, role=DISPLAY):
        if role == DISPLAY and orientation == HORIZONTAL:  # the int test first: most calls stop
            return self.headers[section]
        return None


class TrajectoryTableModel(HeadedTableModel):
    """Rows of the explorer model's current run; grows by row inserts while a run goes on."""

    headers = HEADERS

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.model = model
        self._run = None
        self._rows = 0
        self._texts = {}  # (row, column) → text, for self._text_key
        self._text_key = None  # (run, the gradient scale) the texts were written for
        self.formatted = 0  # cell texts written (tests count them)
        model.trajectoryChanged.connect(self._on_trajectory_changed)
        self._on_trajectory_changed()

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else self._rows

    def data(self, index, role=DISPLAY):
        if role == DISPLAY:  # the roles that have something first: most calls ask for none
            return self.text(index.row(), index.column()) if self._has(index) else None
        if role == ALIGNMENT:
            return RIGHT if self._has(index) else None
        if role == TOOLTIP and self._has(index):
            value = self.value(index.row(), index.column())
            if value is None:
                return "the step from here is not taken yet"
            return repr(value + 0.0)  # exact
        return None

    def multiData(self, index, span):
        """A cell's paint asks for its roles at once: answered here in one call from C++, not
        one data() call per role (7 per cell, 11 cells per step). Any other request of
        several roles is answered role by role from data()."""
        if not isinstance(span, QModelRoleDataSpan):  # one QModelRoleData, from Python
            span = (span,)
        elif span.length() == PAINT_ROLES and self._has(index):
            alignment, text = span[PAINT_ALIGNMENT], span[PAINT_TEXT]
            if alignment.role() == ALIGNMENT and text.role() == DISPLAY:
                alignment.setData(RIGHT)
                text.setData(self.text(index.row(), index.column()))
                return
        for role_data in span:
            role_data.setData(self.data(index, role_data.role()))

    def _has(self, index):
        return index.isValid() and self._run is not None and index.row() < self._rows

    def text(self, row, column):
        """The cell as shown; written once while the run and ‖∇f‖'s scale stay the same."""
        scale = self.model.gradient_scale()
        if self._text_key != (self._run, scale) or len(self._texts) > KEPT_TEXTS:
            self._text_key, self._texts = (self._run, scale), {}
        text = self._texts.get((row, column))
        if text is None:
            text = self._texts[row, column] = self._format(row, column, scale)
        return text

    def _format(self, row, column, scale):
        self.formatted += 1
        value = self.value(row, column)
        if column == 0:
            return str(int(value))
        if value is None:
            return ""
        # ∂f/∂x, ∂f/∂y: round-off against ‖∇f‖'s size in the window shows as 0
        return fmt(value, scale=scale if column in GRADIENT else None)

    def value(self, row, column):
        """The float behind a cell; for Δx and Δy the move to the next row (None in the
        last row: that step is not taken yet)."""
        rows = self._run.view()
        if column < MOVES:
            return float(rows[row, column])
        if row + 1 >= len(rows):
            return None
        c = column - MOVES + 1  # x or y
        return float(rows[row + 1, c] - rows[row, c])

    def _on_trajectory_changed(self):
        run = self.model.run
        count = 0 if run is None else run.steps + 1
        if run is self._run and count >= self._rows:
            if count > self._rows:
                last = self._rows - 1  # its Δx, Δy are known now
                self.beginInsertRows(QModelIndex(), self._rows, count - 1)
                self._rows = count
                self.endInsertRows()
                if last >= 0:
                    for column in (MOVES, MOVES + 1):
                        self._texts.pop((last, column), None)
                    self.dataChanged.emit(self.index(last, MOVES), self.index(last, MOVES + 1))
            return
        self.beginResetModel()
        self._run, self._rows, self._texts = run, count, {}
        self.endResetModel()


class SteadyScrollBar(QScrollBar):
    """A QScrollBar that repaints when what it draws changes (its handle's place and size,
    an end reached), not for each new range or value: with 100,000 rows one more row moves
    the handle by a fraction of a pixel. Changes made inside ``held()`` are looked at once,
    at its end (following a new row sets the range, then the value). Hover and presses
    repaint it as before."""

    def __init__(self, orientation, parent=None):
        super().__init__(orientation, parent)
        self._drawn = None  # what the last repaint showed
        self._held = None   # the last change while held, or None
        self.repaints = 0   # repaints asked for by a change of range or value (tests count)

    @contextmanager
    def held(self):
        self._held = False
        try:
            yield
        finally:
            change, self._held = self._held, None
            if change is not False:
                self.sliderChange(change)

    def sliderChange(self, change):
        if self._held is not None:
            self._held = change
            return
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        handle = self.style().subControlRect(QStyle.CC_ScrollBar, option,
                                             QStyle.SC_ScrollBarSlider, self)
        shown = (handle, self.value() == self.minimum(), self.value() == self.maximum())
        if shown != self._drawn:
            self._drawn = shown
            self.repaints += 1
            super().sliderChange(change)


class IterationTable(QTableView):
    """QTableView (objectName "iterationTable") that follows the run to its last row."""

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.setObjectName("iterationTable")
        self._appended = None  # the first of the rows added at the end since the last layout
        self.table_model = TrajectoryTableModel(model, self)
        self.setModel(self.table_model)
        self.setVerticalScrollBar(SteadyScrollBar(Qt.Vertical, self))
        self.setAlternatingRowColors(True)
        # by pixels: the rows keep their place while the range grows, and following the end
        # scrolls by one row's height (by rows, the last row sits on the bottom edge, and a
        # new one shifts every row by part of a row without a scroll; see doItemsLayout)
        self.setVerticalScrollMode(QAbstractItemView.ScrollPerPixel)
        self.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setSectionResizeMode(QHeaderView.Fixed)
        fit_rows(self)
        # the column titles from a model of their own, in C++: a cell's dataChanged (the row
        # before's Δx, Δy at each step) makes a header forget its size, and it asked the
        # table's model for 36 titles and roles (Python calls) to work it out again
        self.titles = QStandardItemModel(0, len(HEADERS), self)
        self.titles.setHorizontalHeaderLabels(list(HEADERS))
        self.horizontalHeader().setModel(self.titles)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.table_model.rowsInserted.connect(self._follow)
        self.table_model.modelReset.connect(self.scrollToTop)

    def _follow(self, *_args):
        with self.verticalScrollBar().held():  # its new range, then its value
            self.scrollToBottom()

    def rowsInserted(self, parent, first, last):
        # rows added after the last one (not the first rows of a new run): see doItemsLayout
        end = first > 0 and last == self.table_model.rowCount() - 1
        self._appended = first if end else None
        super().rowsInserted(parent, first, last)

    def reset(self):
        self._appended = None
        super().reset()

    def doItemsLayout(self):
        """After rows added at the end, the scroll bar's new range and the new rows' place,
        instead of Qt's relayout, which repaints every visible row: following the end then
        scrolls the rows already painted (their pixels move up) and paints the new one."""
        first, self._appended = self._appended, None
        if first is None:
            super().doItemsLayout()
            return
        self.updateGeometries()
        port = self.viewport()
        last = self.table_model.rowCount() - 1
        top = max(self.rowViewportPosition(first), 0)
        bottom = min(self.rowViewportPosition(last) + self.rowHeight(last), port.height())
        if top < bottom:  # the new rows show (before any scrolling)
            port.update(0, top, port.width(), bottom - top)
