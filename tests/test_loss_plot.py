"""The loss plots (issue 10): f and ‖∇f‖ against the step for every visible run, in its colour,
thinned when long; log, f − f_min or linear as the values allow; hovering; throttled redraws."""
import math

import numpy as np
import pytest

from gd_explorer.core.function import parse_function
from gd_explorer.gui.app import make_app
from gd_explorer.gui.loss_plot import LossPlots
from gd_explorer.gui.model import ExplorerModel
from gd_explorer.gui.observing import data_to_viewport
from gd_explorer.gui.plot_scales import MAX_DRAWN, choose_scale, log_coords, thin


@pytest.fixture
def plots(qtbot):
    make_app()
    model = ExplorerModel()
    widget = LossPlots(model)
    qtbot.addWidget(widget)
    widget.resize(900, 300)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def curves(widget):
    """[(f item, ‖∇f‖ item)] of the runs drawn, with their data."""
    return [pair for pair in widget.items if pair[0].isVisible()]


def test_every_visible_run_is_drawn_in_its_colour_with_all_its_steps(plots):
    model = plots.model
    model.set_function(parse_function("x^2 + 3*y^2"))
    model.set_start(1.0, 1.0)
    model.set_learning_rate(0.1)
    model.add_run((2.0, -1.0))
    model.add_run((-1.0, 2.0))
    model.step(7)
    model.set_run_visible(1, False)  # a hidden run is not drawn
    shown = [model.runs[0], model.runs[2]]
    drawn = curves(plots)
    assert len(drawn) == 2
    for run, (f_item, g_item) in zip(shown, drawn):
        rows = run.descent.view()
        assert len(rows) == 8
        for item in (f_item, g_item):
            assert item.opts["pen"].color().name() == run.color
        xs, ys = f_item.getData()
        assert xs.tolist() == list(range(8))
        assert ys == pytest.approx(np.log10(rows[:, 3]))  # f > 0 everywhere: log10 f
        gxs, gys = g_item.getData()
        assert gys == pytest.approx(np.log10(rows[:, 6]))
    assert plots.scale.kind == "log"
    assert plots.f_plot.getPlotItem().titleLabel.text == "f (log scale)"
    # the legend names the runs drawn, not the hidden one
    assert shown[0].name in plots.legend.text() and model.runs[1].name not in plots.legend.text()


def test_long_runs_are_thinned_by_stride_keeping_the_last_step(plots):
    model = plots.model
    model.set_function(parse_function("x^2 + y^2"))
    model.set_tol(0.0)
    model.set_learning_rate(1e-6)  # creeps: never stops on its own
    model.set_max_steps(12345)
    model.step(12345)
    rows = model.run.view()
    assert len(rows) == 12346
    xs, ys = curves(plots)[0][0].getData()
    # stride sampling to two points per pixel of the plot's width, and the last step
    most = plots.most_drawn()
    assert most == int(2 * plots.f_plot.getPlotItem().getViewBox().width())
    stride = 12346 // most
    last = 1 if 12345 % stride else 0  # the last step, when the stride skips it
    assert len(xs) == len(range(0, 12346, stride)) + last
    assert xs[:3].tolist() == [0, stride, 2 * stride] and xs[-1] == 12345
    assert ys[-1] == pytest.approx(math.log10(rows[-1, 3]))
    assert 300 < most < MAX_DRAWN and stride > 2


def test_thin_counts():
    rows = np.arange(20001.0).reshape(-1, 1)  # 20001 // 5000 = 4: 0, 4, …, 20000 is the last
    assert len(thin(rows)) == 5001 and thin(rows)[-1, 0] == 20000
    rows = np.arange(20002.0).reshape(-1, 1)  # 20001 is not on the stride: added
    assert len(thin(rows)) == 5002 and thin(rows)[-1, 0] == 20001
    assert len(thin(rows[:5000])) == 5000


def test_a_function_that_goes_below_zero_is_linear_until_its_minimum_is_known(plots, qtbot):
    model = plots.model
    model.set_function(parse_function("x^2 + y^2 - 5"))
    model.set_window((-3.0, 3.0), (-3.0, 3.0))
    model.set_start(2.0, 1.0)
    model.set_learning_rate(0.1)
    model.step(6)
    rows = model.run.view()
    f_item = curves(plots)[0][0]
    assert plots.scale.kind == "linear"
    assert plots.f_plot.getPlotItem().titleLabel.text == "f"
    assert f_item.getData()[1] == pytest.approx(rows[:, 3])
    with qtbot.waitSignal(model.analysis.criticalPointsChanged, timeout=30000):
        model.analysis.find_critical_points()
    assert plots.scale.kind == "shifted" and plots.scale.f_min == pytest.approx(-5.0)
    assert plots.f_plot.getPlotItem().titleLabel.text.startswith(
        "f − f_min, f_min = -5 (lowest minimum found")
    # f − f_min = x^2 + y^2 along the run, on a log scale
    assert f_item.getData()[1] == pytest.approx(np.log10(rows[:, 1] ** 2 + rows[:, 2] ** 2),
                                                rel=1e-9)


