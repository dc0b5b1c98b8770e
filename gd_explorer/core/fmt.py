"""Numbers as people see and type them: one display format for every pane, one reader for
every number field. Pure Python, so the command line can use it too.

The display format:
- ``digits`` significant digits (4 for readouts); integer parts are never rounded away
  (123456.7 shows as 123457), trailing zeros are dropped (0.5, not 0.5000);
- scientific notation below 1e-4 and from 1e6 on, written short: 1.5e-7, 2e6;
- never "-0": a value that rounds to zero shows as 0;
- with ``scale`` (the size of the terms the value was computed from, e.g. |gx| + |gy| for
  gx*ux + gy*uy), a value below round-off relative to that scale shows as 0;
- "undefined" for NaN, "∞" and "-∞" for infinities;
- the minus sign is the plain "-" everywhere (tables, labels, fields), so a number copied
  from the window can be pasted into a formula, a field or the command line.
"""
import math
import re

ROUND_OFF = 1e-12            # |value| <= ROUND_OFF * scale is round-off, shown as 0
SCI_BELOW, SCI_FROM = -4, 6      # decimal exponents: scientific below 1e-4 and from 1e6 on
UNDEFINED = "undefined"
INFINITY = "∞"
MINUS = "-"

_PLAIN = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_COMMA = re.compile(r"([+-]?)(\d+),(\d+)((?:[eE][+-]?\d+)?)")


def fmt(value, digits=4, scale=None):
    """``value`` as text for a person (see the module notes)."""
    if digits < 1:
        raise ValueError("digits must be at least 1")
    try:
        value = float(value)
    except (TypeError, ValueError):
        return UNDEFINED
    if math.isnan(value):
        return UNDEFINED
    if math.isinf(value):
        return INFINITY if value > 0 else MINUS + INFINITY
    if scale is not None and math.isfinite(scale) and abs(value) <= ROUND_OFF * abs(scale):
        return "0"
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    if float(mantissa) == 0:
        return "0"                       # 0.0 and -0.0 alike
    exponent = int(exponent)             # of the rounded value: 9.9996 → 1.000e+01
    if SCI_BELOW <= exponent < SCI_FROM:
        return _trim(f"{value:.{max(0, digits - 1 - exponent)}f}")
    return f"{_trim(mantissa)}e{exponent}"


def fmt_factor(value, scale=None):
    """``value`` as a factor written in a product: a negative number in parentheses,
    "-0.01 × (-2.5)"."""
    text = fmt(value, scale=scale)
    return f"({text})" if text.startswith(MINUS) else text


def fmt_point(point, digits=4, scale=None):
    """(x, y) as "(x, y)", each coordinate by fmt."""
    x, y = point
    return f"({fmt(x, digits, scale)}, {fmt(y, digits, scale)})"


def _trim(text):
    """Drop trailing zeros after a decimal point, and the point itself if nothing follows."""
    return text.rstrip("0").rstrip(".") if "." in text else text


def read_number(text):
    """The float a person typed, or ValueError with a message that says why not.

    A point is the decimal mark; a single comma between digits with no point is taken as
    a decimal comma (0,5 → 0.5). Text that could mean two numbers is refused, never guessed:
    a comma together with a point (1,000.5), several commas (1,2,3), or a comma that may group
    thousands (1,000 is 1000 or 1.0). So are NaN, infinities and overflow.
    """
    raw = str(text).strip()
    if not raw:
        raise ValueError("type a number")
    t = raw.replace("−", "-")            # a minus sign pasted from elsewhere
    if "," in t:
        t = _decimal_comma(raw, t)
    if not _PLAIN.fullmatch(t):
        raise ValueError(f"“{raw}” is not a number")
    value = float(t)
    if not math.isfinite(value):
        raise ValueError(f"“{raw}” is too large")
    return value


def read_count(text):
    """A whole number a person typed (digits, or a form like 1e4), or ValueError. A point or
    comma is refused: in "1.000" or "1,000" it may group thousands or mark decimals."""
    raw = str(text).strip()
    if "." in raw or "," in raw:
        raise ValueError(f"“{raw}” is not a whole number: type it without a point or comma")
    value = read_number(raw)
    if not value.is_integer():
        raise ValueError(f"“{raw}” is not a whole number")
    return int(value)


def _decimal_comma(raw, t):
    """``t`` with its decimal comma made a point, or ValueError if the comma is ambiguous."""
    if "." in t:
        raise ValueError(f"“{raw}” has both a comma and a point: use a point for decimals "
                         "and no thousands separators")
    if t.count(",") > 1:
        raise ValueError(f"“{raw}” has several commas: use a point for decimals "
                         "and no thousands separators")
    m = _COMMA.fullmatch(t)
    if m is None:
        raise ValueError(f"“{raw}” is not a number: a decimal comma goes between digits, as in 0,5")
    sign, whole, frac, exp = m.groups()
    if len(frac) == 3 and whole.lstrip("0") and len(whole) <= 3 and not exp:
        raise ValueError(f"“{raw}” could be {sign}{whole}{frac} or {sign}{whole}.{frac}: "
                         "type it without the comma")
    return f"{sign}{whole}.{frac}{exp}"


def round_significant(value, digits=1):
    """``value`` rounded to ``digits`` significant digits, as a float (0.48 → 0.5 for one):
    for round default values such as a step; 0 and non-finite values are returned as given."""
    value = float(value)
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))
