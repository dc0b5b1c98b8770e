"""gd-explorer: see the calculus of f(x, y) and gradient descent."""
from . import core

__version__ = "0.1.0"
__all__ = core.__all__ + ["__version__"]


def __getattr__(name):
    """The core's names, loaded on first use (see core/__init__.py)."""
    if name in core.__all__:
        return getattr(core, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
