"""The lessons panel: a list of short lessons, the current one's explanation with typeset
formulas and a "try this", Previous and Next. Choosing a lesson emits lessonChosen;
apply_lesson (the one place a lesson changes anything) sets up the model and the window."""
from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QFileDialog, QFrame, QHBoxLayout, QLabel, QListWidget,
                               QListWidgetItem, QPushButton, QScrollArea, QSizePolicy,
                               QVBoxLayout, QWidget)

from ..core.errors import InputError
from ..core.lessons import MAX_FORMULAS, BrokenLesson, load_lessons
from .math_view import MathView

FOCUS_PARTS = {"sinusoid": "curve_plot", "slice": "slice_plot", "limits": "table",
               "differential": "differential"}  # DirectionPanel attributes
CAPTION_LINES = 2.5  # room kept above a focused part for its caption
BROKEN_COLOR = "#b00020"


def apply_lesson(lesson, window):
    """Set up ``window`` (a MainWindow) and its model for ``lesson``: panes, side tab,
    optimizer, then function, window, start point, levels and learning rate together
    (as a preset, applied once the formula compiles), and the dial's angle."""
    window.set_view_mode(lesson.view)
    tabs = window.tabs
    for i in range(tabs.count()):
        if tabs.widget(i).property("sideTab") == lesson.tab:
            tabs.setCurrentIndex(i)
    model = window.model
    model.set_optimizer(lesson.optimizer)
    model.load_preset(lesson.preset())
    model.set_angle(lesson.angle)
    # scroll once the lesson's function is on show (the panels above the tab take their
    # height from it) and the tab is laid out (a tab shown first has no geometry yet)
    model.functionChanged.connect(
        lambda _fn: QTimer.singleShot(0, lambda: _scroll_to(window, lesson.focus)),
        Qt.SingleShotConnection)


def _scroll_to(window, focus):
    """Scroll the open side tab to its top, or to the lesson's part of the direction tab."""
    area = window.tabs.currentWidget()
    if not isinstance(area, QScrollArea):
        area = area.findChild(QScrollArea)  # the descent tab: its settings scroll
        if area is None:
            return
    bar = area.verticalScrollBar()
    part = getattr(window.direction, FOCUS_PARTS[focus], None) if focus else None
    if part is None or not area.widget().isAncestorOf(part):
        bar.setValue(0)
        return
    window.direction.reveal(part)  # a part on a details tab: open that tab
    top = part.mapTo(area.widget(), QPoint(0, 0)).y()
    bar.setValue(top - round(CAPTION_LINES * area.fontMetrics().height()))


