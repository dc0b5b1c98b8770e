"""Symbolic work: build sympy from the IR, differentiate, and export numeric trees.

Runs inside the sandbox process (see sandbox.py), where it can be killed.
The numeric tree ("NIR") is plain tuples, compiled by codegen.py and walked by numeric.py:
("x",) ("y",) ("num", float) ("add", (a, ...)) ("mul", (a, ...)) ("div", a, b) ("pow", a, b)
("fn", name, (a, ...)) ("piecewise", ((value, cond), ...)) and ("t", i), the i-th shared part.
"""
import pickle

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

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


class _TooLong(Exception):
    pass


def _capped(printer_class, limit):
    """A sympy printer that gives up after ``limit`` nodes (a formula of 100,000 characters is
    no use to a reader, and printing it would take seconds)."""

    class Capped(printer_class):
        left = limit

        def _print(self, expr, **kwargs):
            self.left -= 1
            if self.left < 0:
                raise _TooLong()
            return super()._print(expr, **kwargs)

    return Capped


_TEXT_PRINTER = _capped(StrPrinter, 2000)
_LATEX_PRINTER = _capped(LatexPrinter, 600)
TOO_LONG = "(too long to show; it is used all the same)"


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


def program(exprs, limit=MAX_NIR_NODES):
    """Numeric trees for ``exprs`` with common subexpressions computed once (sympy's cse).

    Returns (temps, outputs): ``temps[i]`` may refer to ("t", j) for j < i, outputs to any
    temp. Shared parts count once towards ``limit`` (TooComplex past it).
    """
    counts = {}
    for expr in exprs:
        _count(expr, counts)
    names, counter = {}, [0, limit]
    temps = []
    for expr in _shared(exprs, counts):
        temps.append(_nir(expr, counter, names))
        names[expr] = ("t", len(temps) - 1)
    outputs = tuple(_nir(expr, counter, names) for expr in exprs)
    return tuple(temps), outputs


def _count(expr, counts):
    """How often each sub-expression occurs, each one visited once (linear in the shared
    size; sympy's cse also searches sums and products for common parts, which takes
    seconds on long derivatives)."""
    stack = [expr]
    while stack:
        e = stack.pop()
        if e in counts:
            counts[e] += 1
            continue
        counts[e] = 1
        if not e.is_Atom:
            stack.extend(e.args)


def _shared(exprs, counts):
    """Sub-expressions used more than once, each after the parts it uses."""
    order, seen = [], set()
    for expr in exprs:
        stack = [(expr, False)]
        while stack:
            e, ready = stack.pop()
            if ready:
                order.append(e)
                continue
            if e in seen or e.is_Atom:
                continue
            seen.add(e)
            stack.append((e, True))
            stack.extend((a, False) for a in e.args)
    return [e for e in order if counts[e] > 1 and isinstance(e, sp.Expr) and not _cheap(e)]


def _cheap(e):
    """Not worth a temporary: -x, 2*x."""
    return e.is_Mul and len(e.args) == 2 and e.args[0].is_Number and e.args[1].is_Atom


def to_nir(expr):
    """One expression as a numeric tree, without shared parts. Raises TooComplex / ValueError."""
    return _nir(expr, [0, MAX_NIR_NODES], {})


_FN_NAMES = {
    sp.sin: "sin", sp.cos: "cos", sp.tan: "tan", sp.asin: "asin", sp.acos: "acos",
    sp.atan: "atan", sp.atan2: "atan2", sp.sinh: "sinh", sp.cosh: "cosh", sp.tanh: "tanh",
    sp.exp: "exp", sp.log: "log", sp.Abs: "abs", sp.sign: "sign", sp.Min: "min", sp.Max: "max",
    sp.Heaviside: "heaviside", sp.DiracDelta: "dirac", sp.cot: "cot", sp.sec: "sec",
    sp.csc: "csc", sp.asinh: "asinh", sp.acosh: "acosh", sp.atanh: "atanh",
}


