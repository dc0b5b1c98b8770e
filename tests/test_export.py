"""CSV export: exact header, bit-exact floats, numbered runs, atomic writes."""
import csv
import os
import struct

import numpy as np
import pytest

from gd_explorer.core import InputError, descend, parse_function, read_csv, trajectories_csv, write_csv
from gd_explorer.core import fileio

HEADER = ("run,expression,optimizer,learning_rate,step,x,y,f,df_dx,df_dy,grad_norm,run_name,"
          "hyperparameters,schedule")


@pytest.fixture(scope="module")
def runs():
    rosen = parse_function("(1 - x)^2 + 100*(y - x^2)^2")
    maxf = parse_function("max(x, y)^2 + 0.1*y^2")  # commas inside the expression
    return [
        descend(rosen, (-1.2, 1.0), 0.001, max_steps=40),
        descend(maxf, (1.0 / 3.0, -2.0 / 7.0), 0.1, max_steps=25, optimizer="momentum"),
        descend(rosen, (0.1, 0.2), 1e-4, max_steps=3, optimizer="adam"),
    ]


def bits(value):
    return struct.pack("<d", value)


def test_header_exact(runs):
    text = trajectories_csv(runs)
    assert text.split("\n", 1)[0] == HEADER
    assert trajectories_csv([]) == HEADER + "\n"


def test_round_trip_read_csv_bit_exact(tmp_path, runs):
    path = tmp_path / "runs.csv"
    write_csv(path, runs)
    rows = read_csv(path)
    assert len(rows) == sum(len(r.trajectory) for r in runs)
    i = 0
    for number, run in enumerate(runs, start=1):
        for traj_row in run.trajectory:
            row = rows[i]
            i += 1
            assert row["run"] == number
            assert row["expression"] == run.expression
            assert row["optimizer"] == run.optimizer
            assert bits(row["learning_rate"]) == bits(run.learning_rate)
            assert row["step"] == int(traj_row[0])
            for j, key in enumerate(("x", "y", "f", "df_dx", "df_dy", "grad_norm"), start=1):
                assert bits(row[key]) == bits(float(traj_row[j])), (number, key)
            assert row["hyperparameters"] == run.hyperparameters
            assert row["schedule"] == {"name": run.schedule[0], **run.schedule[1]}


def test_round_trip_with_csv_module(tmp_path, runs):
    path = tmp_path / "runs.csv"
    write_csv(path, runs)
    with open(path, newline="", encoding="utf-8") as fh:
        table = list(csv.reader(fh))
    assert ",".join(table[0]) == HEADER
    body = table[1:]
    assert all(len(r) == 14 for r in body)
    assert [int(r[0]) for r in body] == [n for n, run in enumerate(runs, 1)
                                         for _ in run.trajectory]
    assert {r[1] for r in body if r[0] == "2"} == {"max(x, y)^2 + 0.1*y^2"}
    got = np.array([[float(v) for v in r[5:11]] for r in body])
    want = np.concatenate([run.trajectory[:, 1:] for run in runs])
    assert got.tobytes() == want.tobytes()
    steps = [int(r[4]) for r in body if r[0] == "1"]
    assert steps == list(range(len(runs[0].trajectory)))
    # integers are written without a decimal point
    assert body[0][4] == "0"


def test_awkward_floats_survive(tmp_path):
    fn = parse_function("x^2 + y^2")
    result = descend(fn, (0.1 + 0.2, 1e-300), 0.1, max_steps=1, tol=0.0)
    traj = result.trajectory.copy()
    traj[0, 1:] = [0.1 + 0.2, 5e-324, 1.7976931348623157e308, -0.0, 2.0 ** -1074, 1 / 3]
    result.trajectory[:] = traj
    path = tmp_path / "awkward.csv"
    write_csv(path, [result])
    row = read_csv(path)[0]
    for j, key in enumerate(("x", "y", "f", "df_dx", "df_dy", "grad_norm"), start=1):
        assert bits(row[key]) == bits(traj[0, j])


def test_runs_numbered_from_one(runs):
    text = trajectories_csv(runs)
    numbers = [line.split(",", 1)[0] for line in text.splitlines()[1:]]
    assert sorted(set(numbers)) == ["1", "2", "3"]
    assert numbers == sorted(numbers, key=int)  # runs are contiguous, in order
    assert numbers.count("3") == len(runs[2].trajectory)


def test_file_text_matches_string(tmp_path, runs):
    path = tmp_path / "out.csv"
    write_csv(str(path), runs)
    assert path.read_bytes() == trajectories_csv(runs).encode("utf-8")
    assert b"\r\n" not in path.read_bytes()