class LessonsPanel(QWidget):
    """Lists the lessons of a folder (broken files with their message) and shows one."""
    lessonChosen = Signal(object)  # a Lesson to set up

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("lessonsPanel")
        self.lessons = []
        self.folder = None

        self.list = QListWidget(objectName="lessonList")
        self.list.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Maximum)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.ElideRight)
        self.list.setAccessibleName("Lessons")
        self.title = QLabel(objectName="lessonTitle")
        self.title.setWordWrap(True)
        font = QFont(self.title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.title.setFont(font)
        self.text = QLabel(objectName="lessonText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.PlainText)
        self.text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.formulas = [MathView(max_lines=2.6, objectName=f"lessonFormula{i + 1}")
                         for i in range(MAX_FORMULAS)]
        self.try_this = QLabel(objectName="lessonTry")
        self.try_this.setWordWrap(True)
        self.try_this.setTextFormat(Qt.PlainText)
        self.try_this.setStyleSheet("background: #eef6ee; border-left: 4px solid #2e7d32; "
                                    "padding: 6px; color: #1b1b1b;")
        self.error = QLabel(objectName="lessonError")
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.PlainText)
        self.error.setStyleSheet(f"color: {BROKEN_COLOR}; background: #fdecea; padding: 4px;")
        self.error.hide()

        self.prev_button = QPushButton("◀ Previous", objectName="lessonPrevButton")
        self.next_button = QPushButton("Next ▶", objectName="lessonNextButton")
        self.position = QLabel(objectName="lessonPosition")
        self.position.setAlignment(Qt.AlignCenter)
        self.again_button = QPushButton("Set up again", objectName="lessonResetButton")
        self.again_button.setToolTip("Put the function, point, dial and views back as the "
                                     "lesson sets them")
        self.folder_button = QPushButton("Open lesson folder…", objectName="lessonFolderButton")
        self.folder_button.setToolTip("Read the lessons (*.json) of another folder, for example "
                                      "a teacher's own")

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(2, 2, 6, 2)
        body_layout.addWidget(self.title)
        body_layout.addWidget(self.error)
        body_layout.addWidget(self.text)
        for view in self.formulas:
            body_layout.addWidget(view)
        body_layout.addWidget(self.try_this)
        body_layout.addStretch(1)
        scroll = QScrollArea(objectName="lessonScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setWidget(body)

        nav = QHBoxLayout()
        nav.addWidget(self.prev_button)
        nav.addWidget(self.position, 1)
        nav.addWidget(self.next_button)
        tools = QHBoxLayout()
        tools.addWidget(self.again_button)
        tools.addStretch(1)
        tools.addWidget(self.folder_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list)
        layout.addLayout(nav)
        layout.addWidget(scroll, 1)
        layout.addLayout(tools)

        self.list.currentRowChanged.connect(self._on_row_changed)
        self.prev_button.clicked.connect(lambda _checked=False: self.go(-1))
        self.next_button.clicked.connect(lambda _checked=False: self.go(+1))
        self.again_button.clicked.connect(lambda _checked=False: self._choose(self.current()))
        self.folder_button.clicked.connect(lambda _checked=False: self.choose_folder())
        self._show(None)

    # ----- loading ------------------------------------------------------------------
    def load(self, folder=None):
        """Read the lessons of ``folder`` (default: the shipped ones) into the list."""
        try:
            lessons = load_lessons(folder)
        except InputError as exc:
            lessons = [BrokenLesson("(folder)", str(exc))]
        self.folder, self.lessons = folder, lessons
        self.list.blockSignals(True)
        self.list.clear()
        for i, lesson in enumerate(lessons):
            item = QListWidgetItem(f"{i + 1}. {lesson.title}")
            item.setToolTip(lesson.title)
            if isinstance(lesson, BrokenLesson):
                item.setText(f"{i + 1}. ⚠ {lesson.file}")
                item.setForeground(QBrush(QColor(BROKEN_COLOR)))
                item.setToolTip(lesson.message)
            self.list.addItem(item)
        self.list.setCurrentRow(-1)
        self.list.blockSignals(False)
        rows = min(len(lessons), 10)
        self.list.setMaximumHeight(self.list.sizeHintForRow(0) * rows + 2 * self.list.frameWidth() + 4
                                   if rows else 40)
        self._show(None)

    def choose_folder(self):
        folder = QFileDialog.getExistingDirectory(self, "Open a folder of lessons")
        if folder:
            self.load(folder)

    # ----- navigation -----------------------------------------------------------------
    def current(self):
        row = self.list.currentRow()
        return self.lessons[row] if 0 <= row < len(self.lessons) else None

    def go(self, delta):
        """Previous (-1) or next (+1) lesson; Next with none chosen starts the first."""
        row = self.list.currentRow()
        row = 0 if row < 0 else min(max(row + delta, 0), len(self.lessons) - 1)
        if self.lessons:
            self.list.setCurrentRow(row)

    def _on_row_changed(self, _row):
        lesson = self.current()
        self._show(lesson)
        self._choose(lesson)

    def _choose(self, lesson):
        if lesson is not None and not isinstance(lesson, BrokenLesson):
            self.lessonChosen.emit(lesson)

    # ----- showing --------------------------------------------------------------------
    def _show(self, lesson):
        row, count = self.list.currentRow(), len(self.lessons)
        self.prev_button.setEnabled(row > 0)
        self.next_button.setEnabled(row < count - 1)
        self.position.setText(f"{row + 1} / {count}" if row >= 0 else f"{count} lessons")
        broken = isinstance(lesson, BrokenLesson)
        self.again_button.setEnabled(lesson is not None and not broken)
        self.error.setVisible(broken)
        self.error.setText(lesson.message if broken else "")
        if lesson is None:
            self.title.setText("Lessons")
            self.text.setText("Ten short lessons, from the derivative to gradient descent. "
                              "Each one sets up the views to show its idea: choose one, "
                              "or press Next to begin.")
        else:
            self.title.setText(lesson.title if not broken else f"This lesson cannot be shown: "
                               f"{lesson.file}")
            self.text.setText("" if broken else lesson.text)
        self.text.setVisible(bool(self.text.text()))
        formulas = () if lesson is None or broken else lesson.formulas
        for i, view in enumerate(self.formulas):
            tex = formulas[i] if i < len(formulas) else None
            view.set_formula(tex, tex or "")
            view.setVisible(i < len(formulas))
        tip = "" if lesson is None or broken else lesson.try_this
        self.try_this.setText(f"Try this: {tip}")
        self.try_this.setVisible(bool(tip))
