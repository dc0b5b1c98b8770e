"""The main window: assembles the views and panels around one ExplorerModel."""
import os
from importlib import import_module

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QDockWidget, QFileDialog, QFrame, QGroupBox, QMainWindow,
                               QMessageBox, QProgressBar, QPushButton, QScrollArea, QSplitter,
                               QTabWidget, QVBoxLayout, QWidget)

from ..core import session as sessions
from ..core.errors import InputError
from ..core.export import write_csv
from .analysis_panel import AnalysisPanel
from .backdrop import keep_backdrop
from .background import BACKGROUND_BYTES, BACKGROUND_ROWS, BackgroundJob
from .contour_view import ContourView
from .descent_panel import SHORTCUTS, DescentPanel
from .export_image import write_png
from .function_editor import FunctionEditor, fill_preset_menu
from .iteration_table import IterationTable
from .layout_parts import SIDE_TABS, BottomPaneSplitter, CappedScrollArea, CollapsibleSection
from .lazy_page import LazyPage
from .lessons_panel import LessonsPanel, apply_lesson
from .math_view import warm_up as warm_up_math
from .model import ExplorerModel
from .presentation import SizeActions
from .run_list import RunList
from .recent_folders import remember_folder
from .stale_cue import StaleFunctionCue
from .surface_view import SurfaceView
from .scale import px, ui_scale
from .scaled_items import follow_all
from .undo import History
from .view_controls import ViewControls


SYNTAX_HELP = (
    "Type f(x, y) with x and y as the variables.\n\n"
    "Operators: + - * /, powers with ^ or ** (x^2), unary minus, parentheses.\n"
    "Numbers: 2, 0.5, 1e-3 (a point for decimals, not a comma); constants pi and e "
    "(e^x is exp(x)).\n"
    "Functions: sin cos tan sec csc cot, asin acos atan (or arcsin arccos arctan), "
    "atan2(y, x), sinh cosh tanh asinh acosh atanh, exp, log (natural; log(x, b) for base b), "
    "ln, log10, log2, sqrt, cbrt (real cube root), abs, sign, min and max (two or more "
    "arguments), pow(a, b) = a^b, hypot(a, b) = sqrt(a^2 + b^2).\n\n"
    "Roots of negative numbers: x^(1/3) is undefined for x < 0 (not a real number); "
    "use cbrt(x), so cbrt(-8) = -2.\n"
    "Write multiplication out: 2*x, x*y, (x + 1)*(y - 1). Functions need parentheses: sin(x). "
    "|x| is written abs(x).\n"
    "Examples: x^2 + 3*y^2,  (1 - x)^2 + 100*(y - x^2)^2,  sin(x)*cos(y),  "
    "log(x^2 + y^2 + 1)."
)
TABLE_HEIGHT = 160     # the bottom tabs' first height (px): the table's header and four rows
FUNCTION_SHARE = 0.4   # the Function panel takes at most this share of the side's height
SIDE_WIDTH = 365       # the side panel's least width (px at 100 %)
LESSONS_WIDTH = 300    # the lessons dock's least width (px at 100 %)


def _group(title, widget, objectName=""):
    box = QGroupBox(title, objectName=objectName)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(6, 6, 6, 6)
    layout.addWidget(widget)
    return box


def _built_later(module, name, model, objectName):
    """A page for the panel ``name`` of ``module``, built (and its module imported) when the
    page is first shown or asked for."""
    page = LazyPage(lambda: getattr(import_module(f".{module}", __package__), name)(model),
                    objectName=objectName)
    page.built_now.connect(follow_all)  # its plots at the presentation scale too
    return page


