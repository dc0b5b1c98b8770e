"""Compiled step loops: an optimizer's rule and f's code in one generated function.

``scalar_loop`` gives ``run(...)``: many steps of one run in one call, with Python floats,
f's code inlined (no numpy call per step), each new row written into the run's columns.
``vector_step`` gives ``step(...)``: one step of many starts at once, with numpy arrays.
Both come from the same rule text in optimizers.py, so each rule is written once.

The generated source is checked (codegen.check_source) against a fixed table of nodes and
names before it is compiled: the loop's own names, the identifiers of the registered
optimizers and schedules, f's temporaries and the function table. Nothing typed by the user
is in it; hyperparameters and rates are arguments, not literals.
"""
import ast
import math
import operator

import numpy as np

from . import codegen, pyast
from .optimizers import OPTIMIZERS, SCHEDULES

# what a scalar run returns first: why it stopped
RUNNING, CONVERGED, RUNAWAY, BAD_VALUE, STOPPED = 0, 1, 2, 3, 4

_LOOP_NAMES = frozenset({
    "x", "y", "f", "gx", "gy", "lr", "lr0", "t", "t_end", "tol", "far", "far2", "L", "T",
    "cx", "cy", "cf", "cgx", "cgy", "cn", "n", "q", "ax", "ay", "ga_x", "ga_y", "_lf", "stop",
    "fg_slow", "fg_repair", "fg_vec", "f_at", "hess_at", "isfinite", "hypot", "range",
    "ArithmeticError",
    "ValueError", "_any", "_not", "_where", "fabs", "sqrt", "cos", "_run", "_vstep",
})
_LOOP_NODES = codegen.FORMULA_NODES | frozenset({
    ast.For, ast.If, ast.Break, ast.AugAssign, ast.Subscript, ast.BoolOp, ast.And, ast.Or,
    ast.Not, ast.FloorDiv, ast.Try, ast.ExceptHandler,
})
_LOOP_CALLS = codegen.FUNCTION_NAMES | {
    "fg_slow", "fg_repair", "fg_vec", "f_at", "hess_at", "isfinite", "hypot", "range", "_any", "_not",
    "_where",
}


def _identifiers(text):
    return {node.id for node in ast.walk(pyast.parse(text)) if isinstance(node, ast.Name)}


def _registry_names():
    """Every identifier the registered rules and schedules use (our code, checked once)."""
    names = set()
    for opt in OPTIMIZERS.values():
        for text in (opt.rule, opt.prepare, opt.stop, opt.rule2d, opt.lookahead):
            if text:
                names |= _identifiers(text)
        names |= {h.name for h in opt.hyperparameters} | set(opt.state_names)
    for sched in SCHEDULES.values():
        names |= _identifiers(sched.rate) | {p.name for p in sched.parameters}
    return frozenset(names)


TABLE_NAMES = _LOOP_NAMES | _registry_names()


def names_used(opt):
    """The names an optimizer's rule reads (e.g. whether it needs f at the current point)."""
    return set().union(*(_identifiers(text) for text in
                         (opt.rule, opt.prepare, opt.stop, opt.rule2d, opt.lookahead) if text))


class _Rename(ast.NodeTransformer):
    def __init__(self, mapping):
        self.mapping = mapping

    def visit_Name(self, node):
        node.id = self.mapping.get(node.id, node.id)
        return node


def _renamed(text, mapping):
    tree = _Rename(mapping).visit(pyast.parse(text))
    return ast.unparse(tree).splitlines()


def _rule_lines(opt):
    """The update as statements for both coordinates."""
    if opt.rule2d:
        return opt.rule2d.splitlines()
    lines = []
    for c in "xy":
        mapping = {"x": c, "g": f"ga_{c}" if opt.lookahead else f"g{c}"}
        mapping.update((s, f"{s}_{c}") for s in opt.state)
        lines += _renamed(opt.rule, mapping)
    return lines


def _lookahead_lines(opt):
    lines = []
    for c, name in (("x", "ax"), ("y", "ay")):
        mapping = {"x": c}
        mapping.update((s, f"{s}_{c}") for s in opt.state)
        (expr,) = _renamed(opt.lookahead, mapping)
        lines.append(f"{name} = {expr}")
    return lines


def _signature(opt, schedule):
    state = list(opt.state_names)
    hyper = [h.name for h in opt.hyperparameters] + [p.name for p in schedule.parameters]
    return state, hyper


def _indent(lines, depth):
    return [" " * (4 * depth) + line for line in lines]


def _fg_block(fn, inputs, outputs, prefix, fallback):
    """f's code at (inputs) into (outputs), with the tree walk where math raises; a call of
    ``fallback`` for a function-like object without compiled programs."""
    if not hasattr(fn, "programs"):
        return [f"{', '.join(outputs)} = {fallback}({', '.join(inputs)})"]
    em = codegen.Emitter("math", inputs=inputs, prefix=prefix)
    body = em.program(fn.programs["fg"], outputs)
    return (["try:"] + _indent(body, 1) +
            ["except (ArithmeticError, ValueError):",
             f"    {', '.join(outputs)} = {fallback}({', '.join(inputs)})"])


