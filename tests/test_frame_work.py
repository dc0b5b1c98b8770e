"""A frame with a long run (issue 9, item 6): one more step redraws only the last chunk of the
path, the map's image and contours are painted from their cache, a pan keeps the contours'
data bounds, thinning keeps an oscillation's zig-zag, the hidden direction panel draws no
plots, and the next-step preview and the dial touch only what changed. Work is counted
(points passed to setData, paint calls, recomputations), never timed."""
import math

import numpy as np
import pytest
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QImage, QPen
from PySide6.QtWidgets import QApplication, QGraphicsItem

from gd_explorer.core.fmt import fmt, fmt_point
from gd_explorer.gui.cached_curves import CHUNK, descendants, thin_to_pixels

ROSENBROCK = "(1 - x)^2 + 100*(y - x^2)^2"


def count_calls(monkeypatch, obj, name):
    """Wrap obj.name so that its calls are counted: returns the list of their arguments."""
    calls = []
    original = getattr(obj, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(obj, name, counted)
    return calls


@pytest.fixture
def long_run(qtbot, shown_window):
    """The window with Rosenbrock and a run of 3 chunks and a bit, on the map's tab."""
    model = shown_window.model
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.set_expression(ROSENBROCK)
    model.set_tol(0.0)
    model.set_max_steps(10 ** 6)
    model.set_learning_rate(1e-4)
    model.set_start(-1.2, 1.0)
    model.step(3 * CHUNK + 10)
    qtbot.wait(400)  # past the view's settling after the window change, and on a busy
    qtbot.waitUntil(lambda: not shown_window.contour.map_pending(), timeout=15000)  # machine
    shown_window.contour.viewport().repaint()
    return shown_window


def steps_and_pans(view, model, count):
    """``count`` times one more step, then a pan to and fro, each frame painted as in the
    benchmark (the view's repaint paints every widget the change made dirty)."""
    vb = view.getViewBox()
    for i in range(count):
        model.step(1)
        view.viewport().repaint()
        vb.translateBy(x=0.05 * (-1) ** i)
        view.viewport().repaint()


def drawn(view):
    """Every point of the selected run's path as painted: the head's chunks and the tail."""
    parts = [view.trajectory_head.getData(), view.trajectory_tail.getData()]
    xs = np.concatenate([np.asarray(x, dtype=float) for x, _ in parts if x is not None])
    ys = np.concatenate([np.asarray(y, dtype=float) for _, y in parts if y is not None])
    return xs, ys


def test_one_more_step_redraws_only_the_last_chunk(long_run, monkeypatch):
    view, model = long_run.contour, long_run.model
    model.step(1)  # drawn for the view as it is now (a busy machine may lay it out late)
    head_points = view.chunks.head_points
    assert head_points > 0  # the three complete chunks are in the head
    tail = count_calls(monkeypatch, view.trajectory_tail, "setData")
    marked = count_calls(monkeypatch, view.trajectory, "setData")  # a short run's path
    head = count_calls(monkeypatch, view.trajectory_head, "setData")
    painted = count_calls(monkeypatch, view.trajectory_head, "paint")
    for _ in range(5):
        model.step(1)
        view.viewport().repaint()
    assert head == [] and view.chunks.head_points == head_points
    assert painted == []  # the head is played from its cache
    assert len(tail) == 5 and marked == []
    # the tail holds the steps after the chunks: 10 + 6 rows from row 3 * CHUNK
    assert all(len(args[0]) <= 17 for args in tail)
    xs, ys = view.trajectory_tail.getData()
    assert (xs[-1], ys[-1]) == tuple(model.run.row(-1)[1:3])
    assert not view.trajectory.curve.isVisible()  # the steps are drawn once, not twice
    # completing a chunk moves it to the head once
    model.step(CHUNK)
    assert len(head) == 1 and view.chunks.head_points > head_points


def test_the_path_as_drawn_is_the_run_in_its_pixels(long_run):
    view, model = long_run.contour, long_run.model
    xs, ys = drawn(view)
    rows = model.run.view()
    pw, ph = view.getViewBox().viewPixelSize()
    finite = np.isfinite(xs)
    # every pixel the run steps in holds a drawn point
    cells = {(math.floor(x / pw), math.floor(y / ph)) for x, y in zip(xs[finite], ys[finite])}
    steps = {(math.floor(x / pw), math.floor(y / ph)) for x, y in rows[:, 1:3]}
    assert steps <= cells
    assert len(xs) < len(rows) / 10  # a converging run piles its steps into few pixels


def first_two_frames(view):
    """Repaint a changed map twice: its first frame is painted directly (no pixmap), the
    second is painted into the map's pixmap."""
    renders = view.image.renders
    view.viewport().repaint()
    assert view.image.renders == renders
    view.viewport().repaint()
    assert view.image.renders == renders + 1


def rgb(image):
    """An image's pixels as an array of (r, g, b) ints."""
    image = image.convertToFormat(QImage.Format_RGB32)
    bgra = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1, 4)
    return bgra[:, :image.width(), 2::-1].astype(int)


def largest_difference(a, b):
    """The largest difference of one colour channel between two images of a size."""
    return int(np.abs(rgb(a) - rgb(b)).max())


def same_picture(a, b):
    """Whether two grabs of the map show the same picture, one painted directly and one from
    its pixmap: the translucent contours composed in a pixmap first differ by round-off (a few
    levels), and Qt's fast scaling of the colour map may put a few of its cell edges a pixel
    apart (a neighbouring cell's colour: a few levels more, at a few pixels). A stale or
    missing layer differs at a hundred pixels or more."""
    d = np.abs(rgb(a) - rgb(b)).max(axis=2)
    return int((d > 4).sum()) <= 24 and int(d.max()) <= 32


def test_the_map_is_painted_from_its_cache_and_a_pan_keeps_its_bounds(long_run, monkeypatch):
    view, model = long_run.contour, long_run.model
    image, contours = view.image, view.contours
    for _ in range(2):  # the map's first frame is painted directly, the next into its pixmap
        view.viewport().repaint()
    renders = image.renders
    # the image's pixmap holds the contours (and the basins) too: one pixmap to play a frame
    drawn = [count_calls(monkeypatch, layer, "paint") for layer in (image, contours)]
    lines = count_calls(monkeypatch, pg.PlotCurveItem, "paint")
    model.step(1)
    view.viewport().repaint()
    assert image.renders == renders and len(drawn[0]) == 1 and drawn[1] == []
    assert all(args[0] is not contours for args in lines)
    # a pan: the contours' data bounds are not computed again (a NaN-aware min and max over
    # every point of every line); only their pixel padding is. The map is not painted again:
    # its pixmap holds all of it (it is sampled beyond the view)
    data = count_calls(monkeypatch, contours, "getData")
    vb = view.getViewBox()
    for sign in (1, -1, 1, -1):
        vb.translateBy(x=0.05 * sign)
        view.viewport().repaint()
    assert data == []
    vb.translateBy(x=7 * vb.viewPixelSize()[0])  # whole pixels from where it was painted
    view.viewport().repaint()
    assert image.renders == renders
    assert all(args[0] is not contours for args in lines)
    cached = view.viewport().grab().toImage()
    image.MOST = 0  # painted directly: the same picture
    view.viewport().repaint()
    assert any(args[0] is contours for args in lines)
    assert same_picture(view.viewport().grab().toImage(), cached)
    # a zoom (a new scale) paints the map again, once
    del image.MOST
    vb.scaleBy((0.8, 0.8))
    for _ in range(3):
        view.viewport().repaint()
    assert image.renders == renders + 1


