"""Where row 4's frame goes: the same scene as bench.py's row 4 (100,000 steps on Rosenbrock),
then N more steps (or pans), each repainted as the bench does, with the GUI thread's CPU time per
frame, the widgets painted per frame, and a cProfile of the frames.

    python benchmarks/profile_frame.py [step|pan] [--frames 200] [--top 40]
"""
import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (puts the repo root first on sys.path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=("step", "pan"), nargs="?", default="step")
    ap.add_argument("--frames", type=int, default=200)
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--sort", default="tottime")
    args = ap.parse_args()
    app, window = bench.trajectory_scene()
    model, view = window.model, window.contour
    vb = view.getViewBox()
    sign = [1.0]

    def frame():
        if args.what == "step":
            model.step(1)
        else:
            sign[0] = -sign[0]
            vb.translateBy(x=0.05 * sign[0])
        view.viewport().repaint()

    for _ in range(20):  # warm up
        frame()
    count = bench.PaintCount(app)
    names = {}
    with count:
        for _ in range(10):
            count.painted = set()
            frame()
            for w in count.painted:
                key = f"{type(w).__name__}:{w.objectName() or '-'}"
                names[key] = names.get(key, 0) + 1
    print(f"paints per frame: {count.paints / 10:.1f}")
    for k, v in sorted(names.items(), key=lambda kv: -kv[1]):
        print(f"  {v / 10:.1f}  {k}")
    cpu = []
    for _ in range(args.frames):
        t0 = time.thread_time()
        frame()
        cpu.append(time.thread_time() - t0)
    print(f"GUI thread CPU per frame: median {statistics.median(cpu) * 1e3:.2f} ms, "
          f"min {min(cpu) * 1e3:.2f} ms")
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(args.frames):
        frame()
    prof.disable()
    st = pstats.Stats(prof)
    st.sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