class MainWindow(QMainWindow):
    fileJobFinished = Signal(str)  # after an export or save: "" or the error message
    def __init__(self, model=None, parent=None):
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("gd-explorer — gradients, directional derivatives, gradient descent")
        self.model = model or ExplorerModel(self)
        m = self.model

        self.contour = ContourView(m)
        self.surface = SurfaceView(m)
        self.view_controls = ViewControls(m)
        self.editor = FunctionEditor(m)
        self.descent = DescentPanel(m, own_transport=False)  # its Step/Play row: see below
        self.run_list = RunList(m)
        self.analysis = AnalysisPanel(m)
        self.table = IterationTable(m)
        # panels on tabs not shown at first, built when first shown (or asked for, below)
        self._direction_page = _built_later("direction_panel", "DirectionPanel", m, "directionPage")
        self._loss_page = _built_later("loss_plot", "LossPlots", m, "lossPage")
        self._sweep_page = _built_later("sweep_panel", "SweepPanel", m, "sweepPage")
        differential_page = _built_later("differential_panel", "DifferentialPanel", m,
                                         "differentialPage")
        self._differential_page = differential_page
        differential_page.built_now.connect(lambda _panel: self._tell_map_shown())

        self.views = QSplitter(Qt.Horizontal, objectName="viewSplitter")
        self.views.addWidget(self.contour)
        self.views.addWidget(self.surface)
        self.views.setStretchFactor(0, 3)
        self.views.setStretchFactor(1, 2)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.view_controls)
        self.stale_cue = StaleFunctionCue(m)  # while the typed formula is rejected
        left_layout.addWidget(self.stale_cue)
        left_layout.addWidget(self.views, 1)
        # 1-D mode: the curve pane, shown instead of self.views
        self._curve_page = _built_later("curve_view", "CurvePane", m, "curvePage")
        left_layout.addWidget(self._curve_page, 1)
        # below the map, the steps as a table and as loss plots: small at first, keeping its
        # height as the window grows, and collapsible
        self.bottom_tabs = QTabWidget(objectName="bottomTabs")
        self.bottom_tabs.setDocumentMode(True)
        self.bottom_tabs.addTab(self.table, "Iterations")
        self.bottom_tabs.addTab(self._loss_page, "Loss")
        self.left_split = BottomPaneSplitter(left, self.bottom_tabs, TABLE_HEIGHT,
                                             objectName="tableSplitter")

        self.tabs = QTabWidget(objectName="sideTabs")
        descent_tab = QWidget()
        descent_layout = QVBoxLayout(descent_tab)
        descent_layout.addWidget(_group("Runs", self.run_list))
        descent_layout.addWidget(self.descent)
        self.whole_view = CollapsibleSection("Whole view", self.analysis,
                                             objectName="wholeViewSection")
        descent_layout.addWidget(self.whole_view)
        # the settings scroll when the tab is short; Step, Play and Reset below them never do
        descent_page = QWidget(objectName="descentPage")
        page_layout = QVBoxLayout(descent_page)
        margins = descent_layout.contentsMargins()
        descent_layout.setContentsMargins(margins.left(), 4, margins.right(), 0)
        page_layout.setContentsMargins(0, 0, 0, 4)
        page_layout.addWidget(CappedScrollArea(descent_tab, shrink=True,
                                               objectName="descentSettingsScroll"))
        rule = QFrame(frameShape=QFrame.HLine, frameShadow=QFrame.Sunken)
        page_layout.addWidget(rule)
        page_layout.addWidget(self.descent.transport)
        page_layout.addStretch(1)
        self.descent.transport.setContentsMargins(margins.left(), 0, margins.right(), 0)
        pages = (descent_page, self._scroll(self._direction_page), self._scroll(differential_page),
                 self._sweep_page)
        for page, (key, title, tip) in zip(pages, SIDE_TABS):
            index = self.tabs.addTab(page, title)
            self.tabs.setTabToolTip(index, tip)
            page.setProperty("sideTab", key)
        side = QWidget(objectName="sidePanel")
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(4, 4, 4, 4)
        # long formulas scroll inside the Function panel instead of pushing the tabs down
        self.function_scroll = CappedScrollArea(_group("Function", self.editor), FUNCTION_SHARE,
                                                objectName="functionScroll")
        side_layout.addWidget(self.function_scroll)
        side_layout.addWidget(self.tabs, 1)
        self.side = side

        self.main_split = split = QSplitter(Qt.Horizontal, objectName="mainSplitter")
        split.addWidget(self.left_split)
        split.addWidget(side)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 0)
        split.setSizes([1100, 480])
        self.setCentralWidget(split)

        keep_backdrop(self.statusBar())  # the run's status at each step
        self.contour.hovered.connect(lambda text: self.statusBar().showMessage(text, 4000))
        self.view_controls.viewModeChanged.connect(self.set_view_mode)
        m.functionChanged.connect(lambda _fn: self.set_view_mode(self.view_mode))
        m.statusChanged.connect(lambda text: self.statusBar().showMessage(text, 6000))
        m.notice.connect(lambda text: self.statusBar().showMessage(text, 8000))
        m.sessionError.connect(lambda text: self._show_error("Could not open the session", text))
        self.history = History(m, self)
        self._build_lessons()
        self._build_menus()
        self._build_export_progress()
        self.view_mode = None
        self.set_view_mode("both")
        follow_all(self)  # every plot at the presentation scale (View → Larger / Smaller)
        ui_scale().scaleChanged.connect(self._on_scale_changed)
        self._fit_to_scale(ui_scale().factor)  # sizes below are at 100 %

    def _on_scale_changed(self, _percent):
        self._fit_to_scale(ui_scale().factor / ui_scale().old_factor())

    def _fit_to_scale(self, ratio):
        """Presentation size: the side panel, the lessons and the bottom tabs grow (or shrink)
        with their text, by ``ratio``."""
        self.side.setMinimumWidth(round(px(SIDE_WIDTH)))
        self.lessons_dock.setMinimumWidth(round(px(LESSONS_WIDTH)))
        self.left_split.first_height = round(px(TABLE_HEIGHT))
        if ratio == 1:
            return
        if self.left_split.bottom_height() > 0:  # the table's rows and the loss plots' ticks
            self.left_split.set_bottom_height(round(self.left_split.bottom_height() * ratio))
        left, side = self.main_split.sizes()
        if left > 0 and side > 0:
            self._set_side_width(round(side * ratio))

    def _set_side_width(self, wanted):
        """Give the side panel ``wanted`` px, and above 100 % the room for all its tabs,
        within its least width and two fifths of the window."""
        left, side = self.main_split.sizes()
        total = left + side
        if ui_scale().factor > 1:
            wanted = max(wanted, self.tabs.tabBar().sizeHint().width() + 16)
        side = max(self.side.minimumWidth(), min(wanted, total * 2 // 5))
        self.main_split.setSizes([total - side, side])

    @property
    def direction(self):
        """The Directional derivative tab's panel."""
        return self._direction_page.content()

    @property
    def loss(self):
        """The Loss tab's plots."""
        return self._loss_page.content()

    @property
    def sweep_panel(self):
        return self._sweep_page.content()

    @property
    def curve_pane(self):
        """The curve f(x) and the secant panel, for f of x alone."""
        return self._curve_page.content()

    def showEvent(self, event):
        super().showEvent(event)
        if not getattr(self, "_sized", False):  # first show: share the width 3:2
            self._sized = True
            total = max(self.views.width(), 2)
            self.views.setSizes([total * 3 // 5, total * 2 // 5])
            self.table.scrollToBottom()
            if ui_scale().factor > 1:  # made at a presentation size: room for the tabs
                self._set_side_width(self.main_split.sizes()[1])

    def layout_state(self):
        """The splitters and sections to remember with the window's geometry (QSettings)."""
        return {"tableSplitter": self.left_split.saveState(),
                "mainSplitter": self.main_split.saveState(),
                "wholeViewExpanded": self.whole_view.expanded,
                "mapLegend": self.legend_action.isChecked()}

    def restore_layout_state(self, state):
        """Apply what ``layout_state`` gave; missing or unreadable parts are skipped."""
        splitters = {"tableSplitter": self.left_split, "mainSplitter": self.main_split}
        for key, splitter in splitters.items():
            if isinstance(state.get(key), QByteArray):
                splitter.restoreState(state[key])
        expanded = state.get("wholeViewExpanded")
        if expanded is not None:
            self.whole_view.set_expanded(str(expanded).lower() not in ("false", "0"))
        legend = state.get("mapLegend")
        if legend is not None:  # QSettings may give the bool back as text
            self.legend_action.setChecked(str(legend).lower() not in ("false", "0"))

    def _build_lessons(self):
        """The lessons dock (hidden until View → Lessons); typeset maths warms up meanwhile."""
        warm_up_math()
        self.lessons = LessonsPanel()
        self.lessons.load()
        self.lessons.lessonChosen.connect(lambda lesson: apply_lesson(lesson, self))
        self.lessons_dock = QDockWidget("Lessons", self, objectName="lessonsDock")
        self.lessons_dock.setAllowedAreas(Qt.LeftDockWidgetArea | Qt.RightDockWidgetArea)
        self.lessons_dock.setWidget(self.lessons)
        self.addDockWidget(Qt.RightDockWidgetArea, self.lessons_dock)
        self.lessons_dock.hide()
        self.lessons_dock.visibilityChanged.connect(self._size_lessons_dock)
        self.lessons_action = self.lessons_dock.toggleViewAction()
        self.lessons_action.setText("&Lessons")
        self.lessons_action.setObjectName("lessonsAction")
        self.lessons_action.setShortcut(QKeySequence("Ctrl+L"))

    def _size_lessons_dock(self, visible):
        """The first time the lessons show: a fifth of a wide window, at least 300 px."""
        if visible and not getattr(self, "_lessons_sized", False):
            self._lessons_sized = True
            self.resizeDocks([self.lessons_dock], [max(300, self.width() // 5)], Qt.Horizontal)

    def _scroll(self, widget):
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        area.setFrameShape(QScrollArea.NoFrame)
        area.setWidget(widget)
        return area

    def _build_menus(self):
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.open_action = QAction("&Open session…", self, objectName="openSessionAction")
        self.open_action.setShortcut(QKeySequence.Open)
        self.open_action.triggered.connect(lambda _checked=False: self.open_session())
        self.save_action = QAction("&Save session…", self, objectName="saveSessionAction")
        self.save_action.setShortcut(QKeySequence.Save)
        self.save_action.triggered.connect(lambda _checked=False: self.save_session())
        file_menu.addAction(self.open_action)
        file_menu.addAction(self.save_action)
        file_menu.addSeparator()
        self.export_action = QAction("&Export trajectory as CSV…", self, objectName="exportCsvAction")
        self.export_action.setShortcut(QKeySequence("Ctrl+E"))
        self.export_action.triggered.connect(lambda _checked=False: self.export_csv())
        file_menu.addAction(self.export_action)
        self.image_action = QAction("Export contour map as &PNG…", self, objectName="exportPngAction")
        self.image_action.setShortcut(QKeySequence("Ctrl+Shift+E"))
        self.image_action.triggered.connect(lambda _checked=False: self.export_png())
        file_menu.addAction(self.image_action)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self, objectName="quitAction")
        quit_action.setShortcut(QKeySequence.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        fn_menu = bar.addMenu("F&unction")
        fill_preset_menu(fn_menu, self.model)

        edit_menu = bar.addMenu("&Edit")
        self.undo_action = self.history.createUndoAction(self, "&Undo")
        self.undo_action.setObjectName("undoAction")
        self.undo_action.setShortcut(QKeySequence.Undo)
        self.redo_action = self.history.createRedoAction(self, "&Redo")
        self.redo_action.setObjectName("redoAction")
        self.redo_action.setShortcut(QKeySequence.Redo)
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)

        run_menu = bar.addMenu("&Descent")
        for text, key, slot in (("Step", SHORTCUTS["step"], lambda: self.model.step(1)),
                                ("Play / Pause", SHORTCUTS["play"], self.model.toggle_play),
                                ("Reset to start", SHORTCUTS["reset"], self.model.reset)):
            action = QAction(text, self)
            action.setShortcut(QKeySequence(key))
            action.triggered.connect(lambda _checked=False, s=slot: s())
            run_menu.addAction(action)

        view_menu = bar.addMenu("&View")
        for mode, text in (("contour", "Contour map only"), ("surface", "3-D surface only"),
                           ("both", "Both")):
            action = QAction(text, self)
            action.triggered.connect(lambda _checked=False, md=mode: self.set_view_mode(md))
            view_menu.addAction(action)
        view_menu.addSeparator()
        view_menu.addAction(self.lessons_action)
        help_menu = bar.addMenu("&Help")
        syntax = QAction("Formula &syntax…", self, objectName="syntaxHelpAction")
        syntax.setShortcut(QKeySequence.HelpContents)
        syntax.triggered.connect(lambda _checked=False: self.show_syntax_help())
        help_menu.addAction(syntax)
        help_menu.addAction(self.lessons_action)

        reset = QAction("Reset view", self)
        reset.setShortcut(QKeySequence("Ctrl+0"))
        reset.triggered.connect(lambda _checked=False: self.model.reset_window())
        view_menu.addAction(reset)
        self.whole_path_action = QAction("Show whole path", self, objectName="showWholePathAction")
        self.whole_path_action.setToolTip("Fit the view to the current run and its start point")
        self.whole_path_action.triggered.connect(lambda _checked=False: self.model.show_whole_path())
        view_menu.addAction(self.whole_path_action)
        self.legend_action = QAction("Map &legend", self, objectName="mapLegendAction",
                                     checkable=True, checked=True)
        self.legend_action.setToolTip("Show the key to the map's lines and marks, or hide it to "
                                      "see the whole map")
        self.legend_action.toggled.connect(self.contour.legend.setVisible)
        view_menu.addAction(self.legend_action)
        view_menu.addSeparator()
        arrows = self.contour.arrows
        self.scale_arrows_action, self.gradient_field_action = (
            QAction(text, self, objectName=name, checkable=True, toolTip=tip)
            for name, text, tip in (
                ("scaleArrowsAction", "Arrows to scale (length ‖∇f‖)",
                 "Draw ∇f and −∇f with length ‖∇f‖ × one factor for the whole view"),
                ("gradientFieldAction", "Gradient field (−∇f)",
                 "Arrows of −∇f on a grid over the view, to one scale")))
        self.scale_arrows_action.toggled.connect(arrows.set_scaled)
        self.gradient_field_action.toggled.connect(arrows.set_field_shown)
        view_menu.addAction(self.scale_arrows_action)
        view_menu.addAction(self.gradient_field_action)
        view_menu.addAction(self.surface.slices_action)

        self.table_action = QAction("&Iteration table", self, objectName="iterationTableAction",
                                    checkable=True, checked=True)
        self.table_action.setShortcut(QKeySequence("Ctrl+T"))
        self.table_action.setToolTip("Show the iteration table, or collapse it to give the "
                                     "plots its room")
        self.table_action.toggled.connect(self.left_split.set_bottom_shown)
        self.left_split.shownChanged.connect(self.table_action.setChecked)
        view_menu.addSeparator()
        view_menu.addAction(self.table_action)
        view_menu.addSeparator()
        self.size_actions = SizeActions(view_menu, self)
        for text, tab in (("&Keyboard shortcuts…", "shortcuts"),
                          ("What each &pane shows…", "panes")):
            action = QAction(text, self, objectName=f"{tab}HelpAction")
            action.triggered.connect(lambda _checked=False, t=tab: self.show_help(t))
            help_menu.addAction(action)

    def show_syntax_help(self):
        """Help → Formula syntax (F1): the help window at its syntax tab."""
        return self.show_help("syntax")

    def show_help(self, tab="syntax"):
        """The one help window (non-modal), its shortcuts reread from the menus, at ``tab``:
        "syntax", "shortcuts" or "panes". Returns the window."""
        if getattr(self, "help_window", None) is None:
            from .help_window import HelpWindow  # loaded on first use

            self.help_window = HelpWindow(SYNTAX_HELP, self)
        self.help_window.refresh(self.menuBar())
        self.help_window.show_tab(tab)
        if self.help_window.isVisible():  # open behind the main window: bring it up
            self.help_window.raise_()
            self.help_window.activateWindow()
        self.help_window.show()
        return self.help_window

    def set_view_mode(self, mode):
        """Show the contour view, the surface, or both; for f of x alone, the curve f(x)
        instead (the mode is kept for the next function of x and y)."""
        shared = mode == "both" and self.view_mode != "both"
        self.view_mode = mode
        fn = self.model.function
        one_d = fn is not None and not fn.depends_on_y
        self.views.setVisible(not one_d)
        self._curve_page.setVisible(one_d)
        self.contour.setVisible(mode in ("contour", "both"))
        self.surface.setVisible(mode in ("surface", "both"))
        if shared:  # both shown again: share the width 3:2, not as the hidden pane left it
            total = max(self.views.width(), 2)
            self.views.setSizes([total * 3 // 5, total * 2 // 5])
        self.view_controls.set_mode(mode, one_d)
        self._tell_map_shown()

    def _tell_map_shown(self):
        page = getattr(self, "_differential_page", None)
        if page is not None and page.built:
            page.content().set_map_shown(self.contour.isVisibleTo(self))

    def export_csv(self, path=None):
        """Export the kept runs and the current one; asks for a path when none is given.
        Long runs are written in the background (fileJobFinished follows). Returns success,
        or True once a background write has started."""
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Export trajectory as CSV", "trajectory.csv",
                                                  "CSV files (*.csv);;All files (*)")
            if not path:
                return False
        results = self.model.results(copy=False)  # views: no copy of millions of rows
        if not results:
            self._show_error("Export failed", "there is no trajectory to export")
            return False
        rows = sum(len(r.trajectory) for r in results)
        return self._file_job(path, lambda report: write_csv(path, results, progress=report),
                              rows, "Export failed", f"Trajectory written to {path}",
                              cancellable=True)

    def _file_job(self, path, work, rows, error_title, success, cancellable=False):
        """Run ``work(report)`` now (report None), or on a thread when it is long; errors
        become a dialog. A cancellable job shows its progress and a Cancel button, and
        calls ``report(done, total)``, which returns True once Cancel was pressed."""
        remember_folder(path)  # a temp file a killed write leaves there is removed at start
        if rows <= BACKGROUND_ROWS:
            try:
                work(None)
            except InputError as exc:
                self._show_error(error_title, str(exc))
                self.fileJobFinished.emit(str(exc))
                return False
            self.statusBar().showMessage(success, 6000)
            self.fileJobFinished.emit("")
            return True
        job = BackgroundJob(lambda: work(job.report if cancellable else None), self)
        self.statusBar().showMessage(f"Writing {rows:,} rows…")
        if cancellable:
            self._show_export_progress(job, rows)

        def finished(error):
            self._end_export_progress(job)
            if job.cancelled:
                self.statusBar().showMessage(f"Export cancelled: {path} was not changed", 6000)
            elif error:
                self._show_error(error_title, error)
            else:
                self.statusBar().showMessage(success, 6000)
            job.deleteLater()
            self.fileJobFinished.emit(error)

        job.done.connect(finished)
        job.start()
        return True

    def _build_export_progress(self):
        """The progress bar and Cancel button of long exports, hidden while none runs."""
        self._export_jobs = []  # running exports; the bar shows the newest
        self.export_progress = QProgressBar(objectName="exportProgress", maximumWidth=220)
        self.cancel_export = QPushButton("Cancel", objectName="cancelExportButton")
        self.cancel_export.setToolTip("Stop the export; the file on disk stays as it was")
        self.cancel_export.clicked.connect(self.cancel_exports)
        bar = self.statusBar()
        bar.addPermanentWidget(self.export_progress)
        bar.addPermanentWidget(self.cancel_export)
        bar.setMinimumHeight(bar.sizeHint().height())  # showing them never resizes the plots
        self.export_progress.hide()
        self.cancel_export.hide()

    def _show_export_progress(self, job, total):
        """Show ``job``'s progress (rows written) and the Cancel button in the status bar."""
        self._export_jobs.append(job)
        self.export_progress.setRange(0, max(total, 1))
        self.export_progress.setValue(0)
        self.export_progress.show()
        self.cancel_export.setEnabled(True)
        self.cancel_export.show()
        job.progress.connect(lambda done, _total: self._export_progressed(job, done))

    def _export_progressed(self, job, done):
        if self._export_jobs and job is self._export_jobs[-1]:
            self.export_progress.setValue(done)

    def _end_export_progress(self, job):
        if job in self._export_jobs:
            self._export_jobs.remove(job)
            if not self._export_jobs:
                self.export_progress.hide()
                self.cancel_export.hide()

    def cancel_exports(self):
        """Cancel: running exports stop and leave their target files untouched."""
        for job in self._export_jobs:
            job.cancel()
        if self._export_jobs:
            self.cancel_export.setEnabled(False)
            self.statusBar().showMessage("Cancelling the export…")

    def export_png(self, path=None, width=1600):
        """Save the contour map as a PNG (pyqtgraph's exporter, written atomically)."""
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Export contour map", "contours.png",
                                                  "PNG images (*.png)")
            if not path:
                return False
        try:
            write_png(self.contour.getPlotItem(), path, width)
        except InputError as exc:
            self._show_error("Export failed", str(exc))
            return False
        self.statusBar().showMessage(f"Image written to {path}", 6000)
        return True

    def save_session(self, path=None):
        """Save the session (function, window, runs, dial, start). Returns success, or True
        once a background write of a long session has started."""
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Save session", "session" + sessions.SUFFIX,
                                                  f"gd-explorer sessions (*{sessions.SUFFIX})")
            if not path:
                return False
        try:
            session = self.model.session()
            sessions.check_size(session)
        except InputError as exc:
            self._show_error("Could not save the session", str(exc))
            return False
        rows = sum(len(r.rows) for r in session.runs if r.rows is not None)
        return self._file_job(path, lambda _report: sessions.save(path, session), rows,
                              "Could not save the session", f"Session saved to {path}")

    def open_session(self, path=None):
        """Read and check a session file, then apply it once its formula compiles.
        Returns False (and changes nothing) when the file is rejected."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Open session", "",
                                                  f"gd-explorer sessions (*{sessions.SUFFIX});;"
                                                  "All files (*)")
            if not path:
                return False
        try:
            big = os.path.getsize(path) > BACKGROUND_BYTES
        except (OSError, ValueError):
            big = False  # load() reports the problem
        if big:  # read and check a large file on a thread
            loaded = []
            job = BackgroundJob(lambda: loaded.append(sessions.load(path)), self)

            def finished(error):
                job.deleteLater()
                if error:
                    self._show_error("Could not open the session", error)
                else:
                    self.model.load_session(loaded[0])
                self.fileJobFinished.emit(error)

            job.done.connect(finished)
            self.statusBar().showMessage(f"Reading {path}…")
            job.start()
            return True
        try:
            session = sessions.load(path)
        except InputError as exc:
            self._show_error("Could not open the session", str(exc))
            return False
        self.model.load_session(session)
        return True

    def _show_error(self, title, text):
        self.last_error = text
        box = QMessageBox(QMessageBox.Warning, title, text, QMessageBox.Ok, self)
        box.setObjectName("errorDialog")
        box.open()
