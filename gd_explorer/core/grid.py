"""Sampling f on a rectangle and contour lines (contourpy)."""
import math
from dataclasses import dataclass

import contourpy
import numpy as np

from .errors import InputError

MAX_RESOLUTION = 2000
DRAW_LIMIT = 1e150  # sampled values are clipped to +-this
# f is evaluated on at most this many samples at a time: the temporaries of a block of rows
# stay in the processor's cache (a 400² map in one go took twice as long; the same values)
BLOCK = 16384


@dataclass(frozen=True)
class Grid:
    """f sampled on a regular grid; ``z[i, j]`` is f(xs[j], ys[i]); non-finite values are NaN."""

    xs: np.ndarray
    ys: np.ndarray
    z: np.ndarray

    @property
    def finite(self):
        return self.z[np.isfinite(self.z)]

    def finite_range(self):
        vals = self.finite
        if vals.size == 0:
            return None
        return float(vals.min()), float(vals.max())


def check_window(xrange, yrange):
    """Validate a view window; returns ((x0, x1), (y0, y1)) as floats."""
    out = []
    for name, rng in (("x", xrange), ("y", yrange)):
        try:
            lo, hi = (float(v) for v in rng)
        except (TypeError, ValueError):
            raise InputError(f"the {name} range must be two numbers") from None
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise InputError(f"the {name} range must be finite")
        if not hi > lo:
            raise InputError(f"the {name} range must go from a smaller to a larger number")
        if hi - lo < 1e-12 * max(1.0, abs(lo), abs(hi)) or max(abs(lo), abs(hi)) > 1e12:
            raise InputError(f"the {name} range is too small or too large to draw")
        out.append((lo, hi))
    return tuple(out)


