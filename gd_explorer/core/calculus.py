"""Directional derivatives and the limit definition, at a point."""
import math
from dataclasses import dataclass

import numpy as np

from .errors import InputError, finite_pair

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


def slice_values(function, point, phi, zs):
    """g(z) = f(p + z u) for an array of z."""
    px, py = _point(point)
    ux, uy = unit_vector(phi)
    zs = np.asarray(zs, dtype=np.float64)
    return function.value(px + zs * ux, py + zs * uy)


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
    """(df, actual change) for the small step ds = h u: df = grad . ds."""
    px, py = _point(point)
    ux, uy = unit_vector(phi)
    f0, gx, gy = function.value_and_gradient(px, py)
    df = gx * h * ux + gy * h * uy
    actual = float(function.value(px + h * ux, py + h * uy)) - f0
    return df, actual


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
