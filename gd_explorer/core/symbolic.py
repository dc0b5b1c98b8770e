"""Symbolic work: build sympy from the IR, differentiate, and export numeric trees.

Runs inside the sandbox process (see sandbox.py), where it can be killed.
The numeric tree ("NIR") is plain tuples, evaluated by numeric.py:
("x",) ("y",) ("num", float) ("add", (a, ...)) ("mul", (a, ...)) ("pow", a, b)
("fn", name, (a, ...)).
"""
import pickle

import sympy as sp

X, Y = sp.symbols("x y", real=True)
MAX_NIR_NODES = 20000


def _real_cbrt(u):
    """The real cube root, cbrt(-8) = -2 (u^(1/3) is complex for u < 0).

    sign(u)|u|^(1/3): its derivative sign(u)^2 |u|^(-2/3)/3 (+ a DiracDelta term that is 0
    away from u = 0) uses only functions the numeric evaluator knows; NaN only at u = 0.
    """
    return sp.sign(u) * sp.Abs(u) ** sp.Rational(1, 3)


_SYMPY_FUNCS = {
    "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "asin": sp.asin, "acos": sp.acos,
    "atan": sp.atan, "atan2": sp.atan2, "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh,
    "exp": sp.exp, "sqrt": sp.sqrt, "Abs": sp.Abs, "sign": sp.sign, "Min": sp.Min, "Max": sp.Max,
    # aliases and extras, in functions the numeric evaluator knows
    "asinh": sp.asinh, "acosh": sp.acosh, "atanh": sp.atanh,
    "sec": sp.sec, "csc": sp.csc, "cot": sp.cot, "cbrt": _real_cbrt,
    "log10": lambda u: sp.log(u) / sp.log(10), "log2": lambda u: sp.log(u) / sp.log(2),
    "pow": lambda a, b: a ** b, "hypot": lambda a, b: sp.sqrt(a ** 2 + b ** 2),
}


class TooComplex(Exception):
    pass


class _RealAbs(sp.Function):
    """|u| differentiated as a real function: d|u| = sign(u) du.

    sympy's Abs falls back to re() / im() / Derivative when it cannot prove u real
    (|log(x)|, |x/y|, |sqrt(x)|), and those cannot be evaluated numerically.
    """

    def fdiff(self, argindex=1):
        return _RealSign(self.args[0])


class _RealSign(sp.Function):
    """sign(u) differentiated as a real function: d sign(u) = 2 DiracDelta(u) du."""

    def fdiff(self, argindex=1):
        return 2 * sp.DiracDelta(self.args[0])


def _real_form(expr):
    return expr.replace(sp.Abs, _RealAbs).replace(sp.sign, _RealSign)


def _plain_form(expr):
    return expr.replace(_RealAbs, sp.Abs).replace(_RealSign, sp.sign)


def build_sympy(ir):
    """Turn the parser's IR into a sympy expression (no strings are parsed)."""
    kind = ir[0]
    if kind == "num":
        text = ir[1]
        if text.isdigit():
            return sp.Integer(int(text))
        return sp.Float(text)
    if kind == "const":
        return sp.pi if ir[1] == "pi" else sp.E
    if kind == "var":
        return X if ir[1] == "x" else Y
    if kind == "neg":
        return -build_sympy(ir[1])
    if kind == "call":
        args = [build_sympy(a) for a in ir[2]]
        if ir[1] == "log":
            return sp.log(*args)
        return _SYMPY_FUNCS[ir[1]](*args)
    a, b = build_sympy(ir[1]), build_sympy(ir[2])
    if kind == "add":
        return a + b
    if kind == "sub":
        return a - b
    if kind == "mul":
        return a * b
    if kind == "div":
        return a / b
    if kind == "pow":
        return a ** b
    raise ValueError(f"unknown IR node {kind!r}")


def to_nir(expr):
    """Convert a sympy expression into the numeric tree. Raises TooComplex / ValueError."""
    counter = [0]
    return _nir(expr, counter)


_FN_NAMES = {
    sp.sin: "sin", sp.cos: "cos", sp.tan: "tan", sp.asin: "asin", sp.acos: "acos",
    sp.atan: "atan", sp.atan2: "atan2", sp.sinh: "sinh", sp.cosh: "cosh", sp.tanh: "tanh",
    sp.exp: "exp", sp.log: "log", sp.Abs: "abs", sp.sign: "sign", sp.Min: "min", sp.Max: "max",
    sp.Heaviside: "heaviside", sp.DiracDelta: "dirac", sp.cot: "cot", sp.sec: "sec",
    sp.csc: "csc", sp.asinh: "asinh", sp.acosh: "acosh", sp.atanh: "atanh",
}


def _nir(expr, counter):
    counter[0] += 1
    if counter[0] > MAX_NIR_NODES:
        raise TooComplex("derivative is too large")
    if expr == X:
        return ("x",)
    if expr == Y:
        return ("y",)
    if expr.is_Number or expr.is_NumberSymbol:
        if expr.is_real is False or expr is sp.zoo:
            return ("num", float("nan"))
        return ("num", float(expr))
    if expr.is_Add:
        return ("add", tuple(_nir(a, counter) for a in expr.args))
    if expr.is_Mul:
        return ("mul", tuple(_nir(a, counter) for a in expr.args))
    if expr.is_Pow:
        return ("pow", _nir(expr.base, counter), _nir(expr.exp, counter))
    if expr is sp.I or expr.has(sp.I):
        return ("num", float("nan"))
    func = expr.func
    if func in _FN_NAMES:
        args = expr.args[:1] if func in (sp.DiracDelta, sp.Heaviside) else expr.args
        return ("fn", _FN_NAMES[func], tuple(_nir(a, counter) for a in args))
    if isinstance(expr, sp.Piecewise):
        pieces = []
        for value, cond in expr.args:
            pieces.append((_nir(value, counter), _cond(cond, counter)))
        return ("piecewise", tuple(pieces))
    raise ValueError(f"cannot evaluate '{func.__name__}' numerically")


def _cond(cond, counter):
    if cond is sp.true:
        return ("true",)
    if isinstance(cond, sp.core.relational.Relational):
        return ("rel", cond.rel_op, _nir(cond.lhs, counter), _nir(cond.rhs, counter))
    raise ValueError("cannot evaluate this condition numerically")


def display(expr):
    """A readable one-line form, with ^ for powers."""
    return sp.sstr(expr).replace("**", "^")


def analyse(ir):
    """Everything the app needs about f: sympy forms, display strings and numeric trees."""
    f = build_sympy(ir)
    if f.has(sp.zoo, sp.oo, sp.nan, -sp.oo):
        raise ValueError("the formula is infinite or undefined everywhere")
    if f.has(sp.I):
        raise ValueError("the formula is not real-valued (it contains complex numbers)")
    fr = _real_form(f)
    fx, fy = sp.diff(fr, X), sp.diff(fr, Y)
    fxx, fxy, fyy = sp.diff(fx, X), sp.diff(fx, Y), sp.diff(fy, Y)
    exprs = {"f": f}
    exprs.update((k, _plain_form(v)) for k, v in
                 {"fx": fx, "fy": fy, "fxx": fxx, "fxy": fxy, "fyy": fyy}.items())
    if any(e.has(sp.I) for e in exprs.values()):
        raise ValueError("the formula is not real-valued (its derivatives are complex)")
    return {
        # pickled here so the main process rebuilds sympy objects only when a script asks
        "sympy": pickle.dumps(exprs),
        "text": {k: display(v) for k, v in exprs.items()},
        "nir": {k: to_nir(v) for k, v in exprs.items()},
    }