# --- atomic writes -----------------------------------------------------------------------------

def leftovers(folder):
    return [p for p in os.listdir(folder) if p.startswith(".tmp-") or p.endswith(".part")]


def test_no_temp_files_after_success(tmp_path, runs):
    write_csv(tmp_path / "a.csv", runs)
    write_csv(tmp_path / "a.csv", runs[:1])  # over an existing file
    assert sorted(os.listdir(tmp_path)) == ["a.csv"]
    assert len(read_csv(tmp_path / "a.csv")) == len(runs[0].trajectory)


def test_missing_folder(tmp_path, runs):
    with pytest.raises(InputError, match="folder does not exist"):
        write_csv(tmp_path / "no" / "such" / "dir.csv", runs)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("bad", ["", "bad\x00name.csv"])
def test_bad_names(tmp_path, runs, bad):
    with pytest.raises(InputError):
        write_csv(bad, runs)


def test_folder_as_target(tmp_path, runs):
    with pytest.raises(InputError, match="is a folder"):
        write_csv(tmp_path, runs)


@pytest.mark.parametrize("target", ["replace", "fsync", "write"])
def test_failed_write_keeps_old_file(tmp_path, runs, monkeypatch, target):
    path = tmp_path / "keep.csv"
    path.write_text("old contents\n", encoding="utf-8")

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    if target == "replace":
        monkeypatch.setattr(fileio.os, "replace", boom)
    elif target == "fsync":
        monkeypatch.setattr(fileio.os, "fsync", boom)
    else:
        real_fdopen = os.fdopen

        class FailingFile:
            """The real file, except that write() fails halfway like a full disk."""

            def __init__(self, fh):
                self.fh = fh

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.fh.close()

            def write(self, text):
                self.fh.write(text[: len(text) // 2])
                self.fh.flush()
                raise OSError(28, "No space left on device")

            def __getattr__(self, name):
                return getattr(self.fh, name)

        def fdopen(fd, *args, **kwargs):
            return FailingFile(real_fdopen(fd, *args, **kwargs))

        monkeypatch.setattr(fileio.os, "fdopen", fdopen)
    with pytest.raises(InputError, match="No space left on device"):
        write_csv(path, runs)
    assert path.read_text(encoding="utf-8") == "old contents\n"
    assert leftovers(tmp_path) == []
    assert os.listdir(tmp_path) == ["keep.csv"]


def test_failed_write_to_new_file_leaves_nothing(tmp_path, runs, monkeypatch):
    def boom(*args, **kwargs):
        raise OSError(13, "Permission denied")

    monkeypatch.setattr(fileio.os, "replace", boom)
    with pytest.raises(InputError, match="could not write"):
        write_csv(tmp_path / "new.csv", runs)
    assert os.listdir(tmp_path) == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_read_only_folder(tmp_path, runs):
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "keep.csv").write_text("old\n")
    folder.chmod(0o500)
    try:
        with pytest.raises(InputError):
            write_csv(folder / "keep.csv", runs)
        assert (folder / "keep.csv").read_text() == "old\n"
    finally:
        folder.chmod(0o700)


def test_write_goes_through_a_symlink_and_keeps_it(tmp_path):
    from gd_explorer.core.fileio import atomic_write_text

    target = tmp_path / "real.csv"
    target.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    atomic_write_text(link, "new")
    assert link.is_symlink() and target.read_text() == "new"


def test_device_files_are_refused(tmp_path):
    from gd_explorer.core.fileio import atomic_write_text

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        atomic_write_text(fifo, "x")
    assert os.path.exists(fifo) and not os.path.isfile(fifo)


def test_run_name_hyperparameters_and_schedule_columns(tmp_path):
    fn = parse_function("x^2 + 3*y^2")
    run = descend(fn, (1.0, 1.0), 0.05, max_steps=2, optimizer="adam",
                  hyperparameters={"beta2": 0.99}, schedule=("step", {"gamma": 0.5, "every": 10}))
    run.name = 'run "A", fast'
    text = trajectories_csv([run])
    line = text.split("\n")[1]
    assert line.endswith(',"run ""A"", fast","{""beta1"":0.9,""beta2"":0.99,""eps"":1e-08}",'
                         '"{""every"":10.0,""gamma"":0.5,""name"":""step""}"')
    path = tmp_path / "r.csv"
    write_csv(path, [run])
    row = read_csv(path)[0]
    assert row["run_name"] == 'run "A", fast'
    assert row["hyperparameters"] == {"beta1": 0.9, "beta2": 0.99, "eps": 1e-08}
    assert row["schedule"] == {"name": "step", "every": 10.0, "gamma": 0.5}
