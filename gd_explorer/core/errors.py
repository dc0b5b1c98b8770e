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


def finite_pair(value, what):
    """Two finite floats from ``value`` (a point), or InputError naming ``what``."""
    import math

    try:
        a, b = (float(v) for v in value)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be two numbers x, y") from None
    if not (math.isfinite(a) and math.isfinite(b)):
        raise InputError(f"{what} must be finite numbers")
    return a, b
