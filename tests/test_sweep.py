"""The learning-rate sweep (issue 10): N log-spaced rates from the selected run's start with its
method, on a background job with progress and Cancel; the plot marks diverged rates and
2/λmax at the start; clicking a point sets the rate; the result goes when what it was run
for changes."""
import math

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from gd_explorer.core.batch import Cancelled, STATUS_NAMES, sweep
from gd_explorer.core.function import parse_function
from gd_explorer.gui.app import make_app
from gd_explorer.gui.model import ExplorerModel
from gd_explorer.gui.observing import data_to_viewport
from gd_explorer.gui.sweep_panel import SweepPanel

A, B = 1.0, 10.0  # f = a x^2 + b y^2: plain descent is stable for ε < 1/max(a, b) = 0.1


@pytest.fixture
def panel(qtbot):
    make_app()
    model = ExplorerModel()
    widget = SweepPanel(model)
    qtbot.addWidget(widget)
    widget.resize(480, 600)
    widget.show()
    qtbot.waitExposed(widget)
    model.set_function(parse_function(f"{A:g}*x^2 + {B:g}*y^2"))
    model.set_start(1.0, 1.0)
    model.set_max_steps(1000)
    return widget


def run_sweep(qtbot, panel, low=1e-3, high=1.0, count=21):
    panel.lr_from.setValue(low)
    panel.lr_to.setValue(high)
    panel.count.setValue(count)
    with qtbot.waitSignal(panel.sweep.changed, timeout=30000):
        qtbot.mouseClick(panel.run_btn, Qt.LeftButton)
    return panel.sweep.result


def marked(panel, status):
    """The rates drawn with ``status``'s mark."""
    x, _y = panel.marks[status].getData()
    return np.round(10.0 ** np.asarray(x), 12)


def test_the_sweep_finds_the_stability_boundary_at_one_over_max_curvature(qtbot, panel):
    result = run_sweep(qtbot, panel)
    rates = result.rates
    assert rates == pytest.approx(np.geomspace(1e-3, 1.0, 21))
    # the rates marked diverged are exactly those above 1/max(a, b) ...
    boundary = 1 / max(A, B)
    above = np.round(rates[rates > boundary], 12)
    assert sorted(marked(panel, "diverged")) == sorted(above)
    assert len(above) == 7  # 10^-0.9 … 10^0
    # ... and exactly those core.batch says diverged
    core = sweep(panel.model.function, (1.0, 1.0), 1e-3, 1.0, 21, 1000, 1e-6)
    assert sorted(np.round(core.rates[core.diverged()], 12)) == sorted(above)
    settled = np.concatenate([marked(panel, "converged"), marked(panel, "max_steps")])
    assert sorted(settled) == sorted(np.round(rates[rates < boundary], 12))
    assert "7 diverged (ε ≥ 0.1259)" in panel.summary.text()
    # the diverged marks sit in a row above every value, where the axis has no ticks
    _x, y = panel.marks["diverged"].getData()
    _cx, cy = panel.marks["converged"].getData()
    assert len(set(y)) == 1 and y[0] > max(cy)
    assert panel.plot.getPlotItem().getAxis("left").last_value < y[0]


def test_the_stable_rate_from_curvature_is_drawn_at_two_over_lambda_max(qtbot, panel):
    run_sweep(qtbot, panel)
    # the Hessian is diag(2a, 2b): λmax = 20, 2/λmax = 0.1
    assert panel.bound.isVisible()
    assert panel.bound.value() == pytest.approx(math.log10(0.1))
    assert "2/λmax = 0.1 (dashed line)" in panel.summary.text()


def test_no_line_where_the_hessian_at_the_start_is_not_positive_definite(qtbot, panel):
    model = panel.model
    model.set_function(parse_function("x^2 - y^2"))  # a saddle: λ = -2, 2
    model.set_start(1.0, 0.5)
    run_sweep(qtbot, panel, count=5)
    assert not panel.bound.isVisible()
    text = panel.summary.text()
    assert ("The Hessian at the start is not positive definite (λ = -2, 2): no stable rate "
            "follows from curvature there.") in text


def test_final_f_or_steps_to_converge(qtbot, panel):
    result = run_sweep(qtbot, panel)
    runs = result.sweep.runs
    converged = runs.status == STATUS_NAMES.index("converged")
    x, y = panel.marks["converged"].getData()
    idx = np.flatnonzero(converged)
    # final f > 0: on a log scale
    assert y == pytest.approx(np.log10(runs.f[idx]))
    panel.show_box.setCurrentIndex(1)
    x, y = panel.marks["converged"].getData()
    assert y.tolist() == runs.steps[idx].astype(float).tolist()
    assert panel.plot.getPlotItem().titleLabel.text == "steps to converge"


def test_a_start_at_a_critical_point_has_converged_at_step_zero(qtbot, panel):
    panel.model.set_start(0.0, 0.0)
    run_sweep(qtbot, panel, count=3)
    panel.show_box.setCurrentIndex(1)
    assert panel.marks["converged"].getData()[1].tolist() == [0.0, 0.0, 0.0]
    assert "3 started at a critical point" in panel.summary.text()
    assert not panel.top_row.isVisible()


