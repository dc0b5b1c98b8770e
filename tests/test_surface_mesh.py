"""Pure geometry of the 3-D view (issue 5): display range, holes, cuts, normals, transform."""
import math

import numpy as np
import pytest

from gd_explorer.core import surface_mesh as sm


def grid_points(fn, n=21, lim=1.0):
    xs, ys = np.meshgrid(np.linspace(-lim, lim, n), np.linspace(-lim, lim, n))
    with np.errstate(all="ignore"):
        z = fn(xs, ys)
    z = np.where(np.isfinite(z), z, np.nan)
    pts = np.stack([xs.ravel(), ys.ravel(), np.nan_to_num(z).ravel()], axis=1)
    return pts, z


def areas(points, faces):
    p = points[faces]
    cross = np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])
    return cross  # z component / 2 is the signed area in xy


# ----- display range ---------------------------------------------------------------
def test_display_range_keeps_a_bowl_whole():
    _, z = grid_points(lambda x, y: x ** 2 + y ** 2, 101, 2.0)
    assert sm.display_range(z) == (pytest.approx(np.nanmin(z)), pytest.approx(np.nanmax(z)))


def test_display_range_cuts_heavy_tails_so_the_surface_is_not_flat():
    _, z = grid_points(lambda x, y: np.exp(x ** 2 + y ** 2), 101, 3.0)
    lo, hi = sm.display_range(z)
    assert lo == pytest.approx(np.nanmin(z))
    assert hi < np.percentile(z, 99) / 100
    assert (np.median(z) - lo) / (hi - lo) >= sm.MIN_SPREAD - 1e-9


def test_display_range_cuts_spikes_both_ways():
    _, up = grid_points(lambda x, y: 1 / (x ** 2 + y ** 2), 100, 2.0)
    assert sm.display_range(up)[1] < 0.01 * np.nanmax(up)
    _, down = grid_points(lambda x, y: np.log(x ** 2 + y ** 2), 100, 2.0)
    lo, hi = sm.display_range(down)
    assert lo > np.nanmin(down) + 1 and hi == pytest.approx(np.nanmax(down))


def test_display_range_flat_undefined_and_infinite():
    assert sm.display_range(np.full((5, 5), 3.0)) == (pytest.approx(1.5), pytest.approx(4.5))
    assert sm.display_range(np.full((5, 5), np.nan)) is None
    lo, hi = sm.display_range(np.array([1.0, 2.0, np.inf, -np.inf, np.nan, 3.0]))
    assert math.isfinite(lo) and math.isfinite(hi) and hi > lo


# ----- colours ---------------------------------------------------------------------
def test_color_scale_linear_and_log():
    from gd_explorer.core.grid import color_scale

    z = np.array([0.0, 1.0, 10.0, 100.0, np.nan])
    lin = color_scale(z, "linear").fraction(z)
    assert lin[0] == 0 and np.isnan(lin[-1]) and np.all(np.diff(lin[:4]) >= 0)
    log_scale = color_scale(z, "log")
    log = log_scale.fraction(z)
    assert log[0] == 0 and log[3] == pytest.approx(1.0, abs=0.01)
    assert log[1] > lin[1]  # log spreads out the low values
    assert color_scale([np.nan], "linear") is None
    # colour-bar labels read back the f values
    assert log_scale.value_at(log_scale.transform(10.0)) == pytest.approx(10.0)


# ----- mesh --------------------------------------------------------------------------
def test_triangle_faces_skip_undefined_vertices():
    ok = np.ones((4, 5), dtype=bool)
    assert len(sm.triangle_faces(ok)) == 2 * 3 * 4
    ok[1, 2] = False
    faces = sm.triangle_faces(ok)
    assert len(faces) == 2 * 3 * 4 - 6   # an inner vertex touches six triangles
    assert not np.isin(1 * 5 + 2, faces)
    pts, _ = grid_points(lambda x, y: x + y, 5)
    assert np.all(areas(pts, sm.triangle_faces(np.ones((5, 5), bool)))[:, 2] > 0)  # all face up


