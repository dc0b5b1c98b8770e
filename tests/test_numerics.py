"""Numerical hazards render and stop cleanly (issue 6): holes, singular lines, huge ranges."""
import math
import warnings

import numpy as np
import pyqtgraph as pg
import pytest

from gd_explorer.core.descent import descend
from gd_explorer.core.function import parse_function
from gd_explorer.core.grid import sample_grid
from gd_explorer.gui.app import make_app
from gd_explorer.gui.contour_view import ContourView
from gd_explorer.gui.model import ExplorerModel


@pytest.fixture
def view(lone_contour_view):
    return lone_contour_view


def show(qtbot, view, text, window=((-3.0, 3.0), (-3.0, 3.0))):
    model = view.model
    model.set_window(*window)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.set_function(parse_function(text))
        qtbot.wait(20)
    return model


def rendered_colors(view):
    """RGBA pixels of the colour image, as an (n, 4) array."""
    from PySide6.QtGui import QImage

    qimage = view.image.qimage.convertToFormat(QImage.Format_RGBA8888)
    arr = np.array(qimage.constBits(), dtype=np.uint8, copy=True)
    arr = arr.reshape(qimage.height(), qimage.bytesPerLine())
    return arr[:, : qimage.width() * 4].reshape(-1, 4)


HAZARDS = ["log(x) + y", "sqrt(x) + y^2", "1/(x*y)", "exp(x^2)", "exp(x^2 + y^2)", "tan(x) + y",
           "log(x*y)", "1/(x^2 + y^2)", "x/y", "sqrt(9 - x^2 - y^2)"]


