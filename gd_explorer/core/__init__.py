"""The pure core of gd-explorer: numpy, sympy and contourpy only, no Qt.

The names below load on first use (PEP 562), so that a process that needs one module, such
as the symbolic worker (`python -m gd_explorer.core.worker`), does not import them all.
"""
from importlib import import_module

_HOMES = {  # name -> the module that defines it
    "Directional": "calculus", "directional_derivative": "calculus",
    "COLUMNS": "descent", "OPTIMIZERS": "descent", "Descent": "descent",
    "DescentResult": "descent", "descend": "descent",
    "ExpressionError": "errors", "InputError": "errors",
    "read_csv": "export", "trajectories_csv": "export", "write_csv": "export",
    "Function": "function", "parse_function": "function",
    "Grid": "grid", "choose_levels": "grid", "contour_lines": "grid", "sample_grid": "grid",
}
__all__ = sorted(_HOMES)


def __getattr__(name):
    if name not in _HOMES:  # AttributeError lets `from gd_explorer.core import worker` load it
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{_HOMES[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
