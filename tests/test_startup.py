"""Startup does only the work its first frame needs: counted in modules loaded, never timed.

Each check runs in a fresh interpreter (this test process has loaded everything already).
"""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def loaded_after(code):
    """The names in sys.modules after running ``code`` in a fresh interpreter."""
    script = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, check=True).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_the_symbolic_worker_loads_sympy_but_not_numpy_or_the_rest_of_the_core():
    # the worker starts at launch beside the window: what it imports competes for the CPU
    loaded = loaded_after("import gd_explorer.core.worker, gd_explorer.core.symbolic")
    assert "sympy" in loaded
    assert "numpy" not in loaded and "contourpy" not in loaded
    assert not {"gd_explorer.core.descent", "gd_explorer.core.function"} & loaded


def test_the_package_names_still_load_on_use():
    loaded = loaded_after("from gd_explorer import parse_function, Grid, __version__\n"
                          "from gd_explorer.core import session, InputError\n"
                          "assert parse_function('x^2 + y').text")
    assert {"gd_explorer.core.function", "gd_explorer.core.grid",
            "gd_explorer.core.session", "gd_explorer.core.errors"} <= loaded


# ----- panels on hidden tabs are built when first shown ---------------------------------------

def _open_tab(window, key):
    """Open a side tab by its key (layout_parts.SIDE_TABS), or the Loss tab below the map."""
    if key == "loss":
        tabs = window.bottom_tabs
        tabs.setCurrentIndex([tabs.tabText(i) for i in range(tabs.count())].index("Loss"))
        return
    tabs = window.tabs
    tabs.setCurrentIndex([tabs.widget(i).property("sideTab") for i in range(tabs.count())]
                         .index(key))


def _panel_classes():
    from gd_explorer.gui.curve_view import CurvePane
    from gd_explorer.gui.differential_panel import DifferentialPanel
    from gd_explorer.gui.direction_panel import DirectionPanel
    from gd_explorer.gui.loss_plot import LossPlots
    from gd_explorer.gui.sweep_panel import SweepPanel

    return {"direction": DirectionPanel, "differential": DifferentialPanel,
            "sweep": SweepPanel, "loss": LossPlots, "curve": CurvePane}


def _labels(panel):
    from PySide6.QtWidgets import QLabel

    return {label.objectName(): label.text() for label in panel.findChildren(QLabel)
            if label.objectName()}


def test_hidden_panels_are_built_when_their_tab_is_first_shown(qtbot, shown_window):
    win, classes = shown_window, _panel_classes()
    assert all(not win.findChildren(cls) for cls in classes.values())  # none at startup
    for key in ("direction", "differential", "sweep", "loss"):
        _open_tab(win, key)
        assert len(win.findChildren(classes[key])) == 1
        assert win.findChildren(classes[key])[0].isVisible()
    assert not win.findChildren(classes["curve"])  # only for f of x alone
    model = win.model
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.set_expression("x^3 - x")
    assert len(win.findChildren(classes["curve"])) == 1 and win.curve_pane.isVisible()


def test_a_panel_built_late_shows_what_one_built_at_startup_shows(qtbot, shown_window):
    from gd_explorer.gui.direction_panel import DirectionPanel

    win = shown_window
    model = win.model
    early = DirectionPanel(model)  # built before the function, as every panel used to be
    qtbot.addWidget(early)
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.set_expression("x^2 + 3*y^2 + x*y")
    model.set_start(1.0, -2.0)
    model.set_angle(0.5)
    _open_tab(win, "direction")
    late = win.direction
    assert late is not early and late.isVisible()
    assert _labels(late)["directionalDerivativeValue"]  # something to compare
    assert _labels(late) == _labels(early)


def test_formulas_are_typeset_in_a_process_of_their_own():
    # ziamath is pure Python: in the window's process it would hold the interpreter lock
    loaded = loaded_after("from gd_explorer.gui.math_view import render_svg\n"
                          "assert render_svg('x^{2}', 16).startswith(b'<svg')")
    assert "ziamath" not in loaded


def test_the_hidden_panels_modules_load_with_their_panels():
    loaded = loaded_after("import gd_explorer.gui.main_window")
    later = {f"gd_explorer.gui.{name}" for name in (
        "direction_panel", "differential_panel", "loss_plot", "sweep_panel", "curve_view")}
    assert "gd_explorer.gui.contour_view" in loaded and not later & loaded