@pytest.mark.parametrize("level", [-0.55, 0.0, 0.3, 0.91])
def test_clip_faces_cuts_along_the_exact_level_line(level):
    pts, z = grid_points(lambda x, y: x + 0 * y, 11)   # f = x, so the cut is the line x = level
    faces = sm.triangle_faces(np.isfinite(z))
    below, fb = sm.clip_faces(pts, faces, level, keep="below")
    used = np.unique(fb)
    assert below[used, 2].max() == pytest.approx(level)
    assert np.all(below[used, 0] <= level + 1e-12)
    a = areas(below, fb)[:, 2] / 2
    assert np.all(a > 0)                                 # orientation kept
    assert a.sum() == pytest.approx((level + 1) * 2)     # exactly the region x <= level
    above, fa = sm.clip_faces(pts, faces, level, keep="above")
    assert (areas(above, fa)[:, 2] / 2).sum() == pytest.approx((1 - level) * 2)


def test_clip_faces_shares_new_vertices_between_neighbours():
    pts, z = grid_points(lambda x, y: x ** 2 + y ** 2, 21)
    faces = sm.triangle_faces(np.isfinite(z))
    out, f = sm.clip_faces(pts, faces, 0.5)   # some grid points lie exactly on the level
    verts, f, _ = sm.compact(out, f)
    assert len(np.unique(verts.round(12), axis=0)) == len(verts)
    assert verts[:, 2].max() == pytest.approx(0.5)
    assert np.all(areas(verts, f)[:, 2] > 0)


def test_trim_domain_follows_the_true_edge_of_the_domain():
    def f(x, y):
        return np.sqrt(1 - x ** 2 - y ** 2)

    pts, z = grid_points(f, 41, 1.2)
    ok = np.isfinite(z)
    staircase = (areas(pts, sm.triangle_faces(ok))[:, 2] / 2).sum()
    out, faces = sm.trim_domain(pts, sm.triangle_faces(np.ones_like(ok)), ok.ravel(), f)
    verts, faces, _ = sm.compact(out, faces)
    assert np.isfinite(verts).all() and np.allclose(verts[:, 2], f(verts[:, 0], verts[:, 1]))
    r = np.hypot(verts[:, 0], verts[:, 1])
    assert r.max() == pytest.approx(1.0, abs=1e-5)
    assert verts[r > 0.99999, 2].max() < 0.01          # the rim reaches down to f = 0
    area = areas(verts, faces)[:, 2] / 2
    assert np.all(area > 0)
    assert staircase < 0.95 * math.pi and area.sum() == pytest.approx(math.pi, rel=0.01)


def test_compact_and_normals_have_no_nan():
    pts, z = grid_points(lambda x, y: np.sqrt(0.8 - x ** 2 - y ** 2), 31)
    faces = sm.triangle_faces(np.isfinite(z))
    verts, f2, kept = sm.compact(pts, faces)
    assert len(verts) < len(pts) and np.array_equal(verts, pts[kept])
    assert np.array_equal(verts[f2], pts[faces])
    assert np.unique(f2).size == len(verts)
    normals = sm.vertex_normals(verts, f2)
    assert np.isfinite(normals).all()
    assert np.allclose(np.linalg.norm(normals, axis=1), 1, atol=1e-5)


def test_vertex_normals_of_a_plane_and_of_a_lonely_vertex():
    pts, z = grid_points(lambda x, y: 0.5 * x + 0 * y, 5)
    n = sm.vertex_normals(pts, sm.triangle_faces(np.isfinite(z)))
    assert np.allclose(n, np.array([-0.5, 0, 1]) / math.sqrt(1.25), atol=1e-6)
    lonely = sm.vertex_normals(np.zeros((3, 3)), np.empty((0, 3), dtype=int))
    assert np.array_equal(lonely, np.tile([0, 0, 1], (3, 1)))


