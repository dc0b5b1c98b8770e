"""Mutation testing: put one small bug in a module at a time and see whether its tests fail.

    python tools/mutate.py                        # every module in MODULES, one after another
    python tools/mutate.py fmt optimizers         # some of them (short names from MODULES)
    python tools/mutate.py gd_explorer/core/x.py --tests tests/test_x.py   # any module
    options: --max 60 (sample at most N mutants per module, seeded) --seed 13
             --timeout S (per mutant; default 3 x the clean run + 20 s) --json out.json
             --only 3,17 (these mutant numbers) --list (print the mutants, run nothing)
             --rerun before.json (only the mutants that a saved --json run did not kill)
             --before (without the tests in KILLERS: the counts before they were written)

Mutations (from the module's ast, one at a time, spliced into the source text so that the rest
of the file, its comments and its line numbers stay as they are):
    a + b  <-> a - b        a * b <-> a / b      a // b -> a / b     a ** b -> a * b
    (and the same for +=, -=, *=, /=)
    <  <-> <=    >  <-> >=    == <-> !=    is <-> is not    in <-> not in
    and <-> or    True <-> False    not x -> x    return v -> return None
    a number c -> c + 1, c * 2 and 0 (those that differ from c)

Each mutant runs ``python -m pytest TESTS -x -q -p no:cacheprovider`` in a private copy of the
repository (gd_explorer/, tests/, resources/, pyproject.toml, in a temp folder), so the working
tree is never touched. A mutant is "killed" when a test fails (or the tests cannot even be
collected), "survived" when all pass, "timeout" when the run takes longer than the limit (its
process group is ended). The clean copy is run first; if its tests fail, the module is skipped.

EQUIVALENT lists the mutants that cannot change behaviour (with the reason); they are counted
apart. Mutant numbers and the sample depend only on the module's text and --seed, so a run
after new tests were added tries the same mutants.
"""
import argparse
import ast
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# short name: (module, the tests that cover it)
MODULES = {
    "optimizers": ("gd_explorer/core/optimizers.py", ["tests/test_optimizers.py", "tests/test_descent.py"]),
    "steploop": ("gd_explorer/core/steploop.py",
                 ["tests/test_optimizers.py", "tests/test_descent.py", "tests/test_codegen.py",
                  "tests/test_batch.py"]),
    "codegen": ("gd_explorer/core/codegen.py", ["tests/test_codegen.py", "tests/test_function.py"]),
    "descent": ("gd_explorer/core/descent.py", ["tests/test_descent.py", "tests/test_optimizers.py"]),
    "batch": ("gd_explorer/core/batch.py", ["tests/test_batch.py"]),
    "limits": ("gd_explorer/core/limits.py", ["tests/test_limits.py"]),
    "fmt": ("gd_explorer/core/fmt.py", ["tests/test_fmt.py"]),
    "parser": ("gd_explorer/core/parser.py", ["tests/test_parser.py", "tests/test_aliases.py"]),
    "session": ("gd_explorer/core/session.py", ["tests/test_sessions.py"]),
    "export": ("gd_explorer/core/export.py", ["tests/test_export.py", "tests/test_streaming_export.py"]),
    "fileio": ("gd_explorer/core/fileio.py", ["tests/test_export.py", "tests/test_streaming_export.py"]),
    "grid": ("gd_explorer/core/grid.py", ["tests/test_grid.py", "tests/test_numerics.py"]),
    "calculus": ("gd_explorer/core/calculus.py", ["tests/test_calculus.py"]),
    "critical": ("gd_explorer/core/critical.py", ["tests/test_analysis.py"]),
    "point": ("gd_explorer/core/point.py", ["tests/test_point.py"]),
    "symbolic": ("gd_explorer/core/symbolic.py", ["tests/test_function.py", "tests/test_codegen.py"]),
    "model": ("gd_explorer/gui/model.py", ["tests/test_model.py", "tests/test_runs.py"]),
}

