"""gd-explorer: see the calculus of f(x, y) and gradient descent."""
from .core import (COLUMNS, OPTIMIZERS, Descent, DescentResult, Directional, ExpressionError,
                   Function, Grid, InputError, choose_levels, contour_lines, descend,
                   directional_derivative, parse_function, read_csv, sample_grid, trajectories_csv,
                   write_csv)

__version__ = "0.1.0"
__all__ = [
    "COLUMNS", "OPTIMIZERS", "Descent", "DescentResult", "Directional", "ExpressionError",
    "Function", "Grid", "InputError", "choose_levels", "contour_lines", "descend",
    "directional_derivative", "parse_function", "read_csv", "sample_grid", "trajectories_csv",
    "write_csv", "__version__",
]
