"""The contour-lines process (issue 9, row 1): it works out the first tiles of an edit's lines
while the window paints the colour map. Its lines are the window's own, whichever process
works them out; a process that is missing, slow, lost or talking nonsense costs nothing but
the time: the window works those tiles out itself. Work is counted, never timed."""
import select
import sys
import time

import numpy as np
import pytest

from gd_explorer.core import parse_function
from gd_explorer.core import grid as grid_module
from gd_explorer.core.grid import TILE, contour_points, contour_tiles, inner_box
from gd_explorer.core.lines_worker import (REQUEST, LinesProcess, decode_request,
                                           encode_request, lines)
from gd_explorer.gui import contour_lines
from gd_explorer.gui.contour_lines import LinesInProgress

HIMMELBLAU = "(x^2 + y - 11)^2 + (x + y^2 - 7)^2"


@pytest.fixture(scope="module")
def layers():
    """A map's layers as ContourView gets them for an edit: levels, and the view's box."""
    window = ((-5.0, 5.0), (-5.0, 5.0))
    return grid_module.map_layers(parse_function(HIMMELBLAU), (-6.5, 6.5), (-6.5, 6.5), 300,
                                  "linear", window, 20, first=window)


def body_of(parts):
    return b"".join(memoryview(p).cast("B").tobytes() for p in parts)


def ready(process):
    assert process.wait_ready()
    rid = process.submit([REQUEST.pack(2, 2, 0, 0), np.zeros(8)])
    assert rid is not None and process.poll(rid, 60) == b""  # no tiles: no lines


def arrived(process):
    """Wait until the process's reply has begun to arrive (a deadline, not a measurement)."""
    assert select.select([process._rfd], [], [], 60)[0]


# a process that loads, reads one request and then does what the tail says
FAKE = ("import os, sys; os.write(1, b'GDw1' + bytes(12)); h = sys.stdin.buffer.read(16); "
        "sys.stdin.buffer.read(int.from_bytes(h[12:16], 'big')); ")


def test_a_request_carries_the_samples_and_tiles_exactly(layers):
    grid = layers.grid
    tiles = contour_tiles(grid, layers.levels, *layers.box, TILE)
    got_grid, got_tiles = decode_request(body_of(encode_request(grid.xs, grid.ys, grid.z, tiles)))
    assert np.array_equal(got_grid.z, grid.z, equal_nan=True)
    assert np.array_equal(got_grid.xs, grid.xs) and np.array_equal(got_grid.ys, grid.ys)
    assert got_tiles == tiles
    # its reply: the tiles' lines, as the window works them out
    reply = np.frombuffer(lines(body_of(encode_request(grid.xs, grid.ys, grid.z, tiles))))
    assert np.array_equal(reply.reshape(-1, 2), contour_points(grid, layers.levels, *layers.box,
                                                               TILE), equal_nan=True)


@pytest.mark.parametrize("damage", ["short", "extra byte", "tile outside", "levels outside",
                                    "no cell"])
def test_a_request_whose_sizes_do_not_add_up_is_refused(damage):
    z = np.arange(12.0).reshape(3, 4)
    tiles = [(slice(0, 3), slice(0, 4), [1.5, 7.5])]
    parts = encode_request(np.arange(4.0), np.arange(3.0), z, tiles)
    body = body_of(parts)
    if damage == "short":
        body = body[:10]
    elif damage == "extra byte":
        body += b"\0"
    elif damage == "tile outside":
        parts[-1] = np.array([[0, 4, 0, 4, 0, 2]], dtype=np.int32)  # a fourth row
        body = body_of(parts)
    elif damage == "levels outside":
        parts[-1] = np.array([[0, 3, 0, 4, 0, 3]], dtype=np.int32)  # a third level
        body = body_of(parts)
    else:
        parts[-1] = np.array([[1, 2, 0, 4, 0, 2]], dtype=np.int32)  # one row of samples
        body = body_of(parts)
    with pytest.raises(ValueError):
        decode_request(body)


def test_the_process_starts_only_when_asked_to():
    process = LinesProcess()
    try:
        assert process.submit([REQUEST.pack(2, 2, 0, 0), np.zeros(8)], start=False) is None
        assert process.pid is None
        assert process.submit([REQUEST.pack(2, 2, 0, 0), np.zeros(8)], start=True) is None
        assert process.pid is not None  # started; the request goes to the window's thread
    finally:
        process.stop()


def test_with_the_process_the_lines_are_the_windows_own_and_it_works_out_the_rest(
        layers, monkeypatch):
    process = LinesProcess()
    try:
        ready(process)
        worked_here = []
        real = grid_module.part_lines

        def counted(grid, rows, cols, levels, hold=False):
            worked_here.append((rows, cols))
            return real(grid, rows, cols, levels, hold)

        monkeypatch.setattr(grid_module, "part_lines", counted)
        lines_ = LinesInProgress(layers, process)
        tiles, (_rid, count) = lines_._tiles, lines_._sent
        assert 0 < count < len(tiles) and process.sent == 2  # the readiness check, this map
        arrived(process)
        points, path = lines_.result()
        assert worked_here == [(rows, cols) for rows, cols, _ in tiles[count:]]
        assert np.array_equal(points, contour_points(layers.grid, layers.levels, *layers.box,
                                                     TILE), equal_nan=True)
        assert path.elementCount() >= np.isfinite(points[:, 0]).sum()
    finally:
        process.stop()


