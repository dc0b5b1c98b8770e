"""Lessons: short JSON files, one idea each, that set up the views and explain what they show.

A lesson file (UTF-8 JSON object) has these fields; anything else is refused:

    title        text, required                   "The gradient"
    function     formula, required                "x^2 + 4*y^2"
    start        [x, y], required                 [2, 1]
    text         text, required: the explanation
    try          text, required: one thing to do
    formulas     list of LaTeX strings             ["\\nabla f = (f_x, f_y)"]
    window       {"x": [x0, x1], "y": [y0, y1]}   default {"x": [-3, 3], "y": [-3, 3]}
    angle_deg    dial angle in degrees             default 0
    view         "contour", "surface" or "both"   default "both"
    tab          "descent", "direction", "differential" or "sweep"   default "descent"
    focus        part of the direction tab to scroll to: "sinusoid", "slice", "limits" or
                 "differential"                   default: its top (the dial)
    spacing      contour levels "linear" or "log" default "linear"
    learning_rate                                  default 0.1
    optimizer    gd, momentum, adam, …             default "gd"

Files load in the order of their names (01-…, 02-…). A broken file becomes a BrokenLesson
whose message names the file and the field; the other files still load.
"""
import json
import math
import os
import pathlib
from dataclasses import dataclass
from importlib import resources

from .descent import MAX_LEARNING_RATE, MIN_LEARNING_RATE
from .errors import ExpressionError, InputError
from .grid import check_window
from .optimizers import OPTIMIZERS
from .parser import parse_ir
from .presets import Preset

MAX_FILE_BYTES = 64 * 1024
MAX_TITLE = 80
MAX_TEXT = 1500
MAX_TRY = 500
MAX_FORMULAS = 6
MAX_FORMULA = 300
VIEWS = ("contour", "surface", "both")
TABS = ("descent", "direction", "differential", "sweep")  # the side panel's tabs
FOCUSES = ("sinusoid", "slice", "limits", "differential")  # parts of the direction tab
SPACINGS = ("linear", "log")
DEFAULT_WINDOW = ((-3.0, 3.0), (-3.0, 3.0))


@dataclass(frozen=True)
class Lesson:
    file: str               # the file name, e.g. "05-gradient.json"
    title: str
    function: str
    start: tuple
    text: str
    try_this: str
    formulas: tuple = ()
    window: tuple = DEFAULT_WINDOW
    angle_deg: float = 0.0
    view: str = "both"
    tab: str = "descent"
    focus: str = None
    spacing: str = "linear"
    learning_rate: float = 0.1
    optimizer: str = "gd"

    @property
    def angle(self):
        """The dial angle in radians."""
        return math.radians(self.angle_deg)

    def preset(self):
        """A Preset carrying the function, window, start, levels and learning rate, so that
        the model applies them together once the formula is compiled."""
        (x0, x1), (y0, y1) = self.window
        return Preset(self.title, self.function, (x0, x1), (y0, y1), self.start,
                      self.learning_rate, self.spacing)


@dataclass(frozen=True)
class BrokenLesson:
    file: str
    message: str  # "lesson 03-x.json: 'start' must be two numbers"

    @property
    def title(self):
        return self.file


def default_folder():
    """The lessons shipped with the app (gd_explorer/resources/lessons)."""
    return resources.files("gd_explorer.resources").joinpath("lessons")


def load_lessons(folder=None):
    """Every ``*.json`` file of ``folder`` (a path; default: the shipped lessons), in name
    order, each a Lesson or a BrokenLesson. Raises InputError when the folder cannot be listed."""
    folder = default_folder() if folder is None else pathlib.Path(folder)
    try:
        files = sorted((entry for entry in folder.iterdir()
                        if entry.name.lower().endswith(".json") and entry.is_file()),
                       key=lambda entry: entry.name)
    except OSError as exc:
        raise InputError(f"cannot read the lessons folder {folder}: {exc.strerror or exc}") from None
    out = []
    for entry in files:
        try:
            out.append(read_lesson(entry))
        except InputError as exc:
            out.append(BrokenLesson(entry.name, str(exc)))
    return out


def read_lesson(path):
    """Read and check one lesson file (a path, or a file of the installed resources).
    Raises InputError naming the file and the field."""
    path = pathlib.Path(path) if isinstance(path, (str, os.PathLike)) else path
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InputError(f"lesson {path.name}: cannot be read: {exc.strerror or exc}") from None
    return parse_lesson(raw, path.name)


