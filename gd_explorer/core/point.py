"""What f and ∇f allow a view to draw at one point, in one place for every pane."""
import math
from dataclasses import dataclass

import numpy as np

F_UNDEFINED, GRAD_UNDEFINED, FLAT, SLOPED = "f_undefined", "grad_undefined", "flat", "sloped"
WORDS = {F_UNDEFINED: "f is undefined here", GRAD_UNDEFINED: "∇f is undefined here",
         FLAT: "∇f ≈ 0 (critical point)", SLOPED: ""}
ROUNDOFF = 1e-9     # ‖∇f‖ this small relative to its size in the window is round-off
SCALE_SAMPLES = 21  # ∇f is sampled on this many points per side to find its size


@dataclass(frozen=True)
class PointState:
    """f and ∇f at (x, y), and ``kind``: F_UNDEFINED, GRAD_UNDEFINED, FLAT (‖∇f‖ at or below
    the floor: no direction to draw) or SLOPED."""

    x: float
    y: float
    f: float
    gx: float
    gy: float
    kind: str

    @property
    def norm(self):
        return math.hypot(self.gx, self.gy)

    @property
    def words(self):
        """What a pane says instead of drawing ("" when everything can be drawn)."""
        return WORDS[self.kind]

    @property
    def has_gradient(self):
        """f and ∇f are numbers here (∇f may be ≈ 0)."""
        return self.kind in (FLAT, SLOPED)

    @property
    def has_direction(self):
        """∇f has a direction worth drawing: arrows, tangent, θ."""
        return self.kind == SLOPED


def point_state(function, point, floor=0.0):
    """The PointState of ``function`` at ``point``; ‖∇f‖ <= ``floor`` counts as ∇f ≈ 0."""
    x, y = float(point[0]), float(point[1])
    f, gx, gy = function.value_and_gradient(x, y)
    if not math.isfinite(f):
        kind = F_UNDEFINED
    elif not (math.isfinite(gx) and math.isfinite(gy)):
        kind = GRAD_UNDEFINED
    elif math.hypot(gx, gy) <= floor:
        kind = FLAT
    else:
        kind = SLOPED
    return PointState(x, y, f, gx, gy, kind)


def gradient_floor(function, xrange, yrange, tol=0.0, scale=None):
    """‖∇f‖ at or below which ∇f counts as 0: the descent's tolerance ``tol`` (where a run
    stops as converged), or round-off, ROUNDOFF times the size of ‖∇f‖ in the window
    (``scale``, when already known)."""
    if scale is None:
        scale = gradient_scale(function, xrange, yrange)
    return max(float(tol), ROUNDOFF * scale)


def gradient_scale(function, xrange, yrange):
    """The size of ‖∇f‖ in the window: its 99th percentile (so a singular line does not set
    it), 0 where ∇f is nowhere defined. Panes write ∂f/∂x and ∂f/∂y with this as the scale
    of their round-off (fmt's ``scale``)."""
    xs = np.linspace(float(xrange[0]), float(xrange[1]), SCALE_SAMPLES)
    ys = np.linspace(float(yrange[0]), float(yrange[1]), SCALE_SAMPLES)
    with np.errstate(all="ignore"):
        gx, gy = function.gradient(xs[np.newaxis, :], ys[:, np.newaxis])
        norms = np.hypot(np.broadcast_to(gx, (ys.size, xs.size)),
                         np.broadcast_to(gy, (ys.size, xs.size)))
    norms = norms[np.isfinite(norms)]
    return float(np.percentile(norms, 99)) if norms.size else 0.0