def test_a_slow_process_is_not_waited_for(layers, monkeypatch):
    """Its tiles are worked out here; it is stopped once silent for SILENT_LIMIT."""
    process = LinesProcess([sys.executable, "-c", FAKE + "import time; time.sleep(60)"])
    try:
        assert process.wait_ready()
        worked_here = []
        real = grid_module.part_lines
        monkeypatch.setattr(grid_module, "part_lines",
                            lambda grid, rows, *rest: worked_here.append(rows) or real(grid, rows,
                                                                                      *rest))
        lines_ = LinesInProgress(layers, process)
        assert lines_._sent is not None
        points, _path = lines_.result()
        assert len(worked_here) == len(lines_._tiles)  # all of them, here
        assert np.array_equal(points, contour_points(layers.grid, layers.levels, *layers.box,
                                                     TILE), equal_nan=True)
        from gd_explorer.core import lines_worker

        monkeypatch.setattr(lines_worker, "SILENT_LIMIT", 0.0)
        assert LinesInProgress(layers, process)._sent is None  # not sent; the silent one
        assert process.failures == 1 and process.pid is None   # is stopped
    finally:
        process.stop()


def test_a_lost_process_costs_nothing_but_the_time(layers):
    process = LinesProcess([sys.executable, "-c", FAKE + "os._exit(0)"])  # dies, no reply
    try:
        assert process.wait_ready()
        lines_ = LinesInProgress(layers, process)
        assert lines_._sent is not None
        process._proc.wait(60)
        points, _path = lines_.result()  # its tiles worked out here instead
        assert np.array_equal(points, contour_points(layers.grid, layers.levels, *layers.box,
                                                     TILE), equal_nan=True)
        assert process.failures == 1 and process.pid is None
        again = LinesInProgress(layers, process)  # not started again unless asked
        assert again._sent is None and process.pid is None
        assert np.array_equal(again.result()[0], points, equal_nan=True)
    finally:
        process.stop()


@pytest.mark.parametrize("reply", [
    b"not a reply at all",                                       # not a message
    b"GDw1" + (1).to_bytes(8, "big") + (15).to_bytes(4, "big") + bytes(15),  # 15 bytes of points
    b"GDw1" + (7).to_bytes(8, "big") + (16).to_bytes(4, "big") + bytes(16),  # another request's
])
def test_a_process_talking_nonsense_is_stopped_and_the_lines_still_drawn(layers, reply):
    process = LinesProcess([sys.executable, "-c", FAKE + f"os.write(1, {reply!r}); "
                            "import time; time.sleep(60)"])
    try:
        assert process.wait_ready()
        rid = process.submit([REQUEST.pack(2, 2, 0, 0), np.zeros(8)])
        arrived(process)
        assert process.poll(rid) is None and process.failures == 1 and process.pid is None
        lines_ = LinesInProgress(layers, process)  # not started again unless asked
        assert lines_._sent is None
        assert np.array_equal(lines_.result()[0], contour_points(
            layers.grid, layers.levels, *layers.box, TILE), equal_nan=True)
    finally:
        process.stop()


def test_a_process_that_never_says_ready_is_not_waited_for_again():
    process = LinesProcess([sys.executable, "-c", "import os; os.write(1, b'garbage header!!')"])
    try:
        assert not process.wait_ready() and process.failures == 1 and process.pid is None
    finally:
        process.stop()


def test_an_edit_never_painted_leaves_no_reply_for_the_next(layers):
    """Its reply is read and dropped when it has come; the next map gets its own lines."""
    other = grid_module.map_layers(parse_function("x^2 - y^2"), (-6.5, 6.5), (-6.5, 6.5), 300,
                                   "linear", ((-5.0, 5.0), (-5.0, 5.0)), 20,
                                   first=((-5.0, 5.0), (-5.0, 5.0)))
    process = LinesProcess()
    try:
        ready(process)
        dropped = LinesInProgress(layers, process)
        assert dropped._sent is not None
        end = time.monotonic() + 60
        while True:  # sent only once the dropped map's reply is there to read
            painted = LinesInProgress(other, process)
            if painted._sent is not None:
                break
            assert time.monotonic() < end
            time.sleep(0.02)
        assert np.array_equal(painted.result()[0],
                              contour_points(other.grid, other.levels, *other.box, TILE),
                              equal_nan=True)
        assert process.failures == 0
    finally:
        process.stop()


def test_a_typed_formula_starts_the_process_and_the_next_ones_use_it(qtbot, shown_window,
                                                                      monkeypatch):
    """A preset starts nothing; the first typed formula starts it; once it has loaded, a typed
    formula's map sends it tiles, and the map shows the window's own lines."""
    model, view = shown_window.model, shown_window.contour
    process = LinesProcess()
    monkeypatch.setattr(contour_lines, "_process", process)
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.load_preset("Himmelblau")
    assert process.pid is None
    end, k = time.monotonic() + 60, 0
    while True:
        sent = process.sent
        k += 1
        with qtbot.waitSignal(model.functionChanged, timeout=15000):
            model.set_expression(f"{HIMMELBLAU} + {k}*x/1000")
            view.viewport().repaint()  # the preview's map, painted
        assert process.pid is not None
        if process.sent > sent:
            break
        assert time.monotonic() < end, "the lines process did not start"
    g, levels = view.grid, view.levels
    inside = contour_points(g, levels, *inner_box(g, *view.getViewBox().viewRange()), TILE)
    shown = np.column_stack(view.contours.getData())
    assert len(inside) > 100
    assert np.array_equal(shown[:len(inside)], inside, equal_nan=True)  # then the margins'
    process.stop()
