"""Benchmarks: prints a table of timings for the core (and, with --gui, the contour view and
the event loop's longest pauses while playing a long run and compiling a heavy formula).

    python benchmarks/bench.py [--gui] [--repeat N]
"""
import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from gd_explorer.core.analysis import basin_map, critical_points  # noqa: E402
from gd_explorer.core.descent import Descent  # noqa: E402
from gd_explorer.core.function import parse_function  # noqa: E402
from gd_explorer.core.grid import choose_levels, contour_lines, sample_grid  # noqa: E402
from gd_explorer.core.presets import PRESETS  # noqa: E402


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def core_rows(repeat):
    parse_function("x")  # start the symbolic worker
    rows = []
    for p in PRESETS:
        parse_s = timed(lambda: parse_function(p.expression), repeat)
        fn = parse_function(p.expression)
        grid_s = timed(lambda: sample_grid(fn, p.xrange, p.yrange, 300), repeat)
        grid = sample_grid(fn, p.xrange, p.yrange, 300)
        levels = choose_levels(grid.finite, 20, p.spacing)
        contour_s = timed(lambda: contour_lines(grid, levels), repeat)
        run = Descent(fn, p.start, p.learning_rate, 10**7, 0.0)
        t0 = time.perf_counter()
        steps = run.step(5000)
        step_rate = steps / max(time.perf_counter() - t0, 1e-9)
        crit_s = timed(lambda: critical_points(fn, p.xrange, p.yrange), 1)
        basin_s = timed(lambda: basin_map(fn, p.xrange, p.yrange, p.learning_rate, 80, 2000), 1)
        rows.append((p.name, parse_s * 1e3, grid_s * 1e3, contour_s * 1e3, step_rate,
                     crit_s * 1e3, basin_s * 1e3))
    return rows


def gui_rows(repeat):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from gd_explorer.gui.app import make_app
    from gd_explorer.gui.contour_view import ContourView
    from gd_explorer.gui.model import ExplorerModel

    app = make_app()
    model = ExplorerModel()
    view = ContourView(model)
    view.resize(900, 700)
    view.show()
    app.processEvents()
    rows = []
    for p in PRESETS:
        model.set_function(parse_function(p.expression), p)
        app.processEvents()
        recompute_s = timed(lambda: view._recompute(force=True), repeat)
        model.set_tol(0.0)
        model.set_max_steps(10**6)
        model.step(100000)
        draw_s = timed(view._draw_trajectory, repeat)
        rows.append((p.name, recompute_s * 1e3, model.run.steps + 1, draw_s * 1e3))
    return rows


def latency_rows():
    """Longest and 99th-percentile gap between 5 ms timer ticks (the tests count work instead)."""
    from PySide6.QtCore import QEventLoop, QTimer

    from gd_explorer.gui.app import make_app
    from gd_explorer.gui.main_window import MainWindow

    app = make_app()
    win = MainWindow()
    win.resize(1400, 900)
    win.show()
    model = win.model
    model.set_function(parse_function("x^2 + 3*y^2"))
    app.processEvents()

    def gaps_while(start, done):
        gaps, last = [], [time.perf_counter()]

        def tick():
            now = time.perf_counter()
            gaps.append((now - last[0]) * 1e3)
            last[0] = now

        timer = QTimer(interval=5)
        timer.timeout.connect(tick)
        timer.start()
        start()
        while not done():
            app.processEvents(QEventLoop.AllEvents, 20)
        timer.stop()
        gaps.sort()
        return gaps[-1], gaps[int(0.99 * (len(gaps) - 1))]

    model.set_tol(0.0)
    model.set_max_steps(200_000)
    model.set_learning_rate(1e-7)
    model.set_speed(100000)
    rows = [("play 200,000 steps at 100,000/s",
             *gaps_while(model.play, lambda: model.run.finished))]
    heavy = "max(" + ", ".join(f"x + {i}*y" for i in range(32)) + ")"
    rows.append(("compile a formula that times out",
                 *gaps_while(lambda: model.set_expression(heavy), lambda: not model.compiling)))
    win.close()
    return rows


def print_table(headers, rows, formats):
    cells = [[f.format(v) for f, v in zip(formats, row)] for row in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for c in cells:
        print("| " + " | ".join(v.rjust(w) for v, w in zip(c, widths)) + " |")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gui", action="store_true", help="also time the contour view (offscreen)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("Core (median of", args.repeat, "runs; grid 300x300, 20 contour levels, basins 80x80)\n")
    print_table(("function", "parse ms", "grid ms", "contours ms", "steps/s", "critical ms",
                 "basins ms"), core_rows(args.repeat),
                ("{}", "{:.1f}", "{:.2f}", "{:.1f}", "{:,.0f}", "{:.1f}", "{:.0f}"))
    if args.gui:
        print("\nContour view (offscreen): grid + image + contours, and drawing a run of up to "
              "100,001 rows (runs stop early when they converge or diverge)\n")
        print_table(("function", "recompute ms", "rows", "trajectory setData ms"), gui_rows(args.repeat),
                    ("{}", "{:.1f}", "{:,}", "{:.1f}"))
        print("\nEvent loop (whole window, offscreen): gaps between ticks of a 5 ms timer\n")
        print_table(("while", "longest gap ms", "99% of gaps under ms"), latency_rows(),
                    ("{}", "{:.0f}", "{:.0f}"))


if __name__ == "__main__":
    main()
