"""The performance table: each row times gd-explorer and a baseline that does the same job,
in the same run, interleaved, and gives the median, the min–max and the ratio.

    python benchmarks/bench.py [--repeat N] [--json PATH] [--only 3,5]

Needs the `bench` extra (matplotlib) for the baselines: pip install -e ".[bench]".
Rows 1, 2, 4, 6 and 7 start Qt (offscreen); row 6 and 7 start the app in a subprocess.
"""
import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROSENBROCK = "(1 - x)^2 + 100*(y - x^2)^2"
THREE = ("Himmelblau", "Rosenbrock", "Goldstein-Price")


def interleaved(ours, baseline, repeat):
    """Alternate the two, so both see the same machine; lists of seconds."""
    a, b = [], []
    for _ in range(repeat):
        for fn, out in ((ours, a), (baseline, b)):
            if fn is None:
                continue
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
    return a, b


def stats(times):
    if not times:
        return None
    return {"median": statistics.median(times), "min": min(times), "max": max(times),
            "n": len(times)}


class Table:
    def __init__(self):
        self.rows = []

    def add(self, number, name, ours, baseline=None, unit="ms", target="", note=""):
        self.rows.append({"row": number, "name": name, "ours": stats(ours),
                          "baseline": stats(baseline) if baseline else None, "unit": unit,
                          "target": target, "note": note})
        print(self.format_row(self.rows[-1]), flush=True)

    @staticmethod
    def cell(s, unit):
        if s is None:
            return "—"
        k = 1e3 if unit == "ms" else 1.0  # timings are kept in seconds; MiB as they are
        digits = "{:.3g}"
        return (f"{digits.format(s['median'] * k)} ({digits.format(s['min'] * k)}–"
                f"{digits.format(s['max'] * k)}) {unit}")

    def format_row(self, r):
        ratio = "—"
        if r["baseline"] and r["ours"]:
            ratio = f"{r['baseline']['median'] / r['ours']['median']:.2g}×"
        return (f"| {r['row']} | {r['name']} | {self.cell(r['ours'], r['unit'])} | "
                f"{self.cell(r['baseline'], r['unit'])} | {ratio} | {r['target']} |")


HEADER = ("| # | row | gd-explorer median (min–max) | baseline median (min–max) | "
          "baseline ÷ ours | target |\n|---|---|---|---|---|---|")


# ----- rows 1 and 4: the window (offscreen) ------------------------------------------------------
_GUI = {}


def gui():
    """One shown main window for the GUI rows (offscreen)."""
    if not _GUI:
        from gd_explorer.gui.app import make_app
        from gd_explorer.gui.main_window import MainWindow

        app = make_app()
        window = MainWindow()
        window.resize(1600, 1000)
        window.show()
        window.model.load_default()
        window.model.wait_idle(60)
        for _ in range(5):
            app.processEvents()
        _GUI.update(app=app, window=window)
    return _GUI["app"], _GUI["window"]


def mpl_figure():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=(9, 7), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def row_edit(table, repeat):
    """Row 1: a formula typed in the editor until its colour map and contours are painted."""
    from gd_explorer.core.grid import sample_grid
    from gd_explorer.core.presets import preset_by_name
    from gd_explorer.gui import contour_view
    from gd_explorer.gui.contour_lines import lines_process
    from gd_explorer.gui.math_view import wait_typeset

    app, window = gui()
    model, view = window.model, window.contour
    n = contour_view.RESOLUTION
    # the first typed formula starts the lines process, loaded a fraction of a second later:
    # started here, untimed, as it is after the first keystrokes
    lines_process().wait_ready(60)
    for name in THREE:
        p = preset_by_name(name)
        model.set_window(p.xrange, p.yrange)
        app.processEvents()
        texts = [f"{p.expression} + {k}e-9*x" for k in range(repeat)]  # a new formula each time
        grid = sample_grid(model.function, p.xrange, p.yrange, n)
        X, Y = np.meshgrid(grid.xs, grid.ys)
        Z = np.asarray(__import__("gd_explorer").parse_function(p.expression).value(X, Y))
        if p.spacing == "log":
            Z = np.log10(Z - np.nanmin(Z) + 1e-3)
        fig = mpl_figure()

        def ours():
            model.set_expression(texts.pop())
            view.viewport().repaint()

        def baseline():
            fig.clear()
            ax = fig.add_subplot()
            ax.contourf(X, Y, Z, 20)
            ax.contour(X, Y, Z, 20, colors="w", linewidths=0.6)
            fig.canvas.draw()

        a, b = [], []
        for _ in range(repeat):
            a += interleaved(ours, None, 1)[0]
            # the derivatives arrive and are typeset (not timed): their formulas' paints are
            # not the next edit's (a repaint paints whatever the window has left to paint)
            model.wait_idle(60)
            wait_typeset(window)
            app.processEvents()
            b += interleaved(None, baseline, 1)[1]
        table.add(1, f"edit → map + {contour_view.LEVEL_COUNT} contour lines, {n}², {name} "
                     "(baseline: matplotlib contourf + contour + Agg draw)", a, b, "ms",
                  "≥ 5×; ≤ 40 ms")


