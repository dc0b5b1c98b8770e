"""CSV export of descent trajectories (tidy long format), streamed in chunks of rows.

Columns: run (numbered from 1), expression, optimizer, learning_rate, then each row's step,
x, y, f, df_dx, df_dy, grad_norm, then run_name, hyperparameters (compact JSON, e.g.
{"beta":0.9}) and schedule (compact JSON, e.g. {"name":"step","every":100.0,"gamma":0.5}).
"""
import csv
import io
import json

from .descent import COLUMNS
from .fileio import Cancelled, atomic_file

RUN_COLUMNS = ("run", "expression", "optimizer", "learning_rate")  # repeated on every row
RUN_TAIL = ("run_name", "hyperparameters", "schedule")  # also repeated, after the row's own
HEADER = RUN_COLUMNS + COLUMNS + RUN_TAIL
CHUNK_ROWS = 20_000  # rows formatted and written at a time: memory stays flat


def _fmt(value):
    """Full round-trip precision."""
    return repr(float(value))


def _run_fields(number, run):
    """The values of RUN_COLUMNS for one run (one entry per column, in order)."""
    return (number, run.expression, run.optimizer, _fmt(run.learning_rate))


def _compact(data):
    return json.dumps(data, separators=(",", ":"), sort_keys=True, allow_nan=False)


def _tail_fields(run):
    """The values of RUN_TAIL for one run."""
    name, params = getattr(run, "schedule", ("constant", {}))
    return (getattr(run, "name", ""), _compact(dict(getattr(run, "hyperparameters", {}))),
            _compact({"name": name, **params}))


def _csv_line(fields, end="\n"):
    """One line as the csv module writes it (it quotes an expression such as "max(x, y)")."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator=end).writerow(fields)
    return buf.getvalue()


def csv_chunks(runs, chunk_rows=None):
    """The CSV text of ``runs`` in pieces: the header, then at most ``chunk_rows`` rows per
    piece. Yields (text, rows in it). Runs are numbered from 1."""
    chunk_rows = chunk_rows or CHUNK_ROWS
    yield _csv_line(HEADER), 0
    for number, run in enumerate(runs, start=1):
        prefix = _csv_line(_run_fields(number, run), end=",").replace("%", "%%")
        tail = _csv_line(_tail_fields(run)).replace("%", "%%")
        line = prefix + "%d" + ",%r" * (len(COLUMNS) - 1) + "," + tail  # step, exact floats
        rows = run.trajectory
        for start in range(0, len(rows), chunk_rows):
            # Column lists of Python floats (repr is the shortest exact form), not a list per
            # row: those set off full garbage collections, which hold the GIL and stall the
            # window. The loop is Python on purpose: join(map(...)) would run in C and keep
            # the GIL from the window for the whole chunk.
            columns = rows[start:start + chunk_rows].T.tolist()
            yield "".join([line % row for row in zip(*columns)]), len(columns[0])


def trajectories_csv(runs):
    """CSV text for ``runs``: an iterable of DescentResult (each with expression, optimizer,
    learning_rate and trajectory). For small outputs; files are written by write_csv."""
    return "".join(text for text, _rows in csv_chunks(runs))


def write_csv(path, runs, progress=None, cancelled=None, chunk_rows=None):
    """Write the runs to ``path`` atomically, a chunk of rows at a time.

    ``progress(rows_written, total_rows)`` is called before the first chunk and after each;
    if it returns True, or ``cancelled()`` does, the write stops: the temp file is removed,
    ``path`` is left as it was and Cancelled ("export cancelled") is raised.
    Raises InputError on failure.
    """
    runs = list(runs)
    total = sum(len(run.trajectory) for run in runs)
    done = 0

    def stop():
        asked = progress is not None and progress(done, total)
        return bool(asked or (cancelled is not None and cancelled()))

    with atomic_file(path) as fh:
        if stop():
            raise Cancelled("export cancelled")
        for text, rows in csv_chunks(runs, chunk_rows):
            fh.write(text.encode("utf-8"))
            done += rows
            if rows and stop():
                raise Cancelled("export cancelled")


def read_csv(path):
    """Read a file written by write_csv: a list of dicts with floats for the numeric columns."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row["run"] = int(row["run"])
        row["step"] = int(row["step"])
        for key in ("learning_rate",) + COLUMNS[1:]:
            row[key] = float(row[key])
        for key in ("hyperparameters", "schedule"):
            row[key] = json.loads(row[key])
    return rows
