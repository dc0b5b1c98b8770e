"""Texts that teach: the formula syntax help and the shortcuts named in tooltips are true."""
import math
import re

import pytest

from gd_explorer.core import parse_function
from gd_explorer.core.parser import FUNCTIONS
from gd_explorer.gui.main_window import SYNTAX_HELP


def _functions_paragraph():
    start = SYNTAX_HELP.index("Functions:")
    return SYNTAX_HELP[start:SYNTAX_HELP.index("\n", start)]


def test_syntax_help_lists_exactly_the_parsers_functions():
    listed = _functions_paragraph()
    words = set(re.findall(r"[A-Za-z_]\w*", listed))
    for name in FUNCTIONS:
        if name.islower():  # Abs, Min and Max are accepted spellings, not advertised
            assert name in words, name
    # and names written as calls anywhere in the help are real functions
    for name in re.findall(r"([A-Za-z_]\w*)\(", SYNTAX_HELP):
        assert name in FUNCTIONS or name == "f", name


def test_syntax_help_explains_cube_roots_of_negative_numbers():
    assert "x^(1/3) is undefined for x < 0" in SYNTAX_HELP
    assert "use cbrt(x), so cbrt(-8) = -2" in SYNTAX_HELP
    # both claims are true
    assert math.isnan(float(parse_function("x^(1/3)").value(-8.0, 0.0)))
    assert float(parse_function("x^(1/3)").value(8.0, 0.0)) == 2.0
    assert float(parse_function("cbrt(x)").value(-8.0, 0.0)) == -2.0


@pytest.mark.parametrize("claim, left, right", [
    ("pow(a, b) = a^b", "pow(x, y)", "x^y"),
    ("hypot(a, b) = sqrt(a^2 + b^2)", "hypot(x, y)", "sqrt(x^2 + y^2)"),
    ("e^x is exp(x)", "e^x", "exp(x)"),
    ("|x| is written abs(x)", "abs(x)", "sqrt(x^2)"),
])
def test_syntax_help_identities_hold(claim, left, right):
    assert claim in SYNTAX_HELP
    lhs, rhs = parse_function(left), parse_function(right)
    for point in ((1.5, 2.0), (3.0, -4.0), (-2.0, 0.5)):
        a, b = float(lhs.value(*point)), float(rhs.value(*point))
        if math.isnan(b):
            assert math.isnan(a)
        else:
            assert a == pytest.approx(b, rel=1e-14)


@pytest.mark.parametrize("text", ["2*x", "x*y", "(x + 1)*(y - 1)", "sin(x)", "x^2 + 3*y^2",
                                  "(1 - x)^2 + 100*(y - x^2)^2", "sin(x)*cos(y)",
                                  "log(x^2 + y^2 + 1)", "atan2(y, x)", "log(x, b)"])
def test_syntax_help_examples_parse(text):
    assert text in SYNTAX_HELP
    parse_function(text.replace("b", "2"))


def test_tooltips_name_the_real_shortcuts(qtbot, shown_window):
    window = shown_window
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Descent")
    keys = {a.text(): a.shortcut().toString() for a in menu.actions()}
    assert keys == {"Step": "F6", "Play / Pause": "F5", "Reset to start": "Ctrl+R"}
    panel = window.descent
    for button, action in ((panel.step_btn, "Step"), (panel.play_btn, "Play / Pause"),
                           (panel.reset_btn, "Reset to start")):
        assert button.toolTip().endswith(f"({keys[action]})"), button.toolTip()
    tips = " ".join(w.toolTip() for w in panel.findChildren(type(panel.step_btn)))
    for stale in ("(Space)", "(P)", "(R)"):
        assert stale not in tips