# the tests written to kill the mutants that survived MODULES' tests (issue 13); --before
# leaves them out, to count what the tests before them killed
KILLERS = {name: [f"tests/test_mutants_{name}.py"] for name in MODULES}

# "module short name": {"line N: old -> new": "why it cannot change behaviour"}; the key is
# the mutant's description (--list), so it names one mutant of one module's text
EQUIVALENT = {
    "fmt": {
        "line 39: value > 0 -> (value >= 0)": "value is +inf or -inf here, never 0",
    },
    "limits": {
        "line 37: len(DIRECTIONS) // 2 -> (len(DIRECTIONS) / 2)":
            "8 // 2 == 8 / 2: len(estimates) < 4 and < 4.0 agree",
    },
    "steploop": {
        "line 23: 3 -> 6": "BAD_VALUE renumbered 6: still distinct, every use is by name",
        "line 23: 4 -> 5": "STOPPED renumbered 5: still distinct, every use is by name",
        "line 23: 4 -> 8": "STOPPED renumbered 8: still distinct, every use is by name",
        "line 111: 4 -> 8": "8-space indents: the same generated code",
        "line 121: 1 -> 2": "a deeper indent of the try body: the same generated code",
        "line 162: 2 -> 3": "a deeper indent of the loop body: the same generated code",
        "line 162: 2 -> 4": "a deeper indent of the loop body: the same generated code",
    },
    "codegen": {
        "line 45: 1 -> 0": "_min also compares args[0] with itself: no change, NaN gives NaN "
                           "either way",
        "line 169: len(node[1]) > 1 -> (len(node[1]) >= 1)":
            "a product has two factors or more (sympy's Mul, the parser's a*b), never just -1",
        "line 203: 1e6 -> 0.0": "_pow (math.pow, np.power) gives the same float as ** for a "
                                "whole exponent (C pow); their errors are caught alike",
        "line 227: term[1][0][1] < 0 -> (term[1][0][1] <= 0)":
            "sympy never leaves a 0 coefficient in a product",
    },
    "descent": {
        "line 226: count <= 0 -> (count < 0)": "count 0 makes end = done, and the next check "
                                               "returns 0",
        "line 261: 2 -> 0": "far2 = 1 only makes the loop's quick run-away pre-check run the "
                            "exact test hypot > far more often",
        "line 362: x + r * math.cos(k * math.pi / 4) -> (x - r * math.cos(k * math.pi / 4))":
            "the eight directions k·45° mirrored in the y axis are the same eight",
        "line 362: y + r * math.sin(k * math.pi / 4) -> (y - r * math.sin(k * math.pi / 4))":
            "the eight directions k·45° mirrored in the x axis are the same eight",
    },
    "batch": {
        "line 47: 1 -> 0": "check_every = 0 is read as max(1, 0) = 1, the default",
    },
    "model": {
        "line 312: self.run.steps == 0 -> (self.run.steps != 0)":
            "only a shortcut: _set_settings also returns at once for the same settings",
    },
}

BINOPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
          ast.FloorDiv: ast.Div, ast.Pow: ast.Mult}
CMPOPS = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
          ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn,
          ast.NotIn: ast.In}


class Mutant:
    def __init__(self, node, new_text, old_text):
        self.start = (node.lineno, node.col_offset)
        self.end = (node.end_lineno, node.end_col_offset)
        self.new_text = new_text
        self.old_text = old_text

    @property
    def line(self):
        return self.start[0]

    def describe(self):
        old = " ".join(self.old_text.split())
        new = " ".join(self.new_text.split())
        if len(old) > 70:
            old, new = old[:67] + "...", new[:67] + "..."
        return f"line {self.line}: {old} -> {new}"


def _copy_with(node, **fields):
    """A shallow copy of ``node`` with ``fields`` replaced."""
    new = type(node)(**{f: getattr(node, f) for f in node._fields})
    for name, value in fields.items():
        setattr(new, name, value)
    return ast.copy_location(new, node)


