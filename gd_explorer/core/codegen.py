"""Python source generated from numeric programs (see symbolic.py), checked, then compiled.

A program is (shared parts, outputs) of numeric trees. It becomes one function
``_fn(x, y)`` returning every output, each shared part computed once, in two flavours:
``math`` (Python floats, for stepping) and ``numpy`` (arrays, for grids and many starts).

What may appear in generated source is fixed: the names ``x`` and ``y``, temporaries
``_t0, _t1, …``, the function names of a fixed table, and float literals written with
``repr``. Nothing the user typed is copied into the source. Before ``compile``, the source
is parsed again with ``ast`` and every node and name is checked against that table
(``check_source``); the function is then built from the code object with a namespace that
holds only the table (no builtins), never with eval or exec.
"""
import ast
import math
import re
import types

import numpy as np

from . import numeric, pyast

MAX_NESTING = 24  # deeper sub-expressions go into temporaries (Python's parser nests ~200 deep)
MAX_SOURCE = 4_000_000  # characters of generated source; above this a formula is too complex


class GeneratedCodeError(ValueError):
    """Generated source broke the table of allowed nodes and names (a bug, never user input)."""


def _sign(a):
    return 1.0 if a > 0 else (-1.0 if a < 0 else a)  # 0, -0 and NaN stay as they are


def _heaviside(a):
    return 1.0 if a > 0 else (0.0 if a < 0 else (0.5 if a == 0 else a))


def _dirac(a):
    return math.inf if a == 0 else (0.0 if a == a else a)  # as numeric._dirac


def _min(*args):
    out = args[0]
    for a in args[1:]:
        if a != a or out != out:
            return math.nan
        out = a if a < out else out
    return out


def _max(*args):
    out = args[0]
    for a in args[1:]:
        if a != a or out != out:
            return math.nan
        out = a if a > out else out
    return out


def _np_min(*args):
    out = args[0]
    for a in args[1:]:
        out = np.minimum(out, a)
    return out


def _np_max(*args):
    out = args[0]
    for a in args[1:]:
        out = np.maximum(out, a)
    return out


def _select(conditions, values):
    shape = np.broadcast(*conditions, *values).shape
    return numeric.piecewise(list(zip(values, conditions)), shape)


# NIR function name -> (name in generated source, math implementation, numpy implementation)
_FUNCTIONS = {
    "sin": ("sin", math.sin, np.sin), "cos": ("cos", math.cos, np.cos),
    "tan": ("tan", math.tan, np.tan), "asin": ("asin", math.asin, np.arcsin),
    "acos": ("acos", math.acos, np.arccos), "atan": ("atan", math.atan, np.arctan),
    "atan2": ("atan2", math.atan2, np.arctan2), "sinh": ("sinh", math.sinh, np.sinh),
    "cosh": ("cosh", math.cosh, np.cosh), "tanh": ("tanh", math.tanh, np.tanh),
    "asinh": ("asinh", math.asinh, np.arcsinh), "acosh": ("acosh", math.acosh, np.arccosh),
    "atanh": ("atanh", math.atanh, np.arctanh), "exp": ("exp", math.exp, np.exp),
    "log": ("log", math.log, np.log), "sqrt": ("sqrt", math.sqrt, np.sqrt),
    "abs": ("fabs", math.fabs, np.abs), "sign": ("_sign", _sign, np.sign),
    "heaviside": ("_heaviside", _heaviside, numeric._heaviside),
    "dirac": ("_dirac", _dirac, numeric._dirac),
    "cot": ("_cot", lambda a: 1.0 / math.tan(a), numeric._cot),
    "sec": ("_sec", lambda a: 1.0 / math.cos(a), numeric._sec),
    "csc": ("_csc", lambda a: 1.0 / math.sin(a), numeric._csc),
    "min": ("_min", _min, _np_min), "max": ("_max", _max, _np_max),
}
_SPECIAL = {  # names used by the printer itself
    "_pow": (math.pow, np.power), "_select": (None, _select),
    "_nan": (math.nan, np.nan), "_inf": (math.inf, np.inf),
}


