"""Sampling f on a grid, contour levels and contour lines."""
import math
import warnings

import numpy as np
import pytest

from gd_explorer.core import InputError, choose_levels, contour_lines, parse_function, sample_grid
from gd_explorer.core.grid import prefers_log, robust_range
from gd_explorer.core.presets import preset_by_name


def test_shape_and_values():
    fn = parse_function("x^2 - 3*y")
    grid = sample_grid(fn, (-2, 2), (-1, 1), resolution=(50, 30))
    assert grid.xs.shape == (50,) and grid.ys.shape == (30,)
    assert grid.z.shape == (30, 50)  # (ny, nx)
    assert grid.z.dtype == np.float64
    assert grid.xs[0] == -2 and grid.xs[-1] == 2 and grid.ys[0] == -1 and grid.ys[-1] == 1
    # z[i, j] = f(xs[j], ys[i])
    for i, j in [(0, 0), (0, 49), (29, 0), (17, 23), (29, 49)]:
        x, y = grid.xs[j], grid.ys[i]
        assert grid.z[i, j] == pytest.approx(x * x - 3 * y, rel=1e-15, abs=1e-15)
    square = sample_grid(fn, (0, 1), (0, 1), resolution=7)
    assert square.z.shape == (7, 7)


def test_non_finite_values_become_nan():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        grid = sample_grid(parse_function("log(x) + y"), (-1, 1), (-1, 1), resolution=(21, 5))
    z = grid.z
    left = grid.xs <= 0  # log is undefined for x < 0 and -inf at x = 0
    assert left.sum() == 11
    assert np.isnan(z[:, left]).all()
    assert np.isfinite(z[:, ~left]).all()
    assert not np.isinf(z).any()
    # 1/(x^2 + y^2) is +inf at the origin, which is on the grid
    grid = sample_grid(parse_function("1/(x^2 + y^2)"), (-1, 1), (-1, 1), resolution=5)
    assert np.isnan(grid.z[2, 2])
    assert np.isfinite(grid.z).sum() == 24
    assert grid.finite.size == 24
    assert grid.finite_range() == (0.5, 4.0)


def test_all_nan_grid():
    grid = sample_grid(parse_function("sqrt(x)"), (-3, -1), (0, 1), resolution=4)
    assert np.isnan(grid.z).all()
    assert grid.finite_range() is None
    assert choose_levels(grid.z).size == 0


@pytest.mark.parametrize("xr, yr, res", [
    ((1, 1), (0, 1), 10), ((1, 0), (0, 1), 10), ((0, math.nan), (0, 1), 10),
    ((0, 1), (0, math.inf), 10), ((0, 1), (0, 1), 1), ((0, 1), (0, 1), 5000), ("ab", (0, 1), 10),
    ((0, 1e13), (0, 1), 10),
])
def test_bad_windows(xr, yr, res):
    with pytest.raises(InputError):
        sample_grid(parse_function("x"), xr, yr, resolution=res)


@pytest.mark.parametrize("text, xr, yr", [
    ("x^2 + y^2", (-3, 3), (-3, 3)),
    ("sin(x)*cos(y)", (-4, 4), (-4, 4)),
    ("(1 - x)^2 + 100*(y - x^2)^2", (-2, 2), (-1, 3)),
    ("log(x) + y", (-1, 2), (-1, 1)),
    ("x - y", (0, 1), (0, 1)),
])
@pytest.mark.parametrize("spacing", ["auto", "linear", "log"])
def test_levels_increasing_and_finite(text, xr, yr, spacing):
    grid = sample_grid(parse_function(text), xr, yr, resolution=80)
    levels = choose_levels(grid.z, count=15, spacing=spacing)
    assert len(levels) == 15
    assert np.isfinite(levels).all()
    assert np.all(np.diff(levels) > 0)
    lo, hi = grid.finite_range()
    assert lo < levels[0] and levels[-1] <= hi


