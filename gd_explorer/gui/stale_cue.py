"""The banner over the plots (objectName "staleFunctionCue") while the typed formula is
rejected: the panes keep the last valid function, and the banner names it."""
from .layout_parts import ElidedLabel

STYLE = ("color: #5c4400; background: #fff4c2; border: 1px solid #e0c060; "
         "border-radius: 3px; padding: 2px 6px;")


def cue_text(fn):
    variables = "x, y" if fn.depends_on_y else "x"
    return (f"Showing the last valid function, f({variables}) = {fn.text}, "
            "until the typed formula is fixed")


class StaleFunctionCue(ElidedLabel):
    """Shown on the model's functionError while a function is on show; hidden when a valid
    function is applied, previewed, or the text goes back to the current function."""

    def __init__(self, model, parent=None):
        super().__init__(parent=parent, objectName="staleFunctionCue")
        self.model = model
        self.setStyleSheet(STYLE)
        self.setAccessibleName("Showing the last valid function")
        self.hide()
        model.functionError.connect(self._on_error)
        model.functionChanged.connect(lambda _fn: self.hide())
        model.functionErrorCleared.connect(self.hide)
        # a formula that parses is drawn on the map at once while it compiles: not the last one
        model.previewChanged.connect(lambda preview: preview is not None and self.hide())

    def _on_error(self, _message, _column):
        fn = self.model.function
        if fn is None:  # nothing on show yet: the editor's message says it all
            self.hide()
            return
        self.setText(cue_text(fn))
        self.show()
