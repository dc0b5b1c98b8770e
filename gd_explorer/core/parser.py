"""Safe parsing of a formula f(x, y) into a small expression tree (IR).

The text goes through Python's ``ast`` only; every node is checked against a
whitelist and turned into plain tuples. Nothing is evaluated except constant
sub-expressions, which are computed with ``math`` on floats to enforce bounds.

IR nodes: ("num", text) ("const", "pi"|"E") ("var", "x"|"y") ("neg", a)
("add"|"sub"|"mul"|"div"|"pow", a, b) ("call", name, (args...)).
"""
import ast
import keyword
import math
import re

from . import pyast
from .errors import ExpressionError

MAX_LENGTH = 1000
MAX_PAREN_DEPTH = 40
MAX_AST_DEPTH = 60
MAX_NODES = 400
MAX_DIGITS = 30
MAX_CONSTANT = 1e150
MAX_EXPONENT = 1000
MAX_SIGN_RUN = 8
MAX_ARGS = 32

VARIABLES = ("x", "y")
CONSTANTS = {"pi": "pi", "e": "E", "E": "E"}

# name -> (canonical name, min args, max args)
FUNCTIONS = {
    "sin": ("sin", 1, 1), "cos": ("cos", 1, 1), "tan": ("tan", 1, 1),
    "asin": ("asin", 1, 1), "acos": ("acos", 1, 1), "atan": ("atan", 1, 1),
    "atan2": ("atan2", 2, 2),
    "sinh": ("sinh", 1, 1), "cosh": ("cosh", 1, 1), "tanh": ("tanh", 1, 1),
    "exp": ("exp", 1, 1), "log": ("log", 1, 2), "ln": ("log", 1, 1),
    "sqrt": ("sqrt", 1, 1), "abs": ("Abs", 1, 1), "Abs": ("Abs", 1, 1),
    "sign": ("sign", 1, 1),
    "min": ("Min", 2, MAX_ARGS), "Min": ("Min", 2, MAX_ARGS),
    "max": ("Max", 2, MAX_ARGS), "Max": ("Max", 2, MAX_ARGS),
    # common aliases and extras
    "arcsin": ("asin", 1, 1), "arccos": ("acos", 1, 1), "arctan": ("atan", 1, 1),
    "asinh": ("asinh", 1, 1), "acosh": ("acosh", 1, 1), "atanh": ("atanh", 1, 1),
    "sec": ("sec", 1, 1), "csc": ("csc", 1, 1), "cot": ("cot", 1, 1),
    "log10": ("log10", 1, 1), "log2": ("log2", 1, 1), "cbrt": ("cbrt", 1, 1),
    "pow": ("pow", 2, 2), "hypot": ("hypot", 2, 2),
}

_BINOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}
_FORBIDDEN_OPS = {
    ast.FloorDiv: "'//' is not allowed: use / for division",
    ast.Mod: "'%' (remainder) is not allowed",
    ast.MatMult: "'@' is not allowed: use * for multiplication",
    ast.BitAnd: "'&' is not allowed", ast.BitOr: "'|' is not allowed",
    ast.LShift: "'<<' is not allowed", ast.RShift: "'>>' is not allowed",
    ast.BitXor: "bit operations are not allowed",
}
_FORBIDDEN_NODES = {
    ast.Compare: "comparisons are not allowed",
    ast.BoolOp: "'and' / 'or' are not allowed",
    ast.Attribute: "attribute access with '.' is not allowed",
    ast.Subscript: "indexing with [] is not allowed",
    ast.Lambda: "'lambda' is not allowed",
    ast.NamedExpr: "assignment ':=' is not allowed",
    ast.IfExp: "'if ... else' is not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.JoinedStr: "f-strings are not allowed",
    ast.Tuple: "tuples (a comma outside a function call) are not allowed",
    ast.List: "lists are not allowed", ast.Set: "sets are not allowed",
    ast.Dict: "dictionaries are not allowed",
    ast.Starred: "'*' unpacking is not allowed",
    ast.Await: "'await' is not allowed", ast.Yield: "'yield' is not allowed",
    ast.YieldFrom: "'yield' is not allowed",
    ast.Slice: "slices are not allowed",
}

_IMPLICIT_MUL = re.compile(
    r"(?<![\w.])(\d+\.?\d*(?:[eE][+-]?\d+)?)(?![eE][+-]?\d|\d)\s*([A-Za-z_(])"  # 2x, 2(x)
    r"|(\))\s*([A-Za-z_(\d])"  # )x  )(  )2
)
_SIDE_BY_SIDE = re.compile(  # x y, sin x, x 2
    r"(?<![\w.])([A-Za-z_]\w*)[ \t]+([A-Za-z_]\w*|\d+\.?\d*(?:[eE][+-]?\d+)?)")