def test_clicking_a_point_sets_the_selected_runs_learning_rate(qtbot, panel):
    result = run_sweep(qtbot, panel)
    model = panel.model
    x, y = panel.marks["converged"].getData()
    i = len(x) // 2
    rate = float(result.rates[panel.marks["converged"].data["data"][i]])
    view = panel.plot
    qtbot.waitUntil(lambda: view.getViewBox().viewRange()[0][0] <= -3.0, timeout=15000)  # ranged
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, Qt.NoModifier,
                     data_to_viewport(view, x[i], y[i]))
    assert model.learning_rate == rate
    assert panel.sweep.result is result  # the sweep spans the rates: it stays
    assert panel.rate_line.isVisible() and panel.rate_line.value() == pytest.approx(
        math.log10(rate))


def test_the_sweep_uses_the_selected_runs_method(qtbot, panel):
    model = panel.model
    model.set_optimizer("momentum", {"beta": 0.5})
    model.set_tol(1e-8)
    result = run_sweep(qtbot, panel, count=6)
    core = sweep(model.function, (1.0, 1.0), 1e-3, 1.0, 6, 1000, 1e-8, "momentum",
                 {"beta": 0.5})
    assert result.sweep.runs.status.tolist() == core.runs.status.tolist()
    assert result.sweep.runs.steps.tolist() == core.runs.steps.tolist()
    assert "Momentum (heavy ball)" in panel.summary.text()


def test_cancel_stops_the_job_and_no_result_arrives(qtbot, panel):
    model = panel.model
    model.set_tol(0.0)
    model.set_max_steps(10_000_000)  # would take long: every rate runs every step
    changed = []
    panel.sweep.changed.connect(lambda: changed.append(1))
    qtbot.mouseClick(panel.run_btn, Qt.LeftButton)
    assert panel.sweep.busy and panel.cancel_btn.isEnabled() and panel.progress.isVisible()
    qtbot.mouseClick(panel.cancel_btn, Qt.LeftButton)
    assert not panel.sweep.busy and not panel.cancel_btn.isEnabled()
    assert panel.sweep.job.wait(60)  # the thread saw the flag and ended
    QApplication.processEvents()  # anything it sent arrives now
    assert changed == [] and panel.sweep.result is None
    assert panel.summary.text() == "cancelled"


def test_core_sweep_polls_cancel_and_stops_at_the_first_yes():
    fn = parse_function("x^2 + y^2")
    polls = []

    def cancel():
        polls.append(1)
        return len(polls) >= 3

    with pytest.raises(Cancelled):
        sweep(fn, (1.0, 1.0), 1e-6, 1e-5, 10, max_steps=1_000_000, tol=0.0, cancel=cancel)
    assert len(polls) == 3


def test_the_result_goes_when_the_function_start_or_method_changes(qtbot, panel):
    model = panel.model
    checks = [
        lambda: model.set_start(0.5, 0.5),
        lambda: model.set_optimizer("adam"),
        lambda: model.set_hyperparameter("beta1", 0.8),
        lambda: model.set_schedule("cosine"),
        lambda: model.set_max_steps(500),
        lambda: model.set_tol(1e-3),
        lambda: model.add_run((2.0, 2.0)),  # another run is selected
        lambda: model.set_function(parse_function("x^2 + 2*y^2")),
    ]
    for change in checks:
        run_sweep(qtbot, panel, count=4)
        model.set_learning_rate(0.02)  # a new rate keeps it
        assert panel.sweep.result is not None
        with qtbot.waitSignal(panel.sweep.changed, timeout=15000):
            change()
        assert panel.sweep.result is None
        assert not panel.marks["converged"].getData()[0].size
        assert not panel.bound.isVisible()
    assert panel.summary.text().startswith("sweep cleared")


def test_a_refused_range_starts_nothing_and_says_why(qtbot, panel):
    panel.lr_from.setValue(0.5)
    panel.lr_to.setValue(0.1)
    assert panel.run() is False
    assert not panel.sweep.busy
    assert panel.summary.text() == ("the learning rates must go from a smaller to a larger "
                                    "positive number")


def test_the_sweep_panel_is_a_side_tab_of_the_window(shown_window):
    tabs = shown_window.tabs
    index = tabs.indexOf(shown_window.sweep_panel)
    assert tabs.tabText(index) == "Rate sweep"
    assert shown_window.sweep_panel.findChild(type(shown_window.sweep_panel.run_btn),
                                              "sweepButton") is not None


def test_the_bound_says_whose_it_is_when_another_optimizer_ran(qtbot, panel):
    run_sweep(qtbot, panel)
    assert panel.bound.label.toPlainText() == "2/λmax"
    panel.model.set_optimizer("momentum")
    run_sweep(qtbot, panel)
    assert panel.bound.isVisible() and panel.bound.label.toPlainText() == "2/λmax (plain gd)"
    assert "plain gradient descent is stable" in panel.summary.text()
