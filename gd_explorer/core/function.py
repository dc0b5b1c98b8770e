"""A parsed function f(x, y) with its derivatives, symbolic and numeric."""
import pickle

import numpy as np

from .codegen import Compiled, GeneratedCodeError
from .errors import ExpressionError
from .parser import parse_ir
from .sandbox import default_sandbox


class Function:
    """f(x, y) with gradient and Hessian.

    Attributes: ``text`` (as typed), ``expr``, ``dfdx``, ``dfdy`` and ``hessian``
    (sympy, for display), ``display`` (readable strings keyed f, fx, fy, fxx, fxy, fyy).
    Methods ``value``, ``gradient`` and ``hessian_at`` accept scalars or arrays and
    return float64 arrays of the broadcast input shape.
    """

    def __init__(self, text, analysis):
        self.text = text
        self._sympy_bytes = analysis["sympy"]
        self._sympy = None
        self.display = dict(analysis["text"])
        programs = analysis["programs"]
        self._f = Compiled(programs["f"])        # f
        self._fg = Compiled(programs["fg"])      # f, f_x, f_y: shared parts once
        self._g = Compiled(programs["g"])        # f_x, f_y
        self._hess = Compiled(programs["hess"])  # f_xx, f_xy, f_yy
        self.programs = programs
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
        """f, df/dx, df/dy at a single point, as Python floats."""
        return self._fg.scalars(float(x), float(y))

    def value_at(self, x, y):
        """f at a single point, as a Python float."""
        return self._f.scalars(float(x), float(y))[0]

    def hessian_scalars(self, x, y):
        """f_xx, f_xy, f_yy at a single point, as Python floats."""
        return self._hess.scalars(float(x), float(y))


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