def test_thinning_keeps_the_zig_zag_of_an_oscillation():
    # a run that jumps across a valley and back, shrinking slowly: 20,001 points
    n = np.arange(20001)
    xs = 1.0 - 0.5 * 0.9999 ** n
    ys = 0.8 * (-1.0) ** n * 0.99995 ** n
    tx, ty = thin_to_pixels(xs, ys, (0.004, 0.004))
    finite = np.isfinite(tx)
    late = tx[finite] > xs[10000]  # the late part of the run
    assert (ty[finite][late] > 0.2).any() and (ty[finite][late] < -0.2).any()
    # each drawn segment of the late part crosses the valley: a zig-zag, not two lines
    pairs = np.isfinite(ty[1:]) & np.isfinite(ty[:-1]) & (tx[:-1] > xs[10000])
    assert pairs.sum() > 20 and np.all(np.sign(ty[1:][pairs]) != np.sign(ty[:-1][pairs]))
    # the same two pixels joined again and again are drawn once
    bounce = thin_to_pixels(np.tile([0.0, 1.0], 5000), np.tile([0.0, 1.0], 5000), (0.01, 0.01))
    assert len(bounce[0]) <= 3
    assert {(0.0, 0.0), (1.0, 1.0)} <= set(zip(*map(np.ndarray.tolist, bounce)))


@pytest.mark.parametrize("xs, ys, pen", [
    ([0.5, np.nan, -2.0, 3.0], [1.0, 7.0, np.nan, -4.0], None),        # gaps: skipped
    ([1.0, 2.0], [-1.0, -1.0], None),                                    # a flat line
    ([0.0, np.inf, 1.0], [2.0, 3.0, np.nan], None),                      # an infinity
    ([np.nan, np.nan], [np.nan, np.nan], None),                          # nothing finite
    ([0.0, 4.0], [1.0, 2.0], pg.mkPen("w", width=0.5, cosmetic=False)),  # a pen in data units
])
def test_a_steady_curves_bounds_are_pyqtgraphs(qapp, xs, ys, pen):
    """The bounds a SteadyCurve works out quickly (the map's last steps, at each step) are
    those of pyqtgraph's PlotCurveItem, for each kind of data."""
    from gd_explorer.gui.cached_curves import SteadyCurve

    ours, theirs = SteadyCurve(), pg.PlotCurveItem()
    for curve in (ours, theirs):
        curve.setData(np.array(xs), np.array(ys), connect="finite")
        if pen is not None:
            curve.setPen(pen)
    def same(a, b):  # NaN as NaN
        return np.array_equal(np.array(a, dtype=float), np.array(b, dtype=float), equal_nan=True)

    for ax in (0, 1):
        assert same(ours.dataBounds(ax), theirs.dataBounds(ax))
        assert same(ours.dataBounds(ax), theirs.dataBounds(ax))  # and from the cache
    for curve in (ours, theirs):  # new data: new bounds
        curve.setData(np.array([10.0, 20.0]), np.array([0.0, 1.0]))
    assert same(ours.dataBounds(0), theirs.dataBounds(0))
    assert pen is not None or ours.dataBounds(0) == (10.0, 20.0)


def test_thinning_breaks_the_line_where_a_segment_is_left_out():
    # 0 → 1 → 0 → 2: the second 0 → 1 is not drawn again, so 1 → 0 → 2 is a new piece
    xs = np.array([0.0, 1.0, 0.0, 1.0, 0.0, 2.0])
    tx, ty = thin_to_pixels(xs, np.zeros(6), (0.1, 0.1))
    assert [None if math.isnan(x) else x for x in tx] == [0.0, 1.0, 0.0, None, 0.0, 2.0]