# ----- transform and overlays -------------------------------------------------------
def test_box_transform_keeps_aspect_and_maps_f_to_the_height():
    box = sm.BoxTransform((-4.0, 4.0), (0.0, 2.0), (10.0, 20.0), height=1.5)
    out = box.apply([(-4, 0, 10), (4, 2, 20), (0, 1, 15), (0, 1, 1e9)])
    assert np.allclose(out[:3], [(-1, -0.25, 0), (1, 0.25, 1.5), (0, 0, 0.75)])
    assert out[3, 2] == pytest.approx(1.5)                 # clipped to the top
    assert box.apply([(0, 1, 30)], clip=False)[0, 2] == pytest.approx(3.0)
    assert box.apply([(0, 1, 15)], lift=0.1)[0, 2] == pytest.approx(0.85)


def test_subsample_keeps_ends():
    assert np.array_equal(sm.subsample(5, 10), np.arange(5))
    idx = sm.subsample(100_001, 2000)
    assert len(idx) <= 2000 and idx[0] == 0 and idx[-1] == 100_000 and np.all(np.diff(idx) > 0)


def test_tangent_patch_and_direction_lie_in_the_plane():
    px, py, f, gx, gy = 1.0, -2.0, 3.0, 0.5, -4.0
    corners = sm.tangent_patch(px, py, f, gx, gy, 0.25)
    assert np.allclose(corners[:, 2], f + gx * (corners[:, 0] - px) + gy * (corners[:, 1] - py))
    assert np.allclose(corners.mean(axis=0), (px, py, f))
    phi, length = 2.0, 0.3
    segs = sm.direction_arrow(px, py, f, gx, gy, phi, length)
    assert np.allclose(segs[0], (px, py, f))
    du = gx * math.cos(phi) + gy * math.sin(phi)
    assert np.allclose(segs[1], (px + length * math.cos(phi), py + length * math.sin(phi), f + length * du))
    assert np.allclose(segs[:, 2], f + gx * (segs[:, 0] - px) + gy * (segs[:, 1] - py))


def test_patch_half_size_shrinks_for_steep_planes():
    assert sm.patch_half_size(10.0, 100.0, 0.0, 0.0) == pytest.approx(1.2)
    assert sm.patch_half_size(10.0, 100.0, 30.0, 20.0) == pytest.approx(0.25 * 100 / 50)
    assert sm.patch_half_size(10.0, 100.0, 5000.0, 0.0) == pytest.approx(0.2)  # at least 2 %
    assert sm.patch_half_size(10.0, 100.0, math.inf, 0.0) == pytest.approx(1.2)


# ----- colours: the contour image's lookup ------------------------------------------
def image_colors(lut, levels, values):
    """RGB the contour map's ImageItem shows for these (transformed) values."""
    import pyqtgraph as pg
    from PySide6.QtGui import QImage

    item = pg.ImageItem(axisOrder="row-major")
    item.setLookupTable(lut)
    item.setImage(np.asarray(values, dtype=np.float64)[None, :], autoLevels=False, levels=levels)
    item.render()
    image = item.qimage.convertToFormat(QImage.Format_RGB888)
    w, stride = image.width(), image.bytesPerLine()
    buf = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride)
    return buf[: 3 * w].reshape(w, 3).astype(int)