def namespace(flavour):
    """The only globals generated code sees: the fixed table, no builtins."""
    index = 0 if flavour == "math" else 1
    table = {name: impl[index] for name, *impl in _FUNCTIONS.values()}
    table.update((k, v[index]) for k, v in _SPECIAL.items() if v[index] is not None)
    table["__builtins__"] = {}
    return table


FUNCTION_NAMES = frozenset(name for name, *_ in _FUNCTIONS.values()) | {"_pow", "_select"}
CONSTANT_NAMES = frozenset({"_nan", "_inf"})
_TEMP = re.compile(r"_[a-z]?[tr]\d+\Z")  # temporaries and results

# nodes a formula's code may contain; loop code (steploop.py) adds its own on top
FORMULA_NODES = frozenset({
    ast.Module, ast.FunctionDef, ast.arguments, ast.arg, ast.Return, ast.Assign, ast.Name,
    ast.Load, ast.Store, ast.Tuple, ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow,
    ast.UnaryOp, ast.USub, ast.Call, ast.Constant, ast.IfExp, ast.Compare, ast.Lt, ast.LtE,
    ast.Gt, ast.GtE, ast.Eq, ast.NotEq,
})
_REL = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "==": "==", "!=": "!="}


class Emitter:
    """Prints numeric trees as Python source lines for one flavour.

    ``inputs`` are the source names of x and y; temporaries are named ``_<prefix>t<i>``.
    """

    def __init__(self, flavour, inputs=("x", "y"), prefix=""):
        self.flavour = flavour
        self.inputs = inputs
        self.prefix = f"_{prefix}t"
        self.lines = []
        self.count = 0
        self._temps = {}

    def temp(self, text):
        name = f"{self.prefix}{self.count}"
        self.count += 1
        self.lines.append(f"{name} = {text}")
        return name

    def program(self, program, outputs):
        """Lines assigning the program's outputs to the names ``outputs``."""
        temps, results = program
        for i, tree in enumerate(temps):
            self._temps[i] = self.temp(self.expr(tree))
        for name, tree in zip(outputs, results):
            self.lines.append(f"{name} = {self.expr(tree)}")
        return self.lines

    def expr(self, node, depth=0):
        kind = node[0]
        if kind == "x":
            return self.inputs[0]
        if kind == "y":
            return self.inputs[1]
        if kind == "t":
            return self._temps[node[1]]
        if kind == "num":
            return _literal(node[1])
        if depth >= MAX_NESTING:  # keep Python's parser within its nesting limit
            return self.temp(self.expr(node))
        d = depth + 1
        if kind == "mul" and node[1][0] == ("num", -1.0) and len(node[1]) > 1:  # -1*a*b: -(a*b)
            rest = node[1][1:]
            return f"(-{self.expr(('mul', rest) if len(rest) > 1 else rest[0], d)})"
        if kind == "add":  # a + (-c)*u as a - c*u: the same number, one operation less
            text = self.expr(node[1][0], d)
            for term in node[1][1:]:
                negated = _negated(term)
                text += f" - {self.expr(negated, d)}" if negated else f" + {self.expr(term, d)}"
            return f"({text})"
        if kind == "mul":
            return "(" + " * ".join(self.expr(a, d) for a in node[1]) + ")"
        if kind in ("sub", "div"):
            op = " - " if kind == "sub" else " / "
            return f"({self.expr(node[1], d)}{op}{self.expr(node[2], d)})"
        if kind == "neg":
            return f"(-{self.expr(node[1], d)})"
        if kind == "pow":
            return self._pow(node[1], node[2], d)
        if kind == "fn":
            name = _FUNCTIONS[node[1]][0]
            return f"{name}(" + ", ".join(self.expr(a, d) for a in node[2]) + ")"
        if kind == "piecewise":
            return self._piecewise(node[1], d)
        raise GeneratedCodeError(f"unknown numeric node {kind!r}")

    def _pow(self, base, exp, depth):
        b = self.expr(base, depth)
        if exp[0] == "num" and math.isfinite(exp[1]):
            e = float(exp[1])
            if e == 2.0:  # as numeric.power does: a*a, a single rounding
                atom = b if _is_atom(b) else self.temp(b)
                return f"({atom} * {atom})"
            if e == 0.5:
                return f"sqrt({b})"
            if e.is_integer() and abs(e) <= 1e6:  # a real power of any base
                return f"({b} ** {_literal(e)})"
        return f"_pow({b}, {self.expr(exp, depth)})"  # NaN (numpy) or ValueError (math) below 0

    def _piecewise(self, pieces, depth):
        if self.flavour == "math":
            out = "_nan"
            for value, cond in reversed(pieces):
                v = self.expr(value, depth)
                out = v if cond[0] == "true" else f"({v} if {self._cond(cond, depth)} else {out})"
            return out
        values = ", ".join(self.expr(v, depth) for v, _ in pieces)
        conds = ", ".join(self._cond(c, depth) for _, c in pieces)
        return f"_select(({conds},), ({values},))"

    def _cond(self, cond, depth):
        if cond[0] == "true":  # numpy only: the math flavour ends its chain with the value
            return f"({self.inputs[0]} == {self.inputs[0]})"
        return f"({self.expr(cond[2], depth)} {_REL[cond[1]]} {self.expr(cond[3], depth)})"


