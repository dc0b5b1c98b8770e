"""Directional derivatives, the limit definition and the total differential, at a point."""
import math
from dataclasses import dataclass

import numpy as np

from .errors import InputError, finite_pair
from .fmt import ROUND_OFF

STEPS_H = (1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6)


@dataclass(frozen=True)
class Directional:
    """Directional derivative of f at ``point`` along u = (cos phi, sin phi).

    ``theta`` is the angle from the gradient to u in radians, in [0, pi]; it is NaN
    where the gradient is zero (then ``value`` is 0). ``quotients`` holds
    (h, (f(p + h u) - f(p)) / h) pairs for the limit definition.
    """

    point: tuple
    phi: float
    u: tuple
    f: float
    gradient: tuple
    grad_norm: float
    theta: float
    cos_theta: float
    value: float
    value_polar: float
    quotients: tuple

    @property
    def theta_deg(self):
        return math.degrees(self.theta)

    @property
    def defined(self):
        return self.grad_norm > 0 and math.isfinite(self.grad_norm)


def unit_vector(phi):
    return (math.cos(phi), math.sin(phi))


def angle_between(g, u):
    """Unsigned angle from vector g to vector u, in [0, pi]; NaN for a zero g."""
    gx, gy = g
    if gx == 0 and gy == 0:
        return math.nan
    cross = gx * u[1] - gy * u[0]
    dot = gx * u[0] + gy * u[1]
    return abs(math.atan2(cross, dot))


def directional_derivative(function, point, phi, steps=STEPS_H):
    """D_u f at ``point`` for the direction angle ``phi`` (radians)."""
    px, py = _point(point)
    if not math.isfinite(phi):
        raise InputError("the direction angle must be a finite number")
    u = unit_vector(phi)
    f0, gx, gy = function.value_and_gradient(px, py)
    norm = math.hypot(gx, gy)
    theta = angle_between((gx, gy), u)
    if norm == 0:
        cos_theta, value, polar = math.nan, 0.0, 0.0
    else:
        cos_theta = math.cos(theta)
        value = gx * u[0] + gy * u[1]
        polar = norm * cos_theta
    hs = np.asarray(steps, dtype=np.float64)
    shifted = function.value(px + hs * u[0], py + hs * u[1])
    # Python floats, not numpy scalars: inf - inf must give NaN without a RuntimeWarning.
    quotients = tuple((float(h), (float(fh) - f0) / float(h)) for h, fh in zip(hs, shifted))
    return Directional((px, py), float(phi), u, f0, (gx, gy), norm, theta, cos_theta,
                       value, polar, quotients)


@dataclass(frozen=True)
class Secant:
    """For f of x alone, near x = a: the secant through a and a + h, and the tangent at a.

    ``slope`` is (f(a + h) - f(a)) / h and ``derivative`` f'(a) (NaN where undefined);
    ``quotients`` holds the (h, (f(a + h) - f(a)) / h) pairs of the limit table.
    """

    a: float
    h: float
    fa: float
    fah: float
    slope: float
    derivative: float
    quotients: tuple

    @property
    def defined(self):
        """f(a) is a number (not NaN or infinite, as 1/x at 0)."""
        return math.isfinite(self.fa)

    @property
    def differentiable(self):
        return self.defined and math.isfinite(self.derivative)


def secant(function, a, h, steps=STEPS_H):
    """The Secant of f at ``a`` for the step ``h`` > 0, f taken at y = 0. The quotients are
    the directional ones along u = (1, 0), which is the 1-D difference quotient in x."""
    h = float(h)
    if not (math.isfinite(h) and h > 0):
        raise InputError("h must be a positive number")
    d = directional_derivative(function, (a, 0.0), 0.0, (h, *steps))
    (_, slope), *table = d.quotients
    fah = function.value_at(d.point[0] + h, 0.0)
    return Secant(d.point[0], h, d.f, fah, slope, d.gradient[0], tuple(table))


def derivative_curve(gradient, phis):
    """D_u f for many angles at once: grad . (cos phi, sin phi)."""
    gx, gy = gradient
    phis = np.asarray(phis, dtype=np.float64)
    return gx * np.cos(phis) + gy * np.sin(phis)


def line_points(point, u, zs):
    """(xs, ys): the points p + z u of the line through ``point`` along ``u``, for an array of z."""
    px, py = _point(point)
    zs = np.asarray(zs, dtype=np.float64)
    return px + zs * u[0], py + zs * u[1]


def slice_values(function, point, phi, zs):
    """g(z) = f(p + z u) for an array of z."""
    return function.value(*line_points(point, unit_vector(phi), zs))