def test_choose_scale_by_hand():
    assert choose_scale(0.5).kind == "log"
    assert choose_scale(0.0).kind == "log"  # f = 0 is drawn at the bottom
    assert choose_scale(0.0, None, 0.0).kind == "linear"  # unless nothing is above it
    assert choose_scale(-5.0, -5.0, -5.0).kind == "linear"
    assert choose_scale(-1.0).kind == "linear"
    assert choose_scale(-1.0, None).title == "f"
    shifted = choose_scale(-4.9, -5.0)
    assert shifted.kind == "shifted"
    assert shifted.coords([-4.0, 95.0]).tolist() == pytest.approx([0.0, 2.0])  # f + 5
    below = choose_scale(-6.0, -5.0)  # a run went below the lowest minimum found
    assert below.kind == "linear" and "below the lowest minimum" in below.title
    # zeros go a decade below the lowest positive value; NaN stays a gap
    assert log_coords([100.0, 0.01, 0.0, np.nan])[:3].tolist() == [2.0, -2.0, -3.0]
    assert math.isnan(log_coords([np.nan])[0]) and math.isnan(log_coords([0.0])[0])


def test_zero_is_drawn_at_the_bottom_of_a_log_scale_and_said(plots):
    model = plots.model
    model.set_function(parse_function("x^2 + y^2"))
    model.set_start(1.0, 2.0)
    model.set_learning_rate(0.5)  # one step to the minimum: f = 0 and ∇f = 0 there
    model.step(1)
    f_item, g_item = curves(plots)[0]
    # a decade below the lowest positive value: f = 5 → 10^-1, ‖∇f‖ = 2·sqrt(5) → 10^-1
    assert f_item.getData()[1].tolist() == pytest.approx([math.log10(5.0), -1.0])
    assert g_item.getData()[1].tolist() == pytest.approx([math.log10(2 * 5 ** 0.5), -1.0])
    assert plots.f_plot.getPlotItem().titleLabel.text == "f (log scale); f = 0 drawn at the bottom"
    assert plots.grad_plot.getPlotItem().titleLabel.text == (
        "‖∇f‖ (log scale; 0 drawn at the bottom)")
    # with no positive value a log scale has no place for 0: f goes linear, and ‖∇f‖ = 0
    # is not drawn at a made-up height
    model.set_start(0.0, 0.0)
    f_item, g_item = curves(plots)[0]
    assert f_item.getData()[1].tolist() == [0.0]
    assert plots.f_plot.getPlotItem().titleLabel.text == "f"
    assert np.isnan(g_item.getData()[1]).all()


def test_hovering_shows_the_steps_values(plots, qtbot):
    model = plots.model
    model.set_function(parse_function("x^2 + y^2"))
    model.set_start(1.0, 2.0)
    model.set_learning_rate(0.25)  # halves the point each step
    model.step(6)
    # step 3: (1/8, 2/8), f = 5/64, ‖∇f‖ = 2·sqrt(5)/8
    text = plots.hover_at(plots.f_plot, 3.2, math.log10(5 / 64))
    assert text == f"{model.runs[0].name}\nstep 3: f = 0.07812, ‖∇f‖ = 0.559"
    label, marker = plots.hover[plots.f_plot]
    assert label.isVisible() and label.toPlainText() == text
    assert marker.getData()[0].tolist() == [3]
    # and with the mouse, over the ‖∇f‖ plot
    view = plots.grad_plot
    qtbot.waitUntil(lambda: view.getViewBox().viewRange()[0][1] >= 6, timeout=15000)  # ranged
    qtbot.mouseMove(view.viewport(), data_to_viewport(view, 2.0, math.log10(2 * 5 ** 0.5 / 4)))
    qtbot.waitUntil(lambda: plots.hover[view][0].isVisible(), timeout=15000)
    assert plots.hover_text.endswith("step 2: f = 0.3125, ‖∇f‖ = 1.118")
    assert not plots.hover[plots.f_plot][0].isVisible()
    # far from every curve: nothing
    assert plots.hover_at(plots.f_plot, 3.0, 50.0) == ""
    assert not label.isVisible()


def test_redraws_wait_for_the_timer_while_playing(plots, qtbot):
    model = plots.model
    model.set_function(parse_function("x^2 + y^2"))
    model.set_tol(0.0)
    model.set_learning_rate(1e-6)
    model.set_speed(1.0)
    before = plots.redraws
    model.step(1)
    assert plots.redraws == before + 1  # not playing: at once
    model.play()
    count = plots.redraws
    for _ in range(5):
        model.step(1)  # what each tick of Play does
    assert plots.redraws == count  # none yet: the timer is pending
    qtbot.waitUntil(lambda: plots.redraws == count + 1, timeout=10000)
    drawn = curves(plots)[0][0].getData()[0]
    model.pause()
    assert plots.redraws == count + 2  # the last state at once when Play stops
    assert len(curves(plots)[0][0].getData()[0]) >= len(drawn)


def test_a_hidden_plot_redraws_only_when_shown(plots, qtbot):
    model = plots.model
    model.set_function(parse_function("x^2 + y^2"))
    plots.hide()
    count = plots.redraws
    model.step(3)
    model.step(3)
    assert plots.redraws == count
    model.set_tol(0.0)
    model.play()  # while playing, the redraw timer finds the plot hidden: nothing drawn
    model.step(2)
    assert plots._timer.isActive()
    qtbot.waitUntil(lambda: not plots._timer.isActive(), timeout=10000)
    model.pause()
    assert plots.redraws == count
    plots.show()
    qtbot.waitExposed(plots)
    assert plots.redraws == count + 1
    assert len(curves(plots)[0][0].getData()[0]) == model.run.steps + 1


def test_the_plots_sit_beside_the_iteration_table(shown_window):
    tabs = shown_window.bottom_tabs
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["Iterations", "Loss"]
    assert tabs.widget(1).findChild(type(shown_window.loss.f_plot), "lossPlot") is not None
    assert shown_window.findChild(type(shown_window.loss.f_plot), "gradNormPlot") is not None