def test_a_hidden_direction_panel_draws_no_plots_until_shown(long_run, monkeypatch):
    win, model = long_run, long_run.model
    panel = win.direction
    assert not panel.isVisible()
    plots = [count_calls(monkeypatch, plot, name)
             for plot, name in ((panel.slice_plot, "set_curve"), (panel.curve_plot, "set_gradient"),
                                (panel.trace_x, "set_curve"), (panel.curve_plot, "set_angle"))]
    model.step(3)
    model.set_angle(1.0)
    assert all(calls == [] for calls in plots)
    # its readouts are up to date all along
    state = model.point_state()
    assert panel.grad_label.text() == fmt_point((state.gx, state.gy))
    win.tabs.setCurrentWidget(win.tabs.widget(1))
    QApplication.processEvents()
    assert all(len(calls) == 1 for calls in plots)
    _, gs = panel.slice_curve.getData()
    f0 = model.run.row(-1)[3]
    assert gs[len(gs) // 2] == pytest.approx(f0, rel=1e-12)  # the slice through today's point


def test_a_step_computes_the_next_step_preview_once(long_run):
    view, model = long_run.contour, long_run.model
    before = view.step_preview.updates
    model.step(1)
    assert view.step_preview.updates == before + 1
    # and the ring is on the run's next point
    step = view.step_preview.step
    xs, ys = view.step_preview.ring.getData()
    assert (xs[0], ys[0]) == (step.x, step.y)


def test_turning_the_dial_moves_only_u_on_the_map(long_run, monkeypatch):
    view, model = long_run.contour, long_run.model
    others = [count_calls(monkeypatch, item, "setData")
              for item in (view.grad_shaft, view.neg_shaft, view.tangent)]
    model.set_angle(0.7)
    assert all(calls == [] for calls in others)
    tip = view.arrow_tip("u")
    x, y = model.current_point
    (x0, x1), _ = view.getViewBox().viewRange()
    length = 0.8 * 0.14 * (x1 - x0)
    assert tip == pytest.approx((x + length * math.cos(0.7), y + length * math.sin(0.7)))



def pixels_of(view, item, color):
    """How many of the viewport's pixels under a scene item are near ``color``."""
    rect = view.mapFromScene(item.sceneBoundingRect()).boundingRect()
    image = view.viewport().grab(rect).toImage()
    rgb = np.array([[image.pixelColor(x, y).getRgb()[:3] for x in range(image.width())]
                    for y in range(image.height())], dtype=float)
    return int((np.abs(rgb - pg.mkColor(color).getRgb()[:3]).sum(axis=2) < 60).sum())


def test_the_legend_is_painted_from_its_cache_until_an_entry_looks_different(long_run,
                                                                            monkeypatch):
    view, model = long_run.contour, long_run.model
    sample = next(s for s, _ in view.legend.items if s.item is view.trajectory)
    painted = [count_calls(monkeypatch, part, "paint")
               for s, label in view.legend.items for part in (s, label.item)]
    ours = count_calls(monkeypatch, sample, "paint")
    for _ in range(3):
        model.step(1)
        view.viewport().repaint()
    assert all(calls == [] for calls in painted) and ours == []
    color = model.selected_run.color
    line = pixels_of(view, sample, color)  # the path's line alone
    model.reset()  # a short run again: its path's points get markers, and so does the sample
    view.viewport().repaint()
    assert view.trajectory.opts["symbol"] == "o"
    assert len(ours) == 1
    marked = pixels_of(view, sample, color)
    assert marked > line  # the marker's disc shows
    view.legend.setCacheMode(QGraphicsItem.NoCache)  # the cache shows what it paints afresh
    view.viewport().repaint()
    assert abs(pixels_of(view, sample, color) - marked) <= 0.2 * marked


def test_the_legend_copies_no_pen_in_a_frame_where_nothing_looks_different(long_run,
                                                                           monkeypatch):
    """Its entries' looks are compared with the copies kept from the last change (by value),
    not copied again at each frame; a pen changed in place is still seen."""
    import sys

    view, model = long_run.contour, long_run.model
    legend = view.legend
    copies = []  # the pens made by the legend's module
    original = QPen.__init__

    def counted(pen, *args):
        if sys._getframe(1).f_globals["__name__"] == "gd_explorer.gui.cached_curves":
            copies.append(args)
        original(pen, *args)

    monkeypatch.setattr(QPen, "__init__", counted)
    steps_and_pans(view, model, 3)
    assert copies == []
    before = legend.repainted
    view.tangent.opts["pen"].setWidthF(view.tangent.opts["pen"].widthF() + 1)  # in place
    view.viewport().repaint()
    assert legend.repainted == before + 1 and copies


def test_a_typed_formula_leaves_the_legend_as_it_was(long_run, monkeypatch):
    """Until a typed formula's derivatives arrive its run's marks are hidden; the legend, a
    key, still shows their look (not pyqtgraph's eye for a hidden item) and paints nothing."""
    view, model = long_run.contour, long_run.model
    sample = next(s for s, _ in view.legend.items if s.item is view.trajectory)
    color = model.selected_run.color
    line = pixels_of(view, sample, color)
    painted = count_calls(monkeypatch, view.legend, "paint")
    model.set_expression(ROSENBROCK + " + 0*x")  # parsed at once; the worker answers later
    assert model.preview is not None and not view.trajectory.isVisible()
    view.viewport().repaint()
    assert painted == [] and line > 0
    view.legend.setCacheMode(QGraphicsItem.NoCache)  # painted afresh, with the run hidden
    view.viewport().repaint()
    assert len(painted) == 1
    assert abs(pixels_of(view, sample, color) - line) <= 0.2 * line


def test_a_new_function_with_the_same_entries_leaves_the_legend_alone(qtbot, long_run,
                                                                      monkeypatch):
    """A new function brings the same entries (the run, ∇f with its scale): none is removed
    and added again, so the legend is neither laid out nor painted again."""
    view, model = long_run.contour, long_run.model
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.set_expression(ROSENBROCK + " + 0*x")  # a new run: short, its sample marked
    qtbot.wait(50)
    view.viewport().repaint()
    entries = [label.text for _, label in view.legend.items]
    painted = count_calls(monkeypatch, view.legend, "paint")
    removed = count_calls(monkeypatch, view.legend, "removeItem")
    for k in (1, 2):
        with qtbot.waitSignal(model.functionChanged, timeout=15000):
            model.set_expression(ROSENBROCK + f" + 0*x*{k}")
        qtbot.wait(50)  # the layout requests, had there been any
        view.viewport().repaint()
    assert removed == [] and painted == []
    assert [label.text for _, label in view.legend.items] == entries
    model.add_run((0.5, 0.5))  # a new selected run: its entry reads its name
    view.viewport().repaint()
    assert f"{model.selected_run.name} (selected)" in [l.text for _, l in view.legend.items]
    assert len(painted) == 1


def test_the_legend_is_one_item_and_looks_as_its_entries_painted_by_qt(long_run, monkeypatch):
    """The legend paints its entries into its own pixmap: Qt visits none of them (no
    bounds, no paint); what it shows is what the entries paint as items of the scene."""
    view = long_run.contour
    legend = view.legend
    parts = [part for sample, label in legend.items for part in legend._parts(sample, label)]
    assert len(parts) >= 3 * len(legend.items) >= 24
    assert all(part.flags() & QGraphicsItem.ItemHasNoContents for part in parts)
    view.viewport().repaint()
    rect = view.mapFromScene(legend.sceneBoundingRect()).boundingRect()
    ours = view.viewport().grab(rect).toImage()
    for part in parts:  # each entry painted by Qt, as a LegendItem's are
        part.setFlag(QGraphicsItem.ItemHasNoContents, False)
    monkeypatch.setattr(legend, "paint", lambda p, *args: pg.LegendItem.paint(legend, p, *args))
    legend.setCacheMode(QGraphicsItem.NoCache)
    view.viewport().repaint()
    theirs = view.viewport().grab(rect).toImage()
    assert largest_difference(ours, theirs) <= 2  # the box's translucency rounded once more


def test_a_step_writes_only_the_new_cells_of_the_iteration_table(long_run):
    win, model = long_run, long_run.model
    table = win.table.table_model
    win.table.viewport().repaint()
    for _ in range(3):
        written = table.formatted
        model.step(1)
        win.table.viewport().repaint()
        # the new row, and Δx, Δy of the row before it (the step from it is known now)
        assert table.formatted - written == len(table.headers) + 2
    rows, last = model.run.view(), table.rowCount() - 1
    assert table.data(table.index(last - 1, 7)) == fmt(rows[last, 1] - rows[last - 1, 1])
    assert table.data(table.index(last, 7)) == ""  # not taken yet
    assert table.data(table.index(last, 3)) == fmt(rows[last, 3])


def test_a_step_leaves_the_preview_pens_alone_and_a_new_run_colours_them(long_run, monkeypatch):
    view, model = long_run.contour, long_run.model
    preview = view.step_preview
    pens = count_calls(monkeypatch, preview.ring, "setPen")  # each redraws the ring's symbol
    for _ in range(3):
        model.step(1)
    assert pens == []
    model.add_run((0.5, 0.5))  # selected, in a colour of its own
    model.step(1)
    color = model.selected_run.color
    assert len(pens) == 1
    assert preview.ring.opts["pen"].color() == pg.mkColor(color)
    assert preview.shaft.opts["pen"].color() == pg.mkColor(color)
    assert pg.mkColor(color) != pg.mkColor(model.runs[0].color)


def test_a_step_moves_the_current_point_and_the_ring_without_rebuilding_them(long_run,
                                                                           monkeypatch):
    from gd_explorer.gui.colors import CURRENT_COLOR

    view, model = long_run.contour, long_run.model
    rebuilt = count_calls(monkeypatch, pg.ScatterPlotItem, "addPoints")  # pyqtgraph's records,
    marks = (view.current, view.step_preview.ring, view.step_preview.casing_ring)  # bounds, atlas
    sets = [mark.sets for mark in marks]
    model.step(1)
    view.viewport().repaint()
    assert rebuilt == [] and [mark.sets for mark in marks] == [n + 1 for n in sets]
    x, y = model.current_point
    assert view.current.getData() == ([x], [y])
    step = view.step_preview.step
    assert view.step_preview.ring.getData() == ([step.x], [step.y])
    # drawn where they are: the current point's disc, the ring around the next point
    image = view.viewport().grab().toImage()
    centre = image.pixelColor(view.data_to_viewport(x, y))
    assert centre == pg.mkColor(CURRENT_COLOR)
    ring = view.data_to_viewport(step.x, step.y)
    around = [image.pixelColor(ring.x() + dx, ring.y() + dy) for dx in range(-8, 9)
              for dy in range(-8, 9)]
    color = pg.mkColor(model.selected_run.color)
    assert sum(near(c, color) for c in around) >= 12


def test_axes_are_painted_from_their_cache_until_the_range_moves(long_run, monkeypatch):
    view, model = long_run.contour, long_run.model
    plot = view.getPlotItem()
    bottom, left = plot.getAxis("bottom"), plot.getAxis("left")
    axes = [plot.getAxis(name) for name in plot.axes]
    painted = {axis: count_calls(monkeypatch, axis, "paint") for axis in axes}
    for _ in range(3):
        model.step(1)
        view.viewport().repaint()
    assert all(calls == [] for calls in painted.values())
    rect = view.mapFromScene(bottom.sceneBoundingRect()).boundingRect()
    before = view.viewport().grab(rect).toImage()
    view.getViewBox().translateBy(x=0.37)  # new tick labels along x; none along y
    view.viewport().repaint()
    assert len(painted[bottom]) == 1 and painted[left] == []
    after = view.viewport().grab(rect).toImage()
    assert after != before
    for part in (bottom, *bottom.childItems()):  # the cache shows what a fresh paint shows
        part.setCacheMode(QGraphicsItem.NoCache)
    view.viewport().repaint()
    assert view.viewport().grab(rect).toImage() == after


def test_the_colour_bars_title_and_ticks_are_played_from_their_cache(long_run, monkeypatch,
                                                                    qtbot):
    """The colour bar's title and tick axes paint once per new scale, not per step or pan,
    and their pixmaps show what painting them afresh shows (its top and bottom lines, the
    bar's ends, are painted directly: on a pixmap's edge they would be cut)."""
    view, model = long_run.contour, long_run.model
    bar = view.colorbar
    axes = [bar.getAxis(name) for name in bar.axes]
    painted = {axis: count_calls(monkeypatch, axis, "paint") for axis in axes}
    steps_and_pans(view, model, 3)
    assert painted[bar.getAxis("left")] == [] and painted[bar.getAxis("right")] == []
    rect = view.mapFromScene(bar.sceneBoundingRect()).boundingRect().adjusted(-4, -4, 4, 4)
    for text in (None, "x^2 + 3*y^2 - 2000"):  # as it is; a new function: new ticks
        if text is not None:
            with qtbot.waitSignal(model.functionChanged, timeout=15000):
                model.set_expression(text)
            view.viewport().repaint()
        cached = view.viewport().grab(rect).toImage()
        modes = {part: part.cacheMode() for axis in axes for part in (axis, *descendants(axis))}
        for part in modes:
            part.setCacheMode(QGraphicsItem.NoCache)
        assert view.viewport().grab(rect).toImage() == cached
        for part, mode in modes.items():
            part.setCacheMode(mode)


def test_the_maps_axes_measure_each_tick_label_once(long_run):
    """A pan measures no label text already measured; the labels are placed as pyqtgraph
    places them, measuring afresh, also after the tick font changes."""
    from PySide6.QtGui import QFont, QPainter, QPicture

    view = long_run.contour
    vb, bottom = view.getViewBox(), view.getPlotItem().getAxis("bottom")

    def specs(generate):
        picture = QPicture()
        painter = QPainter(picture)
        if bottom.style["tickFont"]:
            painter.setFont(bottom.style["tickFont"])
        _axis, ticks, texts = generate(painter)
        painter.end()
        return [(p1.x(), p2.x()) for _pen, p1, p2 in ticks], [(r.getRect(), t) for r, _f, t in texts]

    for dx in (0.05, -0.1, 0.05):  # the labels of these ranges are measured once
        vb.translateBy(x=dx)
        view.viewport().repaint()
    measured = bottom.measured
    for dx in (0.03, -0.07, 0.02):
        vb.translateBy(x=dx)
        view.viewport().repaint()
        assert specs(bottom.generateDrawSpecs) == specs(
            lambda p: pg.AxisItem.generateDrawSpecs(bottom, p))
    assert bottom.measured == measured
    bottom.setStyle(tickFont=QFont("DejaVu Sans", 15))
    assert specs(bottom.generateDrawSpecs) == specs(
        lambda p: pg.AxisItem.generateDrawSpecs(bottom, p))



def axis_pixels(view, axis):
    image = view.grab().toImage()
    rect = view.mapFromScene(axis.sceneBoundingRect()).boundingRect()
    return image.copy(rect)


def test_a_pan_sets_no_axis_title_but_draws_the_new_ticks(long_run):
    """pyqtgraph sets an axis's title (HTML, a layout) at each new range; the map's axes set
    it only when it changes (a new SI prefix, a new text), and draw the new ticks."""
    view = long_run.contour
    vb, bottom = view.getViewBox(), view.getPlotItem().getAxis("bottom")
    title, titles = bottom.label.toHtml(), bottom.titles_set
    hidden = [view.getPlotItem().getAxis(name) for name in ("top", "right")]
    hidden_titles = [axis.titles_set for axis in hidden]
    before = axis_pixels(view, bottom)
    vb.translateBy(x=0.37, y=0.21)
    view.viewport().repaint()
    assert bottom.titles_set == titles and bottom.label.toHtml() == title
    assert [axis.titles_set for axis in hidden] == hidden_titles  # the hidden ones too
    assert not any(axis.isVisible() for axis in hidden)          # and hidden they are
    assert hidden[0].height() == 0 and hidden[1].width() == 0
    assert axis_pixels(view, bottom) != before  # the ticks moved
    vb.setXRange(-3e10, 3e10, padding=0)       # a prefix (×1e9): a new title
    view.viewport().repaint()
    assert bottom.titles_set == titles + 1 and "x" in bottom.labelString()
    assert bottom.label.toHtml() != title
    view.getPlotItem().setLabel("bottom", "x₁")
    assert bottom.titles_set == titles + 2 and "x₁" in bottom.label.toPlainText()



def test_the_maps_axes_draw_two_levels_of_ticks(long_run):
    """The labelled ticks and one level between them, not pyqtgraph's third level (a ruler of
    small ticks redrawn at each frame of a pan)."""
    from PySide6.QtGui import QPainter, QPicture

    view = long_run.contour
    vb = view.getViewBox()
    vb.setRange(xRange=(-2.0, 2.0), yRange=(-1.0, 3.0), padding=0)
    view.viewport().repaint()
    for name in ("bottom", "left"):
        axis = view.getPlotItem().getAxis(name)
        (lo, hi), size = axis.range, axis.geometry().width() if name == "bottom" else \
            axis.geometry().height()
        levels = axis.tickValues(lo, hi, size)
        assert len(levels) == 2, name
        wanted = {round(v, 9) for _spacing, values in levels for v in values}
        picture = QPicture()
        painter = QPainter(picture)
        _axis, ticks, texts = axis.generateDrawSpecs(painter)
        painter.end()
        assert len(ticks) == len(wanted) and len(texts) >= 3, name


def test_the_maps_background_is_painted_once(long_run):
    """The map's viewport is not filled with the palette's colour under the view's own
    background (its brush fills every region it repaints), and no pixel is left unpainted."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtGui import QColor, QRegion
    from PySide6.QtWidgets import QWidget

    view = long_run.contour
    port = view.viewport()
    assert not port.autoFillBackground() and port.testAttribute(Qt.WA_OpaquePaintEvent)
    vb = view.getViewBox()
    vb.translateBy(x=40.0)  # the map's pixmap off the view: the background alone
    image = QImage(port.size(), QImage.Format_ARGB32)
    image.fill(QColor("magenta"))
    port.render(image, QPoint(), QRegion(), QWidget.RenderFlag.DrawChildren)  # no window fill
    vb.translateBy(x=-40.0)
    magenta = QColor("magenta").rgb()
    assert not any(image.pixel(x, y) == magenta for x in range(0, image.width(), 7)
                   for y in range(0, image.height(), 7))


def near(a, b, tolerance=60):
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) < tolerance


def test_a_step_moves_the_arrows_as_single_lines(long_run, monkeypatch):
    from gd_explorer.gui.colors import GRAD_COLOR, NEG_GRAD_COLOR

    view, model = long_run.contour, long_run.model
    updates = count_calls(monkeypatch, pg.PlotCurveItem, "updateData")  # pyqtgraph's checks
    lines = (view.grad_shaft, view.neg_shaft, view.u_shaft, view.tangent,
             view.step_preview.shaft)
    sets = [line.sets for line in lines]
    model.step(1)
    view.viewport().repaint()
    assert [line.sets for line in lines] == [n + 1 for n in sets]
    assert not any(args[0] in lines for args in updates)
    x, y = model.current_point
    assert view.grad_shaft.getData()[0][0] == x and view.grad_shaft.getData()[1][0] == y
    image = view.viewport().grab().toImage()
    for shaft, color in ((view.grad_shaft, GRAD_COLOR), (view.neg_shaft, NEG_GRAD_COLOR)):
        (x0, x1), (y0, y1) = shaft.getData()
        along = [view.data_to_viewport(x0 + t * (x1 - x0), y0 + t * (y1 - y0))
                 for t in (0.4, 0.5, 0.6, 0.7, 0.8)]
        assert sum(near(image.pixelColor(p), pg.mkColor(color)) for p in along) >= 4


def test_a_pan_leaves_the_arrows_alone_and_a_zoom_redraws_them(long_run):
    """A pan moves the view, not the arrows, the tangent or u in the data's coordinates: none
    is set again (the legend still moves off the point); a zoom changes their length."""
    view, model = long_run.contour, long_run.model
    vb = view.getViewBox()
    lines = (view.grad_shaft, view.neg_shaft, view.u_shaft, view.tangent)
    view.viewport().repaint()
    tips = [view.arrow_tip(which) for which in ("grad", "neg", "u")]
    sets = [line.sets for line in lines]
    for dx in (0.037, -0.05, 0.013):
        vb.translateBy(x=dx, y=dx / 2)
        view.viewport().repaint()
    assert [line.sets for line in lines] == sets
    assert [view.arrow_tip(which) for which in ("grad", "neg", "u")] == tips
    (x0, x1), _ = vb.viewRange()
    vb.scaleBy((0.5, 0.5))
    view.viewport().repaint()
    assert [line.sets for line in lines] == [n + 1 for n in sets]
    x, y = model.current_point
    ux, uy = view.arrow_tip("u")  # 0.8 of the arrows' length, a fraction of the view's width
    (z0, z1), _ = vb.viewRange()
    assert math.hypot(ux - x, uy - y) == pytest.approx(
        math.hypot(tips[2][0] - x, tips[2][1] - y) * (z1 - z0) / (x1 - x0), rel=1e-9)



def test_the_legend_looks_at_its_corners_in_turn_until_one_is_free(long_run, monkeypatch):
    """At a step the legend's corner is found by looking at the corners in order, stopping
    at the first one clear of the point (mostly the first): one rectangle, not all four."""
    from PySide6.QtCore import QRectF

    from gd_explorer.gui import contour_view

    view = long_run.contour
    vb = view.getViewBox()
    (x0, x1), (y0, y1) = vb.viewRange()
    made = []

    def counted(*args):
        made.append(args)
        return QRectF(*args)

    monkeypatch.setattr(contour_view, "QRectF", counted)
    corners = {}
    for name, (px, py) in {"middle": ((x0 + x1) / 2, (y0 + y1) / 2),
                           "top left": (x0 + 0.02 * (x1 - x0), y1 - 0.02 * (y1 - y0))}.items():
        made.clear()
        view._place_legend(px, py)
        corners[name] = (view._legend_corner, len(made) - 1)  # less the point's clear box
    assert corners == {"middle": ((0, 0), 1), "top left": ((1, 0), 2)}


def test_a_step_leaves_the_hidden_point_note_where_it_is(long_run, monkeypatch):
    """The note beside the point (∇f undefined, ≈ 0) is hidden along an ordinary run: a step
    does not move it; it is placed at the point when it shows."""
    view, model = long_run.contour, long_run.model
    note = view.point_note
    moves = count_calls(monkeypatch, note, "setPos")
    for _ in range(3):
        model.step(1)
        view.viewport().repaint()
    assert not note.isVisible() and moves == []
    model.set_start(1.0, 1.0)  # Rosenbrock's minimum: ∇f = 0 there, and the note says so
    view.viewport().repaint()
    assert note.isVisible() and note.toPlainText()
    assert (note.pos().x(), note.pos().y()) == (1.0, 1.0)


def test_the_marks_paint_with_their_own_pens(long_run, monkeypatch):
    """A light mark (the point, the shafts, the tangent, the next step) paints and measures
    itself with the QPen and QBrush its options hold, not copies made at each paint."""
    import sys

    view, model = long_run.contour, long_run.model
    made = []

    def counted(original):
        def make(*args, **kwargs):
            if sys._getframe(1).f_globals["__name__"] == "gd_explorer.gui.light_marks":
                made.append(args)
            return original(*args, **kwargs)
        return make

    monkeypatch.setattr(pg, "mkPen", counted(pg.mkPen))
    monkeypatch.setattr(pg, "mkBrush", counted(pg.mkBrush))
    steps_and_pans(view, model, 3)
    view.getViewBox().scaleBy((0.9, 0.9))  # a zoom: the marks' boxes worked out again
    view.viewport().repaint()
    assert made == []


def test_a_pan_keeps_the_marks_boxes_and_a_zoom_works_them_out_again(long_run):
    """A light mark's bounds (its points and a margin of pixels, in its coordinates) do not
    change in a pan, so none is worked out again; a zoom works each out again; after both
    they are what working them out afresh gives."""
    from gd_explorer.gui.light_marks import device_box

    view = long_run.contour
    vb = view.getViewBox()
    marks = [view.current, view.grad_shaft, view.neg_shaft, view.u_shaft, view.tangent]
    view.viewport().repaint()

    def fresh(mark):
        return device_box(mark, mark._points, mark._reach())

    def close(a, b):
        return all(math.isclose(u, v, rel_tol=1e-9, abs_tol=1e-12)
                   for u, v in zip(a.getRect(), b.getRect()))

    boxes = [mark.boxes for mark in marks]
    for dx in (0.037, -0.05, 0.013):
        vb.translateBy(x=dx, y=dx / 2)
        view.viewport().repaint()
    assert [mark.boxes for mark in marks] == boxes
    assert all(close(mark.boundingRect(), fresh(mark)) for mark in marks)
    vb.scaleBy((0.5, 0.5))
    view.viewport().repaint()
    assert all(mark.boxes > n for mark, n in zip(marks, boxes))
    assert all(close(mark.boundingRect(), fresh(mark)) for mark in marks)


def test_a_new_map_is_painted_into_the_pixmap_again(long_run):
    view, model = long_run.contour, long_run.model
    before = view.viewport().grab().toImage()
    model.set_spacing("linear" if model.spacing == "log" else "log")  # new colours, new lines
    first_two_frames(view)
    cached = view.viewport().grab().toImage()
    assert largest_difference(cached, before) > 50
    view.image.MOST = 0  # painted directly: the same picture
    view.viewport().repaint()
    assert same_picture(view.viewport().grab().toImage(), cached)


def test_a_change_of_the_contour_lines_alone_is_painted_into_the_maps_pixmap(long_run):
    view = long_run.contour
    for change in (lambda c: c.setPen(pg.mkPen(255, 0, 0, 200, width=1)),  # same bounds
                   lambda c: c.setData(c.getData()[0][: c.getData()[0].size // 2],
                                       c.getData()[1][: c.getData()[1].size // 2])):
        before = view.viewport().grab().toImage()
        change(view.contours)
        first_two_frames(view)
        cached = view.viewport().grab().toImage()
        assert largest_difference(cached, before) > 20  # the lines look different
        view.image.MOST = 0
        view.viewport().repaint()
        assert same_picture(view.viewport().grab().toImage(), cached)
        del view.image.MOST


def test_the_start_marker_is_played_from_its_cache_and_moves_with_the_start(long_run,
                                                                          monkeypatch):
    from gd_explorer.gui.cached_curves import descendants
    from gd_explorer.gui.colors import START_COLOR

    view, model = long_run.contour, long_run.model
    marker = view.start_marker
    painted = [count_calls(monkeypatch, part, "paint") for part in (marker, *descendants(marker))
               if not isinstance(part, pg.TextItem)]
    for _ in range(3):
        model.step(1)
        view.viewport().repaint()
    assert all(calls == [] for calls in painted)
    old = view.data_to_viewport(*model.start)
    model.set_start(-0.5, 0.5)  # a new run from there: the marker moves
    view.viewport().repaint()
    shown = view.viewport().grab().toImage()
    marker.setVisible(False)
    view.viewport().repaint()
    hidden = view.viewport().grab().toImage()
    marker.setVisible(True)

    def ring_pixels(at):
        """Pixels near ``at`` painted in the start's green by the marker (the arrows and the
        label cover part of its ring)."""
        green = pg.mkColor(START_COLOR)
        return sum(near(shown.pixelColor(at.x() + dx, at.y() + dy), green)
                   and not near(hidden.pixelColor(at.x() + dx, at.y() + dy), green)
                   for dx in range(-8, 9) for dy in range(-8, 9))

    assert ring_pixels(view.data_to_viewport(-0.5, 0.5)) >= 10  # a green ring at the new start
    assert ring_pixels(old) == 0                                 # none left at the old one


class Paints(QObject):
    """Counts a widget's Paint events and keeps the rectangle each one paints."""

    def __init__(self, widget):
        super().__init__()
        self.count = 0
        self.rects = []
        widget.installEventFilter(self)

    def eventFilter(self, _obj, event):
        if event.type() == QEvent.Paint:
            self.count += 1
            self.rects.append(event.region().boundingRect())
        return False