def trajectory_scene():
    """Row 4's scene: the window with Rosenbrock and a run of 100,000 steps on the map, and
    the Descent tab shown, where Step is (row 2 leaves the Directional tab shown: stepping
    there also redraws its plots for the new point)."""
    app, window = gui()
    window.tabs.setCurrentIndex(0)
    model = window.model
    model.load_preset("Rosenbrock")
    model.wait_idle(60)
    model.set_tol(0.0)
    model.set_max_steps(10 ** 6)
    model.set_learning_rate(1e-4)
    model.step(100_000)
    app.processEvents()
    return app, window


def row_frame(table, repeat):
    """Row 4: with a 100,000-point trajectory on the map, one more step; a pan."""
    app, window = trajectory_scene()
    model, view = window.model, window.contour
    rows = model.run.view()
    fig = mpl_figure()
    ax = fig.add_subplot()
    grid = view.grid
    ax.imshow(grid.z, extent=(grid.xs[0], grid.xs[-1], grid.ys[0], grid.ys[-1]), origin="lower")
    line, = ax.plot(rows[:, 1], rows[:, 2], "-", color="orange")
    fig.canvas.draw()
    vb = view.getViewBox()

    def ours_step():
        model.step(1)
        view.viewport().repaint()

    def base_step():
        r = model.run.view()
        line.set_data(r[:, 1], r[:, 2])
        fig.canvas.draw()

    sign = [1.0]

    def ours_pan():
        sign[0] = -sign[0]
        vb.translateBy(x=0.05 * sign[0])
        view.viewport().repaint()

    def base_pan():
        x0, x1 = ax.get_xlim()
        ax.set_xlim(x0 + 0.05 * sign[0], x1 + 0.05 * sign[0])
        fig.canvas.draw()

    for name, ours, base in (("one more step", ours_step, base_step),
                             ("a pan", ours_pan, base_pan)):
        a, b = interleaved(ours, base, repeat)
        table.add(4, f"frame with a 100,000-point trajectory: {name} (baseline: matplotlib, "
                     "same scene)", a, b, "ms", "≥ 5×; ≤ 16 ms")


# ----- row 2: a dial tick ------------------------------------------------------------------------
TICKS = 20  # dial ticks per timed sample


class PaintCount:
    """Counts the Paint events of every widget (an application event filter)."""

    def __init__(self, app):
        from PySide6.QtCore import QEvent, QObject

        class Filter(QObject):
            def eventFilter(inner, obj, event):
                if event.type() == QEvent.Paint:
                    self.paints += 1
                    self.painted.add(obj)
                return False

        self.app, self.filter, self.paints, self.painted = app, Filter(), 0, set()

    def __enter__(self):
        self.app.installEventFilter(self.filter)
        return self

    def __exit__(self, *exc):
        self.app.removeEventFilter(self.filter)


