"""The gradient field over a window, and one length scale for the arrows drawn in a view:
arrow length = ‖∇f‖ × factor, the factor a round number (1, 2 or 5 times a power of ten)."""
import math
from dataclasses import dataclass

import numpy as np

from .grid import check_window



@dataclass(frozen=True)
class GradientField:
    """∇f at the centres of square cells over a window: ``xs`` (columns), ``ys`` (rows),
    ``gx``, ``gy`` of shape (rows, columns), NaN where f or ∇f is undefined; ``spacing``:
    the cells' side."""

    xs: np.ndarray
    ys: np.ndarray
    gx: np.ndarray
    gy: np.ndarray
    spacing: float

    @property
    def norms(self):
        return np.hypot(self.gx, self.gy)


def gradient_field(function, xrange, yrange, columns):
    """∇f on ``columns`` square cells across the window (as many rows as fit), from the
    vectorised gradient; NaN where f or ∇f is not a finite number."""
    (x0, x1), (y0, y1) = check_window(xrange, yrange)
    spacing = (x1 - x0) / columns
    rows = max(1, round((y1 - y0) / spacing))
    xs = x0 + spacing * (np.arange(columns) + 0.5)
    ys = (y0 + y1) / 2 + spacing * (np.arange(rows) - (rows - 1) / 2)
    with np.errstate(all="ignore"):
        f, gx, gy = function.values_and_gradients(xs[np.newaxis, :], ys[:, np.newaxis])
    shape = (ys.size, xs.size)
    f, gx, gy = (np.broadcast_to(v, shape).astype(np.float64) for v in (f, gx, gy))
    bad = ~(np.isfinite(f) & np.isfinite(gx) & np.isfinite(gy))
    gx[bad] = np.nan
    gy[bad] = np.nan
    return GradientField(xs, ys, gx, gy, spacing)


def arrow_factor(norms, length, percentile):
    """The round factor k (1, 2 or 5 times a power of ten) at most ``length`` / the typical
    ‖∇f‖ (its ``percentile`` over ``norms``, the finite non-zero ones; a pole does not set
    it): a typical arrow ‖∇f‖ × k is at most ``length`` long. None when no gradient has a
    size to show."""
    norms = np.asarray(norms, dtype=np.float64)
    norms = norms[np.isfinite(norms) & (norms > 0)]
    if norms.size == 0 or not length > 0:
        return None
    return round_down(length / float(np.percentile(norms, percentile)))


def round_down(value):
    """The largest of 1, 2, 5 times a power of ten that is at most ``value`` (> 0)."""
    if not (value > 0 and math.isfinite(value)):
        return None
    exponent = math.floor(math.log10(value))
    for mantissa in (5, 2, 1):
        candidate = float(f"{mantissa}e{exponent}")  # exact decimal: 5e-2, not 5 * 0.01
        if candidate <= value:
            return candidate
    return float(f"5e{exponent - 1}")  # log10 rounded up past value