def _in_fstring(tree):
    inside = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            inside.update(id(n) for n in ast.walk(node))
    return inside


def find_mutants(source):
    tree = ast.parse(source)
    skip = _in_fstring(tree)
    found = []

    def add(node, new_node_or_text):
        old = ast.get_source_segment(source, node)
        new = (new_node_or_text if isinstance(new_node_or_text, str)
               else f"({ast.unparse(new_node_or_text)})")
        found.append(Mutant(node, new, old))

    for node in ast.walk(tree):
        if id(node) in skip:  # positions inside f-strings are not reliable before Python 3.12
            continue
        if isinstance(node, ast.BinOp) and type(node.op) in BINOPS:
            add(node, _copy_with(node, op=BINOPS[type(node.op)]()))
        elif isinstance(node, ast.AugAssign) and type(node.op) in BINOPS:
            add(node, ast.unparse(_copy_with(node, op=BINOPS[type(node.op)]())))
        elif isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in CMPOPS:
                    ops = list(node.ops)
                    ops[i] = CMPOPS[type(op)]()
                    add(node, _copy_with(node, ops=ops))
        elif isinstance(node, ast.BoolOp):
            add(node, _copy_with(node, op=ast.Or() if isinstance(node.op, ast.And) else ast.And()))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            add(node, node.operand)
        elif isinstance(node, ast.Return) and node.value is not None and not (
                isinstance(node.value, ast.Constant) and node.value.value is None):
            add(node.value, "None")
        elif isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool):
                add(node, repr(not value))
            elif isinstance(value, (int, float)):
                for new in dict.fromkeys((value + 1, value * 2, 0 * value)):
                    if new != value:
                        add(node, repr(new))
    found.sort(key=lambda m: (m.start, m.end, m.new_text))
    return found


def apply(source, mutant):
    """``source`` with ``mutant`` spliced in (ast offsets are UTF-8 byte columns)."""
    data = source.encode("utf-8")
    starts = [0]
    for line in data.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    a = starts[mutant.start[0] - 1] + mutant.start[1]
    b = starts[mutant.end[0] - 1] + mutant.end[1]
    return (data[:a] + mutant.new_text.encode("utf-8") + data[b:]).decode("utf-8")


