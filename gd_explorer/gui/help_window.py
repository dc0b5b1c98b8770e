"""The help window (objectName "helpWindow"): the formula syntax, every keyboard shortcut as
the menus define it, and what each pane shows. One non-modal window with three tabs."""
from html import escape

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView,
                               QPlainTextEdit, QTableWidget, QTableWidgetItem, QTabWidget,
                               QTextBrowser, QVBoxLayout)

TABS = ("syntax", "shortcuts", "panes")

# What each pane shows and how to work it, in the order they appear on screen.
PANES_HELP = (
    ("Contour map",
     "Level curves of f over the view, coloured by the colour bar (linear or logarithmic "
     "levels); holes where f is undefined. At the current point: ∇f (uphill), −∇f (downhill), "
     "the dial's direction u and the tangent of the level curve; every run's path with its "
     "start and current point. Click to move the start, drag the start marker, Shift+click to "
     "add a run there; drag to pan, wheel to zoom (the grid is recomputed). Hovering shows x, "
     "y and f in the status bar. Type x and y ranges above the map; Reset goes back to the "
     "function's window."),
    ("3-D surface",
     "The surface z = f(x, y) in the same colours as the map, with every run's path, the start "
     "and current points, the tangent plane z = f(p) + ∇f·(q − p) and u drawn in it. Drag to "
     "turn it, wheel to zoom; Height stretches f; Reset camera. Choose map, surface or both "
     "with “show” above the map or the View menu."),
    ("Curve f(x) (1-D mode)",
     "When f depends on x alone, the curve f(x) replaces the map and the surface: the point a "
     "(click the curve to move it), the secant through a and a + h with its slope, the tangent "
     "with slope f′(a), the table of (f(a + h) − f(a))/h as h shrinks, and the descent steps "
     "with the next step −ε f′(a) drawn as an arrow."),
    ("Descent tab (gradient descent)",
     "Runs: each has its own start, optimizer, hyperparameters, schedule and colour. Click a "
     "run to select it (the controls below change it), untick it to hide it, double-click or "
     "F2 to rename it; Add run, Remove, Keep only this. Then the selected run's learning rate ε "
     "(typed, or on a log slider), the curvature hint with the largest stable ε, max steps, "
     "tolerance, optimizer and schedule. Step, ×10, ×100, Play/Pause at the chosen speed and "
     "Reset move every visible run together; the stop reason is given in words. Whole view: "
     "find critical points, or show the basins of attraction."),
    ("Directional tab (directional derivative)",
     "A dial for the unit direction u (drag it, or use the wheel, the arrow keys, Page Up and "
     "Page Down), with ∇f's projection on u, the leg ‖∇f‖ cos θ; the readouts u, ∇f, θ, cos θ "
     "and D_u f = ∇f·u = ‖∇f‖ cos θ, and the chain rule g′(0) = f_x u_x + f_y u_y with the "
     "numbers at the point; the sinusoid D_u f(φ) over all directions; and in tabs below, the "
     "slice g(z) = f(p + zu) with its tangent, the traces f(x, b) and f(a, y) with slopes f_x "
     "and f_y, and the limit quotients (f(p + hu) − f(p))/h for shrinking h."),
    ("Differential tab (total differential)",
     "A small step ds (type dx and dy, or drag its ◆ handle on the map) and df = f_x dx + "
     "f_y dy, the rise on the tangent plane, beside the actual Δf = f(p + ds) − f(p); a log–log "
     "plot of the gap |Δf − df| for ds, ds/2, ds/4, … shows it shrinking like ‖ds‖². The 3-D "
     "view draws ds, df and the gap on the plane and the surface."),
    ("Rate sweep tab",
     "From the selected run's start and settings, many learning rates (log-spaced) run at once "
     "in the background; the plot shows the final f, or the steps to converge, against ε, "
     "diverged rates as red crosses at the top, and 2/λmax where the Hessian allows. Click a "
     "point to give the selected run that rate."),
    ("Lessons",
     "View → Lessons opens short lessons, one idea each. Choosing one sets up the views to show "
     "its idea (function, window, start point, dial, side tab) and explains it with typeset "
     "formulas, ending with one thing to try; Previous and Next go through them in order, and "
     "Set up again puts the views back."),
    ("Iteration table and Loss tab",
     "Every step of the selected run: step, x, y, f, ∂f/∂x, ∂f/∂y, ‖∇f‖ and each coordinate's "
     "move Δx, Δy. Drag the bar above it to give it more room, or collapse it (View → Iteration "
     "table). The Loss tab beside it plots f and ‖∇f‖ against the step for every visible run."),
)


def plain_text(menu_text):
    """A menu text without its "&" accelerator marks."""
    return menu_text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def key_text(action):
    """The action's shortcuts as the menus show them, e.g. "Ctrl+Shift+Z"."""
    return ", ".join(key.toString(QKeySequence.NativeText) for key in action.shortcuts())


def shortcut_rows(menubar):
    """(menu, command, keys) for every action with a shortcut, read from the menus themselves
    (an action in two menus is listed once)."""
    rows, seen = [], set()

    def walk(menu, path):
        for action in menu.actions():
            if action.menu() is not None:
                walk(action.menu(), path + [plain_text(action.text())])
            elif action.shortcuts() and id(action) not in seen:
                seen.add(id(action))
                rows.append((" → ".join(path), plain_text(action.text()), key_text(action)))

    for top in menubar.actions():
        if top.menu() is not None:
            walk(top.menu(), [plain_text(top.text())])
    return rows


def panes_html():
    return "".join(f"<h3>{escape(title)}</h3><p>{escape(text)}</p>" for title, text in PANES_HELP)


class HelpWindow(QDialog):
    """Tabs "Formula syntax" (helpSyntax), "Keyboard shortcuts" (helpShortcuts), "Panes"
    (helpPanes). ``refresh(menubar)`` rereads the shortcuts."""

    def __init__(self, syntax, parent=None):
        super().__init__(parent, objectName="helpWindow")
        self.setWindowTitle("gd-explorer help")
        self.setModal(False)
        self.syntax = QPlainTextEdit(objectName="helpSyntax", readOnly=True)
        self.syntax.setPlainText(syntax)
        self.shortcuts = QTableWidget(0, 3, objectName="helpShortcuts")
        self.shortcuts.setHorizontalHeaderLabels(["menu", "command", "keys"])
        self.shortcuts.verticalHeader().hide()
        self.shortcuts.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.shortcuts.setSelectionBehavior(QAbstractItemView.SelectRows)
        header = self.shortcuts.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeToContents)
        self.panes = QTextBrowser(objectName="helpPanes")
        self.panes.setHtml(panes_html())
        self.tabs = QTabWidget(objectName="helpTabs")
        self.tabs.addTab(self.syntax, "Formula syntax")
        self.tabs.addTab(self.shortcuts, "Keyboard shortcuts")
        self.tabs.addTab(self.panes, "What each pane shows")
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self.resize(720, 520)

    def refresh(self, menubar):
        rows = shortcut_rows(menubar)
        self.shortcuts.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                self.shortcuts.setItem(r, c, QTableWidgetItem(text))

    def shortcut_table(self):
        """The rows as shown: [(menu, command, keys)], for tests and scripts."""
        table = self.shortcuts
        return [tuple(table.item(r, c).text() for c in range(3)) for r in range(table.rowCount())]

    def show_tab(self, tab):
        self.tabs.setCurrentIndex(TABS.index(tab))