def on_screen(widget):
    """What the window's backing store shows of ``widget`` (not a fresh rendering of it)."""
    win = widget.window()
    top_left = widget.mapTo(win, widget.rect().topLeft())
    shot = QApplication.primaryScreen().grabWindow(win.winId()).toImage()
    return shot.copy(top_left.x(), top_left.y(), widget.width(), widget.height())


def test_a_step_paints_only_the_new_row_of_the_iteration_table(long_run):
    """The rows on screen move up by one row's height (scrolled, not painted again); the new
    row and the Δx, Δy of the row before it are painted, and the table then shows what a
    full repaint shows: after a step, after several at once, and in a short run whose new
    rows appear under the last one."""
    win, model = long_run, long_run.model
    table, frame = win.table, win.contour.viewport().repaint  # frame: as in the bench
    port, row = table.viewport(), table.rowHeight(0)
    frame()
    paints = Paints(port)
    for steps in (1, 1, 1, 5):
        paints.rects.clear()
        model.step(steps)
        frame()
        assert table.rowAt(port.height() - 1) == model.run.steps  # it follows the run
        assert paints.rects and all(r.height() <= (steps + 1) * row for r in paints.rects)
        shown = on_screen(port)
        port.update()
        frame()
        assert on_screen(port) == shown
    model.set_start(0.5, 0.5)  # a new run (a new table): two rows, then rows under them
    model.step(1)
    frame()
    for _ in range(3):
        paints.rects.clear()
        model.step(1)
        frame()
        assert paints.rects and all(r.height() <= 2 * row for r in paints.rects)
        shown = on_screen(port)
        port.update()
        frame()
        assert on_screen(port) == shown


