"""Command line: `gd-explorer` opens the window; `run`, `sweep`, `inspect` and `critical` work
without a display."""
import argparse
import ctypes
import json
import math
import os
import sys

import numpy as np

from . import __version__
from .core import InputError, ExpressionError
from .core.calculus import curvature, directional_derivative
from .core.descent import MAX_STEPS_LIMIT, descend
from .core.export import write_csv, write_sweep_csv
from .core.fmt import fmt
from .core.function import parse_function
from .core.grid import check_window
from .core.optimizers import OPTIMIZERS, SCHEDULES

VALUE_OPTIONS = ("--start", "--at", "--lr", "--angle", "--tol", "--steps", "--function",
                 "--window", "--lr-min", "--lr-max", "--n", "--param", "--schedule")
COMMANDS = ("run", "sweep", "inspect", "critical")
SCREENSHOT_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def build_parser():
    parser = _Parser(prog="gd-explorer",
                     description="See the gradient, directional derivatives and gradient descent "
                                 "of a function f(x, y). Without a command, open the window.")
    parser.add_argument("--version", action="version", version=f"gd-explorer {__version__}",
                        help="print the version and exit")
    parser.add_argument("--screenshot", metavar="PATH",
                        help="render the window to PATH (.png, .jpg or .jpeg) and exit")
    parser.add_argument("--function", metavar="EXPR",
                        help="the function to show, for example \"x^2 - y^2\" (default: the "
                             "first preset)")
    parser.add_argument("--start", metavar="X,Y", help="the start point, for example 1,-2")
    parser.add_argument("--steps", metavar="N", type=int,
                        help="descent steps to take before the window is shown")
    parser.add_argument("--size", metavar="WxH", help="window size for --screenshot, e.g. 1280x800")
    parser.add_argument("--scale", metavar="PERCENT",
                        help="presentation size of fonts, lines and markers, 100 to 200 "
                             "(default: as last chosen with View → Larger / Smaller; 100 for "
                             "--screenshot)")
    sub = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND",
                                help="what to do without the window (see COMMAND --help)")

    run = sub.add_parser("run", help="run gradient descent and print a one-line summary",
                         description="Run gradient descent and print a one-line summary.",
                         epilog=METHOD_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("expr", metavar="EXPR", help="the function f(x, y), for example \"x^2 + y^2\"")
    run.add_argument("--start", required=True, metavar="X,Y",
                     help="the start point, for example 1,-2")
    run.add_argument("--lr", required=True, type=float, metavar="LR",
                     help="the learning rate ε in x ← x − ε∇f(x), a positive number such "
                          "as 0.01")
    run.add_argument("--steps", required=True, type=int, metavar="N",
                     help=f"the most steps to take (1 to {MAX_STEPS_LIMIT:,})")
    run.add_argument("--tol", type=float, default=1e-6, metavar="T",
                     help="stop when ‖∇f‖ is below T (default 1e-6)")
    _method_arguments(run)
    run.add_argument("--csv", metavar="PATH", help="also write every step to a CSV file")

    rates = sub.add_parser("sweep", help="run descent at many learning rates at once and print "
                                         "how each ended",
                           description="Run descent from one start at N learning rates spaced "
                                       "evenly on a log scale from A to B, all at once, and "
                                       "print one line per rate: rate, status, steps, final f.",
                           epilog=METHOD_EPILOG,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    rates.add_argument("expr", metavar="EXPR", help="the function f(x, y)")
    rates.add_argument("--start", required=True, metavar="X,Y",
                       help="the start point, for example 1,-2")
    rates.add_argument("--lr-min", required=True, type=float, metavar="A",
                       help="the smallest learning rate, for example 1e-5")
    rates.add_argument("--lr-max", required=True, type=float, metavar="B",
                       help="the largest learning rate, for example 1")
    rates.add_argument("--n", required=True, type=int, metavar="N",
                       help="how many rates (2 to 10,000)")
    rates.add_argument("--steps", type=int, default=1000, metavar="S",
                       help=f"the most steps of each run (1 to {MAX_STEPS_LIMIT:,}; default 1000)")
    rates.add_argument("--tol", type=float, default=1e-6, metavar="T",
                       help="a run has converged when ‖∇f‖ is below T (default 1e-6)")
    _method_arguments(rates)
    rates.add_argument("--csv", metavar="PATH",
                       help="also write the lines to a CSV file (rate,status,steps,f)")

    inspect = sub.add_parser("inspect",
                             help="print f, its gradient and Hessian at a point, as JSON",
                             description="Print f, its gradient and Hessian at a point, as JSON.")
    inspect.add_argument("expr", metavar="EXPR", help="the function f(x, y)")
    inspect.add_argument("--at", required=True, metavar="X,Y", help="the point, for example 1,2")
    inspect.add_argument("--angle", type=float, metavar="DEG",
                         help="also the directional derivative along the unit vector at DEG "
                              "degrees from the x axis, with its limit quotients")

    critical = sub.add_parser("critical", help="print the critical points in a window, as JSON",
                              description="Find the critical points of f (minima, maxima, "
                                          "saddles) in a window with Newton's method and print "
                                          "them as JSON, lowest f first.")
    critical.add_argument("expr", metavar="EXPR", help="the function f(x, y)")
    critical.add_argument("--window", required=True, metavar="X0,X1,Y0,Y1",
                          help="the search window, x from X0 to X1 and y from Y0 to Y1, "
                               "for example -2,2,-1,3")
    return parser


def _method_words():
    """The optimizers and schedules with their parameters, for --help."""
    lines = ["optimizers (--optimizer NAME, hyperparameters with --param NAME=VALUE):"]
    for opt in OPTIMIZERS.values():
        params = ", ".join(f"{h.name} {h.range_text()} (default {fmt(h.default)})"
                           for h in opt.hyperparameters)
        lines.append(f"  {opt.name:<10} {opt.label}" + (f"; {params}" if params else ""))
    lines.append("schedules (--schedule NAME or NAME:PARAM=VALUE,...):")
    for sched in SCHEDULES.values():
        params = ", ".join(f"{h.name} {h.range_text()} (default {fmt(h.default)})"
                           for h in sched.parameters)
        lines.append(f"  {sched.name:<12} {sched.label}" + (f"; {params}" if params else ""))
    return "\n".join(lines)


METHOD_EPILOG = _method_words()


def _method_arguments(parser):
    """--optimizer, --param and --schedule, shared by run and sweep."""
    parser.add_argument("--optimizer", default="gd", metavar="NAME",
                        help=f"one of: {', '.join(OPTIMIZERS)} (default gd, plain gradient "
                             "descent)")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="a hyperparameter of the optimizer, for example beta=0.95; "
                             "give --param once for each")
    parser.add_argument("--schedule", metavar="NAME[:P=V,...]",
                        help=f"the learning-rate schedule: one of {', '.join(SCHEDULES)}, "
                             "with parameters after a colon, for example step:gamma=0.5,every=100 "
                             "(default constant)")


def _assignments(items, option, example):
    """{name: float} from NAME=VALUE texts; InputError names ``option`` and the bad text."""
    values = {}
    for item in items:
        name, sep, text = str(item).partition("=")
        name = name.strip()
        if not sep or not name:
            raise InputError(f"{option} takes NAME=VALUE, like {example} (got '{item}')")
        if name in values:
            raise InputError(f"{option} gives {name} twice")
        try:
            values[name] = float(text)
        except ValueError:
            raise InputError(f"{option} {name}: '{text}' is not a number") from None
    return values


def parse_params(items):
    """The --param values as a hyperparameter dict (the registry checks names and ranges)."""
    return _assignments(items, "--param", "beta=0.95")


def parse_schedule(text):
    """--schedule NAME or NAME:P=V,... as the name or a (name, parameters) pair."""
    if text is None:
        return None
    name, sep, rest = str(text).partition(":")
    if not sep:
        return name.strip()
    parts = [p for p in rest.split(",") if p.strip()]
    return (name.strip(), _assignments(parts, "--schedule", "step:gamma=0.5,every=100"))


def normalise_argv(argv):
    """Let values start with '-' (`--start -1,2`, `run -x^2 ...`)."""
    out = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in VALUE_OPTIONS and i + 1 < len(argv):
            out.append(f"{arg}={argv[i + 1]}")
            i += 2
            continue
        out.append(arg)
        i += 1
    for pos, arg in enumerate(out):
        if arg in COMMANDS and pos + 1 < len(out):
            nxt = out[pos + 1]
            if nxt.startswith("-") and nxt not in ("-h", "--help") and not nxt.startswith("--"):
                out = out[: pos + 1] + out[pos + 2:] + ["--", nxt]
            break
    return out


def parse_point(text, name):
    parts = str(text).split(",")
    if len(parts) != 2:
        raise InputError(f"{name} must be two numbers separated by a comma, like 1,-2")
    try:
        x, y = float(parts[0]), float(parts[1])
    except ValueError:
        raise InputError(f"{name} must be two numbers separated by a comma, like 1,-2") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise InputError(f"{name} must be finite numbers")
    return x, y


def parse_window(text):
    """'X0,X1,Y0,Y1' -> ((x0, x1), (y0, y1)), checked like the window's ranges."""
    parts = str(text).split(",")
    try:
        if len(parts) != 4:
            raise ValueError
        x0, x1, y0, y1 = (float(p) for p in parts)
    except ValueError:
        raise InputError("--window must be four numbers X0,X1,Y0,Y1, like -2,2,-1,3") from None
    return check_window((x0, x1), (y0, y1))


def _finite_or_none(value):
    value = float(value)
    return value if math.isfinite(value) else None


def cmd_run(args):
    fn = parse_function(args.expr)
    result = descend(fn, parse_point(args.start, "--start"), args.lr, args.steps, args.tol,
                     args.optimizer, parse_params(args.param), parse_schedule(args.schedule))
    if args.csv:
        write_csv(args.csv, [result])
    x, y = (float(v) for v in result.x)
    print(f"status={result.status} steps={result.nit} x={x!r} y={y!r} f={result.fun!r} "
          f"({result.message})")
    return 0


def cmd_sweep(args):
    from .core.batch import STATUS_NAMES, sweep  # loaded on use: the window does not need it

    fn = parse_function(args.expr)
    found = sweep(fn, parse_point(args.start, "--start"), args.lr_min, args.lr_max, args.n,
                  args.steps, args.tol, args.optimizer, parse_params(args.param),
                  parse_schedule(args.schedule))
    if args.csv:
        write_sweep_csv(args.csv, found)
    runs = found.runs
    for i, rate in enumerate(found.rates):
        print(f"rate={float(rate)!r} status={STATUS_NAMES[runs.status[i]]} "
              f"steps={int(runs.steps[i])} f={float(runs.f[i])!r}")
    return 0


def inspect_data(fn, point, angle_deg=None):
    """The JSON-ready dictionary printed by `inspect`."""
    px, py = point
    f0, gx, gy = fn.value_and_gradient(px, py)
    (hxx, hxy), (_, hyy) = fn.hessian_at(px, py)
    data = {
        "expression": fn.text,
        "point": [px, py],
        "f": _finite_or_none(f0),
        "gradient": [_finite_or_none(gx), _finite_or_none(gy)],
        "grad_norm": _finite_or_none(math.hypot(gx, gy)),
        "hessian": [[_finite_or_none(hxx), _finite_or_none(hxy)],
                    [_finite_or_none(hxy), _finite_or_none(hyy)]],
    }
    if angle_deg is not None:
        d = directional_derivative(fn, point, math.radians(angle_deg))
        data.update({
            "angle_deg": angle_deg,
            "u": [d.u[0], d.u[1]],
            "theta_deg": _finite_or_none(d.theta_deg),
            "cos_theta": _finite_or_none(d.cos_theta),
            "directional_derivative": _finite_or_none(d.value),
            "limit_quotients": [{"h": h, "quotient": _finite_or_none(q)} for h, q in d.quotients],
        })
    return data


def cmd_inspect(args):
    fn = parse_function(args.expr)
    if args.angle is not None and not math.isfinite(args.angle):
        raise InputError("--angle must be a finite number of degrees")
    data = inspect_data(fn, parse_point(args.at, "--at"), args.angle)
    print(json.dumps(data, indent=2, allow_nan=False))
    return 0


def critical_data(fn, window):
    """The JSON-ready list printed by `critical`: x, y, f, kind and the Hessian's eigenvalues."""
    with np.errstate(all="ignore"):
        found = critical_points(fn, *window)
        points = getattr(found, "points", found)  # a result with .points, or a plain list
        out = []
        for p in points:
            eigen = getattr(p, "eigenvalues", None)
            low, high = eigen if eigen is not None else curvature(fn, (p.x, p.y))[:2]
            out.append({"x": _finite_or_none(p.x), "y": _finite_or_none(p.y),
                        "f": _finite_or_none(p.f), "kind": p.kind,
                        "eigenvalues": [_finite_or_none(low), _finite_or_none(high)]})
    return out


def critical_points(fn, xrange, yrange):
    """core.analysis.critical_points, loaded on use (the window does not need it)."""
    from .core.analysis import critical_points

    return critical_points(fn, xrange, yrange)


def cmd_critical(args):
    fn = parse_function(args.expr)
    data = critical_data(fn, parse_window(args.window))
    print(json.dumps(data, indent=2, allow_nan=False))
    return 0


def screenshot_format(path):
    """The image format for a --screenshot path from its suffix: PNG or JPEG."""
    suffix = os.path.splitext(str(path))[1].lower()
    if suffix not in SCREENSHOT_FORMATS:
        raise InputError(f"--screenshot must end in .png, .jpg or .jpeg, not '{suffix or path}'")
    return SCREENSHOT_FORMATS[suffix]


_XCB_ERRORS = {1: "no X server answers there", 2: "an X extension is missing",
               3: "out of memory", 5: "the display name cannot be read",
               6: "the screen does not exist"}


def check_x_display():
    """On Linux with Qt's X11 platform, connect to the display once with libxcb, so that a
    display that cannot be opened is one line and exit 2, not a Qt abort."""
    env = os.environ
    platform = env.get("QT_QPA_PLATFORM", "")
    wayland = env.get("WAYLAND_DISPLAY") and env.get("XDG_SESSION_TYPE") == "wayland"
    uses_x = platform.startswith("xcb") or (not platform and env.get("DISPLAY") and not wayland)
    if not sys.platform.startswith("linux") or not uses_x:
        return
    display = env.get("DISPLAY", "")
    if not display:
        raise InputError("cannot open the display: DISPLAY is not set (run it on a desktop or "
                         "under xvfb-run)")
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        raise InputError("cannot open the display: the X11 library libxcb.so.1 is missing "
                         "(install libxcb1)") from None
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    conn = xcb.xcb_connect(display.encode(errors="replace"), None)
    error = xcb.xcb_connection_has_error(conn)
    xcb.xcb_disconnect(conn)
    if error:
        reason = _XCB_ERRORS.get(error, f"X connection error {error}")
        raise InputError(f"cannot open the display '{display}': {reason} (run it on a desktop "
                         "or under xvfb-run)")


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        args = build_parser().parse_args(normalise_argv(argv))
        if args.command == "run":
            return cmd_run(args)
        if args.command == "sweep":
            return cmd_sweep(args)
        if args.command == "inspect":
            return cmd_inspect(args)
        if args.command == "critical":
            return cmd_critical(args)
        if args.screenshot is not None:
            screenshot_format(args.screenshot)
        check_x_display()
        from .gui.app import run_app  # Qt is imported only for the window
        return run_app(args)
    except (UsageError, InputError, ExpressionError) as exc:
        print(f"gd-explorer: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
