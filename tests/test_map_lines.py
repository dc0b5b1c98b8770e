"""Edit → map (issue 9, row 1): the view's contour lines are worked out first (in tiles, by the
painting), the margins' after them. The lines painted are always the current f's, and in the
end they are all of the grid's lines. Work is counted, never timed."""
from concurrent.futures import Future

import numpy as np
import pytest

from gd_explorer.core import parse_function
from gd_explorer.core.grid import (choose_levels, contour_points, contour_tiles, inner_box,
                                   joined, map_layers, margin_points, part_lines, sample_grid)
from gd_explorer.gui import contour_lines


def same_points(a, b, tol=1e-9):
    """The finite points of a and b are the same set: each within about tol of one of the
    other (cells of size tol, a point matching one in its own or a neighbouring cell)."""
    a, b = (p[np.isfinite(p).all(axis=1)] for p in (a, b))
    if len(a) == 0 or len(b) == 0:
        return len(a) == len(b)
    for p, q in ((a, b), (b, a)):
        cells = set(map(tuple, np.floor(q / tol).astype(np.int64)))
        near = [(i, j) for i in (-1, 0, 1) for j in (-1, 0, 1)]
        for x, y in np.floor(p / tol).astype(np.int64):
            if not any((x + i, y + j) in cells for i, j in near):
                return False
    return True


@pytest.fixture
def bowl_grid():
    fn = parse_function("x^2 + 2*y^2 + sin(3*x)")
    grid = sample_grid(fn, (-2.0, 2.0), (-1.5, 1.5), (61, 47))
    return grid, np.linspace(0.5, 6.0, 7)


def test_the_views_lines_and_the_margins_are_all_of_the_grids_lines(bowl_grid):
    grid, levels = bowl_grid
    box = inner_box(grid, (-1.2, 1.1), (-0.8, 0.9))
    inner = contour_points(grid, levels, *box)
    margins = margin_points(grid, levels, box)
    whole = contour_points(grid, levels)
    assert len(inner) > 50 and len(margins) > 50
    assert same_points(np.concatenate([inner, margins]), whole)
    # the view's part holds every line point inside the view, and none far outside it
    xs, ys = inner[np.isfinite(inner[:, 0])].T
    dx, dy = grid.xs[1] - grid.xs[0], grid.ys[1] - grid.ys[0]
    assert xs.min() > -1.2 - dx and xs.max() < 1.1 + dx
    assert ys.min() > -0.8 - dy and ys.max() < 0.9 + dy
    inside = whole[(whole[:, 0] > -1.2) & (whole[:, 0] < 1.1) & (whole[:, 1] > -0.8)
                   & (whole[:, 1] < 0.9)]
    assert len(inside) > 50 and same_points(np.concatenate([inside, inner]), inner)


def test_a_view_covering_the_grid_leaves_no_margins(bowl_grid):
    grid, levels = bowl_grid
    box = inner_box(grid, (-5.0, 5.0), (-5.0, 5.0))
    assert len(margin_points(grid, levels, box)) == 0
    assert same_points(contour_points(grid, levels, *box), contour_points(grid, levels))