def mpl_dial_plots(fn, point):
    """The baseline: the same two small plots in matplotlib (D_u f against φ with its marks and
    labels, the slice g(z) with its tangent), redrawn for a new angle."""
    from matplotlib.figure import Figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from gd_explorer.core.calculus import derivative_curve, slice_values

    fig = Figure(figsize=(3.6, 2.8), dpi=100)
    FigureCanvasAgg(fig)
    top, bottom = fig.subplots(2, 1)
    f0, gx, gy = fn.value_and_gradient(*point)
    norm, peak = math.hypot(gx, gy), math.degrees(math.atan2(gy, gx)) % 360
    degrees = np.arange(361.0)
    top.plot(degrees, derivative_curve((gx, gy), np.radians(degrees)), color="#444444")
    for x, y, text in ((peak, norm, "max: along ∇f"), ((peak + 180) % 360, -norm, "min: against ∇f"),
                       ((peak + 90) % 360, 0, "0: level curve"), ((peak + 270) % 360, 0, "0: level curve")):
        top.plot([x], [y], "o")
        top.annotate(text, (x, y), fontsize=7, bbox={"fc": "#ffcccc"})
    top.set_ylim(-1.6 * norm, 1.6 * norm)
    vline = top.axvline(0, ls="--")
    marker, = top.plot([0], [0], "o", ms=8)
    zs = np.linspace(-0.6, 0.6, 121)
    curve, = bottom.plot(zs, zs, lw=2)
    tangent, = bottom.plot([-0.6, 0.6], [0, 0], "--")
    bottom.plot([0], [f0], "ko")
    for ax in (top, bottom):
        ax.grid(alpha=0.2)
    state = {"phi": 0.0}

    def tick():
        phi = state["phi"] = state["phi"] + 0.01
        value = gx * math.cos(phi) + gy * math.sin(phi)
        vline.set_xdata([math.degrees(phi)] * 2)
        marker.set_data([math.degrees(phi)], [value])
        gs = slice_values(fn, point, phi, zs)
        curve.set_ydata(gs)
        tangent.set_ydata([f0 - 0.6 * value, f0 + 0.6 * value])
        bottom.set_ylim(np.nanmin(gs) - 1, np.nanmax(gs) + 1)
        fig.canvas.draw()

    return tick


def row_dial(table, repeat):
    """Row 2: one dial tick: the angle set, everything that depends on it updated and painted
    (the panel's readouts, dial, sinusoid marker and slice; in the window also u on the map)."""
    from PySide6.QtWidgets import QApplication

    from gd_explorer.core import parse_function
    from gd_explorer.gui.direction_panel import DirectionPanel
    from gd_explorer.gui.model import ExplorerModel

    app, window = gui()
    point = (1.0, 1.5)
    window.model.load_preset("Himmelblau")
    window.model.wait_idle(60)
    window.model.set_start(*point)
    window.tabs.setCurrentIndex(1)
    model = ExplorerModel()  # the panel alone, in a window of its own
    panel = DirectionPanel(model)
    model.set_function(parse_function(window.model.text))
    model.set_window(*window.model.window)
    model.set_start(*point)
    panel.resize(470, 900)
    panel.show()
    for _ in range(5):
        app.processEvents()
    base_tick = mpl_dial_plots(model.function, point)

    for name, m, must_paint in (
            ("the whole window: panel and map", window.model, window.direction),
            ("the panel alone", model, panel)):
        angle = [m.angle]

        def ours():
            for _ in range(TICKS):
                angle[0] += 0.01
                m.set_angle(angle[0])
                QApplication.processEvents()

        def baseline():
            for _ in range(TICKS):
                base_tick()

        with PaintCount(app) as count:  # what one tick paints (not timed)
            ours()
        needed = {must_paint.dial, must_paint.value_label, must_paint.curve_plot.viewport(),
                  must_paint.slice_plot.viewport()}
        if not needed <= count.painted:
            raise RuntimeError("a tick did not paint everything that depends on the angle")
        a, b = interleaved(ours, baseline, repeat)
        table.add(2, f"dial tick, {name}: {count.paints / TICKS:.3g} widget paints per tick "
                     "(baseline: matplotlib redraw of the sinusoid and slice plots)",
                  [t / TICKS for t in a], [t / TICKS for t in b], "ms", "≥ 5×; ≤ 4 ms")
    panel.close()
    window.tabs.setCurrentIndex(0)