def test_rosenbrock_gets_log_spacing():
    preset = preset_by_name("Rosenbrock")
    assert preset.spacing == "log"
    grid = sample_grid(parse_function(preset.expression), preset.xrange, preset.yrange, 120)
    levels = choose_levels(grid.z, count=20, spacing=preset.spacing)
    assert len(levels) == 20 and np.isfinite(levels).all() and np.all(np.diff(levels) > 0)
    # log spacing: distances above the minimum grow by a constant factor
    offsets = levels - np.nanmin(grid.z)
    ratios = offsets[1:] / offsets[:-1]
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-6)
    assert ratios[0] > 1.05
    assert offsets[-1] > 100 * offsets[0]  # the levels span orders of magnitude
    gaps = np.diff(levels)
    assert gaps[-1] > 100 * gaps[0]
    # linear spacing on the same data would have equal gaps
    lin = np.diff(choose_levels(grid.z, count=20, spacing="linear"))
    np.testing.assert_allclose(lin, lin[0], rtol=1e-9)


@pytest.mark.parametrize("name", ["Beale", "Goldstein-Price"])
def test_auto_spacing_is_log_for_huge_ranges(name):
    preset = preset_by_name(name)
    grid = sample_grid(parse_function(preset.expression), preset.xrange, preset.yrange, 120)
    assert prefers_log(grid.z)
    levels = choose_levels(grid.z, count=12)
    assert np.array_equal(levels, choose_levels(grid.z, count=12, spacing="log"))
    offsets = levels - np.nanmin(grid.z)
    ratios = offsets[1:] / offsets[:-1]
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-6)
    assert offsets[-1] > 100 * offsets[0]


def test_bowl_gets_linear_spacing():
    grid = sample_grid(parse_function("x^2 + y^2"), (-3, 3), (-3, 3), 100)
    assert not prefers_log(grid.z)
    levels = choose_levels(grid.z, count=10)
    np.testing.assert_allclose(np.diff(levels), np.diff(levels)[0], rtol=1e-9)


def test_levels_edge_cases():
    assert choose_levels(np.array([np.nan, np.inf])).size == 0
    assert choose_levels(np.ones(10), count=5).size == 0  # flat: nothing to draw
    assert choose_levels(np.arange(10.0), count=0).size == 0
    assert robust_range([np.nan]) is None
    assert robust_range([2.0, 2.0]) == (1.0, 3.0)


def test_unit_circle_contour():
    grid = sample_grid(parse_function("x^2 + y^2"), (-2, 2), (-2, 2), resolution=201)
    [(level, segments)] = contour_lines(grid, [1.0])
    assert level == 1.0
    assert len(segments) >= 1
    points = np.concatenate(segments)
    assert points.shape[1] == 2 and len(points) > 100
    radius = np.hypot(points[:, 0], points[:, 1])
    assert np.all(np.abs(radius - 1.0) < 1e-2)
    # the line goes all the way round
    angles = np.sort(np.arctan2(points[:, 1], points[:, 0]))
    assert angles[0] < -3.0 and angles[-1] > 3.0
    assert np.max(np.diff(angles)) < 0.1


def test_contours_skip_non_finite_levels_and_nan_regions():
    grid = sample_grid(parse_function("sqrt(x) + 0*y"), (-1, 4), (-1, 1), resolution=101)
    lines = contour_lines(grid, [np.nan, 1.0, np.inf, 10.0])
    assert [lv for lv, _ in lines] == [1.0, 10.0]
    (_, at_one), (_, at_ten) = lines
    pts = np.concatenate(at_one)
    np.testing.assert_allclose(pts[:, 0], 1.0, atol=1e-9)  # sqrt(x) = 1 is the line x = 1
    assert at_ten == []  # never reached on this window


def test_map_levels_and_colours_come_from_the_window_not_the_sampled_area():
    from gd_explorer.core.grid import map_layers

    fn = parse_function("x^2 + y^2")
    window = ((-1.0, 1.0), (-1.0, 1.0))
    snug = map_layers(fn, (-1.3, 1.3), (-1.3, 1.3), 100, "linear", window, 5)
    tall = map_layers(fn, (-1.3, 1.3), (-6.0, 6.0), 100, "linear", window, 5)  # a tall view
    assert np.array_equal(snug.levels, tall.levels) and snug.scale == tall.scale
    # the window's values run from 0 to 2: every level lies inside them
    assert 0 < tall.levels.min() and tall.levels.max() < 2