def test_a_cells_paint_asks_the_table_once_and_shows_what_data_shows(long_run, monkeypatch):
    """The roles a cell's paint asks for (7) are answered in one multiData call, not one data()
    call each: 11 calls for a step's new row and the Δx, Δy of the row before; the table looks
    as when they are answered by data() role by role."""
    from PySide6.QtCore import QModelRoleData, QModelRoleDataSpan, Qt

    win, model = long_run, long_run.model
    table, frame = win.table, win.contour.viewport().repaint
    cells = table.table_model
    frame()
    asked = count_calls(monkeypatch, cells, "data")
    answered = count_calls(monkeypatch, cells, "multiData")
    for _ in range(3):
        model.step(1)
        frame()
    assert asked == [] and len(answered) == 3 * (len(cells.headers) + 2)
    port = table.viewport()
    ours = port.grab().toImage()

    def role_by_role(index, span):
        for role_data in span:
            role_data.setData(cells.data(index, role_data.role()))

    monkeypatch.setattr(cells, "multiData", role_by_role)
    assert port.grab().toImage() == ours
    one = QModelRoleData(int(Qt.ToolTipRole))  # any other request: from data()
    type(cells).multiData(cells, cells.index(2, 1), QModelRoleDataSpan(one))
    assert one.data() == cells.data(cells.index(2, 1), int(Qt.ToolTipRole))