_SUPERSCRIPTS = {"\u00b2": "2", "\u00b3": "3", "\u00b9": "1", "\u2070": "0", "\u2074": "4",
                 "\u2075": "5", "\u2076": "6", "\u2077": "7", "\u2078": "8", "\u2079": "9",
                 "\u207a": "+", "\u207b": "-"}
_TRAILING_OPERAND = re.compile(r"(?:[A-Za-z_]\w*|\d+\.?\d*)$")


def parse_ir(text):
    """Check ``text`` and return its IR tree. Raises ExpressionError."""
    if not isinstance(text, str):
        raise ExpressionError("the formula must be text")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"formula is too long ({len(text)} characters, at most {MAX_LENGTH})")
    _check_characters(text)
    if not text.strip():
        raise ExpressionError("enter a formula in x and y, for example x^2 + y^2")
    _check_shape(text)
    _check_bars(text)
    source, colmap = _translate(text)
    tree = _parse(source, colmap, text)
    return _Builder(colmap, text).build(tree.body)


def _check_characters(text):
    for i, ch in enumerate(text):
        code = ord(ch)
        if code == 0:
            raise ExpressionError("NUL character is not allowed", i)
        if ch in _SUPERSCRIPTS:
            raise ExpressionError(_superscript_hint(text, i), i)
        if code > 126:
            name = _unicode_name(ch)
            raise ExpressionError(f"character '{ch}' (U+{code:04X}{name}) is not allowed: type plain ASCII", i)
        if code < 32 and ch not in " \t":
            raise ExpressionError(f"control character U+{code:04X} is not allowed", i)
    for i, ch in enumerate(text):
        if ch in "\\`$?!#":
            raise ExpressionError(f"'{ch}' is not allowed", i)
    dunder = text.find("__")
    if dunder >= 0:
        raise ExpressionError("names with '__' are not allowed", dunder)


def _superscript_hint(text, i):
    """'x²' -> 'write x^2' (the power written with ^ after the operand before it)."""
    j = i
    while j < len(text) and text[j] in _SUPERSCRIPTS:
        j += 1
    power = "".join(_SUPERSCRIPTS[c] for c in text[i:j])
    before = text[:i].rstrip()
    if before.endswith(")"):
        base = "(...)"
    else:
        m = _TRAILING_OPERAND.search(before)
        base = m.group(0) if m else ""
    return f"write {base}^{power}" if base else f"write powers with ^, for example x^{power}"


def _check_bars(text):
    """'|x|' is not a formula here: point to abs(x). A lone '|' is refused with the same hint."""
    first = text.find("|")
    if first < 0:
        return
    second = text.find("|", first + 1)
    inner = text[first + 1:second].strip() if second > 0 else ""
    if not inner or len(inner) > 30:
        raise ExpressionError("'|' is not allowed: use abs(...) for |...|", first)
    raise ExpressionError(f"use abs({inner}) for |{inner}|", first)


def _unicode_name(ch):
    import unicodedata
    name = unicodedata.name(ch, "")
    return f" {name}" if name else ""


def _check_shape(text):
    depth, run, run_start = 0, 0, 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
            if depth > MAX_PAREN_DEPTH:
                raise ExpressionError(f"too many nested parentheses (at most {MAX_PAREN_DEPTH})", i)
        elif ch in ")]":
            depth -= 1
        if ch in "+-":
            if run == 0:
                run_start = i
            run += 1
            if run > MAX_SIGN_RUN:
                raise ExpressionError(f"too many signs in a row (at most {MAX_SIGN_RUN})", run_start)
        elif ch not in " \t":
            run = 0


def _check_implicit_mul(text):
    """After a syntax error: explain '2x', ')(' or 'x y' as a missing '*', and 'sin x' as sin(x).

    The leftmost of these mistakes is reported.
    """
    found = []  # (start, column, message)
    m = _IMPLICIT_MUL.search(text)
    if m and m.group(2) in ("j", "J"):
        found.append((m.start(), m.start(2), "complex numbers are not allowed"))
    elif m:
        left = m.group(1) or m.group(3)
        right = m.group(2) or m.group(4)
        pos = m.start(2) if m.group(1) else m.start(4)
        found.append((m.start(), pos, _missing_star(left, right)))
    for m in _SIDE_BY_SIDE.finditer(text):
        left, right = m.groups()
        if keyword.iskeyword(left) or keyword.iskeyword(right):
            continue
        message = f"write {left}({right})" if left in FUNCTIONS else _missing_star(left, right)
        found.append((m.start(), m.start(2), message))
        break
    if found:
        _, pos, message = min(found)
        raise ExpressionError(message, pos)