def sample_grid(function, xrange, yrange, resolution=200):
    """Sample f on resolution x resolution points (or (nx, ny)); values beyond ±1e150
    are clipped to it, and undefined ones are NaN. On the calling thread alone: a second
    thread sampling two thirds of an edit's map made it later (0.7-1.2 ms of ~16): the two
    threads hand the interpreter lock to each other between the numpy calls of each block."""
    (x0, x1), (y0, y1) = check_window(xrange, yrange)
    nx, ny = (resolution, resolution) if np.isscalar(resolution) else resolution
    nx, ny = int(nx), int(ny)
    if not (2 <= nx <= MAX_RESOLUTION and 2 <= ny <= MAX_RESOLUTION):
        raise InputError(f"the resolution must be between 2 and {MAX_RESOLUTION}")
    xs = np.linspace(x0, x1, nx)
    ys = np.linspace(y0, y1, ny)
    z = np.empty((ny, nx))
    step = max(1, BLOCK // nx)
    for a in range(0, ny, step):  # a block of rows at a time
        z[a:a + step] = function.value(xs[np.newaxis, :], ys[a:a + step, np.newaxis])
    z[~np.isfinite(z)] = np.nan
    np.clip(z, -DRAW_LIMIT, DRAW_LIMIT, out=z)  # so differences of values never overflow
    return Grid(xs, ys, z)


def robust_range(values, low=1.0, high=99.0):
    """Percentile range of the finite values, widened if flat; None if there are none."""
    vals = np.asarray(values, dtype=np.float64)
    vals = vals[np.isfinite(vals)]
    if vals.size == 0:
        return None
    lo, hi = np.percentile(vals, [low, high])
    if not hi > lo:
        lo, hi = float(vals.min()), float(vals.max())
    if not hi > lo:
        pad = max(1.0, abs(lo)) * 0.5
        lo, hi = lo - pad, hi + pad
    return float(lo), float(hi)


def prefers_log(values):
    """True when f spans orders of magnitude above its minimum (e.g. Rosenbrock)."""
    vals = np.asarray(values, dtype=np.float64)
    vals = vals[np.isfinite(vals)]
    if vals.size < 4:
        return False
    lo = vals.min()
    spread = np.percentile(vals, [50, 99]) - lo
    return bool(spread[0] > 0 and spread[1] / spread[0] > 20)


def log_offset(values, span, low=None):
    """The smallest height above the minimum that log spacing resolves: the 2nd percentile
    of f - min (``low``, when already worked out), so the low-lying 98% of the window gets
    levels and colours."""
    if low is None:
        vals = np.asarray(values, dtype=np.float64)
        low = float(np.percentile(vals - vals.min(), 2)) if vals.size else 0.0
    return min(max(low, span * 1e-9, 1e-300), span * 0.5)


def _finite(values):
    vals = np.asarray(values, dtype=np.float64)
    return vals[np.isfinite(vals)]


def _ends(vals, spacing):
    """(lo, hi, low) of finite values, which the levels and the colour scale share: the 2nd
    and 98th percentiles (low None), or for log spacing the minimum, the 99.5th percentile and
    the 2nd percentile of the heights above the minimum (see log_offset)."""
    if spacing == "log":
        lo, hi = float(vals.min()), float(np.percentile(vals, 99.5))
        return lo, hi, float(np.percentile(vals - lo, 2))
    lo, hi = (float(v) for v in np.percentile(vals, [2, 98]))
    return lo, hi, None


def choose_levels(values, count=20, spacing="auto", ends=None):
    """About ``count`` contour levels over the finite values; spacing 'linear', 'log' or 'auto'.
    ``ends``: _ends of these values for this spacing, when already worked out (the values are
    then the finite ones already)."""
    vals = _finite(values) if ends is None else np.asarray(values)
    if vals.size == 0 or count < 1:
        return np.array([])
    if spacing == "auto":
        spacing = "log" if prefers_log(vals) else "linear"
    # log: from the minimum; linear: robust ends, so a singular line does not squash every
    # level into one band
    lo, hi, low = ends or _ends(vals, spacing)
    if not hi > lo:
        return np.array([lo]) if vals.max() > lo else np.array([])
    if spacing == "log":
        return lo + np.geomspace(log_offset(vals, hi - lo, low), hi - lo, count)
    return np.linspace(lo, hi, count + 2)[1:-1]


def contour_lines(grid, levels):
    """Contour lines as a list of (level, [N x 2 arrays of x, y])."""
    gen = contourpy.contour_generator(grid.xs, grid.ys, grid.z,  # NaN: masked (no copy, 5 ms)
                                      line_type=contourpy.LineType.Separate)
    out = []
    for level in levels:
        if not np.isfinite(level):
            continue
        out.append((float(level), [np.asarray(seg) for seg in gen.lines(float(level))]))
    return out


def contour_points(grid, levels, rows=slice(None), cols=slice(None), size=None, hold=False):
    """Every contour line of ``levels`` in one (N, 2) array, a NaN row between lines (as a
    line item draws them with connect="finite"); only over the samples ``rows`` x ``cols``
    when given (slices of the grid's rows and columns). Worked out in one piece, or in
    contour_tiles' tiles of ``size`` cells a side; either way only with the levels f reaches
    there (contourpy scans every cell once for each level). ``hold``: see part_lines."""
    tiles = contour_tiles(grid, levels, rows, cols, size or max(grid.z.shape))
    return joined(tile_lines(grid, tiles, hold))


def tile_lines(grid, tiles, hold=False):
    """part_lines of each of ``tiles`` (contour_tiles'), in their order: a list for joined."""
    return [points for tile in tiles for points in part_lines(grid, *tile, hold)]


def part_lines(grid, rows, cols, levels, hold=False):
    """contourpy's lines of ``levels`` (floats) over the samples ``rows`` x ``cols``: a list
    of (N, 2) arrays, one a level it finds, NaN between lines (see joined). ``hold``: keep
    the interpreter lock meanwhile (see _lines_generator)."""
    if not levels:
        return []
    gen = _lines_generator(grid.xs[cols], grid.ys[rows], grid.z[rows, cols], hold)
    return [points for (points,), in gen.multi_lines(levels) if points is not None]


def joined(parts):
    """One (N, 2) array of the lines in ``parts`` (from part_lines), a NaN row after each."""
    if not parts:
        return np.empty((0, 2))
    nan = np.full((1, 2), np.nan)
    return np.concatenate([part for points in parts for part in (points, nan)])


TILE = 100  # cells a side of contour_tiles' tiles


def contour_tiles(grid, levels, rows=slice(None), cols=slice(None), size=TILE):
    """The work of contour_points(grid, levels, rows, cols) cut into tiles of about ``size``
    cells a side, neighbours sharing their edge samples (so their lines meet): a list of
    (rows, cols, levels), each tile with only the levels f reaches in it (sorted floats),
    the tiles that reach none left out; part_lines(grid, *tile) is a tile's lines.
    contourpy scans every cell once per level, lines or not: on the presets a 100-cell
    tile's own levels scan 50-70 % of the cells the view's would (a third with 32 cells,
    but each generator costs ~10 us and ~5 ns a sample). Measured in an edit, the view's
    lines took ~1 ms less than in one piece with 64 or 100 cells, ~0.5 ms with 128; and
    each tile's edge splits the lines that cross it, which a painted 1-pixel line shows (a
    pixel brighter where two pieces meet): 100 splits the view about as much as the 4 bands
    of rows before, 64 twice as much."""
    (r0, r1, _), (c0, c1, _) = (part.indices(n) for part, n in zip((rows, cols), grid.z.shape))
    if r1 - r0 < 2 or c1 - c0 < 2:
        return []
    z = grid.z[r0:r1, c0:c1]
    ry, cx = _cuts(r1 - r0, size), _cuts(c1 - c0, size)
    lo, hi = (_tile_reduce(ufunc, z, ry, cx) for ufunc in (np.fmin, np.fmax))
    values = np.asarray(levels, dtype=np.float64)
    values = np.sort(values[np.isfinite(values)])
    # the levels lo <= v <= hi of each tile (NaN where all is NaN: none)
    first, stop = np.searchsorted(values, lo, "left"), np.searchsorted(values, hi, "right")
    return [(slice(r0 + ry[i], r0 + ry[i + 1] + 1), slice(c0 + cx[j], c0 + cx[j + 1] + 1),
             values[first[i, j]:stop[i, j]].tolist()) for i, j in zip(*np.nonzero(stop > first))]


def _cuts(count, size):
    """The first sample of each of about (count - 1) / size equal runs of cells, and the last."""
    return np.linspace(0, count - 1, max(round((count - 1) / size), 1) + 1).round().astype(int)


def _tile_reduce(ufunc, z, ry, cx):
    """ufunc (fmin or fmax) over each tile's samples, edges included: rows first (along the
    rows numpy reduces a whole row at a time), then the columns of the (tiles, columns)."""
    rows = np.stack([ufunc.reduce(z[a:b + 1], axis=0) for a, b in zip(ry[:-1], ry[1:])])
    return ufunc(ufunc.reduceat(rows, cx[:-1], axis=1), rows[:, cx[1:]])


def _lines_generator(xs, ys, z, hold=False):
    """contourpy's "threaded" generator on one thread, of ChunkCombinedNan lines, NaN masked:
    the lines of "serial", but the interpreter lock is released while they are worked out (on
    the map's thread, "serial" held the GUI thread ~10 ms). With ``hold``, "serial" itself:
    the lock kept (taking it back waits out the switch interval, 5 ms, while another thread
    runs Python). Made by its class: contourpy's contour_generator checks and converts its
    arguments in Python, for a band of an edit's map nearly as long as the class takes (the
    same generator, a fallback for another contourpy)."""
    bad = ~np.isfinite(z)
    mask = bad if bad.any() else None
    x, y = np.empty(z.shape), np.empty(z.shape)  # np.meshgrid(xs, ys) without its Python
    x[:], y[:] = xs, ys[:, None]
    name = "serial" if hold else "threaded"
    cls = contourpy.SerialContourGenerator if hold else contourpy.ThreadedContourGenerator
    threads = {} if hold else {"thread_count": 1}
    try:
        return cls(x, y, z, mask, x_chunk_size=len(xs) - 1, y_chunk_size=len(ys) - 1,
                   line_type=contourpy.LineType.ChunkCombinedNan, fill_type=cls.default_fill_type,
                   corner_mask=True, quad_as_tri=False, z_interp=contourpy.ZInterp.Linear,
                   **threads)
    except TypeError:  # a contourpy whose class takes other arguments
        return contourpy.contour_generator(xs, ys, z, name=name, line_type="ChunkCombinedNan",
                                           **threads)


def inner_box(grid, xrange, yrange):
    """(rows, cols): the slices of the grid's samples whose cells cover the rectangle
    ``xrange`` x ``yrange`` (its part inside the grid)."""
    def span(values, lo, hi):
        first = max(int(np.searchsorted(values, lo, side="right")) - 1, 0)
        last = min(int(np.searchsorted(values, hi, side="left")), len(values) - 1)
        return slice(first, max(last, first) + 1)
    return span(grid.ys, *yrange), span(grid.xs, *xrange)


def margin_points(grid, levels, box):
    """The contour lines of the grid outside ``box`` (rows, cols slices from inner_box): four
    strips that share their edge samples with the box, so their lines meet the box's."""
    (r0, r1, _), (c0, c1, _) = (s.indices(n) for s, n in zip(box, grid.z.shape))
    strips = [(slice(0, r0 + 1), slice(None)), (slice(r1 - 1, None), slice(None)),
              (slice(r0, r1), slice(0, c0 + 1)), (slice(r0, r1), slice(c1 - 1, None))]
    parts = [contour_points(grid, levels, rows, cols) for rows, cols in strips]
    return np.concatenate(parts)


@dataclass(frozen=True)
class ColorScale:
    """How f maps to the colour map, shared by the contour image and the surface:
    linear from the 2nd to the 98th percentile, or log10(f - min + offset) up to the 99.5th."""

    spacing: str
    zmin: float
    offset: float
    lo: float
    hi: float

    def transform(self, z):
        """The values the colour map spans from ``lo`` to ``hi``."""
        z = np.asarray(z, dtype=np.float64)
        if self.spacing != "log":
            return z
        with np.errstate(all="ignore"):
            if z.ndim == 0:
                return np.log10(np.maximum(z - self.zmin, 0.0) + self.offset)
            t = np.subtract(z, self.zmin)  # the same steps in one new array: 4 times faster
            np.maximum(t, 0.0, out=t)
            t += self.offset
            return np.log10(t, out=t)

    def fraction(self, z):
        """Position in the colour map, 0 to 1 (NaN stays NaN)."""
        with np.errstate(all="ignore"):
            t = (self.transform(z) - self.lo) / (self.hi - self.lo)
        return np.where(np.isfinite(t), np.clip(t, 0.0, 1.0), np.nan)

    def value_at(self, t):
        """The f value shown at transformed value ``t`` (for colour-bar labels)."""
        return self.zmin + 10.0 ** t - self.offset if self.spacing == "log" else t


def color_scale(values, spacing="linear", ends=None):
    """The ColorScale for these values of f, or None where none is finite. ``ends``: as in
    choose_levels."""
    finite = _finite(values) if ends is None else np.asarray(values)
    if finite.size == 0:
        return None
    log = spacing == "log"
    # linear: robust ends, like the contour levels: a singular line must not flatten the rest
    lo, hi, low = ends or _ends(finite, "log" if log else "linear")
    zmin, offset = float(finite.min()), 0.0
    if log:  # lo is the minimum
        span = max(hi - lo, 1e-12)
        offset = log_offset(finite, span, low)
        lo, hi = math.log10(offset), math.log10(offset + span)
    if not hi > lo:  # a flat f: centre the bar on its value
        half = 0.5 * max(1.0, abs(lo)) if not log else 0.5
        lo, hi = lo - half, hi + half
    return ColorScale(spacing, zmin, offset, lo, hi)


def levels_and_scale(values, count, spacing):
    """choose_levels(values, count, spacing) and color_scale(values, spacing), sharing the
    finite values and their percentiles (each worked out once)."""
    if spacing not in ("linear", "log"):
        return choose_levels(values, count, spacing), color_scale(values, spacing)
    vals = _finite(values)
    ends = _ends(vals, spacing) if vals.size else None
    return choose_levels(vals, count, spacing, ends), color_scale(vals, spacing, ends)


COLOR_SAMPLES = 200  # the colour scale of a window is taken from this many samples a side


def window_color_scale(function, window, spacing="linear"):
    """The ColorScale of f over a view window: one sampling, so the contour image and the
    surface give the same f the same colour. None where f is undefined in the whole window."""
    return color_scale(sample_grid(function, *window, COLOR_SAMPLES).z, spacing)


@dataclass(frozen=True)
class MapLayers:
    """Everything the colour map draws for one sampling: the grid, the contour levels, the
    contour lines as one array of points with NaN between lines, and the colour scale (None
    where f is undefined in the whole window). With a ``box`` (rows, cols slices of the grid)
    the lines are left to the caller: contour_points(grid, levels, *box) for that part first,
    margin_points(grid, levels, box) for the rest."""

    grid: Grid
    levels: np.ndarray
    lines: np.ndarray  # (N, 2), or None with a box
    scale: ColorScale
    box: tuple = None


def map_layers(function, xrange, yrange, resolution, spacing, window, level_count, first=None):
    """Sample f and work out the map's layers; pure, so it can run on a thread. The colour
    scale comes from ``window`` (the model's), as the 3-D view's does. With ``first`` (an
    (xrange, yrange) inside the sampled one: what shows first), no lines are worked out: the
    layers' box is the part of the grid covering ``first``. Raises InputError for a window
    that cannot be sampled."""
    grid = sample_grid(function, xrange, yrange, resolution)
    # levels and colours from the window's values (not from the margins, nor from the rest of
    # a view taller than the window): the same f gets the same lines and colour in any view
    in_window = sample_grid(function, *window, COLOR_SAMPLES).finite
    found = levels_and_scale(in_window, level_count, spacing) if in_window.size else None
    if not np.isfinite(grid.z).any():  # (not grid.finite: a copy of the grid's values)
        return MapLayers(grid, np.array([]), np.empty((0, 2)), None)
    levels, scale = found or levels_and_scale(grid.finite, level_count, spacing)
    if first is not None:
        return MapLayers(grid, levels, None, scale, inner_box(grid, *first))
    return MapLayers(grid, levels, contour_points(grid, levels), scale)
