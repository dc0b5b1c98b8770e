"""The pure core of gd-explorer: numpy, sympy and contourpy only, no Qt."""
from .calculus import Directional, directional_derivative
from .descent import COLUMNS, OPTIMIZERS, Descent, DescentResult, descend
from .errors import ExpressionError, InputError
from .export import read_csv, trajectories_csv, write_csv
from .function import Function, parse_function
from .grid import Grid, choose_levels, contour_lines, sample_grid

__all__ = [
    "COLUMNS", "OPTIMIZERS", "Descent", "DescentResult", "Directional", "ExpressionError",
    "Function", "Grid", "InputError", "choose_levels", "contour_lines", "descend",
    "directional_derivative", "parse_function", "read_csv", "sample_grid",
    "trajectories_csv", "write_csv",
]