def test_the_tables_titles_are_not_asked_again_at_each_step(long_run, monkeypatch):
    """The header's titles come from a model of their own: a step's dataChanged (the row
    before's Δx, Δy) makes the header work out its size again, without asking the table's
    model; the header looks as with the table's model."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QHeaderView

    win, model = long_run, long_run.model
    table, frame = win.table, win.contour.viewport().repaint
    cells, header = table.table_model, table.horizontalHeader()
    frame()
    asked = count_calls(monkeypatch, cells, "headerData")
    for _ in range(3):
        model.step(1)
        frame()
    assert asked == []
    titles = [header.model().headerData(i, Qt.Horizontal) for i in range(header.count())]
    assert titles == list(cells.headers) and header.count() == cells.columnCount()
    ours = header.grab().toImage()
    header.setModel(cells)  # as before: the titles from the table's model
    header.setSectionResizeMode(QHeaderView.Stretch)
    assert header.grab().toImage() == ours


def test_the_tables_scroll_bar_repaints_only_when_what_it_shows_changes(long_run):
    win, model = long_run, long_run.model
    bar = win.table.verticalScrollBar()
    frame = win.contour.viewport().repaint  # paints every widget a step changed, as in bench
    frame()
    paints = Paints(bar)
    for _ in range(5):  # 5 rows of 12,000: the handle moves by less than a pixel
        model.step(1)
        frame()
        assert bar.value() == bar.maximum()  # the table follows the run
    assert paints.count <= 1
    last = win.table.rowAt(win.table.viewport().height() - 1)
    assert last == model.run.steps  # the new row is in view
    bar.setValue(bar.maximum() // 2)
    frame()
    shown, before = bar.grab().toImage(), paints.count
    bar.setValue(bar.maximum() // 4)  # the handle moves up, neither end reached
    frame()
    assert paints.count == before + 1  # repainted in the frame
    assert bar.grab().toImage() != shown


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # the tooltip, offscreen
def test_a_step_repaints_only_the_run_lists_state_and_its_tooltip_is_written_when_asked(
        long_run):
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QToolTip

    win, model = long_run, long_run.model
    tree, frame = win.run_list.list, win.contour.viewport().repaint
    port = tree.viewport()
    frame()
    paints = Paints(port)
    for _ in range(3):
        paints.rects.clear()
        model.step(1)
        frame()
        state = tree.visualRect(tree.model().index(0, 1))
        assert paints.rects and all(state.contains(rect) for rect in paints.rects)
    item, run = tree.topLevelItem(0), model.runs[0]
    assert item.text(1) == run.status_text
    pos = tree.visualItemRect(item).center()
    # the event the list's viewport gets before it shows a tooltip
    QApplication.sendEvent(port, QHelpEvent(QEvent.ToolTip, pos, port.mapToGlobal(pos)))
    QToolTip.hideText()
    assert item.toolTip(0) == f"{run.name}: {run.status_text}"
    assert item.toolTip(1) == run.status_text == f"step {model.run.steps}: ready"


def test_basins_are_painted_into_the_maps_pixmap_between_the_colours_and_the_lines(long_run,
                                                                                 qtbot):
    view, model = long_run.contour, long_run.model
    before = view.viewport().grab().toImage()
    with qtbot.waitSignal(model.analysis.basinsChanged, timeout=60000):
        model.analysis.show_basins(resolution=40, steps=200)
    first_two_frames(view)
    cached = view.viewport().grab().toImage()
    assert largest_difference(cached, before) > 50  # the basins' colours show
    view.image.MOST = 0  # painted directly: the same picture
    view.viewport().repaint()
    assert same_picture(view.viewport().grab().toImage(), cached)



def test_after_steps_and_pans_the_window_shows_what_a_full_repaint_shows(long_run):
    """What the partial repaints leave on screen (the window's backing store), against the
    window painted whole: the caches, the skipped repaints and the moved pixmaps mislead
    nowhere."""
    from PySide6.QtWidgets import QWidget

    win, model = long_run, long_run.model
    steps_and_pans(win.contour, model, 6)

    def screen():
        return QApplication.primaryScreen().grabWindow(win.winId()).toImage()

    shown = screen()
    for widget in win.findChildren(QWidget):
        widget.update()
    win.repaint()
    assert screen() == shown


def test_the_legend_shows_its_entries_where_a_new_presentation_size_lays_them_out(long_run,
                                                                                qtbot):
    """The legend's one pixmap is painted again when its entries are laid out again (a new
    font at a presentation size): what it shows is what a fresh paint shows."""
    from gd_explorer.gui.scale import ui_scale

    view = long_run.contour
    legend = view.legend

    def grab():
        QApplication.processEvents()
        qtbot.wait(30)
        rect = view.mapFromScene(legend.sceneBoundingRect()).boundingRect()
        return view.viewport().grab(rect).toImage()

    def shown():
        """The legend once the window has settled: the same in two grabs running (on a busy
        machine the new layout may take a while)."""
        image = grab()
        for _ in range(100):
            again = grab()
            if again == image:
                return again
            image = again
        return image

    # white under the legend: the map is sampled again, the path thinned again meanwhile
    hidden = [item for item in view.getViewBox().addedItems if item.isVisible()]
    for item in hidden:
        item.setVisible(False)
    try:
        for percent in (150, 100):
            ui_scale().set_percent(percent, save=False)
            ours = shown()
            legend.update()  # a fresh paint of the same legend
            fresh = shown()
            assert ours.size() == fresh.size() and largest_difference(ours, fresh) <= 3, percent
    finally:
        ui_scale().set_percent(100, save=False)
        for item in hidden:
            item.setVisible(True)


READOUTS = ("statusLabel", "nextStepLabel", "pointValues")


def readouts(win):
    """The labels a step writes, and the status bar (gui/backdrop.py fills them)."""
    from PySide6.QtWidgets import QLabel

    return [win.findChild(QLabel, name) for name in READOUTS] + [win.statusBar()]


def backdrop_of(widget):
    from gd_explorer.gui.backdrop import Backdrop

    return next(c for c in widget.children() if isinstance(c, Backdrop))


def test_a_step_paints_the_readouts_and_not_the_panels_under_them(long_run):
    """Each readout is filled with the one colour behind it, so Qt paints nothing under it:
    not the window, the splitter, the tab widget's pane or the group box."""
    win, model = long_run, long_run.model
    frame = win.contour.viewport().repaint  # paints every widget a step made dirty (bench)
    # the focus on the map, as when stepping from it: a field's blinking text cursor (the
    # first field has the focus) repaints the field and every panel under it now and then
    win.contour.setFocus()
    assert not QApplication.focusWidget().inherits("QLineEdit")
    frame()
    labels = readouts(win)
    under = set()
    for widget in labels:
        parent = widget.parentWidget()
        while parent is not None:
            under.add(parent)
            parent = parent.parentWidget()
    paints = {w: Paints(w) for w in labels + sorted(under, key=id)}
    renders = [backdrop_of(w).renders for w in labels]
    for _ in range(3):
        model.step(1)
        frame()
    status, bar = labels[0], labels[-1]
    assert paints[status].count == 3 and paints[bar].count == 3  # new texts, repainted
    assert {w.objectName() or type(w).__name__: p.count for w, p in paints.items()
            if w in under and p.count} == {}
    assert [backdrop_of(w).renders for w in labels] == renders  # nothing rendered again


