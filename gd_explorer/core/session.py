"""Sessions (`.gdx.json`): the function, the view, the dial angle and every run.

Reading never uses pickle or eval: the JSON is checked field by field, and the formula
goes back through the safe parser when the session is applied. Version 2 keeps a list of
runs, each with its start, optimizer, hyperparameters, schedule, memory and rows; version-1
files (settings, a current run and kept runs) still open.
"""
import base64
import json
import math
import os
from dataclasses import dataclass, field

import numpy as np

from .descent import COLUMNS, MAX_STEPS_LIMIT, STATUSES, Descent, check_settings
from .errors import InputError
from .fileio import atomic_write_text
from .grid import check_window
from .optimizers import optimizer_by_name, schedule_by_name
from .parser import MAX_LENGTH

FORMAT = "gd-explorer-session"
VERSION = 2
SUFFIX = ".gdx.json"
MAX_BYTES = 128 * 1024 * 1024
MAX_INT_DIGITS = 30
MAX_RUNS = 50
MAX_ROWS = 1_000_001  # a million steps and the start
MAX_STATE = 64  # numbers of optimizer memory in a run
MAX_NAME = 200


@dataclass
class RunRecord:
    """One run: its settings, name, colour, and (if it could start) its memory and rows."""

    start: tuple
    optimizer: str
    learning_rate: float
    max_steps: int
    tol: float
    hyperparameters: dict = field(default_factory=dict)
    schedule: tuple = ("constant", {})
    name: str = ""
    color: str = ""
    visible: bool = True
    status: str = "running"
    message: str = ""
    rows: np.ndarray = None  # None: the run could not start (f undefined at its start)
    state: tuple = ()


@dataclass
class Session:
    expression: str
    xrange: tuple
    yrange: tuple
    spacing: str
    angle: float  # radians
    runs: list = field(default_factory=list)
    selected: int = 0


def check_size(session):
    """Refuse, before any writing, runs too long for a session file."""
    for run in session.runs:
        if run.rows is not None and len(run.rows) > MAX_ROWS:
            raise InputError(f"a run of {len(run.rows) - 1:,} steps is too long for a session "
                             f"(at most {MAX_ROWS - 1:,}): export its trajectory as CSV instead")


def _run_to_json(run):
    name, params = run.schedule
    return {
        "name": run.name, "color": run.color, "visible": run.visible,
        "start": list(run.start), "optimizer": run.optimizer,
        "hyperparameters": dict(run.hyperparameters),
        "schedule": {"name": name, "parameters": dict(params)},
        "learning_rate": run.learning_rate, "max_steps": run.max_steps, "tol": run.tol,
        "status": run.status, "message": run.message,
        "state": [float(v) for v in run.state],
        "columns": list(COLUMNS),
        "rows": None if run.rows is None else encode_rows(run.rows),
    }


def to_json(session):
    """The session as JSON text (strict: no NaN or Infinity)."""
    check_size(session)
    data = {
        "format": FORMAT, "version": VERSION,
        "function": session.expression,
        "window": {"x": list(session.xrange), "y": list(session.yrange)},
        "spacing": session.spacing,
        "angle_deg": math.degrees(session.angle),
        "selected": session.selected,
        "runs": [_run_to_json(r) for r in session.runs],
    }
    try:
        return json.dumps(data, allow_nan=False, indent=1)
    except ValueError:
        raise InputError("the session has a value that is not a finite number") from None


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


class _NotJson(Exception):
    """A constant that JSON does not have (NaN, Infinity)."""


def _reject_constant(name):
    raise _NotJson(name)


def _parse_int(text):
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise InputError(f"the session file has a number with more than {MAX_INT_DIGITS} digits")
    return int(text)


def _parse_float(text):
    value = float(text)
    if not math.isfinite(value):
        raise InputError(f"the session file has a number too large to read: {text[:40]}")
    return value


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
        data = json.loads(raw, parse_constant=_reject_constant, parse_int=_parse_int,
                          parse_float=_parse_float)
    except _NotJson as exc:
        raise InputError(f"the session file contains {exc}, which is not valid JSON") from None
    except RecursionError:
        raise InputError("the session file is nested too deeply") from None
    except json.JSONDecodeError as exc:  # before ValueError: it is one
        raise InputError(f"the session file is not valid JSON (line {exc.lineno}): "
                         f"{exc.msg}") from None
    except (ValueError, OverflowError) as exc:  # Python's limit on long integers, and kin
        if isinstance(exc, InputError):
            raise
        raise InputError(f"the session file has a number that cannot be read: {exc}") from None
    return _check(data)


