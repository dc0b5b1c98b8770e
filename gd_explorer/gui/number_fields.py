"""Number fields that read what a person types with core.fmt: a decimal comma is taken as a
decimal point, anything ambiguous or out of range is refused visibly (red border, message)
and the previous value is kept. No keystroke is dropped and no typed value becomes another
number, in any locale (QDoubleSpinBox follows the locale and drops keys it rejects)."""
from PySide6.QtCore import Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QLineEdit, QSpinBox

from ..core.fmt import fmt, read_count, read_number

FIELD_DIGITS = 6          # a field shows a typed value of up to 6 digits as typed
ERROR_COLOR = "#b00020"


def refusal(widget):
    """The message ``widget`` is marked with, or ""."""
    return widget.property("refusal") or ""


def show_refusal(widget, message):
    """Mark ``widget`` refused with ``message`` (red border, message as its tooltip), or
    clear the mark for ""."""
    if not refusal(widget):
        widget.setProperty("plainToolTip", widget.toolTip())
    widget.setProperty("refusal", message)
    kind = "QAbstractSpinBox" if isinstance(widget, (QSpinBox, QDoubleSpinBox)) else "QLineEdit"
    widget.setStyleSheet(f"{kind} {{ border: 2px solid {ERROR_COLOR}; }}" if message else "")
    widget.setToolTip(message or widget.property("plainToolTip") or "")


class _Refusing:
    """What NumberSpinBox and CountSpinBox share: read with ``_read``, keep every keystroke,
    refuse on Enter or focus-out what cannot be read. Emits ``refused(message)``."""

    def _setup(self):
        self.lineEdit().textEdited.connect(self._clear)  # typing again
        self.valueChanged.connect(self._clear)           # a new value, e.g. from the arrows

    def setValue(self, value):
        super().setValue(value)
        self._clear()  # a value set by the program replaces a refused text

    def _bare(self, text):
        return text.removeprefix(self.prefix()).removesuffix(self.suffix()).strip()

    def _reading(self, text):
        """(value, "") for text that gives a value in range, else (None, why not)."""
        try:
            value = self._read(self._bare(text))
        except ValueError as exc:
            return None, str(exc)
        if not self.minimum() <= value <= self.maximum():
            return None, (f"{fmt(value)} is outside {fmt(self.minimum())} … "
                          f"{fmt(self.maximum())}")
        return value, ""

    def validate(self, text, pos):
        # Intermediate, never Invalid: Qt would drop the key and change the number silently
        ok = self._reading(text)[0] is not None
        return (QValidator.Acceptable if ok else QValidator.Intermediate), text, pos

    def valueFromText(self, text):
        value = self._reading(text)[0]
        return self.value() if value is None else value

    def fixup(self, text):
        # called on Enter or focus-out with text validate did not accept: the spin box then
        # keeps its previous value, and we say why
        why = self._reading(text)[1]
        message = f"{why}; kept {self.textFromValue(self.value())}" if why else ""
        if message and message != refusal(self):  # Qt may ask twice for one Enter
            show_refusal(self, message)
            self.refused.emit(message)
        return text

    def _clear(self, *_args):
        if refusal(self):
            show_refusal(self, "")
            self.refused.emit("")


class NumberSpinBox(_Refusing, QDoubleSpinBox):
    """A QDoubleSpinBox that shows values with fmt and reads them with read_number;
    it never rounds the value (15 decimals) and does not follow the locale."""

    refused = Signal(str)

    def __init__(self, minimum, maximum, parent=None, objectName="", **kwargs):
        super().__init__(parent, objectName=objectName, **kwargs)
        self.setDecimals(15)
        self.setRange(minimum, maximum)
        self._setup()

    def _read(self, text):
        return read_number(text)

    def textFromValue(self, value):
        return fmt(value, FIELD_DIGITS)


class LogSpinBox(NumberSpinBox):
    """A number field for positive values spanning decades: steps by a factor of 10^0.1."""

    def __init__(self, minimum, maximum, parent=None, objectName=""):
        super().__init__(minimum, maximum, parent, objectName=objectName)
        self.setKeyboardTracking(False)
        self.setAccelerated(True)

    def stepBy(self, steps):
        current = self.value() if self.value() > 0 else 1e-12  # stepping up from 0
        value = current * 10 ** (steps / 10)
        self.setValue(min(max(value, self.minimum()), self.maximum()))


class CountSpinBox(_Refusing, QSpinBox):
    """A QSpinBox for whole numbers, read with read_count, shown without separators."""

    refused = Signal(str)

    def __init__(self, minimum, maximum, parent=None, objectName=""):
        super().__init__(parent, objectName=objectName)
        self.setRange(minimum, maximum)
        self._setup()

    def _read(self, text):
        return read_count(text)

    def textFromValue(self, value):
        return str(value)


class NumberEdit(QLineEdit):
    """A line edit for one number: ``number()`` reads it (ValueError says why not)."""

    def __init__(self, parent=None, objectName=""):
        super().__init__(parent, objectName=objectName)
        self.textEdited.connect(lambda _text: show_refusal(self, ""))

    def show_number(self, value):
        self.setText(fmt(value, FIELD_DIGITS))
        show_refusal(self, "")

    def number(self):
        return read_number(self.text())