# ----- row 3: descent steps -------------------------------------------------------------------
def plain_loop(steps):
    """The baseline: a plain Python loop over sympy.lambdify(..., "math") functions that does
    the same job as a run (rows of step, x, y, f, ∂f/∂x, ∂f/∂y, ‖∇f‖; stops at convergence or a
    non-finite value)."""
    import sympy as sp

    x, y = sp.symbols("x y", real=True)
    expr = (1 - x) ** 2 + 100 * (y - x ** 2) ** 2
    f = sp.lambdify((x, y), expr, "math")
    grad = sp.lambdify((x, y), [sp.diff(expr, x), sp.diff(expr, y)], "math")

    def run():
        px, py, lr = -1.2, 1.0, 1e-3
        gx, gy = grad(px, py)
        rows = [(0, px, py, f(px, py), gx, gy, math.hypot(gx, gy))]
        for t in range(1, steps + 1):
            px, py = px - lr * gx, py - lr * gy
            value = f(px, py)
            gx, gy = grad(px, py)
            norm = math.hypot(gx, gy)
            if not (math.isfinite(value) and math.isfinite(norm)):
                break
            rows.append((t, px, py, value, gx, gy, norm))
        return rows

    return run


def bare_gradient_loop(steps):
    """Only x ← x − ε∇f: no f, no rows, no checks (the least a loop can do)."""
    import sympy as sp

    x, y = sp.symbols("x y", real=True)
    expr = (1 - x) ** 2 + 100 * (y - x ** 2) ** 2
    grad = sp.lambdify((x, y), [sp.diff(expr, x), sp.diff(expr, y)], "math")

    def run():
        px, py, lr = -1.2, 1.0, 1e-3
        for _ in range(steps):
            gx, gy = grad(px, py)
            px, py = px - lr * gx, py - lr * gy

    return run