def _missing_star(left, right):
    return f"missing '*' between '{left}' and '{right}': write {left}*{right}"


def _translate(text):
    """Replace '^' by '**' and return (source, map from source column to text column).

    Leading blanks are dropped: ast.parse would reject them as an "unexpected indent".
    """
    out, colmap = [], []
    start = len(text) - len(text.lstrip(" \t"))
    for i, ch in enumerate(text):
        if i < start:
            continue
        if ch == "^":
            out.append("**")
            colmap += [i, i]
        else:
            out.append(ch)
            colmap.append(i)
    colmap.append(len(text))
    return "".join(out), colmap


def _col(colmap, offset):
    if offset is None:
        return None
    offset = max(0, min(offset, len(colmap) - 1))
    return colmap[offset]


def _parse(source, colmap, text):
    try:
        return pyast.parse(source, mode="eval")
    except SyntaxError as exc:
        col = _col(colmap, (exc.offset or 1) - 1)
        if _is_statement(source):
            raise ExpressionError("statements are not allowed: enter a single formula", 0) from None
        _check_implicit_mul(text)
        msg = exc.msg or "invalid syntax"
        if "string literal" in msg:
            msg = "quotes and text strings are not allowed"
        elif "never closed" in msg or "unexpected EOF" in msg or "was never closed" in msg:
            msg = "a parenthesis is not closed"
        elif "unmatched" in msg:
            msg = "a closing parenthesis has no opening one"
        elif "invalid decimal literal" in msg or "invalid syntax" in msg.lower():
            msg = "invalid syntax"
        stripped = text.rstrip()
        if msg == "invalid syntax" and stripped and stripped[-1] in "+-*/^(,.":
            msg, col = f"the formula ends too early: something is missing after '{stripped[-1]}'", len(stripped) - 1
        raise ExpressionError(msg, col) from None
    except (ValueError, RecursionError, MemoryError, OverflowError):
        raise ExpressionError("the formula cannot be read") from None