def run_tests(copy, tests, timeout):
    """("passed" | "failed" | "timeout", seconds) for the tests in the copy."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", QT_QPA_PLATFORM="offscreen")
    cmd = [sys.executable, "-m", "pytest", *tests, "-x", "-q", "-p", "no:cacheprovider",
           "-m", "not opengl"]
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=copy, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the group of the pytest we started, and its workers
        proc.wait()
        return "timeout", time.monotonic() - t0
    return ("passed" if code == 0 else "failed"), time.monotonic() - t0


def make_copy():
    copy = tempfile.mkdtemp(prefix="gd-mutate-")
    ignore = shutil.ignore_patterns("__pycache__", ".hypothesis", ".pytest_cache")
    for name in ("gd_explorer", "tests", "resources"):
        shutil.copytree(os.path.join(ROOT, name), os.path.join(copy, name), ignore=ignore)
    shutil.copy(os.path.join(ROOT, "pyproject.toml"), copy)
    return copy


def mutate_module(short, module, tests, args):
    path = os.path.join(ROOT, module)
    with open(path, encoding="utf-8") as f:
        source = f.read()
    mutants = find_mutants(source)
    numbers = list(range(len(mutants)))
    only = args.only if args.only is not None else args.rerun_only.get(module)
    if only is not None:
        numbers = [n for n in only if n < len(mutants)]
    elif len(numbers) > args.max:
        numbers = sorted(random.Random(f"{args.seed}:{module}").sample(numbers, args.max))
    equivalent = EQUIVALENT.get(short, {})
    if args.list:
        for n in numbers:
            note = "   [equivalent]" if mutants[n].describe() in equivalent else ""
            print(f"{short} #{n} {mutants[n].describe()}{note}")
        return None
    copy = make_copy()
    target = os.path.join(copy, module)
    try:
        status, clean_s = run_tests(copy, tests, args.timeout or 900)
        if status != "passed":
            print(f"{short}: the tests fail without a mutant ({status}); skipped", flush=True)
            return {"module": module, "tests": tests, "error": f"clean run {status}"}
        limit = args.timeout or 3 * clean_s + 20
        print(f"{short}: {len(mutants)} mutants, trying {len(numbers)}; clean run "
              f"{clean_s:.0f} s, limit {limit:.0f} s", flush=True)
        results = []
        for n in numbers:
            m = mutants[n]
            text = apply(source, m)
            try:
                compile(text, module, "exec")
            except SyntaxError:
                results.append({"n": n, "mutant": m.describe(), "status": "invalid"})
                continue
            with open(target, "w", encoding="utf-8") as f:
                f.write(text)
            outcome, seconds = run_tests(copy, tests, limit)
            status = {"failed": "killed", "passed": "survived"}.get(outcome, outcome)
            if status == "survived" and m.describe() in equivalent:
                status = "equivalent"
            results.append({"n": n, "mutant": m.describe(), "status": status,
                            "seconds": round(seconds, 1)})
            if status != "killed":
                print(f"  #{n} {status}: {m.describe()}", flush=True)
        with open(target, "w", encoding="utf-8") as f:
            f.write(source)
    finally:
        shutil.rmtree(copy, ignore_errors=True)
    counts = {s: sum(r["status"] == s for r in results)
              for s in ("killed", "survived", "timeout", "equivalent", "invalid")}
    print(f"{short}: tried {len(results)}: " + ", ".join(f"{k} {v}" for k, v in counts.items()),
          flush=True)
    return {"module": module, "tests": tests, "total": len(mutants), "tried": len(results),
            **counts, "results": results}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="short names from MODULES, or a module path")
    parser.add_argument("--tests", nargs="+", help="the tests for a module given by path")
    parser.add_argument("--max", type=int, default=60)
    parser.add_argument("--seed", default="13")
    parser.add_argument("--timeout", type=float)
    parser.add_argument("--only", type=lambda s: [int(n) for n in s.split(",")])
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--json")
    parser.add_argument("--rerun")
    parser.add_argument("--before", action="store_true")
    args = parser.parse_args(argv)
    args.rerun_only = {}
    if args.rerun:
        with open(args.rerun, encoding="utf-8") as f:
            for entry in json.load(f):
                args.rerun_only[entry["module"]] = [
                    r["n"] for r in entry.get("results", ()) if r["status"] != "killed"]
        by_path = {module: name for name, (module, _) in MODULES.items()}
        args.modules = args.modules or [by_path.get(m, m) for m in args.rerun_only]
    jobs = []
    for name in args.modules or list(MODULES):
        if name in MODULES:
            module, tests = MODULES[name]
            if not args.before:
                tests = tests + [t for t in KILLERS[name] if os.path.exists(os.path.join(ROOT, t))]
            jobs.append((name, module, args.tests or tests))
        elif args.tests:
            jobs.append((os.path.splitext(os.path.basename(name))[0], name, args.tests))
        else:
            parser.error(f"{name}: not in MODULES; give its tests with --tests")
    report = [r for r in (mutate_module(*job, args) for job in jobs) if r is not None]
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=1)
    if len(report) > 1:
        print("\nmodule        tried  killed  survived  timeout  equivalent")
        for r in report:
            if "tried" in r:
                short = os.path.splitext(os.path.basename(r["module"]))[0]
                print(f"{short:<13} {r['tried']:>5}  {r['killed']:>6}  {r['survived']:>8}  "
                      f"{r['timeout']:>7}  {r['equivalent']:>10}")


if __name__ == "__main__":
    main()