def parse_lesson(raw, name):
    """A Lesson from the bytes of a file called ``name``. Raises InputError."""
    where = f"lesson {name}"
    if len(raw) > MAX_FILE_BYTES:
        raise InputError(f"{where}: the file is too large (at most {MAX_FILE_BYTES // 1024} KB)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{where}: the file is not UTF-8 text") from None
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: not valid JSON (line {exc.lineno}, column {exc.colno}): "
                         f"{exc.msg}") from None
    except _Refused as exc:
        raise InputError(f"{where}: {exc}") from None
    except RecursionError:
        raise InputError(f"{where}: the JSON is nested too deeply") from None
    if not isinstance(data, dict):
        raise InputError(f"{where}: the file must hold one JSON object {{…}}")
    try:
        return _check(data, name)
    except _Refused as exc:
        raise InputError(f"{where}: {exc}") from None


class _Refused(Exception):
    """A field's problem; the caller adds the file name."""


def _no_duplicates(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise _Refused(f"the field '{key}' appears twice")
        seen[key] = value
    return seen


def _no_constant(token):
    raise _Refused(f"{token} is not a number JSON allows")


def _number(data, key, default=None):
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _Refused(f"'{key}' must be a number")
    return float(value)


def _pair(value, key):
    if (not isinstance(value, list) or len(value) != 2 or
            not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                    for v in value)):
        raise _Refused(f"'{key}' must be two numbers")
    return float(value[0]), float(value[1])


def _text(data, key, limit, required=True):
    if key not in data:
        if required:
            raise _Refused(f"'{key}' is missing")
        return None
    value = data[key]
    if not isinstance(value, str) or not value.strip():
        raise _Refused(f"'{key}' must be non-empty text")
    if len(value) > limit:
        raise _Refused(f"'{key}' is too long ({len(value)} characters, at most {limit})")
    return value.strip()


def _choice(data, key, choices, default):
    value = data.get(key, default)
    if value not in choices:
        raise _Refused(f"'{key}' must be one of {', '.join(choices)}")
    return value


FIELDS = ("title", "function", "start", "text", "try", "formulas", "window", "angle_deg",
          "view", "tab", "focus", "spacing", "learning_rate", "optimizer")


def _check(data, name):
    unknown = [key for key in data if key not in FIELDS]
    if unknown:
        raise _Refused(f"unknown field '{unknown[0]}' (the fields are {', '.join(FIELDS)})")
    title = _text(data, "title", MAX_TITLE)
    function = _text(data, "function", 1000)
    try:
        parse_ir(function)
    except ExpressionError as exc:
        raise _Refused(f"'function' is not a valid formula: {exc}") from None
    if "start" not in data:
        raise _Refused("'start' is missing")
    start = _pair(data["start"], "start")
    window = DEFAULT_WINDOW
    if "window" in data:
        box = data["window"]
        if not isinstance(box, dict) or sorted(box) != ["x", "y"]:
            raise _Refused("'window' must be {\"x\": [x0, x1], \"y\": [y0, y1]}")
        try:
            window = check_window(_pair(box["x"], "window x"), _pair(box["y"], "window y"))
        except InputError as exc:
            raise _Refused(f"'window': {exc}") from None
    (x0, x1), (y0, y1) = window
    if not (x0 <= start[0] <= x1 and y0 <= start[1] <= y1):
        raise _Refused("'start' must lie inside the window")
    angle_deg = _number(data, "angle_deg", 0.0)
    if not -360 <= angle_deg <= 360:
        raise _Refused("'angle_deg' must be between -360 and 360")
    formulas = data.get("formulas", [])
    if not isinstance(formulas, list) or len(formulas) > MAX_FORMULAS:
        raise _Refused(f"'formulas' must be a list of at most {MAX_FORMULAS} LaTeX formulas")
    for i, tex in enumerate(formulas):
        if not isinstance(tex, str) or not tex.strip() or len(tex) > MAX_FORMULA:
            raise _Refused(f"'formulas' item {i + 1} must be LaTeX text of 1 to "
                           f"{MAX_FORMULA} characters")
    learning_rate = _number(data, "learning_rate", 0.1)
    if not MIN_LEARNING_RATE <= learning_rate <= MAX_LEARNING_RATE:
        raise _Refused(f"'learning_rate' must be between {MIN_LEARNING_RATE:g} and "
                       f"{MAX_LEARNING_RATE:g}")
    tab = _choice(data, "tab", TABS, "descent")
    focus = None if data.get("focus") is None else _choice(data, "focus", FOCUSES, None)
    if focus is not None and tab != "direction":
        raise _Refused("'focus' needs \"tab\": \"direction\"")
    return Lesson(
        file=name, title=title, function=function, start=start,
        text=_text(data, "text", MAX_TEXT), try_this=_text(data, "try", MAX_TRY),
        formulas=tuple(tex.strip() for tex in formulas), window=window,
        angle_deg=angle_deg, view=_choice(data, "view", VIEWS, "both"),
        tab=tab, focus=focus,
        spacing=_choice(data, "spacing", SPACINGS, "linear"), learning_rate=learning_rate,
        optimizer=_choice(data, "optimizer", tuple(OPTIMIZERS), "gd"))