def test_the_readouts_show_the_pixels_they_showed_transparent(long_run):
    """Filled with the one colour behind each (the tab pane's, a group box's, the window's),
    the window looks as with transparent labels: before and after a step, and after the
    status's new style sheet."""
    from PySide6.QtWidgets import QLabel, QWidget

    win, model = long_run, long_run.model
    labels = readouts(win)
    assert len({backdrop_of(w).colour.name() for w in labels}) >= 2  # not the palette's

    def screen():
        for widget in win.findChildren(QWidget):
            widget.update()
        win.repaint()
        return QApplication.primaryScreen().grabWindow(win.winId()).toImage()

    status = win.findChild(QLabel, "statusLabel")
    for step, sheet in ((0, None), (1, None), (0, "color: #b00020; font-weight: bold;")):
        model.step(step)
        if sheet:  # the colour of a stopped run's status: a new style sheet re-polishes it
            status.setStyleSheet(sheet)
            QApplication.processEvents()
        filled = screen()
        assert all(w.autoFillBackground() for w in labels)
        for w in labels:
            w.setAutoFillBackground(False)
        assert screen() == filled
        for w in labels:
            w.setAutoFillBackground(True)


def test_a_new_scale_sets_no_title_on_the_colour_bars_tick_axis(long_run, monkeypatch, qtbot):
    """The bar's tick axis has no title (the bar's is on its left axis): a new function's
    scale draws new ticks without setting that axis's empty title again (pyqtgraph's SI
    prefix relabelled it and measured it at each new scale), and no prefix scales a tick."""
    view, model = long_run.contour, long_run.model
    axis = view.colorbar.axis
    titles = count_calls(monkeypatch, axis.label, "setHtml")
    before = [v for _s, values in axis.tickValues(*axis.range, 300) for v in values]
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.set_expression("2e6*(x^2 + 3*y^2)")
    view.viewport().repaint()
    after = [v for _s, values in axis.tickValues(*axis.range, 300) for v in values]
    assert titles == [] and after != before
    assert axis.autoSIPrefixScale == 1.0 and max(axis.range) > 1e6