@pytest.mark.parametrize("spacing", ["linear", "log"])
def test_lut_colors_pick_what_the_contour_image_shows(qapp, spacing):
    import pyqtgraph as pg

    from gd_explorer.core.grid import color_scale

    rng = np.random.default_rng(3)
    z = np.concatenate([rng.lognormal(2.0, 2.0, 400), [-5.0, 0.0, 1e9]])  # below, inside, above
    scale = color_scale(z, spacing)
    lut = pg.colormap.get("viridis").getLookupTable(nPts=256)
    got = np.rint(sm.lut_colors(scale, z, lut)[:, :3] * 255).astype(int)
    want = image_colors(lut, (scale.lo, scale.hi), scale.transform(z))
    assert np.array_equal(got, want)
    assert np.array_equal(got[-1], lut[-1]) and np.array_equal(got[-3], lut[0])
    nan = sm.lut_colors(scale, np.array([np.nan]), lut)
    assert nan[0, 3] == 0                                   # undefined: transparent


def test_window_color_scale_is_the_scale_of_the_sampled_window():
    from gd_explorer.core.function import parse_function
    from gd_explorer.core.grid import COLOR_SAMPLES, color_scale, sample_grid, window_color_scale

    fn = parse_function("(1 - x)^2 + 100*(y - x^2)^2")
    window = ((-2.0, 2.0), (-1.0, 3.0))
    for spacing in ("linear", "log"):
        want = color_scale(sample_grid(fn, *window, COLOR_SAMPLES).z, spacing)
        assert sm_equal(window_color_scale(fn, window, spacing), want)
    assert window_color_scale(parse_function("sqrt(-1 - x^2)"), window) is None


def sm_equal(a, b):
    return (a.spacing, a.zmin, a.offset, a.lo, a.hi) == (b.spacing, b.zmin, b.offset, b.lo, b.hi)


# ----- path clipping --------------------------------------------------------------------
BOX = ((0.0, 0.0, 0.0), (1.0, 1.0, 1.0))


def test_clip_segments_ends_segments_on_the_faces():
    pts = [(0.5, 0.5, 0.5), (2.5, 0.5, 0.5),    # leaves through x = 1
           (3.0, 3.0, 3.0),                      # outside: dropped
           (-1.0, 0.25, 0.5),                    # crosses the whole box back in x
           (0.5, 0.5, 0.5)]                      # enters through x = 0
    segs, idx = sm.clip_segments(pts, *BOX)
    assert np.allclose(segs, [[(0.5, 0.5, 0.5), (1.0, 0.5, 0.5)],
                              [(0.0, 0.25 + 0.25 * 2 / 3, 0.5), (0.5, 0.5, 0.5)]])
    assert list(idx) == [0, 3]


def test_clip_segments_through_top_and_corner():
    segs, _ = sm.clip_segments([(0.5, 0.5, 0.5), (0.5, 0.5, 10.5)], *BOX)   # out through the top
    assert np.allclose(segs, [[(0.5, 0.5, 0.5), (0.5, 0.5, 1.0)]])
    segs, _ = sm.clip_segments([(-1.0, -1.0, -1.0), (2.0, 2.0, 2.0)], *BOX)  # the diagonal
    assert np.allclose(segs, [[(0, 0, 0), (1, 1, 1)]])
    segs, _ = sm.clip_segments([(-1.0, 0.5, 0.5), (-1.0, 2.0, 0.5)], *BOX)   # parallel, outside
    assert len(segs) == 0
    segs, _ = sm.clip_segments([(0.2, 0.2, 0.2), (0.2, 0.2, 0.2)], *BOX)     # a point inside
    assert np.allclose(segs, [[(0.2, 0.2, 0.2), (0.2, 0.2, 0.2)]])


def test_clip_segments_of_a_diverging_run_stay_in_the_box():
    # f grows to 1e300 and x, y to 1e150 (and then inf): nothing outside the box is kept
    pts = np.array([(0.5, 0.5, 0.5), (0.9, 0.1, 0.8), (3.0, -2.0, 1e5), (1e150, -1e150, 1e300),
                    (np.inf, -np.inf, np.nan)])
    segs, idx = sm.clip_segments(pts, *BOX)
    assert list(idx) == [0, 1] and np.isfinite(segs).all()
    assert segs.min() >= 0 and segs.max() <= 1
    assert np.allclose(segs[1, 0], (0.9, 0.1, 0.8))
    end = segs[1, 1]                      # f shoots up: the path leaves through the top
    t = (1.0 - 0.8) / (1e5 - 0.8)
    assert end == pytest.approx((0.9 + t * 2.1, 0.1 - t * 2.1, 1.0))
    assert sm.clip_segments(pts[:1], *BOX)[0].shape == (0, 2, 3)


