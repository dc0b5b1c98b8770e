"""The formula editor: text field, presets menu, inline errors, derivatives and point values."""
import math

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (QFormLayout, QHBoxLayout, QLabel, QLineEdit, QMenu, QToolButton,
                               QVBoxLayout, QWidget)

from ..core.fmt import fmt, fmt_point
from ..core.point import F_UNDEFINED, FLAT, GRAD_UNDEFINED
from ..core.presets import PRESETS
from .backdrop import keep_backdrop
from .layout_parts import selectable_on_hover
from .math_view import MathView, matrix_tex, prerender

DEBOUNCE_MS = 400


def fill_preset_menu(menu, model):
    """One action per preset in ``menu``; choosing one loads it into ``model``."""
    menu.setToolTipsVisible(True)
    for preset in PRESETS:
        action = menu.addAction(preset.name)
        action.setToolTip(preset.expression)
        action.triggered.connect(lambda _checked=False, p=preset: model.load_preset(p))


def _formulas(fn):
    """(LaTeX, plain text) of f, ∂f/∂x, ∂f/∂y and the Hessian, as the editor shows them."""
    tex, text = fn.latex, fn.display
    return [(tex["f"], text["f"]), (tex["fx"], text["fx"]), (tex["fy"], text["fy"]),
            (matrix_tex([[tex["fxx"], tex["fxy"]], [tex["fxy"], tex["fyy"]]]),
             f"({text['fxx']}, {text['fxy']})\n({text['fxy']}, {text['fyy']})")]


class FunctionEditor(QWidget):
    """Edits model's function; shows ∂f/∂x, ∂f/∂y and f, ∇f, ‖∇f‖ at the current point."""

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.setObjectName("functionEditorPanel")
        self.model = model
        mono = QFontDatabase.systemFont(QFontDatabase.FixedFont)

        self.edit = QLineEdit(objectName="functionEditor")
        self.edit.setPlaceholderText("f(x, y), e.g. x^2 + 3*y^2 or sin(x)*cos(y)")
        self.edit.setClearButtonEnabled(True)
        self.edit.setFont(mono)
        self.edit.setAccessibleName("Function f(x, y)")
        self.presets = QToolButton(objectName="presetsButton", text="Presets")
        self.presets.setPopupMode(QToolButton.InstantPopup)
        self.presets.setToolTip("Classic test functions, each with its own window and start point")
        menu = QMenu(self.presets)
        fill_preset_menu(menu, model)
        self.presets.setMenu(menu)

        self.error = QLabel(objectName="functionError")
        self.error.setFont(mono)
        self.error.setTextFormat(Qt.PlainText)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020; background: #fdecea; border-radius: 3px; padding: 3px;")
        self.error.hide()
        self.busy = QLabel("working out derivatives…", objectName="functionBusy")
        self.busy.setStyleSheet("color: #666;")
        # its line is kept while hidden: showing it for an edit moves nothing (the formulas
        # below would be laid out and painted again in the edit's frame, and jump)
        policy = self.busy.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.busy.setSizePolicy(policy)
        self.busy.hide()
        self.note = QLabel(objectName="functionNote")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #555; font-style: italic;")

        self.formula = MathView(objectName="functionFormula")
        self.dfdx = MathView(objectName="dfdxFormula")
        self.dfdy = MathView(objectName="dfdyFormula")
        self.hessian = MathView(max_lines=3.5, objectName="hessianFormula")
        self.values = QLabel(objectName="pointValues")
        selectable_on_hover(self.values)
        self.values.setWordWrap(True)
        keep_backdrop(self.values)  # a new text at each step

        row = QHBoxLayout()
        row.addWidget(QLabel("f(x, y) ="))
        row.addWidget(self.edit, 1)
        row.addWidget(self.presets)
        form = QFormLayout()
        form.addRow("f =", self.formula)
        form.addRow("∂f/∂x =", self.dfdx)
        form.addRow("∂f/∂y =", self.dfdy)
        form.addRow("Hessian =", self.hessian)
        form.addRow("at point:", self.values)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        layout.addWidget(self.note)
        layout.addLayout(form)

        self._submitted = None  # the text last sent for compiling (the error caret points into it)
        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._debounce.timeout.connect(self._apply)
        self.edit.textEdited.connect(self._on_text_edited)
        self.edit.returnPressed.connect(self._apply)
        model.functionChanged.connect(self._on_function_changed)
        model.functionError.connect(self._on_function_error)
        model.compilingChanged.connect(self.busy.setVisible)
        model.pointChanged.connect(self._on_point_changed)
        # the window sets the round-off level below which ∇f ≈ 0
        model.windowChanged.connect(lambda *_: self._on_point_changed(*model.current_point))
        if model.function is not None:
            self._on_function_changed(model.function)

    # ----- editing ----------------------------------------------------------------
    def _on_text_edited(self, _text):
        self._debounce.start()

    def _apply(self):
        self._debounce.stop()
        text = self.edit.text()
        self._submitted = text
        self.edit.setModified(False)
        if self.model.function is not None and text.strip() == self.model.text:
            self.error.hide()
            self.model.clear_function_error()
            return
        self.model.set_expression(text)

    # ----- model → widgets --------------------------------------------------------
    def _on_function_changed(self, fn):
        # never overwrite what the user is still typing (edits not yet applied)
        typing = self._debounce.isActive() or self.edit.isModified()
        if self.edit.text().strip() != fn.text and not typing:
            self.edit.setText(fn.text)
            self.edit.setCursorPosition(0)
        self.error.hide()
        for view, (tex, text) in zip(self._math_views(), _formulas(fn)):
            view.set_formula(tex, text)
        preset = self.model.preset
        self.note.setText(f"{preset.name}: {preset.note}" if preset is not None and preset.note else "")
        self.note.setVisible(bool(self.note.text()))
        self._on_point_changed(*self.model.current_point)

    def typeset_ahead(self, fn):
        """Have ``fn``'s formulas typeset now, before ``fn`` is shown (its first function)."""
        keys = [view.key(tex) for view, (tex, _text) in zip(self._math_views(), _formulas(fn))]
        prerender([key for key in keys if key is not None])

    def _math_views(self):
        return self.formula, self.dfdx, self.dfdy, self.hessian

    def _on_function_error(self, message, column):
        text = self._submitted if self._submitted is not None else self.edit.text()
        if column is not None and column >= 0 and len(text) <= 80 and text.isascii():
            caret = " " * min(column, len(text)) + "^"
            self.error.setText(f"{message}\n  {text}\n  {caret}")
        else:
            self.error.setText(message)
        self.error.show()

    def _on_point_changed(self, x, y):
        state = self.model.point_state()
        if state is None:
            self.values.setText("")
            return
        text = f"(x, y) = {fmt_point((x, y))}\n"
        if state.kind == F_UNDEFINED:
            text += state.words
        elif state.kind == GRAD_UNDEFINED:
            text += f"f = {fmt(state.f)}   {state.words}"
        else:
            scale = self.model.gradient_scale()
            text += (f"f = {fmt(state.f)}   ∇f = {fmt_point((state.gx, state.gy), scale=scale)}   "
                     f"‖∇f‖ = {fmt(state.norm)}")
            if state.kind == FLAT:
                text += f"\n{state.words}"
        self.values.setText(text)
