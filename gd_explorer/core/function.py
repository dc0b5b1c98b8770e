"""A parsed function f(x, y) with its derivatives, symbolic and numeric."""
import pickle

import numpy as np

from .errors import ExpressionError
from .numeric import Evaluator
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
        nir = analysis["nir"]
        self._f = Evaluator(nir["f"])
        self._fx, self._fy = Evaluator(nir["fx"]), Evaluator(nir["fy"])
        self._fxx, self._fxy, self._fyy = (Evaluator(nir[k]) for k in ("fxx", "fxy", "fyy"))

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
        return self._f(x, y)

    def value(self, x, y):
        """f at (x, y)."""
        return self._f(x, y)

    def gradient(self, x, y):
        """(df/dx, df/dy) at (x, y), a tuple of two arrays."""
        return self._fx(x, y), self._fy(x, y)

    def hessian_at(self, x, y):
        """((fxx, fxy), (fxy, fyy)) at (x, y), each an array."""
        fxy = self._fxy(x, y)
        return (self._fxx(x, y), fxy), (fxy.copy(), self._fyy(x, y))

    def value_and_gradient(self, x, y):
        """f, df/dx, df/dy at a single point, as Python floats."""
        x, y = float(x), float(y)
        with np.errstate(all="ignore"):
            return self._f.scalar(x, y), self._fx.scalar(x, y), self._fy.scalar(x, y)


def parse_function(text, time_limit=None):
    """Parse ``text`` as f(x, y). Raises ExpressionError with a message and column.

    Symbolic work runs in a killable process; past ``time_limit`` seconds (about 2 s
    by default) the formula is rejected as too complex.
    """
    ir = parse_ir(text)
    analysis = default_sandbox().run(ir, time_limit=time_limit)
    try:
        fn = Function(text.strip(), analysis)
    except (ValueError, RecursionError) as exc:
        raise ExpressionError(f"cannot evaluate this formula: {exc}") from None
    return fn
