"""Errors raised by the core for bad user input."""


class ExpressionError(ValueError):
    """A formula was rejected. ``column`` is the 0-based position of the problem, or None."""

    def __init__(self, message, column=None):
        super().__init__(message)
        self.message = message
        self.column = column

    def __str__(self):
        if self.column is None:
            return self.message
        return f"{self.message} (column {self.column + 1})"


class InputError(ValueError):
    """An argument other than a formula (start point, learning rate, file) was rejected."""
