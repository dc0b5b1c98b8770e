"""Command line: `gd-explorer` opens the window; `run` and `inspect` work without a display."""
import argparse
import json
import math
import sys

from .core import InputError, ExpressionError
from .core.calculus import directional_derivative
from .core.descent import descend
from .core.export import write_csv
from .core.function import parse_function

VALUE_OPTIONS = ("--start", "--at", "--lr", "--angle", "--tol", "--steps", "--function")


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def build_parser():
    parser = _Parser(prog="gd-explorer",
                     description="See the gradient, directional derivatives and gradient descent "
                                 "of a function f(x, y).")
    parser.add_argument("--screenshot", metavar="PATH",
                        help="render the window to a PNG and exit")
    parser.add_argument("--function", metavar="EXPR", help="the function to show")
    parser.add_argument("--start", metavar="X,Y", help="the start point")
    parser.add_argument("--steps", metavar="N", type=int, help="descent steps to take first")
    parser.add_argument("--size", metavar="WxH", help="window size for --screenshot, e.g. 1280x800")
    sub = parser.add_subparsers(dest="command")

    run = sub.add_parser("run", help="run gradient descent and print a summary")
    run.add_argument("expr", metavar="EXPR")
    run.add_argument("--start", required=True, metavar="X,Y")
    run.add_argument("--lr", required=True, type=float, metavar="LR")
    run.add_argument("--steps", required=True, type=int, metavar="N")
    run.add_argument("--tol", type=float, default=1e-6, metavar="T")
    run.add_argument("--optimizer", default="gd", metavar="NAME")
    run.add_argument("--csv", metavar="PATH")

    inspect = sub.add_parser("inspect", help="print f, its gradient and Hessian at a point, as JSON")
    inspect.add_argument("expr", metavar="EXPR")
    inspect.add_argument("--at", required=True, metavar="X,Y")
    inspect.add_argument("--angle", type=float, metavar="DEG")
    return parser


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
        if arg in ("run", "inspect") and pos + 1 < len(out):
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


def _finite_or_none(value):
    value = float(value)
    return value if math.isfinite(value) else None


def cmd_run(args):
    fn = parse_function(args.expr)
    result = descend(fn, parse_point(args.start, "--start"), args.lr, args.steps, args.tol,
                     args.optimizer)
    if args.csv:
        write_csv(args.csv, [result])
    x, y = (float(v) for v in result.x)
    print(f"status={result.status} steps={result.nit} x={x!r} y={y!r} f={result.fun!r} "
          f"({result.message})")
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


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        args = build_parser().parse_args(normalise_argv(argv))
        if args.command == "run":
            return cmd_run(args)
        if args.command == "inspect":
            return cmd_inspect(args)
        from .gui.app import run_app  # Qt is imported only for the window
        return run_app(args)
    except (UsageError, InputError, ExpressionError) as exc:
        print(f"gd-explorer: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