@dataclass(frozen=True)
class Differential:
    """The total differential of f at ``point`` for the step ``ds`` = (dx, dy): the rise on
    the tangent plane, df = f_x dx + f_y dy, against the actual change on the surface,
    Δf = f(p + ds) − f(p). NaN where f or ∇f is undefined. With arrays dx, dy (one step
    each) the fields ``df``, ``f_step`` and ``actual`` are arrays of their shape."""

    point: tuple
    ds: tuple
    f: float
    gradient: tuple
    df: object
    f_step: object      # f(p + ds)
    actual: object      # Δf

    @property
    def gap(self):
        """Δf − df: what the tangent plane misses, of order ‖ds‖² for a smooth f."""
        return self.actual - self.df

    @property
    def plane_point(self):
        """(x, y, z) on the tangent plane above p + ds: z = f(p) + df."""
        return (self.point[0] + self.ds[0], self.point[1] + self.ds[1], self.f + self.df)

    @property
    def surface_point(self):
        """(x, y, z) on the surface above p + ds: z = f(p + ds) = f(p) + Δf."""
        return (self.point[0] + self.ds[0], self.point[1] + self.ds[1], self.f_step)

    @property
    def df_scale(self):
        """The size of the terms df is summed from: a df below round-off of it is 0."""
        (gx, gy), (dx, dy) = self.gradient, self.ds
        with np.errstate(over="ignore"):  # near the float limit the scale is inf: nothing is 0
            return np.abs(gx * dx) + np.abs(gy * dy)

    @property
    def gap_scale(self):
        """The size of the numbers Δf and Δf − df are computed from (round-off scale)."""
        with np.errstate(over="ignore"):
            return np.abs(self.f) + np.abs(self.f_step) + self.df_scale


def differential(function, point, ds):
    """The Differential of f at ``point`` for the step ``ds`` = (dx, dy), numbers or arrays."""
    px, py = _point(point)
    dx, dy = (np.asarray(v, dtype=np.float64) for v in ds)
    if not (np.isfinite(dx).all() and np.isfinite(dy).all()):
        raise InputError("ds must be finite numbers")
    f0, gx, gy = function.value_and_gradient(px, py)
    with np.errstate(all="ignore"):  # inf - inf is NaN: undefined, said so by the views
        df = gx * dx + gy * dy
        f1 = np.asarray(function.value(px + dx, py + dy), dtype=np.float64)
        actual = f1 - f0
    plain = (lambda a: float(a)) if dx.ndim == 0 and dy.ndim == 0 else (lambda a: a)
    return Differential((px, py), (plain(dx), plain(dy)), f0, (gx, gy), plain(df), plain(f1),
                        plain(actual))


def all_slices(function, point, zs, angles=90):
    """g(z) = f(p + z u) for ``angles`` directions spread over half a turn (z < 0 covers the
    other half): one row per direction. Their range is the range of every slice."""
    px, py = _point(point)
    phis = np.linspace(0.0, math.pi, int(angles), endpoint=False)[:, np.newaxis]
    zs = np.asarray(zs, dtype=np.float64)[np.newaxis, :]
    return function.value(px + zs * np.cos(phis), py + zs * np.sin(phis))


def traces(function, point, zs):
    """The traces of f through (a, b): f(a + z, b) and f(a, b + z) for an array of z. Their
    slopes at z = 0 are the partial derivatives f_x and f_y."""
    a, b = _point(point)
    zs = np.asarray(zs, dtype=np.float64)
    return function.value(a + zs, np.full_like(zs, b)), function.value(np.full_like(zs, a), b + zs)


def total_differential(function, point, phi, h):
    """(df, actual change) for the small step ds = h u: see ``differential``."""
    ux, uy = unit_vector(phi)
    d = differential(function, point, (h * ux, h * uy))
    return d.df, d.actual


HALVINGS = 12   # ds, ds/2, ds/4, … ds/2^11 for the gap's order


@dataclass(frozen=True)
class GapOrder:
    """How |Δf − df| shrinks as ds is halved along its direction: ``norms`` ‖ds‖ and
    ``gaps`` |Δf − df| for ds scaled by 1, 1/2, 1/4, …; ``resolved`` marks the gaps above
    round-off (0 for a linear f, where the plane is the surface), and ``order`` is the
    slope of log gap against log ‖ds‖ fitted through the smaller half of them, where the
    ‖ds‖² term leads the higher ones (2 for a smooth f that curves along ds; NaN with
    fewer than two)."""

    norms: np.ndarray
    gaps: np.ndarray
    resolved: np.ndarray
    order: float


def gap_order(function, point, ds, halvings=HALVINGS):
    """The GapOrder of f at ``point`` for ds, ds/2, ds/4, …"""
    scales = 0.5 ** np.arange(halvings)
    dx, dy = finite_pair(ds, "ds")
    d = differential(function, point, (dx * scales, dy * scales))
    norms = math.hypot(dx, dy) * scales
    with np.errstate(invalid="ignore"):
        gaps = np.abs(d.gap)
        resolved = np.isfinite(gaps) & (gaps > ROUND_OFF * d.gap_scale) & (norms > 0)
    order = math.nan
    small = np.flatnonzero(resolved)[resolved.sum() // 2 - 1:]  # where ‖ds‖² leads
    if len(small) >= 2:
        order = float(np.polyfit(np.log(norms[small]), np.log(gaps[small]), 1)[0])
    return GapOrder(norms, gaps, resolved, order)


def _point(point):
    return finite_pair(point, "the point")


def curvature(function, point):
    """Eigenvalues (low, high) of the Hessian at ``point``, and the step-size bound 2/high
    for plain gradient descent (None where high <= 0 or undefined)."""
    px, py = _point(point)
    (hxx, hxy), (_, hyy) = function.hessian_at(px, py)
    hxx, hxy, hyy = float(hxx), float(hxy), float(hyy)
    if not all(math.isfinite(v) for v in (hxx, hxy, hyy)):
        return math.nan, math.nan, None
    mean, radius = (hxx + hyy) / 2, math.hypot((hxx - hyy) / 2, hxy)
    low, high = mean - radius, mean + radius
    return low, high, (2.0 / high if high > 0 else None)
