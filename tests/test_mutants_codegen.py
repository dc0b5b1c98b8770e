"""core.codegen: tests that kill the mutants tools/mutate.py found surviving (issue 13)."""
import math

import numpy as np
import pytest

from gd_explorer.core import codegen
from gd_explorer.core.function import preview_function
from gd_explorer.core.numeric import Walker
from gd_explorer.core.parser import parse_ir

# f = x where x < 0, 2y where x <= 1, nothing (NaN) elsewhere: a sympy Piecewise without a
# final "otherwise"
PIECEWISE = ((), (("piecewise", ((("x",), ("rel", "<", ("x",), ("num", 0.0))),
                                 (("mul", (("num", 2.0), ("y",))),
                                  ("rel", "<=", ("x",), ("num", 1.0))))),))
POINTS = [(-1.5, 4.0), (0.5, 4.0), (1.0, -3.0), (2.0, 4.0)]
WANT = [-1.5, 8.0, -6.0, math.nan]


def test_a_piecewise_formula_as_arrays_and_as_numbers():
    compiled = codegen.Compiled(PIECEWISE)
    xs, ys = np.array([p[0] for p in POINTS]), np.array([p[1] for p in POINTS])
    (arrays,) = compiled(xs, ys)
    np.testing.assert_array_equal(arrays, WANT)
    assert [compiled.scalars(x, y)[0] for x, y in POINTS][:3] == WANT[:3]
    assert math.isnan(compiled.scalars(2.0, 4.0)[0])
    np.testing.assert_array_equal(Walker(PIECEWISE)(xs, ys)[0], WANT)


# the same with a last piece for "otherwise": 2y for every x >= 0
OTHERWISE = ((), (("piecewise", ((("x",), ("rel", "<", ("x",), ("num", 0.0))),
                                 (("mul", (("num", 2.0), ("y",))), ("true",)))),))


def test_a_piecewise_formula_with_an_otherwise():
    compiled = codegen.Compiled(OTHERWISE)
    assert [compiled.scalars(x, y)[0] for x, y in POINTS] == [-1.5, 8.0, -6.0, 8.0]
    xs, ys = np.array([p[0] for p in POINTS]), np.array([p[1] for p in POINTS])
    np.testing.assert_array_equal(compiled(xs, ys)[0], [-1.5, 8.0, -6.0, 8.0])


@pytest.mark.parametrize("text, point, value", [
    ("-x^2 + y", (2.0, 3.0), -1.0),
    ("-(x*y) - -y", (2.0, 3.0), -3.0),
    ("x - -(y/4)", (1.0, 2.0), 1.5),
    ("x^3 / y + 0.5", (2.0, 4.0), 2.5),
    ("log(x, 2) + log(y)", (8.0, 1.0), 3.0),
    ("max(x, y) - min(x, y) + abs(-x)", (1.0, 4.0), 4.0),
    ("pi*x + E*y", (2.0, 0.5), 2 * math.pi + 0.5 * math.e),
    ("sqrt(x) * cos(y)", (9.0, 0.0), 3.0),
])
def test_the_preview_of_a_typed_formula_is_f(text, point, value):
    preview = preview_function(text, parse_ir(text))
    assert float(preview.value(*point)) == value


@pytest.mark.parametrize("term, line", [
    (("mul", (("num", -2.0), ("y",))), "_r0 = (x - (2.0 * y))"),
    (("mul", (("num", -1.0), ("y",))), "_r0 = (x - y)"),
    (("mul", (("num", -1.0), ("x",), ("y",))), "_r0 = (x - (x * y))"),
    (("mul", (("num", 2.0), ("y",))), "_r0 = (x + (2.0 * y))"),
])
def test_a_negative_term_of_a_sum_is_subtracted(term, line):
    # x + (-c)·u is written x - c·u: the same number bit for bit (negation is exact), one
    # operation less
    assert codegen.Emitter("math").program(((), (("add", (("x",), term)),)), ["_r0"]) == [line]
