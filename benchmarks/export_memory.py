"""Memory of a CSV export: how much the peak RSS rises while the rows are written.

    python benchmarks/export_memory.py [--rows 10000000] [--mode stream|string] [--folder DIR]

Each measurement runs in a fresh process. The trajectory (rows x 7 float64) is built first;
then the peak RSS is reset (/proc/self/clear_refs, Linux) and the export runs. The rise is
peak RSS during the export minus RSS before it. "stream" is write_csv (chunked); "string"
builds the whole text first, as the export did before it streamed (try it with 1M rows).
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def status_kb(field):
    """VmRSS / VmHWM from /proc/self/status in kB, or None where there is no /proc."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak():
    """Make VmHWM start again from the current RSS (Linux >= 4.0); False if not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def trajectory(rows, seed=0):
    """Rows like a descent's: integer steps and full-precision doubles (the longest reprs)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    data = np.empty((rows, 7))
    data[:, 0] = np.arange(rows)
    for j in range(1, 7):  # column by column: no big temporaries
        data[:, j] = rng.standard_normal(rows)
    return data


def child(args):
    from gd_explorer.core.descent import DescentResult
    from gd_explorer.core.export import trajectories_csv, write_csv
    from gd_explorer.core.fileio import atomic_write_text

    run = DescentResult(trajectory(args.rows), "max steps", "max steps reached", "gd", 0.001,
                        "(1 - x)^2 + 100*(y - x^2)^2")
    path = os.path.join(args.folder, "export.csv")
    before = status_kb("VmRSS")
    exact = reset_peak()
    maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    if args.mode == "stream":
        write_csv(path, [run])
    else:
        atomic_write_text(path, trajectories_csv([run]))
    seconds = time.perf_counter() - t0
    peak = status_kb("VmHWM")
    maxrss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    size = os.path.getsize(path)
    os.unlink(path)
    if exact and before is not None and peak is not None:
        rise, how = (peak - before) / 1024, "VmHWM after reset - VmRSS before"
    else:
        rise, how = (maxrss_after - maxrss_before) / 1024, "ru_maxrss after - before (lower bound)"
    print(f"{args.mode:6s} {args.rows:>11,} rows  file {size / 2**20:8.1f} MB  "
          f"RSS before {before / 1024 if before else float('nan'):7.1f} MB  "
          f"rise {rise:7.1f} MB  ({how})  {seconds:6.1f} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--mode", choices=["stream", "string"], default="stream")
    parser.add_argument("--folder", help="where the file is written (default: a temp folder)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    with tempfile.TemporaryDirectory(dir=args.folder) as folder:
        cmd = [sys.executable, os.path.abspath(__file__), "--child", "--rows", str(args.rows),
               "--mode", args.mode, "--folder", folder]
        return subprocess.call(cmd)


if __name__ == "__main__":
    sys.exit(main())
