"""Derivatives at removable singularities, as numerical limits.

A derivative formula can be 0/0 at a point where f is smooth: sin(r)/r at r = 0 in the
gradient of DropWave, x^2/|x| in the Hessian of (x^2+y^2)^1.5. There the formula has a limit
at the point, and that limit is the derivative. We approach the point from eight directions
at distances h, 2h and 4h and extrapolate each to distance 0 (Richardson: the terms in h and
h^2 cancel). The limit exists only if every direction gives the same value: at the tip of a
cone each direction gives another gradient, and then there is none (no value is made up).
"""
import math

DIRECTIONS = tuple((math.cos(0.3 + k * math.pi / 4), math.sin(0.3 + k * math.pi / 4))
                   for k in range(8))  # off the axes, where formulas are often singular
REL_STEP = 1e-4    # h, relative to the point's size (at least 1)
SETTLE = 0.1       # directions agree to a tenth of how far the values move near the point, …
AGREEMENT = 1e-4   # … or to this, relative to the limit's size, …
NOISE = 1e-6       # … or to the size of the values the limit is made from


def limit(values_at, x, y):
    """The limit of ``values_at(a, b)`` (a tuple of floats) as (a, b) → (x, y), or None.

    Directions along which the formula is undefined near the point are skipped; at least
    half of them must remain.
    """
    h = REL_STEP * max(1.0, abs(x), abs(y))
    estimates, raw, change = [], 0.0, 0.0
    for dx, dy in DIRECTIONS:
        samples = [values_at(x + k * h * dx, y + k * h * dy) for k in (1, 2, 4)]
        if not all(math.isfinite(v) for s in samples for v in s):
            continue
        raw = max(raw, *(abs(v) for s in samples for v in s))
        # v(kh) = L + a kh + b (kh)^2 + …: (8 v(h) - 6 v(2h) + v(4h)) / 3 = L + O(h^3)
        estimate = tuple((8 * p - 6 * q + r) / 3 for p, q, r in zip(*samples))
        change = max(change, *(abs(v - e) for s in samples for v, e in zip(s, estimate)))
        estimates.append(estimate)
    if len(estimates) < len(DIRECTIONS) // 2:
        return None
    result = []
    for i in range(len(estimates[0])):
        values = [e[i] for e in estimates]
        value = sum(values) / len(values)
        spread = max(abs(v - value) for v in values)
        # every direction must lead to the same value: far closer together than the values
        # themselves move as the distance shrinks (a cone's gradients do not move, yet differ)
        if not spread <= SETTLE * change + AGREEMENT * abs(value) + NOISE * raw:
            return None
        # a value within the extrapolation's reach of 0 is 0 (r^1.5-like terms leave a trace)
        small = 2 * spread + NOISE * raw + 0.5 * change
        result.append(0.0 if abs(value) <= small else value)
    return tuple(result)
