"""Tests for bugs that once passed the whole suite (issue 13, point 8): each test here fails
when its bug is put in."""
import math
import threading

import pytest
from PySide6.QtWidgets import QLabel, QPushButton

from gd_explorer.core import ExpressionError
from gd_explorer.core.function import parse_function
from gd_explorer.gui import compiler as compiler_module
from gd_explorer.gui.compiler import Compiler
from gd_explorer.gui.direction_panel import DirectionPanel
from gd_explorer.gui.model import ExplorerModel


# ----- the compiler delivers only the newest formula's result --------------------------------
@pytest.fixture
def held_compiler(qtbot, monkeypatch):
    """A Compiler whose work on "x*y" waits for ``gate``; "x*y" fails if ``fail`` is set."""
    gate, fail = threading.Event(), threading.Event()
    real = compiler_module.parse_function

    def held(text):
        if text == "x*y":
            gate.wait(60)
            if fail.is_set():
                raise ExpressionError("x*y refused on purpose")
        return real(text)

    monkeypatch.setattr(compiler_module, "parse_function", held)
    monkeypatch.setattr(compiler_module, "CANCEL_AFTER_S", 1e9)  # never cancel the held one
    compiler = Compiler()
    seen = []
    compiler.compiled.connect(lambda fn: seen.append(("compiled", fn.text)))
    compiler.failed.connect(lambda message, column: seen.append(("failed", message)))
    return compiler, gate, fail, seen


@pytest.mark.parametrize("old_fails", [False, True])
def test_a_result_for_an_older_formula_is_never_delivered(qtbot, held_compiler, old_fails):
    compiler, gate, fail, seen = held_compiler
    if old_fails:
        fail.set()
    compiler.submit("x*y")       # runs, held
    compiler.submit("x^2 + y")   # waits for the running one
    assert compiler.busy and seen == []
    gate.set()
    qtbot.waitUntil(lambda: not compiler.busy, timeout=30000)
    assert seen == [("compiled", "x^2 + y")]  # "x*y" finished first, but it is stale


def test_the_newest_formula_alone_is_delivered_when_it_is_the_running_one(qtbot, held_compiler):
    compiler, gate, _fail, seen = held_compiler
    compiler.submit("x*y")
    gate.set()
    qtbot.waitUntil(lambda: not compiler.busy, timeout=30000)
    assert seen == [("compiled", "x*y")]


# ----- the directional panel shows cos θ with its sign --------------------------------------
@pytest.fixture
def bowl_panel(qtbot):
    model = ExplorerModel()
    panel = DirectionPanel(model)
    qtbot.addWidget(panel)
    model.set_function(parse_function("x^2 + 3*y^2"))
    model.set_start(1.0, 2.0)  # ∇f = (2, 12), ‖∇f‖ = √148 = 12.1655…
    return model, panel


def label(panel, name):
    return panel.findChild(QLabel, name).text()


def test_cos_theta_is_negative_when_u_points_downhill(bowl_panel):
    model, panel = bowl_panel
    model.set_angle(math.radians(200))
    # D_u f = 2 cos 200° + 12 sin 200° = -1.8794 - 4.1042 = -5.9836; cos θ = -5.9836 / 12.1655
    assert label(panel, "thetaValue") == "119.5°"
    assert label(panel, "cosThetaValue") == "-0.4919"
    assert label(panel, "directionalDerivativeValue") == "-5.984"
    assert label(panel, "directionalDerivativePolar") == "-5.984"


def test_cos_theta_is_minus_one_against_the_gradient(qtbot, bowl_panel):
    model, panel = bowl_panel
    with qtbot.waitSignal(model.angleChanged, timeout=5000):
        panel.findChild(QPushButton, "snapAgainst").click()
    assert label(panel, "thetaValue") == "180°"
    assert label(panel, "cosThetaValue") == "-1"
    assert label(panel, "directionalDerivativePolar") == "-12.17"
