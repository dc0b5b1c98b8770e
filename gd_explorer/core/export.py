"""CSV export of descent trajectories (tidy long format)."""
import csv
import io

from .descent import COLUMNS
from .fileio import atomic_write_text

HEADER = ("run", "expression", "optimizer", "learning_rate") + COLUMNS


def _fmt(value):
    """Full round-trip precision; steps as integers."""
    return repr(float(value))


def trajectories_csv(runs):
    """CSV text for ``runs``: an iterable of DescentResult (each with expression, optimizer,
    learning_rate and trajectory). Runs are numbered from 1."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(HEADER)
    for number, run in enumerate(runs, start=1):
        lead = io.StringIO()  # the csv module quotes an expression such as "max(x, y)"
        csv.writer(lead, lineterminator="").writerow(
            (number, run.expression, run.optimizer, _fmt(run.learning_rate)))
        prefix = lead.getvalue() + ","
        # tolist() gives Python floats, whose repr is the shortest exact form
        buf.writelines(f"{prefix}{int(row[0])},{','.join(map(repr, row[1:]))}\n"
                       for row in run.trajectory.tolist())
    return buf.getvalue()


def write_csv(path, runs):
    """Write the runs to ``path`` atomically. Raises InputError on failure."""
    atomic_write_text(path, trajectories_csv(runs))


def read_csv(path):
    """Read a file written by write_csv: a list of dicts with floats for the numeric columns."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row["run"] = int(row["run"])
        row["step"] = int(row["step"])
        for key in ("learning_rate",) + COLUMNS[1:]:
            row[key] = float(row[key])
    return rows