def _is_statement(source):
    try:
        pyast.parse(source, mode="exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return False
    return True


class _Builder:
    def __init__(self, colmap, text=""):
        self.colmap = colmap
        self.text = text
        self.nodes = 0

    def fail(self, message, node):
        raise ExpressionError(message, _col(self.colmap, getattr(node, "col_offset", None)))

    def build(self, node):
        ir, _ = self._build(node, 1)
        return ir

    def _build(self, node, depth):
        """Return (ir, constant float value or None)."""
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self.fail(f"formula is too large (more than {MAX_NODES} parts)", node)
        if depth > MAX_AST_DEPTH:
            self.fail(f"formula is nested too deeply (at most {MAX_AST_DEPTH} levels)", node)
        kind = type(node)
        if kind is ast.Constant:
            return self._constant(node)
        if kind is ast.Name:
            return self._name(node)
        if kind is ast.UnaryOp:
            return self._unary(node, depth)
        if kind is ast.BinOp:
            return self._binop(node, depth)
        if kind is ast.Call:
            return self._call(node, depth)
        if kind is ast.Tuple:
            self._check_decimal_commas(node.elts, len(node.elts))
        message = _FORBIDDEN_NODES.get(kind, f"'{kind.__name__}' is not allowed in a formula")
        self.fail(message, node)

    def _constant(self, node):
        value = node.value
        if isinstance(value, bool) or value is None or value is Ellipsis:
            self.fail(f"'{value}' is not a number", node)
        if isinstance(value, complex):
            self.fail("complex numbers are not allowed", node)
        if isinstance(value, (str, bytes)):
            self.fail("text strings are not allowed", node)
        if not isinstance(value, (int, float)):
            self.fail("unsupported constant", node)
        src = self._literal_text(node)
        digits = sum(c.isdigit() for c in src.split("e")[0].split("E")[0])
        if digits > MAX_DIGITS:
            self.fail(f"number has too many digits (at most {MAX_DIGITS})", node)
        if isinstance(value, int):
            if abs(value) > MAX_CONSTANT:
                self.fail(f"number is too large (at most {MAX_CONSTANT:g})", node)
            return ("num", str(value)), float(value)
        if not math.isfinite(value) or abs(value) > MAX_CONSTANT:
            self.fail(f"number is too large (at most {MAX_CONSTANT:g})", node)
        return ("num", repr(value)), value

    def _literal_text(self, node):
        start = _col(self.colmap, node.col_offset)
        end = _col(self.colmap, getattr(node, "end_col_offset", None))
        typed = self.text[start:end] if end else ""
        if typed[:2].lower() in ("0x", "0o", "0b"):
            self.fail("write numbers in decimal (no 0x, 0o or 0b)", node)
        if "_" in typed:
            self.fail("write numbers without '_'", node)
        return typed or repr(node.value)

    def _name(self, node):
        name = node.id
        if name in VARIABLES:
            return ("var", name), None
        if name in CONSTANTS:
            c = CONSTANTS[name]
            return ("const", c), (math.pi if c == "pi" else math.e)
        if name in FUNCTIONS:
            self.fail(f"'{name}' is a function: write {name}(...)", node)
        self.fail(_unknown_name_message(name), node)

    def _unary(self, node, depth):
        if isinstance(node.op, ast.Not):
            self.fail("'not' is not allowed", node)
        if isinstance(node.op, ast.Invert):
            self.fail("'~' (bit inversion) is not allowed", node)
        operand, value = self._build(node.operand, depth + 1)
        if isinstance(node.op, ast.UAdd):
            return operand, value
        return ("neg", operand), (None if value is None else -value)

    def _binop(self, node, depth):
        op = type(node.op)
        if op not in _BINOPS:
            self.fail(_FORBIDDEN_OPS.get(op, "this operator is not allowed"), node)
        left, lv = self._build(node.left, depth + 1)
        right, rv = self._build(node.right, depth + 1)
        kind = _BINOPS[op]
        if kind == "pow":
            self._check_power(node, node.right, lv, rv)
        value = None
        if lv is not None and rv is not None:
            value = self._fold(node, kind, lv, rv)
        return (kind, left, right), value

    def _call(self, node, depth):
        if not isinstance(node.func, ast.Name):
            # (x + 1)(y), 2(x) or f(x)(y): check what is "called" first, then say what is wrong
            self._build(node.func, depth + 1)
            pos = _col(self.colmap, getattr(node.func, "end_col_offset", None)) or 0
            while pos < len(self.text) and self.text[pos] in ") \t":
                pos += 1  # skip the closing parentheses around the callee
            left = self.text[:pos].rstrip()[-1:] or "?"
            raise ExpressionError(f"missing '*' between '{left}' and '(': write {left}*(", pos)
        name = node.func.id
        if name not in FUNCTIONS:
            if name in VARIABLES or name in CONSTANTS:
                self.fail(f"missing '*' after '{name}': write {name}*(...)", node)
            self.fail(_unknown_function_message(name), node)
        if node.keywords:
            self.fail(f"{name}() takes no named arguments", node)
        canonical, lo, hi = FUNCTIONS[name]
        n = len(node.args)
        if not lo <= n <= hi:
            self._check_decimal_commas(node.args, n - lo if n > hi else 0)
            self.fail(f"{name}() takes {_arity_text(lo, hi)}, got {n}", node)
        built = [self._build(arg, depth + 1) for arg in node.args]
        args = tuple(ir for ir, _ in built)
        values = [v for _, v in built]
        if canonical == "log" and len(values) == 2 and values[1] is not None and (
                values[1] <= 0 or values[1] == 1):
            self.fail("the base of log(x, b) must be a positive number other than 1", node.args[1])
        if canonical == "pow":
            self._check_power(node, node.args[1], *values)
        value = None
        if all(v is not None for v in values):
            value = self._fold(node, canonical, *values)
        return ("call", canonical, args), value

    def _check_power(self, node, exponent_node, lv, rv):
        """Bounds of a ^ b and pow(a, b): a constant exponent, and no (negative)^(variable)."""
        if rv is not None and abs(rv) > MAX_EXPONENT:
            self.fail(f"exponent is too large (at most {MAX_EXPONENT})", exponent_node)
        if lv is not None and lv < 0 and rv is None:
            self.fail("a negative number to a variable power is not a real number", node)

    def _check_decimal_commas(self, items, spare):
        """'0,5' read as two items: say 'use a point for decimals' when at most ``spare``
        such commas explain the error (a tuple, or too many arguments)."""
        found = []
        for item in items[:-1]:
            pos = _col(self.colmap, getattr(item, "end_col_offset", None))
            number = _decimal_comma_at(self.text, pos)
            if number:
                found.append((pos, number))
        if found and len(found) <= spare:
            pos, number = found[0]
            raise ExpressionError(f"use a point for decimals: {number}", pos)

    def _fold(self, node, kind, *vals):
        """Evaluate a constant sub-expression in floats to enforce bounds."""
        try:
            value = _FOLD[kind](*vals)
        except ZeroDivisionError:
            self.fail("division by zero", node)
        except (OverflowError, MemoryError):
            self.fail(f"constant is too large (at most {MAX_CONSTANT:g})", node)
        except (ValueError, TypeError):
            self.fail("constant is not a real number (complex or undefined)", node)
        if isinstance(value, complex) or value is None:
            self.fail("constant is not a real number (complex or undefined)", node)
        if math.isnan(value):
            self.fail("constant is not a real number (complex or undefined)", node)
        if math.isinf(value) or abs(value) > MAX_CONSTANT:
            self.fail(f"constant is too large (at most {MAX_CONSTANT:g})", node)
        return float(value)


def _decimal_comma_at(text, pos):
    """'0.5' when text[pos] is a comma between digits with no space ('0,5'), else None."""
    if pos is None or pos >= len(text) or text[pos] != ",":
        return None
    left = re.search(r"(?<![\w.])\d+$", text[:pos])
    right = re.match(r"\d+(?![\d.])", text[pos + 1:])
    return f"{left.group(0)}.{right.group(0)}" if left and right else None


def _pow(a, b):
    if a == 0 and b < 0:
        raise ZeroDivisionError
    if a != 0 and abs(b) * math.log10(abs(a)) > 300:
        raise OverflowError
    result = math.pow(a, b)
    return result


def _log(a, b=None):
    if a <= 0:
        raise ValueError
    if b is None:
        return math.log(a)
    return math.log(a) / math.log(b)


def _sign(a):
    return 0.0 if a == 0 else math.copysign(1.0, a)


_FOLD = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b, "pow": _pow,
    "sin": math.sin, "cos": math.cos, "tan": math.tan, "asin": math.asin,
    "acos": math.acos, "atan": math.atan, "atan2": math.atan2, "sinh": math.sinh,
    "cosh": math.cosh, "tanh": math.tanh, "exp": math.exp, "log": _log,
    "sqrt": math.sqrt, "Abs": abs, "sign": _sign,
    "Min": lambda *a: min(a), "Max": lambda *a: max(a),
    "asinh": math.asinh, "acosh": math.acosh, "atanh": math.atanh,
    "sec": lambda a: 1 / math.cos(a), "csc": lambda a: 1 / math.sin(a),
    "cot": lambda a: math.cos(a) / math.sin(a),
    "log10": math.log10, "log2": math.log2, "cbrt": math.cbrt,
    "pow": _pow, "hypot": math.hypot,
}