@pytest.mark.parametrize("text", HAZARDS)
def test_hazard_renders_with_holes_and_no_flood(qtbot, view, text):
    show(qtbot, view, text)
    grid = view.grid
    assert not np.isinf(grid.z).any()
    view.image.render()
    colors = rendered_colors(view)
    opaque = colors[colors[:, 3] > 0]
    assert len(opaque) > 0.2 * len(colors)
    # no single colour floods the view: the most common colour covers less than half
    _, counts = np.unique(opaque[:, :3] // 8, axis=0, return_counts=True)
    assert counts.max() < 0.5 * len(opaque), f"{text}: one colour covers {counts.max() / len(opaque):.0%}"
    # holes are transparent exactly where f is undefined
    holes = ~np.isfinite(grid.z)
    alpha = colors[:, 3].reshape(grid.z.shape)
    assert (alpha[holes] == 0).all()
    lo, hi = view.colorbar.levels()
    assert math.isfinite(lo) and math.isfinite(hi) and hi > lo
    assert len(view.levels) > 5 and np.isfinite(view.levels).all()


def test_huge_dynamic_range_chooses_log_levels(qtbot, view):
    model = show(qtbot, view, "exp(x^2 + y^2)", ((-3.0, 3.0), (-3.0, 3.0)))
    assert model.spacing == "log"
    model2 = show(qtbot, view, "x + y")
    assert model2.spacing == "linear"


def test_view_ranges_never_receive_inf(qtbot, view, monkeypatch):
    calls = []
    original = pg.ViewBox.setRange

    def checked(self, rect=None, xRange=None, yRange=None, *args, **kwargs):
        for rng in (xRange, yRange):
            if rng is not None:
                calls.append(rng)
                assert all(math.isfinite(v) for v in rng)
        return original(self, rect, xRange, yRange, *args, **kwargs)

    monkeypatch.setattr(pg.ViewBox, "setRange", checked)
    model = show(qtbot, view, "exp(x^2)")
    messages = []
    model.notice.connect(messages.append)
    for bad in [((0, math.inf), (0, 1)), ((math.nan, 1), (0, 1)), ((1, 0), (0, 1)), ((0, 1e300), (0, 1))]:
        assert not model.set_window(*bad)
    assert len(messages) == 4 and all("range" in m for m in messages)
    model.set_start(2.5, 0.0)
    model.set_learning_rate(10.0)
    model.step(100)  # diverges; the view must not chase the point to infinity
    assert model.run.status == "diverged"
    (x0, x1), (y0, y1) = view.getViewBox().viewRange()
    assert all(math.isfinite(v) for v in (x0, x1, y0, y1))


@pytest.mark.parametrize("text,start,lr,status,words", [
    ("x^2 + y^2", (1.0, 1.0), 1.5, "diverged", "diverged after "),
    ("exp(x^2)", (2.0, 0.0), 1.0, "diverged", "diverged after "),
    ("log(x) + y^2", (0.5, 1.0), 1.0, "left_domain", "stopped after 0 steps (step 1 left the domain of f)"),
    ("sqrt(x) + y^2", (0.01, 1.0), 0.5, "left_domain", "stopped after "),
    ("sqrt(1 - x^2 - y^2)", (0.1, 0.1), 5.0, "left_domain", "stopped after 1 step (step 2 left the domain of f)"),
])
def test_descent_hazards_stop_with_the_right_reason(text, start, lr, status, words):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = descend(parse_function(text), start, lr, 10000, 1e-9)
    assert result.status == status
    assert result.message.startswith(words)
    assert np.isfinite(result.trajectory).all()


def test_grid_of_an_undefined_window_is_all_holes():
    fn = parse_function("log(x)")
    grid = sample_grid(fn, (-3, -1), (0, 1), 50)
    assert np.isnan(grid.z).all()


def test_closed_view_ignores_later_model_changes(qtbot):
    make_app()
    model = ExplorerModel()
    v = ContourView(model)
    v.show()
    model.set_function(parse_function("x^2 + y^2"))
    vb = v.getViewBox()
    vb.scaleBy((0.5, 0.5))
    vb.sigRangeChangedManually.emit(vb.state["mouseEnabled"])  # arms the settle timer
    grid = v.grid
    v.close()
    model.set_function(parse_function("x*y"))
    model.set_window((-1.0, 1.0), (-1.0, 1.0))
    model.step(3)
    qtbot.wait(400)  # any leftover timer would raise inside the event loop here
    assert v.grid is grid, "a closed view no longer follows the model"


@pytest.mark.parametrize("window", [((-9e11, 9e11), (-9e11, 9e11)), ((1000.1, 1000.1 + 2e-9), (0.0, 1e-9))])
def test_extreme_windows_give_a_message_not_a_crash(qtbot, view, window):
    model = show(qtbot, view, "x^2 + y^2")
    image = view.image.image.copy()
    model.set_window(*window)  # accepted or refused; the view never raises
    qtbot.wait(50)
    vb = view.getViewBox()
    (x0, x1), (y0, y1) = vb.viewRange()
    assert all(math.isfinite(v) for v in (x0, x1, y0, y1))
    assert max(abs(x0), abs(x1), abs(y0), abs(y1)) <= 1e9 * 1.01
    if view.message.isVisible():
        assert view.message.text().startswith("cannot draw this window")
        np.testing.assert_array_equal(np.nan_to_num(view.image.image), np.nan_to_num(image))


def test_zooming_out_stops_at_the_view_limit(qtbot, view):
    show(qtbot, view, "x^2 + y^2")
    vb = view.getViewBox()
    for _ in range(60):
        vb.scaleBy((4.0, 4.0))
        vb.sigRangeChangedManually.emit(vb.state["mouseEnabled"])
    qtbot.wait(400)
    (x0, x1), _ = vb.viewRange()
    assert -1e9 * 1.01 <= x0 and x1 <= 1e9 * 1.01
    assert view.grid is not None and not view.message.isVisible()


def test_undefined_window_says_so(qtbot, view):
    show(qtbot, view, "log(-1 - x^2 - y^2)")
    assert view.message.isVisible()
    assert view.message.text() == "f is undefined everywhere in this window"
    show(qtbot, view, "x + y")
    assert not view.message.isVisible()