def scalar_source(fn, opt, schedule):
    state, hyper = _signature(opt, schedule)
    keep = ", ".join(state)
    packed = f"({keep},)" if state else "()"
    args = ["x", "y", "f", "gx", "gy", *state, "lr0", *hyper, "T", "t", "t_end", "tol", "far",
            "far2", "L", "cx", "cy", "cf", "cgx", "cgy", "cn"]
    body = []
    if schedule.name != "constant":
        body.append(f"lr = {schedule.rate}")
    if opt.lookahead:
        body += _lookahead_lines(opt)
        body += _fg_block(fn, ("ax", "ay"), ("_lf", "ga_x", "ga_y"), "a", "fg_slow")
        body += ["if ga_x - ga_x != 0.0 or ga_y - ga_y != 0.0:",
                 "    _lf, ga_x, ga_y = fg_repair(ax, ay)"]
    if opt.prepare:
        body += opt.prepare.splitlines()
    if opt.stop:
        body += [f"if {opt.stop}:", f"    return {STOPPED}, t - 1, x, y, f, gx, gy, {packed}"]
    body += _rule_lines(opt)
    body += ["q = x * x + y * y",
             "if not q < far2:",
             "    if not (isfinite(x) and isfinite(y)) or hypot(x, y) > far:",
             f"        return {RUNAWAY}, t - 1, x, y, f, gx, gy, {packed}"]
    body += _fg_block(fn, ("x", "y"), ("f", "gx", "gy"), "", "fg_slow")
    bad = "not (-L <= f <= L) or gx - gx != 0.0 or gy - gy != 0.0"
    body += [f"if {bad}:",
             "    f, gx, gy = fg_repair(x, y)  # a 0/0 derivative where f is defined: its limit",
             f"    if {bad}:",
             f"        return {BAD_VALUE}, t - 1, x, y, f, gx, gy, {packed}",
             "cx[t] = x", "cy[t] = y", "cf[t] = f", "cgx[t] = gx", "cgy[t] = gy",
             "n = hypot(gx, gy)", "cn[t] = n",
             "if n < tol:", f"    return {CONVERGED}, t, x, y, f, gx, gy, {packed}"]
    lines = [f"def _run({', '.join(args)}):"]
    if schedule.name == "constant":
        lines.append("    lr = lr0")
    lines.append("    for t in range(t + 1, t_end + 1):")
    lines += _indent(body, 2)
    lines.append(f"    return {RUNNING}, t_end, x, y, f, gx, gy, {packed}")
    return "\n".join(lines) + "\n"


def vector_source(fn, opt, schedule):
    state, hyper = _signature(opt, schedule)
    args = ["x", "y", "f", "gx", "gy", *state, "lr0", *hyper, "T", "t"]
    body = [f"lr = {schedule.rate}"]
    if opt.lookahead:
        body += _lookahead_lines(opt)
        body.append("_lf, ga_x, ga_y = fg_vec(ax, ay)")
    if opt.prepare:
        body += opt.prepare.splitlines()
    if opt.stop:  # a mask of the starts that stop before this step
        body.append(f"stop = {opt.stop}")
    body += _rule_lines(opt)
    keep = f"({', '.join(state)},)" if state else "()"
    body.append(f"return x, y, {keep}, stop" if opt.stop else f"return x, y, {keep}")
    return "\n".join([f"def _vstep({', '.join(args)}):"] + _indent(body, 1)) + "\n"


def _scalar_where(cond, a, b):
    return a if cond else b


def scalar_loop(fn, opt, schedule):
    """``_run`` for this function, optimizer and schedule (compiled once per Function)."""
    source = scalar_source(fn, opt, schedule)
    compiled = hasattr(fn, "programs")
    extra = {"fg_slow": fn._fg.walker.scalars if compiled else fn.value_and_gradient,
             "fg_repair": fn.value_and_gradient,
             "f_at": _value_at(fn), "hess_at": _hessian_at(fn),
             "isfinite": math.isfinite, "hypot": math.hypot,
             "range": range, "ArithmeticError": ArithmeticError, "ValueError": ValueError,
             "_any": bool, "_not": operator.not_, "_where": _scalar_where}
    return codegen.build(source, "math", TABLE_NAMES, _LOOP_NODES, _LOOP_CALLS, extra, "_run")


def _value_at(fn):
    if hasattr(fn, "value_at"):
        return fn.value_at
    return lambda a, b: fn.value_and_gradient(a, b)[0]


def _hessian_at(fn):
    if hasattr(fn, "hessian_scalars"):
        return fn.hessian_scalars

    def hess(a, b):
        (hxx, hxy), (_, hyy) = fn.hessian_at(a, b)
        return float(hxx), float(hxy), float(hyy)

    return hess


def vector_step(fn, opt, schedule):
    """``_vstep`` for arrays of starts (compiled once per Function)."""
    cache = getattr(fn, "_loops", None)
    key = ("vector", opt.name, schedule.name)
    if cache is not None and key in cache:
        return cache[key]
    source = vector_source(fn, opt, schedule)

    def hess(a, b):
        return fn._hess(a, b)

    extra = {"fg_vec": fn._fg, "f_at": fn.value, "hess_at": hess, "_any": np.any,
             "_not": np.logical_not, "_where": np.where, "range": range}
    step = codegen.build(source, "numpy", TABLE_NAMES, _LOOP_NODES, _LOOP_CALLS, extra, "_vstep")
    if cache is not None:
        cache[key] = step
    return step