def test_inside_box():
    mask = sm.inside_box([(0.5, 0.5, 0.5), (1.0, 1.0, 1.0), (1.1, 0.5, 0.5), (np.nan, 0, 0)], *BOX)
    assert list(mask) == [True, True, False, False]


# ----- axes -----------------------------------------------------------------------------
@pytest.mark.parametrize("lo, hi, most, ticks, step", [
    (-3.0, 3.0, 7, [-3, -2, -1, 0, 1, 2, 3], 1.0),
    (-3.0, 3.0, 6, [-2, 0, 2], 2.0),
    (3.23, 445758.6, 6, [1e5, 2e5, 3e5, 4e5], 1e5),
    (0.01539, 200.1, 6, [50, 100, 150, 200], 50.0),
    (-8.999, 8.999, 7, [-5, 0, 5], 5.0),
    (0.1, 0.7, 7, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], 0.1),
    (-1e-7, 3e-7, 5, [-1e-7, 0, 1e-7, 2e-7, 3e-7], 1e-7),
])
def test_nice_ticks(lo, hi, most, ticks, step):
    got, got_step = sm.nice_ticks(lo, hi, most)
    assert got_step == pytest.approx(step) and np.allclose(got, ticks, rtol=1e-12, atol=0)
    assert not np.any(np.signbit(got) & (got == 0))          # no -0


def test_nice_ticks_of_bad_ranges_are_empty():
    for lo, hi in ((1.0, 1.0), (2.0, 1.0), (math.nan, 1.0), (0.0, math.inf)):
        assert len(sm.nice_ticks(lo, hi)[0]) == 0


@pytest.mark.parametrize("value, step, text", [
    (0.0, 1.0, "0"), (-0.0, 0.5, "0"), (-2.0, 1.0, "-2"), (0.1 * 3, 0.1, "0.3"), (150.0, 50.0, "150"),
    (3e5, 1e5, "300000"), (2.5e5, 5e4, "250000"), (-1e-4, 1e-4, "-0.0001"), (2e-7, 1e-7, "2e-7"),
    (1.5e7, 5e6, "1.5e7"), (1.2345, 1e-4, "1.2345"), (12340.0, 10.0, "12340"), (0.002, 0.001, "0.002"),
])
def test_tick_text(value, step, text):
    assert sm.tick_text(value, step) == text


def test_axis_edges_face_the_viewer():
    # pyqtgraph's camera sits at azimuth a: at (cos a, sin a) from the centre, seen from above
    y_edge, x_edge, f_corner = sm.axis_edges(1.0, 0.5, -100)   # from -y, a little from -x
    assert (y_edge, x_edge, f_corner) == (-0.5, -1.0, (-1.0, 0.5))
    y_edge, x_edge, f_corner = sm.axis_edges(1.0, 0.5, 80)     # from +y, a little from +x
    assert (y_edge, x_edge, f_corner) == (0.5, 1.0, (1.0, -0.5))


# ----- camera -----------------------------------------------------------------------------
def test_project_matches_hand_computed_pixels():
    # azimuth 0, elevation 0: the camera looks along -x; right is +y, up is +z
    px = sm.project([(0, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 0)], (0, 0, 0), 4.0, 0.0, 0.0, 90.0,
                    (200, 100))
    assert np.allclose(px, [(100, 50), (100 + 100 / 4, 50), (100, 50 - 100 / 4), (100 + 100 / 3, 50)])