def _negated(term):
    """For a product with a negative leading number, the same product with it positive
    (negation is exact, so a + (-c)*u == a - c*u bit for bit); otherwise None."""
    if term[0] != "mul" or term[1][0][0] != "num" or not term[1][0][1] < 0:
        return None
    c, rest = -term[1][0][1], term[1][1:]
    if c == 1.0:
        return ("mul", rest) if len(rest) > 1 else rest[0]
    return ("mul", (("num", c),) + rest)


def _is_atom(text):
    return re.fullmatch(r"[A-Za-z_]\w*|\d[\d.e+-]*", text) is not None


def _literal(value):
    value = float(value)
    if math.isnan(value):
        return "_nan"
    if math.isinf(value):
        return "_inf" if value > 0 else "(-_inf)"
    text = repr(value)
    return f"({text})" if value < 0 or text.startswith("-") else text


def function_source(program, flavour):
    """Source of ``def _fn(x, y)`` returning a tuple of the program's outputs."""
    em = Emitter(flavour)
    names = [f"_r{i}" for i in range(len(program[1]))]
    em.program(program, names)
    body = "\n".join(f"    {line}" for line in em.lines)
    return f"def _fn(x, y):\n{body}\n    return ({', '.join(names)},)\n"


def check_source(source, names, nodes=FORMULA_NODES, calls=FUNCTION_NAMES,
                 functions=("_fn",)):
    """Parse ``source`` and reject any node, name or call outside the table. Returns the tree."""
    try:
        tree = pyast.parse(source, mode="exec")
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        raise GeneratedCodeError(f"generated code does not parse: {exc}") from None
    for node in ast.walk(tree):
        kind = type(node)
        if kind not in nodes:
            raise GeneratedCodeError(f"node {kind.__name__} is not allowed in generated code")
        if kind is ast.Name:
            if not (node.id in names or node.id in calls or node.id in CONSTANT_NAMES
                    or _TEMP.match(node.id)):
                raise GeneratedCodeError(f"name {node.id!r} is not allowed in generated code")
        elif kind is ast.Call:
            if not isinstance(node.func, ast.Name) or node.func.id not in calls or node.keywords:
                raise GeneratedCodeError("a call outside the table in generated code")
        elif kind is ast.Constant:
            if type(node.value) not in (float, int) or isinstance(node.value, bool):
                raise GeneratedCodeError(f"constant {node.value!r} is not allowed")
        elif kind is ast.FunctionDef:
            if node.name not in functions or node.decorator_list or node.returns:
                raise GeneratedCodeError(f"function {node.name!r} is not allowed")
            a = node.args
            if a.vararg or a.kwarg or a.kwonlyargs or a.defaults or a.posonlyargs:
                raise GeneratedCodeError("only plain arguments are allowed")
        elif kind is ast.arg:
            if node.arg not in names or node.annotation is not None:
                raise GeneratedCodeError(f"argument {node.arg!r} is not allowed")
    return tree