def row_steps(table, repeat):
    from gd_explorer.core import descend, parse_function

    fn = parse_function(ROSENBROCK)
    descend(fn, (-1.2, 1.0), 1e-3, max_steps=10, tol=0.0)  # compile the loop once
    for steps, target, rep in ((10_000, "≥ 1.5×; ≤ 10 ms", repeat), (1_000_000, "≥ 1.5×; ≤ 1 s",
                                                                         max(3, repeat // 3))):
        ours, base = interleaved(
            lambda: descend(fn, (-1.2, 1.0), 1e-3, max_steps=steps, tol=0.0),
            plain_loop(steps), rep)
        unit = "ms" if steps < 100_000 else "s"
        table.add(3, f"{steps:,} plain-descent steps, Rosenbrock, ε = 1e-3 (baseline: plain "
                     "Python loop, lambdify math, same rows)", ours, base, unit, target)
        _, bare = interleaved(None, bare_gradient_loop(steps), rep)
        table.add(3, f"  (for reference: bare `x -= ε∇f` loop of {steps:,} steps, no f, no rows, "
                     "no checks)", ours, bare, unit, "—")


# ----- row 5: basins --------------------------------------------------------------------------
def row_basins(table, repeat):
    import numpy as np
    import sympy as sp

    from gd_explorer.core import parse_function
    from gd_explorer.core.analysis import basin_map
    from gd_explorer.core.parser import parse_ir
    from gd_explorer.core.presets import preset_by_name
    from gd_explorer.core.symbolic import X, Y, build_sympy

    for name in THREE:
        p = preset_by_name(name)
        fn = parse_function(p.expression)
        expr = build_sympy(parse_ir(p.expression))
        grad = sp.lambdify((X, Y), [sp.diff(expr, X), sp.diff(expr, Y)], "math")
        xs = np.linspace(*p.xrange, 200)
        ys = np.linspace(*p.yrange, 200)
        subset = [(float(a), float(b)) for b in ys[::20] for a in xs[::20]]  # 100 starts
        lr = p.learning_rate

        def loop_over_starts():
            for sx, sy in subset:
                px, py = sx, sy
                for _ in range(200):
                    try:
                        gx, gy = grad(px, py)
                    except (OverflowError, ValueError, ZeroDivisionError):
                        break
                    if math.hypot(gx, gy) < 1e-6:
                        break
                    px, py = px - lr * gx, py - lr * gy
                    if not (math.isfinite(px) and math.isfinite(py)):
                        break

        ours, base = interleaved(lambda: basin_map(fn, p.xrange, p.yrange, lr, 200, 200),
                                 loop_over_starts, max(3, repeat // 2))
        scale = 200 * 200 / len(subset)
        base = [t * scale for t in base]
        table.add(5, f"basins 200²×200 steps, {name} (baseline: Python loop over 100 starts, "
                     "×400)", ours, base, "s", "≥ 20×; ≤ 1 s")


# ----- rows 6 and 7: start-up and memory -------------------------------------------------------
MINIMAL_QT = """
import sys
import pyqtgraph as pg
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
w = pg.PlotWidget()
w.plot([0, 1, 2], [0, 1, 0])
w.resize(1600, 1000)
w.show()
app.processEvents()
w.grab().save(sys.argv[1])
"""

BIG_RUN = """
import sys
sys.path.insert(0, sys.argv[1])
from gd_explorer.gui.app import make_app
from gd_explorer.gui.main_window import MainWindow
app = make_app()
w = MainWindow()
w.resize(1600, 1000)
w.show()
m = w.model
m.set_expression("(1 - x)^2 + 100*(y - x^2)^2")
m.wait_idle(30)
m.set_tol(0.0)
m.set_max_steps(1_000_000)
m.set_learning_rate(1e-4)
m.set_start(-1.2, 1.0)
m.step(1_000_000)
for _ in range(20):
    app.processEvents()
w.table.scrollToBottom()
app.processEvents()
assert w.table.model().rowCount() == 1_000_001, w.table.model().rowCount()
"""


def _tree(pid):
    """pid and all its descendants (Linux /proc)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except OSError:
            pass
    return out


def _rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def peak_tree_rss(cmd, env):
    """Run ``cmd``; return (seconds, peak of the summed RSS of it and its children, in MiB)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, sum(_rss_kib(p) for p in _tree(proc.pid)))
        time.sleep(0.02)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd} failed: {proc.stderr.read().decode(errors='replace')[-500:]}")
    return seconds, peak / 1024


def row_startup(table, repeat):
    folder = tempfile.mkdtemp()
    # both start as installed programs do, from compiled bytecode: a bytecode cache of their
    # own (this environment may forbid writing one next to the sources), warmed once, untimed
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=ROOT,
               PYTHONPYCACHEPREFIX=os.path.join(folder, "pycache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    app_cmd = [sys.executable, "-m", "gd_explorer", "--screenshot", os.path.join(folder, "a.png")]
    base_cmd = [sys.executable, "-c", MINIMAL_QT, os.path.join(folder, "b.png")]
    for cmd in (app_cmd, base_cmd):
        peak_tree_rss(cmd, env)
    ours, base, rss = [], [], []
    for _ in range(max(3, repeat // 2)):
        seconds, peak = peak_tree_rss(app_cmd, env)
        ours.append(seconds)
        rss.append(peak)
        base.append(peak_tree_rss(base_cmd, env)[0])
    table.add(6, "cold start to PNG (--screenshot, offscreen) (baseline: minimal PySide6 + "
                 "pyqtgraph window saved to PNG)", ours, base, "s", "≤ 2× the baseline")
    return rss


def row_memory(table, repeat, screenshot_rss=None):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=ROOT)
    if screenshot_rss is None:
        folder = tempfile.mkdtemp()
        screenshot_rss = [peak_tree_rss([sys.executable, "-m", "gd_explorer", "--screenshot",
                                         os.path.join(folder, "a.png")], env)[1]]
    table.add(7, "peak RSS, app + worker: --screenshot", screenshot_rss, None, "MiB", "≤ 400 MB")
    big = [peak_tree_rss([sys.executable, "-c", BIG_RUN, ROOT], env)[1] for _ in range(2)]
    table.add(7, "peak RSS, app + worker: a 1,000,000-step run in the iteration table", big, None,
              "MiB", "≤ 400 MB")


def row_startup_and_memory(table, repeat):
    row_memory(table, repeat, row_startup(table, repeat))


# ----- main -----------------------------------------------------------------------------------
ROWS = {1: row_edit, 2: row_dial, 3: row_steps, 4: row_frame, 5: row_basins, 6: row_startup_and_memory}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--json", default=os.path.join(ROOT, "benchmarks", "results.json"))
    parser.add_argument("--only", default="", help="comma-separated row numbers")
    args = parser.parse_args()
    only = {int(n) for n in args.only.split(",") if n.strip()}
    table = Table()
    print(f"{platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, {platform.machine()}; median (min–max) of the repeats\n")
    print(HEADER)
    for number, row in sorted(ROWS.items()):
        if not only or number in only:
            row(table, args.repeat)
    with open(args.json, "w", encoding="utf-8") as fh:
        json.dump({"python": platform.python_version(), "cpus": os.cpu_count(),
                   "rows": table.rows}, fh, indent=1, allow_nan=False)
    print(f"\nwritten to {args.json}")


if __name__ == "__main__":
    main()