def test_an_edits_map_is_sampled_on_the_calling_thread_alone():
    """A second thread sampling two thirds of the rows made an edit later: the two threads
    hand the interpreter lock to each other between the numpy calls of each block. Every
    block of the map and of the window's colour sample is sampled here, and once."""
    import threading

    fn = parse_function("sqrt(x) * cos(x*y) + 1/(y - 0.25)")
    callers = []

    class Recording:
        text = fn.text

        def value(self, x, y):
            callers.append(threading.current_thread())
            return fn.value(x, y)

    window = ((-1.0, 1.0), (-1.0, 1.0))
    layers = map_layers(Recording(), (-1.3, 1.3), (-1.3, 1.3), (300, 120), "linear", window, 8,
                        first=window)
    blocks = -(-120 // (16384 // 300)) + -(-200 // (16384 // 200))  # the map's, the window's
    assert callers == [threading.current_thread()] * blocks
    plain = sample_grid(fn, (-1.3, 1.3), (-1.3, 1.3), (300, 120))
    assert np.array_equal(layers.grid.z, plain.z, equal_nan=True)
    assert np.isnan(plain.z).any()  # x < 0: undefined, NaN


def test_first_leaves_the_lines_to_the_caller_with_the_views_box():
    fn = parse_function("x^2 + y^2")
    window = ((-1.0, 1.0), (-1.0, 1.0))
    layers = map_layers(fn, (-1.3, 1.3), (-1.3, 1.3), 100, "linear", window, 5, first=window)
    whole = map_layers(fn, (-1.3, 1.3), (-1.3, 1.3), 100, "linear", window, 5)
    assert layers.lines is None and whole.box is None
    assert np.array_equal(layers.levels, whole.levels)
    both = np.concatenate([contour_points(layers.grid, layers.levels, *layers.box),
                           margin_points(layers.grid, layers.levels, layers.box)])
    assert same_points(both, whole.lines)


def test_the_views_lines_are_worked_out_once_by_whoever_asks_in_tiles(monkeypatch):
    """No thread works them out meanwhile (its generators' waits for the interpreter lock
    slowed the painting as much as the thread gained): the first to ask works them out, tile
    by tile, once; they are the view's lines."""
    from gd_explorer.core import grid as grid_module

    made = []
    real = grid_module._lines_generator

    def generator(*args):
        made.append(args)
        return real(*args)

    monkeypatch.setattr(grid_module, "_lines_generator", generator)
    fn = parse_function("(x^2 + y - 11)^2 + (x + y^2 - 7)^2")
    window = ((-5.0, 5.0), (-5.0, 5.0))
    layers = map_layers(fn, (-6.5, 6.5), (-6.5, 6.5), 200, "linear", window, 8, first=window)
    lines = contour_lines.LinesInProgress(layers)
    assert made == []  # nothing until asked
    points, path = lines.result()
    tiles = grid_module.contour_tiles(layers.grid, layers.levels, *layers.box)
    assert len(made) == len(tiles) > 1  # one generator a tile that reaches a level
    assert all(hold for *_, hold in made)  # on the window's thread: the lock kept
    monkeypatch.setattr(grid_module, "_lines_generator", real)
    assert same_points(points, contour_points(layers.grid, layers.levels, *layers.box))
    assert path.elementCount() >= np.isfinite(points[:, 0]).sum()
    assert lines.result()[0] is points and len(made) == len(tiles)  # worked out once


# ----- in the window --------------------------------------------------------------------------
STEEP_IN_X, STEEP_IN_Y = "x + y/1000", "y + x/1000"  # lines nearly vertical; nearly horizontal


def on_levels(text, xs, ys, levels):
    """Whether every finite point (xs, ys) lies on a contour line of f = text (f is linear:
    the lines are exact up to round-off)."""
    finite = np.isfinite(xs)
    f = np.asarray(parse_function(text).value(xs[finite], ys[finite]))
    return finite.sum() > 100 and np.abs(f[:, None] - levels[None, :]).min(axis=1).max() < 1e-9


@pytest.fixture
def window(qtbot, shown_window):
    with qtbot.waitSignal(shown_window.model.functionChanged, timeout=15000):
        shown_window.model.set_expression(STEEP_IN_X)
    shown_window.model.wait_idle(60)
    qtbot.waitUntil(lambda: not shown_window.contour.map_pending(), timeout=15000)
    return shown_window


def view_lines(view):
    return contour_points(view.grid, view.levels,
                          *inner_box(view.grid, *view.getViewBox().viewRange()))


def test_the_lines_painted_after_an_edit_are_the_new_fs(qtbot, window, monkeypatch):
    view, model = window.contour, window.model
    painted = []
    real = view.contours.paint

    def paint(*args):
        real(*args)
        painted.append(view.contours.getData())

    monkeypatch.setattr(view.contours, "paint", paint)
    model.set_expression(STEEP_IN_Y)
    view.viewport().repaint()       # no event processed in between (as the benchmark)
    assert len(painted) == 1
    xs, ys = painted[0]
    # every point lies on a line of the new f, none on the old f's
    assert on_levels(STEEP_IN_Y, xs, ys, view.levels)
    assert not on_levels(STEEP_IN_X, xs, ys, view.levels)
    assert same_points(np.column_stack([xs, ys]), view_lines(view))
    assert view.contours.path.elementCount() >= np.isfinite(xs).sum()


def test_after_an_edit_the_lines_cover_the_whole_grid_with_one_sampling(qtbot, window):
    view, model = window.contour, window.model
    before = view.recomputes
    model.set_expression("x^2 - y^2 + x*y")
    view.viewport().repaint()
    xs, ys = view.contours.getData()
    visible = np.column_stack([xs, ys])
    assert view.map_pending()       # the margins' lines are on their way
    qtbot.waitUntil(lambda: not view.map_pending(), timeout=15000)
    xs, ys = view.contours.getData()
    everything = contour_points(view.grid, view.levels)
    assert same_points(np.column_stack([xs, ys]), everything)
    assert len(everything) > len(visible) + 50  # the margins had lines of their own
    g = view.grid  # the lines reach the grid's edges, beyond the view
    (x0, x1), _ = view.getViewBox().viewRange()
    assert np.nanmin(xs) < x0 - 0.5 * (x0 - g.xs[0]) and np.nanmax(xs) > x1 + 0.5 * (g.xs[-1] - x1)
    assert view.recomputes - before == 1


class HeldJobs:
    """An Executor that keeps its jobs until run_all() (newest first, on a thread)."""

    def __init__(self):
        self.jobs = []

    def submit(self, fn, *args):
        self.jobs.append((fn, args))
        return Future()

    def run_all(self):
        import threading

        def run():
            for fn, args in reversed(self.jobs):
                fn(*args)

        worker = threading.Thread(target=run)
        worker.start()
        worker.join(60)


def test_an_older_formulas_margins_are_never_drawn(qtbot, window, monkeypatch):
    view, model = window.contour, window.model
    held = HeldJobs()
    monkeypatch.setattr(contour_lines, "_margin_lines", held)
    model.set_expression("x + 2*y")
    view.viewport().repaint()
    qtbot.waitUntil(lambda: len(held.jobs) == 1, timeout=15000)  # its margins, held
    model.set_expression(STEEP_IN_Y)
    view.viewport().repaint()
    qtbot.waitUntil(lambda: len(held.jobs) == 2, timeout=15000)
    held.run_all()                    # the newer formula's margins first, then the older's
    qtbot.waitUntil(lambda: not view.map_pending(), timeout=15000)
    qtbot.wait(100)                   # anything still on its way has arrived
    xs, ys = view.contours.getData()
    assert on_levels(STEEP_IN_Y, xs, ys, view.levels)
    assert same_points(np.column_stack([xs, ys]), contour_points(view.grid, view.levels))


def test_the_old_fs_next_step_is_hidden_while_the_new_f_is_previewed(qtbot, window, monkeypatch):
    from tests.test_fast import HeldCompiles

    view, model = window.contour, window.model
    preview = view.step_preview
    assert preview.step is not None and preview.ring.isVisible()  # f = x + y/1000: a step
    old_step = (preview.step.x, preview.step.y)
    held = HeldCompiles(monkeypatch)
    model.set_expression("x^2 + y^2 + 1")  # its derivatives are held: only f is known
    assert not any(item.isVisible() for item in (preview.shaft, preview.casing_ring,
                                                 preview.ring))
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        held.gate.set()
    assert preview.ring.isVisible() and (preview.step.x, preview.step.y) != old_step


def test_contour_points_are_contourpys_serial_lines_with_holes(bowl_grid):
    """The lines are worked out with the interpreter lock released ("threaded", one thread):
    they are exactly contourpy's "serial" lines, NaN holes in the grid included."""
    import contourpy

    grid, levels = bowl_grid
    grid.z[10:14, 20:30] = np.nan
    ours = contour_points(grid, levels)
    gen = contourpy.contour_generator(grid.xs, grid.ys, grid.z, name="serial",
                                      line_type=contourpy.LineType.ChunkCombinedNan)
    serial = [points for (points,), in gen.multi_lines(list(levels)) if points is not None]
    nan = np.full((1, 2), np.nan)
    expected = np.concatenate([part for points in serial for part in (points, nan)])
    assert np.array_equal(ours, expected, equal_nan=True)


def test_lines_asked_for_on_another_thread_let_the_interpreter_lock_go(monkeypatch):
    """The margins' thread may ask first: its generators release the lock while they work,
    so the window's thread is not held up."""
    import threading

    from gd_explorer.core import grid as grid_module

    holds = []
    real = grid_module._lines_generator

    def generator(*args):
        holds.append(args[-1])
        return real(*args)

    monkeypatch.setattr(grid_module, "_lines_generator", generator)
    fn = parse_function("(x^2 + y - 11)^2 + (x + y^2 - 7)^2")
    window = ((-5.0, 5.0), (-5.0, 5.0))
    layers = map_layers(fn, (-6.5, 6.5), (-6.5, 6.5), 120, "linear", window, 8, first=window)
    lines = contour_lines.LinesInProgress(layers)
    asker = threading.Thread(target=lines.result)
    asker.start()
    asker.join(60)
    assert holds and not any(holds)
    monkeypatch.setattr(grid_module, "_lines_generator", real)
    points, _ = lines.result()
    assert same_points(points, contour_points(layers.grid, layers.levels, *layers.box))


def test_contourpy_scans_only_the_levels_f_reaches_in_a_band(bowl_grid, monkeypatch):
    """contourpy scans every cell once per level: a band of rows is given only the levels
    between its lowest and highest f, and its lines are those of all the levels."""
    import contourpy

    from gd_explorer.core import grid as grid_module

    grid, levels = bowl_grid
    rows = slice(20, 27)  # near y = 0: f from about -0.7 to 4.2 here
    band = grid.z[rows]
    scanned = []
    real, make = contourpy.contour_generator, grid_module._lines_generator

    def generator(*args, **kwargs):
        gen = make(*args, **kwargs)
        return type("Counted", (), {"multi_lines": lambda self, lv: (
            scanned.extend(lv), gen.multi_lines(lv))[1]})()

    monkeypatch.setattr(grid_module, "_lines_generator", generator)
    ours = contour_points(grid, levels, rows)
    monkeypatch.setattr(grid_module, "_lines_generator", make)
    reached = [v for v in levels if np.nanmin(band) <= v <= np.nanmax(band)]
    assert 0 < len(reached) < len(levels) and scanned == reached
    gen = real(grid.xs, grid.ys[rows], band, line_type=contourpy.LineType.ChunkCombinedNan)
    every = [p for (p,), in gen.multi_lines(list(levels)) if p is not None]
    nan = np.full((1, 2), np.nan)
    assert np.array_equal(ours, np.concatenate([q for p in every for q in (p, nan)]),
                          equal_nan=True)


@pytest.fixture
def himmelblau_grid():
    fn = parse_function("(x^2 + y - 11)^2 + (x + y^2 - 7)^2")
    grid = sample_grid(fn, (-6.0, 6.0), (-6.0, 6.0), 260)
    grid.z[100:120, 30:200] = np.nan  # a hole: masked, and skipped by each tile's range
    return grid, choose_levels(grid.z, 20, "log")


def test_each_tile_scans_only_the_levels_f_reaches_in_it(himmelblau_grid):
    """contour_tiles cuts the part into tiles that share their edge samples; each is given
    only the levels between its lowest and highest f, and those that reach none are left out:
    on Himmelblau contourpy scans well under half the cells (once per level) the whole part
    would; every cell that a level crosses is in exactly one tile."""
    grid, levels = himmelblau_grid
    rows, cols = slice(10, 250), slice(20, 240)
    tiles = contour_tiles(grid, levels, rows, cols, size=32)
    times = np.zeros(grid.z.shape, dtype=int)  # how many tiles hold each cell
    scanned = 0
    for r, c, lv in tiles:
        part = grid.z[r, c]
        assert 10 <= r.start and r.stop <= 250 and 20 <= c.start and c.stop <= 240
        assert 30 <= part.shape[0] - 1 <= 40 and 30 <= part.shape[1] - 1 <= 40  # ~32 cells
        assert lv == [float(v) for v in np.sort(levels)
                      if np.nanmin(part) <= v <= np.nanmax(part)] != []
        times[r.start:r.stop - 1, c.start:c.stop - 1] += 1
        scanned += len(lv) * part.size
    corners = np.stack([grid.z[:-1, :-1], grid.z[1:, :-1], grid.z[:-1, 1:], grid.z[1:, 1:]])
    lo, hi = np.fmin.reduce(corners), np.fmax.reduce(corners)  # NaN where all are NaN
    crossed = ((lo[..., None] <= levels) & (levels <= hi[..., None])).any(axis=-1)
    inside = np.zeros_like(crossed)
    inside[10:249, 20:239] = True
    assert times.max() == 1 and (times[:-1, :-1][crossed & inside] == 1).all()
    assert len(tiles) < 7 * 7  # of 239 x 219 cells; some reach no level: left out
    assert scanned < 0.5 * len(levels) * grid.z[rows, cols].size


def test_the_tiles_lines_are_the_parts_lines(himmelblau_grid):
    grid, levels = himmelblau_grid
    rows, cols = slice(10, 250), slice(20, 240)
    tiles = contour_tiles(grid, levels, rows, cols, size=32)
    ours = joined([points for tile in tiles for points in part_lines(grid, *tile)])
    assert len(ours) > 1000 and same_points(ours, contour_points(grid, levels, rows, cols))
    # holding the interpreter lock ("serial") gives exactly the same lines
    for tile in tiles[::5]:
        alike = zip(part_lines(grid, *tile), part_lines(grid, *tile, True), strict=True)
        assert all(np.array_equal(a, b, equal_nan=True) for a, b in alike)


def test_parts_without_cells_or_values_have_no_tiles(himmelblau_grid):
    grid, levels = himmelblau_grid
    assert contour_tiles(grid, levels, slice(5, 6)) == []
    assert contour_tiles(grid, levels, slice(None), slice(7, 8)) == []
    assert contour_tiles(grid, levels, slice(101, 119), slice(31, 199)) == []  # all NaN
    assert contour_tiles(grid, [np.nan, np.inf]) == []


def path_elements(path):
    return [(e.type, e.x, e.y) for e in map(path.elementAt, range(path.elementCount()))]


def test_drawn_is_pyqtgraphs_path_of_the_finite_points(himmelblau_grid):
    """drawn builds the path of pyqtgraph's arrayToQPath(connect="finite") itself (a quarter
    of its Python a line): element for element the same, a line's end included."""
    import pyqtgraph as pg

    grid, levels = himmelblau_grid
    tiles = contour_tiles(grid, levels, slice(10, 250), slice(20, 240), size=32)
    lines = joined([points for tile in tiles for points in part_lines(grid, *tile)])
    one = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
    two = np.concatenate([one, [[np.nan, np.nan]], one[:2] + 1, [[np.nan, np.nan]]])
    for points in (lines, one, two, one[:1], np.empty((0, 2))):
        want = pg.arrayToQPath(points[:, 0], points[:, 1], connect="finite")
        got = contour_lines.drawn(points)
        assert got[0] is points and path_elements(got[1]) == path_elements(want)
    assert len(path_elements(contour_lines.drawn(two)[1])) == 3 + 1 + 2 + 1  # ends twice