def test_the_readouts_are_selectable_only_while_the_pointer_is_on_them(long_run):
    """The point's values and the run's status are rewritten at each step; a selectable label
    lays its text out as a document. They are plain labels until the pointer enters one, stay
    selectable while a selection is held (to copy it), and are plain again once the label
    loses focus."""
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QEnterEvent, QFocusEvent
    from PySide6.QtWidgets import QLabel

    plain, selectable = Qt.NoTextInteraction, Qt.TextSelectableByMouse
    for name in ("pointValues", "statusLabel"):
        label = long_run.findChild(QLabel, name)
        long_run.model.step(1)
        assert label.textInteractionFlags() == plain and label.text()
        QApplication.sendEvent(label, QEnterEvent(QPointF(2, 2), QPointF(2, 2), QPointF(2, 2)))
        assert label.textInteractionFlags() == selectable
        label.setSelection(0, 4)  # dragged over its first characters
        QApplication.sendEvent(label, QEvent(QEvent.Leave))
        assert label.textInteractionFlags() == selectable and label.selectedText()
        long_run.model.step(1)
        assert label.textInteractionFlags() == selectable  # still selectable while stepping
        for reason in (Qt.ActiveWindowFocusReason, Qt.PopupFocusReason):  # not moved on
            QApplication.sendEvent(label, QFocusEvent(QEvent.FocusOut, reason))
            assert label.textInteractionFlags() == selectable
        QApplication.sendEvent(label, QFocusEvent(QEvent.FocusOut, Qt.MouseFocusReason))
        assert label.textInteractionFlags() == plain  # a click elsewhere
        QApplication.sendEvent(label, QEnterEvent(QPointF(2, 2), QPointF(2, 2), QPointF(2, 2)))
        QApplication.sendEvent(label, QEvent(QEvent.Leave))  # in and out without selecting
        assert label.textInteractionFlags() == plain
        QApplication.sendEvent(label, QEnterEvent(QPointF(2, 2), QPointF(2, 2), QPointF(2, 2)))
        label.setFocus(Qt.MouseFocusReason)  # clicked (its context menu: Select All, Copy)
        assert label.hasFocus()
        QApplication.sendEvent(label, QEvent(QEvent.Leave))  # the pointer on the menu
        assert label.textInteractionFlags() == selectable
        long_run.contour.setFocus(Qt.MouseFocusReason)  # a click elsewhere
        assert label.textInteractionFlags() == plain


def test_after_a_direct_first_frame_the_whole_map_is_painted_again_from_its_pixmap(long_run):
    """An edit's first frame paints the map directly, clipped to the view; the colour map's
    fast scaling steps from the clip's corner, so its pixmap (all of it) may put a few cell
    edges a pixel apart. When a later frame that repaints only part of the view (the dial's
    arrow turning) makes the pixmap, the whole map is painted again from it: the screen then
    shows the pixmap's pixels only, with no seam at that part's edges."""
    view, model = long_run.contour, long_run.model
    port = view.viewport()
    shown_map = view.mapFromScene(view.getViewBox().sceneBoundingRect()).boundingRect()
    view.image.update()  # painted again, as after an edit (and nothing else on its way)
    renders = view.image.renders
    for _ in range(3):
        QApplication.processEvents()  # its first frame, painted directly
    assert view.image.renders == renders
    paints = Paints(port)
    model.set_angle(model.angle + 0.3)  # u turns: a frame of part of the view
    for _ in range(3):
        QApplication.processEvents()
    assert view.image.renders == renders + 1
    first, *later = paints.rects
    assert not first.contains(shown_map)  # the part, where the pixmap was made
    assert any(r.contains(shown_map.adjusted(1, 1, -1, -1)) for r in later)  # then all of it
    shown = on_screen(port)
    port.repaint()  # all of it from the pixmap again: the same pixels
    assert view.image.renders == renders + 1
    assert largest_difference(on_screen(port), shown) == 0