def _arity_text(lo, hi):
    if lo == hi:
        return f"{lo} argument" + ("s" if lo != 1 else "")
    if hi >= MAX_ARGS:
        return f"at least {lo} arguments (at most {hi})"
    return f"{lo} or {hi} arguments"


def _unknown_name_message(name):
    if name.startswith("__"):
        return f"'{name}' is not allowed"
    hint = _hint(name)
    base = f"unknown name '{name}': only x, y, pi and e are known"
    return f"{base}; did you mean {hint}?" if hint else base


def _unknown_function_message(name):
    if name.startswith("__"):
        return f"'{name}' is not allowed"
    lower = name.lower()
    for known in FUNCTIONS:
        if known.lower() == lower:
            return f"unknown function '{name}': did you mean {known}?"
    names = ", ".join(sorted({v[0].lower() if v[0] in ("Abs",) else k for k, v in FUNCTIONS.items()
                              if k.islower()}))
    return f"unknown function '{name}'; known functions: {names}"


def _hint(name):
    """Suggest what a user probably meant by an unknown name."""
    if name in ("X", "Y"):
        return name.lower()
    if name.lower() in ("pi", "e"):
        return name.lower()
    if re.fullmatch(r"[xy]\d+", name):
        return f"{name[0]}^{name[1:]}"
    for fn in sorted(FUNCTIONS, key=len, reverse=True):
        if FUNCTIONS[fn][1] == 1 and name.startswith(fn) and len(name) > len(fn):
            rest = name[len(fn):]
            if all(c in "xy" for c in rest):
                return f"{fn}({'*'.join(rest)})"
    parts = _split_known(name)
    if parts and len(parts) > 1:
        return "*".join(parts)
    return None


def _split_known(name):
    """Split 'xy' or 'xpi' into known atoms ['x', 'y'] / ['x', 'pi'], or None.

    A loop, not recursion: a name can be hundreds of characters long. No atom is a
    prefix of another, so taking the first match at each position never needs to backtrack.
    """
    parts, i = [], 0
    while i < len(name):
        for atom in ("pi", "x", "y", "e"):
            if name.startswith(atom, i):
                parts.append(atom)
                i += len(atom)
                break
        else:
            return None
    return parts