class _Reader:
    """Field checks that name the field in their messages."""

    def __init__(self, data, where="session"):
        if not isinstance(data, dict):
            raise InputError(f"the {where} must be a JSON object")
        self.data, self.where = data, where

    def get(self, key, kind, default=None, required=True):
        if key not in self.data:
            if not required:
                return default
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

    def numbers(self, key):
        """A JSON object of name: finite number, as a dict."""
        value = self.get(key, dict)
        for name, v in value.items():
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise InputError(f"'{key}' '{name}' in the {self.where} must be a finite number")
        return {name: float(v) for name, v in value.items()}


def _check(data):
    r = _Reader(data)
    if data.get("format") != FORMAT:
        raise InputError("this is not a gd-explorer session file")
    version = r.get("version", int)
    if version not in (1, 2):
        raise InputError(f"session version {version} is not supported (this app reads versions "
                         f"1 and {VERSION})")
    expression = r.get("function", str)
    if len(expression) > MAX_LENGTH:
        raise InputError("the session's formula is too long")
    window = r.get("window", dict)
    xrange, yrange = check_window(r.pair("x", window), r.pair("y", window))
    spacing = r.get("spacing", str)
    if spacing not in ("linear", "log"):
        raise InputError("'spacing' must be 'linear' or 'log'")
    session = Session(expression=expression, xrange=xrange, yrange=yrange, spacing=spacing,
                      angle=math.radians(r.get("angle_deg", float)))
    if version == 1:
        session.runs, session.selected = _version_one_runs(r)
    else:
        runs = r.get("runs", list)
        if len(runs) > MAX_RUNS:
            raise InputError(f"the session has too many runs (at most {MAX_RUNS})")
        session.runs = [_check_run(run, f"run {i + 1}") for i, run in enumerate(runs)]
        session.selected = r.get("selected", int)
        if session.runs and not 0 <= session.selected < len(session.runs):
            raise InputError("'selected' must name one of the session's runs")
    return session


def _version_one_runs(r):
    """Version 1: shared settings, the kept runs and the current run (the selected one)."""
    settings = _Reader(r.get("settings", dict), "settings")
    shared = dict(optimizer=_optimizer(settings.get("optimizer", str), "settings"),
                  learning_rate=settings.get("learning_rate", float),
                  max_steps=settings.get("max_steps", int), tol=settings.get("tol", float))
    _check_settings(r.pair("start"), shared, "settings")
    kept = r.get("kept_runs", list)
    if len(kept) >= MAX_RUNS:
        raise InputError(f"the session has too many runs (at most {MAX_RUNS})")
    runs = [_check_run_v1(run, f"kept run {i + 1}", None) for i, run in enumerate(kept)]
    current = r.get("current_run", (dict, type(None)))
    runs.append(_check_run_v1(current, "current run", (r.pair("start"), shared)))
    return runs, len(runs) - 1


def _check_run_v1(data, where, fallback):
    """A version-1 run; without one, a run that has not started from ``fallback``."""
    if data is None:
        start, shared = fallback
        return RunRecord(start=start, **shared)
    r = _Reader(data, where)
    shared = dict(optimizer=_optimizer(r.get("optimizer", str), where),
                  learning_rate=r.get("learning_rate", float), max_steps=r.get("max_steps", int),
                  tol=r.get("tol", float))
    expression = r.get("expression", str)
    if len(expression) > MAX_LENGTH:
        raise InputError(f"the {where}'s formula is too long")
    rows = _rows(r, where, required=True)
    record = RunRecord(start=(float(rows[0, 1]), float(rows[0, 2])), **shared,
                       status=_status(r.get("status", str), where),
                       message=r.get("message", str)[:300], rows=rows, state=_state(r, where))
    _check_settings(record.start, shared, where)
    return record


