"""The typesetting process (`python -m gd_explorer.gui.typeset_worker`): LaTeX to SVG with ziamath.

ziamath is pure Python: its import (it loads its font) and each formula (about 1 ms per
character) would hold the window's interpreter lock and slow the first frame, so the window
asks this process, started at launch beside the symbolic worker. It speaks the symbolic
worker's wire format (core/worker.py) and is run by the same killable Sandbox. No Qt here.

A request is [tex, size, colour]; the reply is the SVG as bytes, or None when ziamath cannot
render it (the view then keeps the plain text).
"""
import sys
import warnings

from ..core import worker

TYPESET_LIMIT = 5.0   # seconds of the typesetter's CPU time for one formula
_ziamath = None


def typesetter():
    """The typesetting process (a Sandbox running this module), started on first use."""
    from ..core.sandbox import Sandbox, shared_sandbox  # not loaded in that process itself

    return shared_sandbox("typesetter", lambda: Sandbox(
        TYPESET_LIMIT, [sys.executable, "-m", "gd_explorer.gui.typeset_worker"]))


def load_ziamath():
    """Import ziamath once, configured for QtSvg."""
    global _ziamath
    if _ziamath is None:
        with warnings.catch_warnings():
            # ziamath 0.13 calls importlib.resources.path, deprecated since Python 3.11
            warnings.simplefilter("ignore", DeprecationWarning)
            import ziamath
        ziamath.config.svg2 = False  # QtSvg draws <symbol>/<use> glyphs wrongly; plain paths
        _ziamath = ziamath
    return _ziamath


def render(tex, size, color):
    """The SVG (bytes) of ``tex`` at font size ``size`` px, or None when it cannot be rendered."""
    try:
        return load_ziamath().Latex(tex, size=size, color=color).svg().encode("utf-8")
    except Exception:  # any failure inside the renderer (or no ziamath): the plain text
        return None


def handle(request):
    """(status, payload) for one request."""
    try:
        tex, size, color = request
        tex, size, color = str(tex), int(size), str(color)
    except (TypeError, ValueError):
        return "error", "a typesetting request is [tex, size, colour]"
    return "ok", render(tex, size, color)


def _preload():
    try:
        load_ziamath()  # before "ready", so that the time limit covers only the rendering
    except Exception:
        pass  # each request then answers None: formulas stay plain text


if __name__ == "__main__":
    worker.lower_priority(10)  # never urgent: the window and the symbolic worker go first
    worker.main(handle, load=_preload)
