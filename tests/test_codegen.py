"""Generated code: it agrees with the tree walk, and its source holds only what the table allows."""
import ast
import math
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gd_explorer.core import ExpressionError, parse_function
from gd_explorer.core import codegen
from gd_explorer.core.codegen import FUNCTION_NAMES, GeneratedCodeError, check_source
from gd_explorer.core.numeric import Walker
from gd_explorer.core.optimizers import OPTIMIZERS, SCHEDULES
from gd_explorer.core.presets import PRESETS
from gd_explorer.core.sandbox import default_sandbox
from gd_explorer.core.steploop import scalar_source, vector_source

from test_hostile import HOSTILE
from test_parser import formulas

POINTS = [(0.5, -0.25), (1.3, 2.1), (-1.7, 0.4), (0.0, 0.0), (3.0, -2.0), (-0.9, -1.1)]


def same(a, b):
    """Equal to rounding (math and numpy libraries differ in the last bits), or both NaN,
    or the same infinity."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return a == pytest.approx(b, rel=1e-9, abs=1e-12)


def check_against_walk(fn):
    for name, program in fn.programs.items():
        walk = Walker(program)
        compiled = codegen.Compiled(program)
        xs = np.array([p[0] for p in POINTS])
        ys = np.array([p[1] for p in POINTS])
        for got, want in zip(compiled(xs, ys), walk(xs, ys)):
            assert all(same(a, b) for a, b in zip(got.tolist(), want.tolist())), name
        for x, y in POINTS:
            got, want = compiled.scalars(x, y), walk.scalars(x, y)
            assert all(type(v) is float for v in got)
            assert all(same(a, b) for a, b in zip(got, want)), (name, x, y, got, want)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(formulas)
def test_generated_code_equals_the_tree_walk_on_random_formulas(text):
    default_sandbox().warm_up()
    try:
        fn = parse_function(text)
    except ExpressionError:
        return
    check_against_walk(fn)
    assert_sources_hold_the_invariant(fn)


@pytest.mark.parametrize("preset", PRESETS, ids=[p.name for p in PRESETS])
def test_presets_agree_with_the_tree_walk(preset):
    check_against_walk(parse_function(preset.expression))


def allowed_name(name):
    return (name in {"x", "y"} or name in FUNCTION_NAMES or name in codegen.CONSTANT_NAMES
            or re.fullmatch(r"_[a-z]?[tr]\d+", name))


def assert_sources_hold_the_invariant(fn):
    for program in fn.programs.values():
        for flavour in ("math", "numpy"):
            source = codegen.function_source(program, flavour)
            tree = check_source(source, frozenset({"x", "y"}))
            for node in ast.walk(tree):
                if isinstance(node, ast.Name):
                    assert allowed_name(node.id), node.id
                if isinstance(node, ast.Constant):
                    assert type(node.value) is float
                assert not isinstance(node, (ast.Attribute, ast.Subscript, ast.Lambda))


@pytest.mark.parametrize("preset", PRESETS, ids=[p.name for p in PRESETS])
def test_preset_sources_hold_only_table_names(preset):
    assert_sources_hold_the_invariant(parse_function(preset.expression))


def test_user_text_never_reaches_the_source():
    # names and digits typed by the user appear only as floats written by repr
    fn = parse_function("0.1 + 7*x*y - sin(x)*3.0000000000000004")
    source = codegen.function_source(fn.programs["f"], "math")
    assert "3.0000000000000004" in source and "0.1" in source
    tokens = set(re.findall(r"[A-Za-z_]\w*", source))
    assert tokens <= {"def", "return", "_fn", "x", "y", "sin", "_r0"}


BAD_SOURCES = [
    "def _fn(x, y):\n    return (__import__('os').system('true'),)\n",
    "def _fn(x, y):\n    return (x.real,)\n",
    "def _fn(x, y):\n    return (open('f'),)\n",
    "def _fn(x, y):\n    return (eval('1'),)\n",
    "def _fn(x, y):\n    return ('text',)\n",
    "def _fn(x, y):\n    return ([x][0],)\n",
    "def _fn(x, y):\n    return ((lambda: x)(),)\n",
    "def _fn(x, y):\n    return ([i for i in (x, y)],)\n",
    "def _fn(x, y):\n    return ((z := x),)\n",
    "def _fn(x, y):\n    return (sin(*x),)\n",
    "def _fn(x, y):\n    return (sin(x=x),)\n",
    "def _fn(x, y):\n    import os\n    return (x,)\n",
    "def _fn(x, y):\n    global q\n    return (x,)\n",
    "def _fn(x, y=1.0):\n    return (x,)\n",
    "def _fn(x, y, *a):\n    return (x,)\n",
    "def _other(x, y):\n    return (x,)\n",
    "@sin\ndef _fn(x, y):\n    return (x,)\n",
    "def _fn(x, y):\n    return (q,)\n",
    "class _fn:\n    pass\n",
    "def _fn(x, y):\n    return (x if True else y,)\n",
    "def _fn(x, y):\n    return (None,)\n",
    "def _fn(x, y):\n    while x:\n        pass\n    return (x,)\n",
    "def _fn(x, y):\n    return (sin.__call__(x),)\n",
]


@pytest.mark.parametrize("source", BAD_SOURCES)
def test_checker_refuses_what_is_outside_the_table(source):
    with pytest.raises(GeneratedCodeError):
        codegen.build(source, "math")


def test_hostile_corpus_is_refused_by_the_checker_too():
    """Every hostile formula that is Python code, put where generated code goes, is refused
    by the checker (a second wall behind the parser), unless it is plain arithmetic in x and y."""
    passed = []
    for text, _ in HOSTILE:
        source = "def _fn(x, y):\n    return (" + text.replace("{CANARY}", "/tmp/c") + ",)\n"
        try:
            ast.parse(source)
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            continue
        try:
            check_source(source, frozenset({"x", "y"}))
        except GeneratedCodeError:
            continue
        passed.append(source)
    for source in passed:  # what got through can only be arithmetic on x, y and numbers
        names = {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}
        assert names <= {"x", "y"} | FUNCTION_NAMES, source
    assert len(passed) < len(HOSTILE) // 4


def test_a_compromised_emitter_is_stopped_before_compile(monkeypatch):
    fn = parse_function("x + 2")
    monkeypatch.setattr(codegen, "_literal", lambda value: "__import__('os').getcwd()")
    with pytest.raises(GeneratedCodeError):
        codegen.compile_program(fn.programs["f"], "math")
    with pytest.raises(ExpressionError, match="a call outside the table in generated code"):
        parse_function("x + 3")


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_loop_sources_are_checked_and_hold_no_user_text(name):
    from gd_explorer.core import steploop

    fn = parse_function("(1 - x)^2 + 100*(y - x^2)^2")
    for sched in SCHEDULES.values():
        for source in (scalar_source(fn, OPTIMIZERS[name], sched),
                       vector_source(fn, OPTIMIZERS[name], sched)):
            tree = check_source(source, steploop.TABLE_NAMES, steploop._LOOP_NODES,
                                steploop._LOOP_CALLS, ("_run", "_vstep"))
            consts = {type(n.value) for n in ast.walk(tree) if isinstance(n, ast.Constant)}
            assert consts <= {float, int}


def test_forty_nested_sines_compile_because_shared_parts_count_once():
    text = "sin(" * 40 + "x*y" + ")" * 40
    # the point is the size check, not the time: its first compile takes over a second
    # of CPU, near the 2 s limit on a busy machine
    fn = parse_function(text, time_limit=60)
    x, y = 0.3, 0.7
    s, d = x * y, y  # chain rule by hand: d sin(u) = cos(u) du
    for _ in range(40):
        s, d = math.sin(s), math.cos(s) * d
    f, gx, _ = fn.value_and_gradient(x, y)
    assert f == pytest.approx(s, rel=1e-12) and gx == pytest.approx(d, rel=1e-12)
    assert fn.display["fxx"]  # shown, or said to be too long to show


def test_math_errors_fall_back_to_numpy_answers():
    fn = parse_function("log(x) + sqrt(y) + 1/x + exp(x)")
    assert math.isnan(fn.value_and_gradient(-1.0, 1.0)[0])      # log of a negative
    assert fn.value_and_gradient(0.0, 1.0)[0] == -math.inf or math.isnan(
        fn.value_and_gradient(0.0, 1.0)[0])                      # log(0) + 1/0
    assert fn.value_and_gradient(800.0, 1.0)[0] == math.inf      # exp overflows
    assert math.isnan(fn.value_and_gradient(1.0, -1.0)[0])      # sqrt of a negative
    cube = parse_function("x^(1/3)")
    assert math.isnan(cube.value_and_gradient(-8.0, 0.0)[0])    # a real power only for x >= 0
    assert cube.value_and_gradient(8.0, 0.0)[0] == pytest.approx(2.0)


def test_each_step_loop_is_compiled_once_per_function(monkeypatch):
    from gd_explorer.core import descend
    from gd_explorer.core.batch import run_many

    fn = parse_function("x^2 + 3*y^2")
    built = []
    real = codegen.build
    monkeypatch.setattr(codegen, "build", lambda *a, **k: built.append(a[-1]) or real(*a, **k))
    # (the loops only: the function's own array code is compiled once too, on first use)
    for _ in range(3):
        descend(fn, (1.0, 1.0), 0.1, max_steps=5, tol=0.0)
        run_many(fn, [1.0, 2.0], [1.0, 2.0], 0.1, 5)
    descend(fn, (1.0, 1.0), 0.1, max_steps=5, tol=0.0, optimizer="adam")
    loops = [name for name in built if name in ("_run", "_vstep")]
    assert loops == ["_run", "_vstep", "_run"]  # gd once each way, then Adam


def test_descend_returns_all_its_rows_writable():
    from gd_explorer.core import descend

    fn = parse_function("x^2 + y^2")
    full = descend(fn, (1.0, 0.0), 0.25, max_steps=3, tol=0.0)   # every row of the buffer used
    early = descend(fn, (1.0, 0.0), 0.5, max_steps=100)          # converges at step 1
    assert full.trajectory[:, 1].tolist() == [1.0, 0.5, 0.25, 0.125]
    assert early.trajectory.shape == (2, 7) and early.trajectory[:, 1].tolist() == [1.0, 0.0]
    full.trajectory[0, 1] = 7.0                                  # the caller's own array
    assert full.trajectory[0, 1] == 7.0