@pytest.mark.parametrize("spacing, separately, together", [("linear", 2, 1), ("log", 4, 2)])
def test_levels_and_colour_scale_share_their_percentiles(monkeypatch, spacing, separately,
                                                          together):
    """An edit's map works out its levels and colours from the same window's values: the
    percentiles they share are worked out once, and both are what each alone gives."""
    from gd_explorer.core import grid as grid_module

    z = sample_grid(parse_function("(1 - x)^2 + 100*(y - x^2)^2 + 1/(x - 0.3)"), (-2, 2),
                    (-1, 3), 120).z  # NaN on a line, so only finite values may count
    calls = []
    real = np.percentile
    monkeypatch.setattr(grid_module.np, "percentile",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    alone = grid_module.choose_levels(z, 20, spacing), grid_module.color_scale(z, spacing)
    assert len(calls) == separately
    calls.clear()
    levels, scale = grid_module.levels_and_scale(z, 20, spacing)
    assert len(calls) == together
    assert np.array_equal(levels, alone[0]) and levels.size == 20 and scale == alone[1]
    assert grid_module.levels_and_scale(np.array([np.nan]), 20, spacing)[1] is None


@pytest.mark.parametrize("expr", ["sin(3*x)*cos(2*y)", "sqrt(x*y)", "log(x + y) + 1/x"])
def test_contour_points_are_contourpys_lines_with_nan_masked(expr):
    """contour_points makes contourpy's generator itself: the same lines as contourpy's own
    contour_generator, NaN (undefined f) masked, over the whole grid and over a band."""
    import contourpy

    from gd_explorer.core.grid import contour_points

    grid = sample_grid(parse_function(expr), (-2, 2), (-1.5, 2.5), 150)
    levels = choose_levels(grid.z, 20, "linear")
    for rows, cols in [(slice(None), slice(None)), (slice(20, 60), slice(10, 140))]:
        xs, ys, z = grid.xs[cols], grid.ys[rows], grid.z[rows, cols]
        gen = contourpy.contour_generator(xs, ys, z, line_type="ChunkCombinedNan",
                                          name="threaded", thread_count=1)
        lines = [p for (p,), in gen.multi_lines([float(v) for v in levels]) if p is not None]
        want = np.concatenate([part for p in lines for part in (p, np.full((1, 2), np.nan))])
        got = contour_points(grid, levels, rows, cols)
        assert got.shape == want.shape and np.array_equal(got, want, equal_nan=True)


@pytest.mark.parametrize("expr", ["(1 + (x + y + 1)^2*(19 - 14*x + 3*x^2 - 14*y + 6*x*y + 3*y^2))"
                                  "*(30 + (2*x - 3*y)^2*(18 - 32*x + 12*x^2 + 48*y - 36*x*y"
                                  " + 27*y^2))", "sqrt(x) * cos(x*y) + 1/(y - 0.25)", "x", "3"])
def test_sampling_evaluates_f_a_block_of_rows_at_a_time(expr):
    """f is evaluated on at most BLOCK samples at a time (their temporaries stay in the
    processor's cache), each row once, and the grid holds the values of f evaluated on the
    whole grid at once."""
    from gd_explorer.core.grid import BLOCK, DRAW_LIMIT

    fn = parse_function(expr)
    shapes = []

    class Counted:
        def value(self, x, y):
            shapes.append(np.broadcast_shapes(np.shape(x), np.shape(y)))
            return fn.value(x, y)

    grid = sample_grid(Counted(), (-1.0, 3.0), (-2.0, 2.0), 400)
    assert all(rows * cols <= BLOCK and cols == 400 for rows, cols in shapes)
    assert sum(rows for rows, _ in shapes) == 400 and len(shapes) == -(-400 // (BLOCK // 400))
    with np.errstate(all="ignore"):
        whole = np.broadcast_to(fn.value(grid.xs[np.newaxis, :], grid.ys[:, np.newaxis]),
                                (400, 400))
    want = np.clip(np.where(np.isfinite(whole), whole, np.nan), -DRAW_LIMIT, DRAW_LIMIT)
    assert np.array_equal(grid.z, want, equal_nan=True)