def build(source, flavour, names=("x", "y"), nodes=FORMULA_NODES, calls=FUNCTION_NAMES,
          extra=None, name="_fn"):
    """Check ``source``, compile it, and return its function ``name`` bound to the table."""
    if len(source) > MAX_SOURCE:
        raise GeneratedCodeError("generated code is too large")
    check_source(source, frozenset(names), nodes, calls, (name,))
    module = compile(source, "<gd-explorer generated>", "exec", dont_inherit=True)
    code = next(c for c in module.co_consts if isinstance(c, types.CodeType) and c.co_name == name)
    table = namespace(flavour)
    if extra:
        table.update(extra)
    return types.FunctionType(code, table, name)


def compile_program(program, flavour):
    """The program as ``_fn(x, y) -> tuple`` in the flavour 'math' or 'numpy'."""
    return build(function_source(program, flavour), flavour)


class Compiled:
    """A program compiled for scalars (``math``) and arrays (``numpy``), each on first use,
    with the tree walk of numeric.py as the fallback where ``math`` raises."""

    def __init__(self, program):
        self.program = program
        self._fast = self._vector = self._walker = None

    @property
    def fast(self):
        if self._fast is None:
            self._fast = compile_program(self.program, "math")
        return self._fast

    @property
    def vector(self):
        if self._vector is None:
            self._vector = compile_program(self.program, "numpy")
        return self._vector

    @property
    def walker(self):
        if self._walker is None:
            self._walker = numeric.Walker(self.program)
        return self._walker

    def scalars(self, x, y):
        """Outputs at one point as Python floats (NaN or ±inf where undefined)."""
        try:
            return self.fast(x, y)
        except (ArithmeticError, ValueError):  # a domain error, 1/0, an overflow
            return self.walker.scalars(x, y)

    def __call__(self, x, y):
        """Outputs as fresh float64 arrays of the broadcast shape of x and y."""
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        with np.errstate(all="ignore"):
            values = self.vector(x, y)
        return numeric.finish(values, np.broadcast(x, y).shape)


def ir_program(ir):
    """The parser's tree (parser.py) as a one-output program, for drawing f before the
    symbolic worker answers. Raises ValueError for a node it does not know."""
    return (), (_ir_nir(ir),)


_IR_CONSTANTS = {"pi": math.pi, "E": math.e}
_IR_CALLS = {"Abs": "abs", "Min": "min", "Max": "max"}


def _ir_nir(ir):
    kind = ir[0]
    if kind == "num":
        return ("num", float(ir[1]))
    if kind == "const":
        return ("num", _IR_CONSTANTS[ir[1]])
    if kind == "var":
        return (ir[1],)
    if kind == "neg":
        return ("neg", _ir_nir(ir[1]))
    if kind in ("add", "mul"):
        return (kind, (_ir_nir(ir[1]), _ir_nir(ir[2])))
    if kind in ("sub", "div", "pow"):
        return (kind, _ir_nir(ir[1]), _ir_nir(ir[2]))
    if kind == "call":
        name, args = ir[1], [_ir_nir(a) for a in ir[2]]
        if name == "log" and len(args) == 2:
            return ("div", ("fn", "log", (args[0],)), ("fn", "log", (args[1],)))
        name = _IR_CALLS.get(name, name)
        if name not in _FUNCTIONS:
            raise ValueError(f"no numeric form for {name!r}")
        return ("fn", name, tuple(args))
    raise ValueError(f"unknown IR node {kind!r}")
