"""Sessions (`.gdx.json`): the function, view, start point, dial angle and runs.

Reading never uses pickle or eval: the JSON is checked field by field, and the
formula goes back through the safe parser when the session is applied.
"""
import base64
import json
import math
import os
from dataclasses import dataclass, field

import numpy as np

from .descent import COLUMNS, MAX_STEPS_LIMIT, OPTIMIZERS, STATUSES, Descent
from .errors import InputError
from .fileio import atomic_write_text
from .grid import check_window
from .parser import MAX_LENGTH

FORMAT = "gd-explorer-session"
VERSION = 1
SUFFIX = ".gdx.json"
MAX_BYTES = 128 * 1024 * 1024
MAX_INT_DIGITS = 30
MAX_RUNS = 50
MAX_ROWS = 1_000_001  # a million steps and the start
MAX_STATE = 64  # numbers of optimizer memory in a run


@dataclass
class RunRecord:
    """One descent run: its settings, optimizer memory and rows."""

    expression: str
    optimizer: str
    learning_rate: float
    max_steps: int
    tol: float
    status: str
    message: str
    rows: np.ndarray
    state: tuple = ()


@dataclass
class Session:
    expression: str
    xrange: tuple
    yrange: tuple
    spacing: str
    start: tuple
    angle: float  # radians
    learning_rate: float
    max_steps: int
    tol: float
    optimizer: str
    current: RunRecord = None
    kept: list = field(default_factory=list)


def _num(value):
    value = float(value)
    return value if math.isfinite(value) else None


def check_size(session):
    """Refuse, before any writing, runs too long for a session file."""
    for run in [session.current, *session.kept]:
        if run is not None and len(run.rows) > MAX_ROWS:
            raise InputError(f"a run of {len(run.rows) - 1:,} steps is too long for a session "
                             f"(at most {MAX_ROWS - 1:,}): export its trajectory as CSV instead")


def _run_to_json(run):
    return {
        "expression": run.expression, "optimizer": run.optimizer,
        "learning_rate": run.learning_rate, "max_steps": run.max_steps, "tol": run.tol,
        "status": run.status, "message": run.message,
        "state": [_num(v) for v in run.state],
        "columns": list(COLUMNS),
        "rows": encode_rows(run.rows),
    }


def to_json(session):
    """The session as JSON text (strict: no NaN or Infinity)."""
    check_size(session)
    data = {
        "format": FORMAT, "version": VERSION,
        "function": session.expression,
        "window": {"x": list(session.xrange), "y": list(session.yrange)},
        "spacing": session.spacing,
        "start": list(session.start),
        "angle_deg": math.degrees(session.angle),
        "settings": {"learning_rate": session.learning_rate, "max_steps": session.max_steps,
                     "tol": session.tol, "optimizer": session.optimizer},
        "current_run": None if session.current is None else _run_to_json(session.current),
        "kept_runs": [_run_to_json(r) for r in session.kept],
    }
    return json.dumps(data, allow_nan=False, indent=1)


def save(path, session):
    atomic_write_text(path, to_json(session))


def load(path):
    """Read and check a session file. Raises InputError with a readable message."""
    path = os.fspath(path)
    if "\x00" in path:
        raise InputError("the file name contains a NUL character")
    try:
        size = os.path.getsize(path)
        if size > MAX_BYTES:
            raise InputError(f"the session file is too large ({size:,} bytes, at most {MAX_BYTES:,})")
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(f"could not read {path}: {exc.strerror or exc}") from None
    return from_json(raw)


def _reject_constant(name):
    raise InputError(f"the session file contains {name}, which is not valid JSON")


def _parse_int(text):
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise InputError(f"the session file has a number with more than {MAX_INT_DIGITS} digits")
    return int(text)


def encode_rows(rows):
    """Rows as base64 of little-endian float64: compact, exact, and valid JSON."""
    array = np.ascontiguousarray(rows, dtype="<f8")
    return {"shape": list(array.shape), "float64_le_base64": base64.b64encode(array.tobytes()).decode()}


def decode_rows(data, where):
    r = _Reader(data, f"rows of the {where}")
    shape = r.get("shape", list)
    if (len(shape) != 2 or not all(isinstance(n, int) and not isinstance(n, bool) for n in shape)
            or shape[1] != len(COLUMNS) or not 1 <= shape[0] <= MAX_ROWS):
        raise InputError(f"the {where} must have between 1 and {MAX_ROWS:,} rows of "
                         f"{len(COLUMNS)} numbers")
    text = r.get("float64_le_base64", str)
    try:
        raw = base64.b64decode(text, validate=True)
    except (ValueError, TypeError):
        raise InputError(f"the rows of the {where} are not valid base64") from None
    if len(raw) != shape[0] * shape[1] * 8:
        raise InputError(f"the rows of the {where} do not match their shape")
    return np.frombuffer(raw, dtype="<f8").astype(np.float64).reshape(shape)


