"""A parsed function f(x, y) with its derivatives, symbolic and numeric."""
import math
import pickle

import numpy as np

from .codegen import Compiled, GeneratedCodeError, ir_program
from .errors import ExpressionError
from .limits import limit
from .parser import parse_ir
from .sandbox import default_sandbox


class Function:
    """f(x, y) with gradient and Hessian.

    Attributes: ``text`` (as typed), ``expr``, ``dfdx``, ``dfdy`` and ``hessian``
    (sympy, for display), ``display`` (readable strings keyed f, fx, fy, fxx, fxy, fyy),
    ``latex`` (the same as LaTeX, or None where too long to typeset), ``variables`` (the
    names f depends on after sympy's simplification, e.g. ("x",) for x^2 + 0*y).
    Methods ``value``, ``gradient`` and ``hessian_at`` accept scalars or arrays and
    return float64 arrays of the broadcast input shape.
    """

    def __init__(self, text, analysis):
        self.text = text
        self._sympy_bytes = analysis["sympy"]
        self._sympy = None
        self.display = dict(analysis["text"])
        self.latex = dict(analysis["latex"])  # LaTeX by key, None where too long to typeset
        self.variables = tuple(analysis["variables"])
        programs = analysis["programs"]
        self._f = Compiled(programs["f"])        # f
        self._fg = Compiled(programs["fg"])      # f, f_x, f_y: shared parts once
        self._g = Compiled(programs["g"])        # f_x, f_y
        self._hess = Compiled(programs["hess"])  # f_xx, f_xy, f_yy
        self.programs = programs
        self._loops = {}  # compiled step loops by optimizer and schedule (steploop, descent)
        self._fg.fast, self._f.vector  # compiled now, so a problem shows when f is parsed

    def _symbolic(self, key):
        # Built on first use only: unpickling re-runs sympy's evaluation, which the GUI never needs.
        if self._sympy is None:
            self._sympy = pickle.loads(self._sympy_bytes)  # our own worker's output, not user data
        return self._sympy[key]

    @property
    def expr(self):
        return self._symbolic("f")

    @property
    def dfdx(self):
        return self._symbolic("fx")

    @property
    def dfdy(self):
        return self._symbolic("fy")

    @property
    def hessian(self):
        fxy = self._symbolic("fxy")
        return ((self._symbolic("fxx"), fxy), (fxy, self._symbolic("fyy")))

    @property
    def depends_on_y(self):
        """False when f is a function of x alone (or a constant): the app then shows the
        curve f(x) instead of the map and the surface."""
        return "y" in self.variables

    def __repr__(self):
        return f"Function({self.text!r})"

    def __call__(self, x, y):
        return self._f(x, y)[0]

    def value(self, x, y):
        """f at (x, y)."""
        return self._f(x, y)[0]

    def gradient(self, x, y):
        """(df/dx, df/dy) at (x, y), a tuple of two arrays."""
        return self._g(x, y)

    def values_and_gradients(self, x, y):
        """f, df/dx, df/dy at many points at once, three arrays."""
        return self._fg(x, y)

    def hessian_at(self, x, y):
        """((fxx, fxy), (fxy, fyy)) at (x, y), each an array."""
        fxx, fxy, fyy = self._hess(x, y)
        return (fxx, fxy), (fxy.copy(), fyy)

    def value_and_gradient(self, x, y):
        """f, df/dx, df/dy at a single point, as Python floats. Where a derivative formula is
        0/0 but f is defined, the derivative is its limit there (see limits.py)."""
        x, y = float(x), float(y)
        f, gx, gy = self._fg.scalars(x, y)
        if (gx != gx or gy != gy) and math.isfinite(f):
            gx, gy = _repaired((gx, gy), self._g.scalars, x, y)
        return f, gx, gy

    def value_at(self, x, y):
        """f at a single point, as a Python float."""
        return self._f.scalars(float(x), float(y))[0]

    def hessian_scalars(self, x, y):
        """f_xx, f_xy, f_yy at a single point, as Python floats (limits where 0/0, as for
        the gradient)."""
        x, y = float(x), float(y)
        h = self._hess.scalars(x, y)
        if any(v != v for v in h) and math.isfinite(self.value_at(x, y)):
            h = _repaired(h, self._hess.scalars, x, y)
        return h

    def numerical_at(self, x, y):
        """(gradient, Hessian): whether each is a numerical limit at this point (its formula
        is 0/0 there), for the readouts to say so."""
        x, y = float(x), float(y)
        plain_g, plain_h = self._g.scalars(x, y), self._hess.scalars(x, y)
        g, h = self.value_and_gradient(x, y)[1:], self.hessian_scalars(x, y)
        return (any(a != a and b == b for a, b in zip(plain_g, g)),
                any(a != a and b == b for a, b in zip(plain_h, h)))


class Preview:
    """f alone, compiled straight from the parser's tree (no symbolic worker, no derivatives):
    enough to draw the colour map while the worker works out the derivatives."""

    def __init__(self, text, ir):
        self.text = text.strip()
        self._f = Compiled(ir_program(ir))
        self._f.vector  # compiled now: a formula it cannot compile gets no preview

    def value(self, x, y):
        return self._f(x, y)[0]


def preview_function(text, ir):
    """A Preview of the parsed ``text``, or None where its tree has no numeric form here."""
    try:
        return Preview(text, ir)
    except (ValueError, RecursionError, MemoryError, SyntaxError):
        return None


def _repaired(values, formula, x, y):
    """``values`` with each NaN replaced by the formula's limit at (x, y), where one exists."""
    found = limit(formula, x, y)
    if found is None:
        return tuple(values)
    return tuple(b if a != a else a for a, b in zip(values, found))


def parse_function(text, time_limit=None):
    """Parse ``text`` as f(x, y). Raises ExpressionError with a message and column.

    Symbolic work runs in a killable process; past ``time_limit`` seconds (about 2 s
    by default) the formula is rejected as too complex.
    """
    ir = parse_ir(text)
    analysis = default_sandbox().run(ir, time_limit=time_limit)
    try:
        fn = Function(text.strip(), analysis)
    except GeneratedCodeError as exc:
        raise ExpressionError(f"cannot evaluate this formula: {exc}") from None
    except (ValueError, RecursionError, MemoryError, SyntaxError) as exc:
        # Python's compiler refuses a formula whose code is too deep or too large
        raise ExpressionError(f"too complex: the formula's code cannot be compiled ({exc})") from None
    return fn