def _check_run(data, where):
    r = _Reader(data, where)
    optimizer = _optimizer(r.get("optimizer", str), where)
    schedule = _Reader(r.get("schedule", dict), f"schedule of the {where}")
    shared = dict(optimizer=optimizer, learning_rate=r.get("learning_rate", float),
                  max_steps=r.get("max_steps", int), tol=r.get("tol", float))
    record = RunRecord(
        start=r.pair("start"), **shared,
        hyperparameters=r.numbers("hyperparameters"),
        schedule=(schedule.get("name", str), schedule.numbers("parameters")),
        name=r.get("name", str)[:MAX_NAME], color=_color(r.get("color", str), where),
        visible=r.get("visible", bool), status=_status(r.get("status", str), where),
        message=r.get("message", str)[:300], rows=_rows(r, where, required=False),
        state=_state(r, where))
    _check_settings(record.start, shared, where)
    try:
        optimizer_by_name(optimizer).check(record.hyperparameters)
        schedule_by_name(record.schedule)
    except InputError as exc:
        raise InputError(f"the {where}: {exc}") from None
    if record.rows is not None and (record.rows[0, 1], record.rows[0, 2]) != record.start:
        raise InputError(f"the rows of the {where} do not begin at its start")
    return record


def _check_settings(start, shared, where):
    try:
        check_settings(start, shared["learning_rate"], shared["max_steps"], shared["tol"],
                       shared["optimizer"])
    except InputError as exc:
        raise InputError(f"the {where}'s descent settings are out of range: {exc}") from None
    if not shared["max_steps"] <= MAX_STEPS_LIMIT:
        raise InputError(f"the {where}'s descent settings are out of range")


def _optimizer(name, where):
    try:
        optimizer_by_name(name)
    except InputError:
        raise InputError(f"unknown optimizer {name!r} in the {where}") from None
    return name


def _rows(r, where, required):
    rows = r.get("rows", (dict, type(None)))
    if rows is None:
        if required:
            raise InputError(f"the {where} has no rows")
        return None
    array = decode_rows(rows, where)
    if not np.isfinite(array).all():
        raise InputError(f"the rows of the {where} must be finite numbers")
    if not np.array_equal(array[:, 0], np.arange(len(array))):
        raise InputError(f"the steps of the {where} must count 0, 1, 2, …")
    return array


def _state(r, where):
    state = r.get("state", list)
    if len(state) > MAX_STATE or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                         and math.isfinite(v) for v in state):
        raise InputError(f"the optimizer state of the {where} must be at most {MAX_STATE} "
                         "finite numbers")
    return tuple(float(v) for v in state)


def _status(status, where):
    if status not in STATUSES:
        raise InputError(f"unknown status {status!r} in the {where}")
    return status


def _color(color, where):
    if not (len(color) == 7 and color[0] == "#" and all(c in "0123456789abcdefABCDEF"
                                                         for c in color[1:])):
        raise InputError(f"'color' in the {where} must be written #rrggbb")
    return color.lower()


def record_of(run, name="", color="", visible=True, settings=None):
    """A RunRecord for a core Descent (or, with ``run`` None, for ``settings`` that could
    not start: start, learning_rate, max_steps, tol, optimizer, hyperparameters, schedule)."""
    if run is None:
        s = settings
        return RunRecord(start=tuple(s.start), optimizer=s.optimizer,
                         learning_rate=s.learning_rate, max_steps=s.max_steps, tol=s.tol,
                         hyperparameters=dict(s.hyperparameters), schedule=s.schedule,
                         name=name, color=color, visible=visible)
    rows = run.trajectory
    return RunRecord(start=(float(rows[0, 1]), float(rows[0, 2])), optimizer=run.optimizer,
                     learning_rate=run.learning_rate, max_steps=run.max_steps, tol=run.tol,
                     hyperparameters=dict(run.hyperparameters),
                     schedule=(run.schedule.name, dict(run.schedule_parameters)),
                     name=name, color=color, visible=visible, status=run.status,
                     message=run.message, rows=rows, state=run.state)


def descent_of(function, record):
    """A core Descent continued from a RunRecord (None where it never started). Raises
    InputError."""
    if record.rows is None:
        return None
    return Descent.resume(function, record.rows, record.state, record.status, record.message,
                          record.learning_rate, record.max_steps, record.tol, record.optimizer,
                          record.hyperparameters, record.schedule)
