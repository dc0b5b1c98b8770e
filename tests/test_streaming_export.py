"""Streaming CSV export (issue 13, point 6): chunked writes, progress, cancel, stale temp files."""
import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from gd_explorer.core import InputError, export, fileio, read_csv, trajectories_csv, write_csv
from gd_explorer.core.descent import DescentResult
from gd_explorer.core.fileio import (STALE_SECONDS, TEMP_NAME, Cancelled, atomic_write_text,
                                     clean_stale_temp_files)


class SpyRows(np.ndarray):
    """A trajectory that logs how many rows are turned into Python floats at a time."""

    log = None

    def tolist(self):
        SpyRows.log.append(("format", self.size // 7))
        return super().tolist()


def synthetic_run(n, expression="max(x, y)^2", seed=0):
    rng = np.random.default_rng(seed)
    rows = rng.standard_normal((n, 7)) * 10.0 ** rng.integers(-20, 20, (n, 7))
    rows[:, 0] = np.arange(n)
    return DescentResult(rows, "max steps", "max steps reached", "adam", 0.1 + 0.2, expression)


@pytest.fixture
def runs():
    return [synthetic_run(1234, seed=1), synthetic_run(7, "x^2", seed=2),
            synthetic_run(2100, "x*y", seed=3)]


@pytest.fixture
def write_spy(monkeypatch):
    """Logs ("write", lines) for every write of the export into its temp file."""
    log = []
    real_atomic_file = export.atomic_file

    class Spy:
        def __init__(self, fh):
            self.write = lambda data: log.append(("write", data.count(b"\n"))) or fh.write(data)

    @contextlib.contextmanager
    def spied(path):
        with real_atomic_file(path) as fh:
            yield Spy(fh)

    monkeypatch.setattr(export, "atomic_file", spied)
    SpyRows.log = log
    return log


def test_rows_are_formatted_and_written_a_chunk_at_a_time(tmp_path, runs, write_spy):
    spied = [DescentResult(r.trajectory.view(SpyRows), r.status, r.message, r.optimizer,
                           r.learning_rate, r.expression) for r in runs]
    path = tmp_path / "out.csv"
    write_csv(path, spied, chunk_rows=500)
    assert path.read_text(encoding="utf-8") == trajectories_csv(runs)
    # header, then per run: format at most 500 rows, write them, format the next ...
    expected = [("write", 1)]
    for n in (1234, 7, 2100):
        for size in [500] * (n // 500) + ([n % 500] if n % 500 else []):
            expected += [("format", size), ("write", size)]
    assert write_spy == expected


def test_default_chunk_is_bounded(tmp_path, write_spy, monkeypatch):
    monkeypatch.setattr(export, "CHUNK_ROWS", 1000)
    write_csv(tmp_path / "a.csv", [synthetic_run(2500)])
    assert [n for kind, n in write_spy if kind == "write"] == [1, 1000, 1000, 500]


def test_formatting_leaves_no_work_for_the_garbage_collector(tmp_path):
    """A list per row made the collector run ~140 times per 100k rows, with full collections
    that hold the GIL for 0.2 s and stall the window during a background export."""
    import gc

    run = synthetic_run(100_000)
    gc.collect()
    before = gc.get_stats()[0]["collections"]
    write_csv(tmp_path / "a.csv", [run], chunk_rows=20_000)
    assert gc.get_stats()[0]["collections"] - before < 10


def test_progress_counts_rows_up_to_the_total(tmp_path, runs):
    seen = []
    write_csv(tmp_path / "a.csv", runs, progress=lambda done, total: seen.append((done, total)),
              chunk_rows=1000)
    total = 1234 + 7 + 2100
    assert seen == [(0, total), (1000, total), (1234, total), (1241, total), (2241, total),
                    (3241, total), (total, total)]


@pytest.mark.parametrize("how", ["progress", "callable"])
def test_cancel_removes_the_temp_file_and_keeps_the_old_file(tmp_path, runs, how):
    path = tmp_path / "keep.csv"
    path.write_text("old contents\n", encoding="utf-8")
    calls = []

    def progress(done, total):
        calls.append(done)
        names = os.listdir(tmp_path)
        assert len(names) == 2 and any(TEMP_NAME.match(n) for n in names)  # writing the temp
        return how == "progress" and len(calls) == 3

    def cancelled():
        return len(calls) == 3

    with pytest.raises(Cancelled, match="^export cancelled$"):
        write_csv(path, runs, progress=progress, chunk_rows=500,
                  cancelled=cancelled if how == "callable" else None)
    assert calls == [0, 500, 1000]  # stopped right after the second chunk
    assert path.read_text(encoding="utf-8") == "old contents\n"
    assert os.listdir(tmp_path) == ["keep.csv"]
    assert issubclass(Cancelled, InputError)


def test_cancel_before_the_first_row_creates_nothing(tmp_path, runs):
    with pytest.raises(Cancelled):
        write_csv(tmp_path / "new.csv", runs, cancelled=lambda: True)
    assert os.listdir(tmp_path) == []


def test_any_error_mid_stream_removes_the_temp_file(tmp_path, runs):
    path = tmp_path / "keep.csv"
    path.write_text("old\n")

    def progress(done, total):
        if done:
            raise RuntimeError("bug in a callback")

    with pytest.raises(RuntimeError):
        write_csv(path, runs, progress=progress, chunk_rows=100)
    assert os.listdir(tmp_path) == ["keep.csv"] and path.read_text() == "old\n"


def test_temp_files_carry_our_name(tmp_path, monkeypatch):
    made = []
    real_open = os.open

    def spy_open(name, *args, **kwargs):
        made.append(os.path.basename(name))
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(fileio.os, "open", spy_open)
    atomic_write_text(tmp_path / "a.txt", "x")
    assert len(made) == 1 and TEMP_NAME.match(made[0]) and made[0].startswith(".tmp-gdx-")
    assert made[0].endswith(".part")


# --- stale temp files ------------------------------------------------------------------------

OURS = ".tmp-gdx-0123456789abcdef.part"


def age(path, seconds):
    t = time.time() - seconds
    os.utime(path, (t, t), follow_symlinks=False)


def test_clean_removes_only_our_old_regular_files(tmp_path):
    old = tmp_path / OURS
    old.write_text("half a csv")
    age(old, STALE_SECONDS + 60)
    fresh = tmp_path / ".tmp-gdx-fedcba9876543210.part"
    fresh.write_text("being written")
    others = [".tmp-abcd1234.part",                   # tempfile.mkstemp of another program
              ".tmp-gdx-0123456789abcdeg.part",       # not hex
              ".tmp-gdx-0123456789abcdef.part.bak",   # longer
              "x.tmp-gdx-0123456789abcdef.part",
              ".tmp-gdx-0123456789ABCDEF.part",
              ".tmp-gdx-0123456789abcde.part",        # 15 digits
              "data.csv"]
    for name in others:
        (tmp_path / name).write_text("not ours")
        age(tmp_path / name, 10 * STALE_SECONDS)
    target = tmp_path / "precious.csv"
    target.write_text("keep")
    age(target, 10 * STALE_SECONDS)
    link = tmp_path / ".tmp-gdx-aaaaaaaaaaaaaaaa.part"  # an old link named like ours to an old file
    link.symlink_to(target)
    age(link, 10 * STALE_SECONDS)
    folder = tmp_path / ".tmp-gdx-bbbbbbbbbbbbbbbb.part"
    folder.mkdir()
    os.utime(folder, (0, 0))
    assert clean_stale_temp_files(tmp_path) == [OURS]
    assert sorted(os.listdir(tmp_path)) == sorted(
        others + [fresh.name, "precious.csv", link.name, folder.name])
    assert link.is_symlink() and target.read_text() == "keep"


def test_clean_age_uses_the_given_clock(tmp_path):
    (tmp_path / OURS).write_text("x")
    now = os.stat(tmp_path / OURS).st_mtime
    assert clean_stale_temp_files(tmp_path, now=now + STALE_SECONDS - 1) == []
    assert clean_stale_temp_files(tmp_path, now=now + STALE_SECONDS + 1) == [OURS]


def test_clean_never_raises(tmp_path):
    assert clean_stale_temp_files(tmp_path / "missing") == []
    assert clean_stale_temp_files("bad\x00name") == []


KILLED_WRITER = textwrap.dedent("""
    import sys, time
    import numpy as np
    from gd_explorer.core.descent import DescentResult
    from gd_explorer.core.export import write_csv

    rows = np.zeros((5000, 7))
    run = DescentResult(rows, "s", "m", "gd", 0.1, "x^2")

    def progress(done, total):
        if done:
            print("writing", flush=True)
            time.sleep(120)

    write_csv(sys.argv[1], [run], progress=progress, chunk_rows=1000)
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_write_killed_by_sigkill_is_cleaned_by_the_next_export(tmp_path, runs):
    target = tmp_path / "run.csv"
    target.write_text("old\n")
    root = os.path.dirname(os.path.dirname(os.path.abspath(export.__file__)))
    env = dict(os.environ, PYTHONPATH=os.path.dirname(root))  # this copy of gd_explorer
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(target)],
                            env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline() == "writing\n"  # the first chunk is in the temp file
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(60)
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    left = [n for n in os.listdir(tmp_path) if n != "run.csv"]
    assert len(left) == 1 and TEMP_NAME.match(left[0])
    assert target.read_text() == "old\n"
    other = tmp_path / ".tmp-other.part"  # a fresh file of another program
    other.write_text("theirs")
    age(other, 10 * STALE_SECONDS)
    write_csv(target, runs)  # a fresh leftover is kept: it may be another window's export
    assert left[0] in os.listdir(tmp_path)
    age(tmp_path / left[0], STALE_SECONDS + 1)
    write_csv(target, runs)
    assert sorted(os.listdir(tmp_path)) == [".tmp-other.part", "run.csv"]
    assert len(read_csv(target)) == 1234 + 7 + 2100


def test_a_taken_temp_name_is_never_reused(tmp_path, monkeypatch):
    names = iter(["a" * 16, "b" * 16])
    monkeypatch.setattr(fileio.secrets, "token_hex", lambda _n: next(names))
    taken = tmp_path / f".tmp-gdx-{'a' * 16}.part"  # e.g. another window's export in progress
    taken.write_text("someone else's")
    atomic_write_text(tmp_path / "out.csv", "mine")
    assert taken.read_text() == "someone else's"
    assert sorted(os.listdir(tmp_path)) == [taken.name, "out.csv"]
    assert (tmp_path / "out.csv").read_text() == "mine"