def from_json(raw):
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("the session file is not UTF-8 text") from None
    try:
        data = json.loads(raw, parse_constant=_reject_constant, parse_int=_parse_int)
    except RecursionError:
        raise InputError("the session file is nested too deeply") from None
    except (ValueError, OverflowError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"the session file has a number that cannot be read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"the session file is not valid JSON (line {exc.lineno}): {exc.msg}") from None
    return _check(data)


class _Reader:
    """Field checks that name the field in their messages."""

    def __init__(self, data, where="session"):
        if not isinstance(data, dict):
            raise InputError(f"the {where} must be a JSON object")
        self.data, self.where = data, where

    def get(self, key, kind):
        if key not in self.data:
            raise InputError(f"the {self.where} has no '{key}'")
        value = self.data[key]
        if kind is float:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise InputError(f"'{key}' in the {self.where} must be a finite number")
            return float(value)
        if kind is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise InputError(f"'{key}' in the {self.where} must be a whole number")
            return value
        if not isinstance(value, kind):
            raise InputError(f"'{key}' in the {self.where} has the wrong type")
        return value

    def pair(self, key, container=None):
        src = self.data if container is None else container
        value = src.get(key) if isinstance(src, dict) else None
        if (not isinstance(value, list) or len(value) != 2 or
                not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                        for v in value)):
            raise InputError(f"'{key}' in the {self.where} must be two finite numbers")
        return float(value[0]), float(value[1])


def _check(data):
    r = _Reader(data)
    if data.get("format") != FORMAT:
        raise InputError("this is not a gd-explorer session file")
    version = r.get("version", int)
    if version != VERSION:
        raise InputError(f"session version {version} is not supported (this app reads version {VERSION})")
    expression = r.get("function", str)
    if len(expression) > MAX_LENGTH:
        raise InputError("the session's formula is too long")
    window = r.get("window", dict)
    xrange, yrange = check_window(r.pair("x", window), r.pair("y", window))
    spacing = r.get("spacing", str)
    if spacing not in ("linear", "log"):
        raise InputError("'spacing' must be 'linear' or 'log'")
    settings = _Reader(r.get("settings", dict), "settings")
    optimizer = settings.get("optimizer", str)
    if optimizer not in OPTIMIZERS:
        raise InputError(f"unknown optimizer {optimizer!r} in the session")
    session = Session(
        expression=expression, xrange=xrange, yrange=yrange, spacing=spacing,
        start=r.pair("start"), angle=math.radians(r.get("angle_deg", float)),
        learning_rate=settings.get("learning_rate", float), max_steps=settings.get("max_steps", int),
        tol=settings.get("tol", float), optimizer=optimizer)
    if not 0 < session.learning_rate or not 1 <= session.max_steps <= MAX_STEPS_LIMIT or session.tol < 0:
        raise InputError("the session's descent settings are out of range")
    current = data.get("current_run")
    session.current = None if current is None else _check_run(current, "current run")
    kept = r.get("kept_runs", list)
    if len(kept) > MAX_RUNS:
        raise InputError(f"the session has too many runs (at most {MAX_RUNS})")
    session.kept = [_check_run(run, f"kept run {i + 1}") for i, run in enumerate(kept)]
    return session


def _check_run(data, where):
    r = _Reader(data, where)
    optimizer = r.get("optimizer", str)
    if optimizer not in OPTIMIZERS:
        raise InputError(f"unknown optimizer {optimizer!r} in the {where}")
    expression = r.get("expression", str)
    if len(expression) > MAX_LENGTH:
        raise InputError(f"the {where}'s formula is too long")
    array = decode_rows(r.get("rows", dict), where)
    if not np.isfinite(array).all():
        raise InputError(f"the rows of the {where} must be finite numbers")
    if not np.array_equal(array[:, 0], np.arange(len(array))):
        raise InputError(f"the steps of the {where} must count 0, 1, 2, …")
    state = r.get("state", list)
    if len(state) > MAX_STATE or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                         and math.isfinite(v) for v in state):
        raise InputError(f"the optimizer state of the {where} must be at most {MAX_STATE} "
                         "finite numbers")
    return RunRecord(expression=expression, optimizer=optimizer,
                     learning_rate=r.get("learning_rate", float), max_steps=r.get("max_steps", int),
                     tol=r.get("tol", float), status=_status(r.get("status", str), where),
                     message=r.get("message", str)[:300], rows=array,
                     state=tuple(float(v) for v in state))


def _status(status, where):
    if status not in STATUSES:
        raise InputError(f"unknown status {status!r} in the {where}")
    return status


def record_of(run, expression):
    """A RunRecord for a core Descent."""
    return RunRecord(expression=expression, optimizer=run.optimizer,
                     learning_rate=run.learning_rate, max_steps=run.max_steps, tol=run.tol,
                     status=run.status, message=run.message, rows=run.trajectory, state=run.state)


def descent_of(function, record):
    """A core Descent continued from a RunRecord. Raises InputError."""
    return Descent.resume(function, record.rows, record.state, record.status, record.message,
                          record.learning_rate, record.max_steps, record.tol, record.optimizer)