def test_fit_camera_fills_the_view_and_centres_the_box():
    corners = [(sx * 1.0, sy * 0.6, z) for sx in (-1, 1) for sy in (-1, 1) for z in (0.0, 1.0)]
    for size in ((400, 600), (900, 450)):
        center, distance = sm.fit_camera(corners, (0, 0, 0.5), -100, 36, 40, size, margin=(10, 10))
        px = sm.project(corners, center, distance, -100, 36, 40, size)
        left, top = px.min(axis=0)
        right, bottom = px.max(axis=0)
        w, h = size
        assert left >= 9.9 and top >= 9.9 and right <= w - 9.9 and bottom <= h - 9.9
        assert min(left, top) == pytest.approx(10, abs=0.5)          # fills one way
        assert left == pytest.approx(w - right, abs=1.0)              # centred
        assert top == pytest.approx(h - bottom, abs=1.0)


# ----- labels -----------------------------------------------------------------------------
def test_convex_hull():
    hull = sm.convex_hull([(0, 0), (10, 0), (10, 10), (0, 10), (5, 5), (5, 0)])
    assert sorted(map(tuple, hull)) == [(0, 0), (0, 10), (10, 0), (10, 10)]


def test_outline_is_the_convex_hull():
    rng = np.random.default_rng(1)
    for pts in (rng.normal(size=(20000, 2)) * (300, 120) + (400, 300),
                rng.uniform(0, 500, size=(5000, 2)),
                np.vstack([rng.normal(size=(3000, 2)), [(np.nan, 0.0), (np.inf, 1.0)]])):
        hull = sm.outline(pts)
        assert np.array_equal(hull, sm.convex_hull(pts[np.isfinite(pts).all(axis=1)]))
    square = [(0, 0), (4, 0), (4, 4), (0, 4), (1, 2)]
    assert sorted(map(tuple, sm.outline(square))) == [(0, 0), (0, 4), (4, 0), (4, 4)]


def test_place_label_clears_the_box_outline():
    square = sm.obstacle(sm.convex_hull([(0, 0), (10, 0), (10, 10), (0, 10)]))
    assert np.allclose(sm.place_label((12, 5), (1, 0), (4, 2), [square], gap=3), (17, 5))  # free
    assert np.allclose(sm.place_label((5, 5), (1, 0), (4, 2), [square], gap=3), (12, 5))   # inside
    # a second obstacle further out is cleared too
    blocker = sm.obstacle(sm.box_polygon((13, 5), (2, 8)))
    assert np.allclose(sm.place_label((5, 5), (1, 0), (4, 2), [square, blocker], gap=3), (16, 5))
    # diagonal push, out past the corner
    c = sm.place_label((9, 9), (math.sqrt(0.5), math.sqrt(0.5)), (2, 2), [square], gap=0)
    assert c[0] - 1 == pytest.approx(10) or c[1] - 1 == pytest.approx(10)


def test_layout_labels_drops_crowded_ticks_and_moves_names_out():
    hull = sm.convex_hull([(0, 0), (100, 0), (100, 10), (0, 10)])
    down = (0.0, 1.0)
    labels = [((10, 10), down, (20, 10), False), ((20, 10), down, (20, 10), False),   # overlaps
              ((50, 10), down, (20, 10), False), ((50, 10), down, (8, 12), True)]      # a name
    out = sm.layout_labels(labels, hull, gap=4, pad=3)
    assert np.allclose(out[0][0], (10, 19)) and out[1] is None
    assert np.allclose(out[2][0], (50, 19))
    assert np.allclose(out[3][0], (50, 24 + 3 + 6))     # below the tick label "50", 3 px apart
    inside = [((50, 5), down, (20, 10), False)]         # from inside the hull: 3 px clear of it
    assert np.allclose(sm.layout_labels(inside, hull, gap=0, pad=3)[0][0], (50, 10 + 3 + 5))
