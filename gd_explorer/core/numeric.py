"""Evaluate numeric trees (see symbolic.py) with numpy, without eval or exec.

Each tree is compiled once into nested closures. Results are float64; complex
or undefined values come out as NaN; no numpy warnings are printed.
"""
import numpy as np


def _dirac(a):
    return np.where(a == 0, np.nan, 0.0)


def _heaviside(a):
    return np.heaviside(a, 0.5)


def _cot(a):
    return 1.0 / np.tan(a)


def _sec(a):
    return 1.0 / np.cos(a)


def _csc(a):
    return 1.0 / np.sin(a)


_UNARY = {
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "asin": np.arcsin, "acos": np.arccos,
    "atan": np.arctan, "sinh": np.sinh, "cosh": np.cosh, "tanh": np.tanh, "exp": np.exp,
    "log": np.log, "abs": np.abs, "sign": np.sign, "heaviside": _heaviside, "dirac": _dirac,
    "cot": _cot, "sec": _sec, "csc": _csc, "asinh": np.arcsinh, "acosh": np.arccosh,
    "atanh": np.arctanh,
}
_REL = {
    "<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
    "==": np.equal, "!=": np.not_equal,
}


def _power(a, b):
    # numpy gives NaN for a negative base with a fractional exponent (complex result).
    if np.ndim(b) == 0 and float(b) == 2.0:
        return a * a
    if np.ndim(b) == 0 and float(b) == 0.5:
        return np.sqrt(a)
    return np.power(a, b)


def compile_tree(tree):
    """Return a function (x, y) -> float64 array (or scalar) for the tree."""
    kind = tree[0]
    if kind == "x":
        return lambda x, y: x
    if kind == "y":
        return lambda x, y: y
    if kind == "num":
        value = np.float64(tree[1])
        return lambda x, y: value
    if kind == "add":
        parts = [compile_tree(t) for t in tree[1]]
        return lambda x, y: _fold(np.add, parts, x, y)
    if kind == "mul":
        parts = [compile_tree(t) for t in tree[1]]
        return lambda x, y: _fold(np.multiply, parts, x, y)
    if kind == "pow":
        base, exp = compile_tree(tree[1]), compile_tree(tree[2])
        return lambda x, y: _power(base(x, y), exp(x, y))
    if kind == "fn":
        return _compile_fn(tree[1], [compile_tree(t) for t in tree[2]])
    if kind == "piecewise":
        pieces = [(compile_tree(v), _compile_cond(c)) for v, c in tree[1]]
        return lambda x, y: _piecewise(pieces, x, y)
    raise ValueError(f"unknown numeric node {kind!r}")


def _fold(op, parts, x, y):
    acc = parts[0](x, y)
    for part in parts[1:]:
        acc = op(acc, part(x, y))
    return acc


def _compile_fn(name, args):
    if name in _UNARY:
        fn, (a,) = _UNARY[name], args
        return lambda x, y: fn(a(x, y))
    if name == "atan2":
        a, b = args
        return lambda x, y: np.arctan2(a(x, y), b(x, y))
    if name in ("min", "max"):
        op = np.minimum if name == "min" else np.maximum
        return lambda x, y: _fold(op, args, x, y)
    raise ValueError(f"unknown function {name!r}")


def _compile_cond(cond):
    if cond[0] == "true":
        return lambda x, y: True
    op, lhs, rhs = _REL[cond[1]], compile_tree(cond[2]), compile_tree(cond[3])
    return lambda x, y: op(lhs(x, y), rhs(x, y))


def _piecewise(pieces, x, y):
    shape = np.broadcast(x, y).shape
    out = np.full(shape, np.nan)
    done = np.zeros(shape, dtype=bool)
    for value, cond in pieces:
        mask = np.broadcast_to(cond(x, y), shape) & ~done
        if mask.any():
            out[mask] = np.broadcast_to(value(x, y), shape)[mask]
        done |= mask
    return out


class Evaluator:
    """A compiled tree that takes scalars or arrays and returns a fresh float64 array."""

    def __init__(self, tree):
        self._fn = compile_tree(tree)

    def scalar(self, x, y):
        """Value at one point as a Python float (call inside np.errstate)."""
        value = self._fn(x, y)
        if isinstance(value, complex) or np.iscomplexobj(value):
            return float(value.real) if value.imag == 0 else float("nan")
        return float(value)

    def __call__(self, x, y):
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        shape = np.broadcast(x, y).shape
        with np.errstate(all="ignore"):
            value = self._fn(x, y)
        value = np.asarray(value)
        if np.iscomplexobj(value):
            value = np.where(value.imag == 0, value.real, np.nan)
        out = np.empty(shape, dtype=np.float64)
        out[...] = value  # broadcasts constants and never aliases the input
        return out
