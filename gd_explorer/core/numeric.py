"""Numeric trees (see symbolic.py) evaluated by walking them with numpy, without eval or exec.

This is the reference evaluation: one numpy call per node. The generated code of codegen.py
must agree with it, and compiled functions fall back to it at the rare points where ``math``
raises (a domain error, a division by zero, an overflow), so those points get numpy's answer
(NaN or ±inf). Results are float64; complex or undefined values come out as NaN.
"""
import numpy as np


def _dirac(a):
    # infinite at 0: a true singularity of the derivative, never filled in by limits.py
    # (while 0 * delta, as in the Hessian of |x|^3, is NaN there and gets its limit, 0)
    return np.where(a == 0, np.inf, np.where(a == a, 0.0, a))


def _heaviside(a):
    return np.heaviside(a, 0.5)


def _cot(a):
    return 1.0 / np.tan(a)


def _sec(a):
    return 1.0 / np.cos(a)


def _csc(a):
    return 1.0 / np.sin(a)


UNARY = {
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "asin": np.arcsin, "acos": np.arccos,
    "atan": np.arctan, "sinh": np.sinh, "cosh": np.cosh, "tanh": np.tanh, "exp": np.exp,
    "log": np.log, "abs": np.abs, "sign": np.sign, "heaviside": _heaviside, "dirac": _dirac,
    "cot": _cot, "sec": _sec, "csc": _csc, "asinh": np.arcsinh, "acosh": np.arccosh,
    "atanh": np.arctanh, "sqrt": np.sqrt,
}
REL = {
    "<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
    "==": np.equal, "!=": np.not_equal,
}


def power(a, b):
    # numpy gives NaN for a negative base with a fractional exponent (complex result).
    if np.ndim(b) == 0 and float(b) == 2.0:
        return a * a
    if np.ndim(b) == 0 and float(b) == 0.5:
        return np.sqrt(a)
    return np.power(a, b)


def piecewise(pieces, shape):
    """``pieces``: (value, condition) pairs; the first true condition wins, NaN where none is."""
    out = np.full(shape, np.nan)
    done = np.zeros(shape, dtype=bool)
    for value, cond in pieces:
        mask = np.broadcast_to(cond, shape) & ~done
        if mask.any():
            out[mask] = np.broadcast_to(value, shape)[mask]
        done |= mask
    return out


def compile_tree(tree):
    """Return a function (x, y, env) -> float64 array (or scalar); env holds the shared parts."""
    kind = tree[0]
    if kind == "x":
        return lambda x, y, env: x
    if kind == "y":
        return lambda x, y, env: y
    if kind == "t":
        i = tree[1]
        return lambda x, y, env: env[i]
    if kind == "num":
        value = np.float64(tree[1])
        return lambda x, y, env: value
    if kind in ("add", "mul", "min", "max"):
        parts = [compile_tree(t) for t in tree[1]]
        op = {"add": np.add, "mul": np.multiply, "min": np.minimum, "max": np.maximum}[kind]
        return lambda x, y, env: _fold(op, parts, x, y, env)
    if kind in ("sub", "div", "pow"):
        a, b = compile_tree(tree[1]), compile_tree(tree[2])
        op = {"sub": np.subtract, "div": np.divide, "pow": power}[kind]
        return lambda x, y, env: op(a(x, y, env), b(x, y, env))
    if kind == "neg":
        a = compile_tree(tree[1])
        return lambda x, y, env: np.negative(a(x, y, env))
    if kind == "fn":
        return _compile_fn(tree[1], [compile_tree(t) for t in tree[2]])
    if kind == "piecewise":
        pieces = [(compile_tree(v), _compile_cond(c)) for v, c in tree[1]]
        return lambda x, y, env: piecewise(
            [(v(x, y, env), c(x, y, env)) for v, c in pieces], np.broadcast(x, y).shape)
    raise ValueError(f"unknown numeric node {kind!r}")


def _fold(op, parts, x, y, env):
    acc = parts[0](x, y, env)
    for part in parts[1:]:
        acc = op(acc, part(x, y, env))
    return acc


def _compile_fn(name, args):
    if name in UNARY:
        fn, (a,) = UNARY[name], args
        return lambda x, y, env: fn(a(x, y, env))
    if name == "atan2":
        a, b = args
        return lambda x, y, env: np.arctan2(a(x, y, env), b(x, y, env))
    if name in ("min", "max"):
        op = np.minimum if name == "min" else np.maximum
        return lambda x, y, env: _fold(op, args, x, y, env)
    raise ValueError(f"unknown function {name!r}")


def _compile_cond(cond):
    if cond[0] == "true":
        return lambda x, y, env: True
    op, lhs, rhs = REL[cond[1]], compile_tree(cond[2]), compile_tree(cond[3])
    return lambda x, y, env: op(lhs(x, y, env), rhs(x, y, env))


class Walker:
    """A program (shared parts, outputs) evaluated by walking its trees.

    Calling it returns a tuple of fresh float64 arrays of the broadcast input shape;
    ``scalars`` returns Python floats for one point.
    """

    def __init__(self, program):
        temps, outputs = program
        self._temps = [compile_tree(t) for t in temps]
        self._outputs = [compile_tree(t) for t in outputs]

    def _raw(self, x, y):
        env = []
        with np.errstate(all="ignore"):
            for temp in self._temps:
                env.append(temp(x, y, env))
            return [out(x, y, env) for out in self._outputs]

    def __call__(self, x, y):
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        return finish(self._raw(x, y), np.broadcast(x, y).shape)

    def scalars(self, x, y):
        return tuple(float(v) for v in self(float(x), float(y)))


def finish(values, shape):
    """Fresh float64 arrays of ``shape`` (constants broadcast, complex → NaN, no aliasing)."""
    outs = []
    for value in values:
        value = np.asarray(value)
        if np.iscomplexobj(value):
            value = np.where(value.imag == 0, value.real, np.nan)
        out = np.empty(shape, dtype=np.float64)
        out[...] = value
        outs.append(out)
    return tuple(outs)