def _nir(expr, counter, names):
    """``counter`` is [nodes so far, limit]; ``names`` maps cse symbols to ("t", i)."""
    counter[0] += 1
    if counter[0] > counter[1]:
        raise TooComplex("derivative is too large")
    if expr in names:
        return names[expr]
    if expr == X:
        return ("x",)
    if expr == Y:
        return ("y",)
    if expr.is_Number or expr.is_NumberSymbol:
        if expr.is_real is False or expr is sp.zoo:
            return ("num", float("nan"))
        return ("num", float(expr))
    if expr.is_Add:
        return ("add", tuple(_nir(a, counter, names) for a in expr.args))
    if expr.is_Mul:
        return _mul(expr, counter, names)
    if expr.is_Pow:
        return ("pow", _nir(expr.base, counter, names), _nir(expr.exp, counter, names))
    if expr is sp.I:
        raise ValueError("the formula is not real-valued (its derivatives are complex)")
    func = expr.func
    if func in _FN_NAMES:
        args = expr.args[:1] if func in (sp.DiracDelta, sp.Heaviside) else expr.args
        return ("fn", _FN_NAMES[func], tuple(_nir(a, counter, names) for a in args))
    if isinstance(expr, sp.Piecewise):
        pieces = []
        for value, cond in expr.args:
            pieces.append((_nir(value, counter, names), _cond(cond, counter, names)))
        return ("piecewise", tuple(pieces))
    raise ValueError(f"cannot evaluate '{func.__name__}' numerically")


def _mul(expr, counter, names):
    """a*b/c as ("div", a*b, c): one rounding for a division, not a reciprocal and a product."""
    num, den = [], []
    for factor in expr.args:
        if factor.is_Pow and factor.exp == -1 and factor not in names:
            den.append(factor.base)
        else:
            num.append(factor)
    if not den:
        return ("mul", tuple(_nir(a, counter, names) for a in num))
    top = _nir(sp.Mul(*num, evaluate=False), counter, names) if len(num) > 1 else (
        _nir(num[0], counter, names) if num else ("num", 1.0))
    bottom = _nir(sp.Mul(*den, evaluate=False), counter, names) if len(den) > 1 else _nir(
        den[0], counter, names)
    return ("div", top, bottom)


def _cond(cond, counter, names):
    if cond is sp.true:
        return ("true",)
    if isinstance(cond, sp.core.relational.Relational):
        return ("rel", cond.rel_op, _nir(cond.lhs, counter, names), _nir(cond.rhs, counter, names))
    raise ValueError("cannot evaluate this condition numerically")


def display(expr):
    """A readable one-line form, with ^ for powers (TOO_LONG past a few thousand parts)."""
    try:
        return _TEXT_PRINTER().doprint(expr).replace("**", "^")
    except _TooLong:
        return TOO_LONG


def latex(expr):
    """LaTeX for typesetting, or None when the formula is too long to typeset usefully."""
    try:
        return _LATEX_PRINTER().doprint(expr)
    except _TooLong:
        return None


def _has_fractional_powers(f):
    return f.has(sp.Abs) or any(not p.exp.is_integer for p in f.atoms(sp.Pow))


def _tidy(expr):
    """u^a/u as u^(a-1): sympy writes the derivative of u^a as a*u^a/u, which is 0/0 where
    u = 0 although the derivative is defined there ((x^2+y^2)^1.5 at 0, |x|^3 at 0)."""
    return sp.powsimp(expr)


def analyse(ir):
    """Everything the app needs about f: its variables, sympy forms, display strings and
    numeric programs ("f": f; "fg": f, f_x, f_y; "g": f_x, f_y; "hess": f_xx, f_xy, f_yy),
    each with shared parts once."""
    f = build_sympy(ir)
    if f.has(sp.zoo, sp.oo, sp.nan, -sp.oo):
        raise ValueError("the formula is infinite or undefined everywhere")
    if f.has(sp.I):
        raise ValueError("the formula is not real-valued (it contains complex numbers)")
    kinks = f.has(sp.Abs, sp.sign)  # only then do the derivatives need the real forms
    fr = _real_form(f) if kinks else f
    fx, fy = sp.diff(fr, X), sp.diff(fr, Y)
    fxx, fxy, fyy = sp.diff(fx, X), sp.diff(fx, Y), sp.diff(fy, Y)
    exprs = {"f": f}
    tidy = _tidy if _has_fractional_powers(f) else (lambda e: e)
    exprs.update((k, tidy(_plain_form(v) if kinks else v)) for k, v in
                 {"fx": fx, "fy": fy, "fxx": fxx, "fxy": fxy, "fyy": fyy}.items())
    e = exprs
    return {
        # pickled here so the main process rebuilds sympy objects only when a script asks
        "sympy": pickle.dumps(exprs),
        # the variables f depends on, as sympy sees it: x^2 + 0*y is x^2, so ("x",)
        "variables": tuple(sorted(s.name for s in f.free_symbols)),
        "text": {k: display(v) for k, v in exprs.items()},
        "latex": {k: latex(v) for k, v in exprs.items()},
        "programs": {"f": program([e["f"]]), "fg": program([e["f"], e["fx"], e["fy"]]),
                     "g": program([e["fx"], e["fy"]]),
                     "hess": program([e["fxx"], e["fxy"], e["fyy"]])},
    }
