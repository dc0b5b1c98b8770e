"""Lessons (issue 11, item 1): the shipped files, the strict loader, and the panel that
applies them to the model and the window."""
import json
import math
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from gd_explorer.core.errors import InputError
from gd_explorer.core.function import parse_function
from gd_explorer.core.lessons import BrokenLesson, Lesson, default_folder, load_lessons
from test_surface import gl_ready  # noqa: F401

pytestmark = pytest.mark.filterwarnings("error")

LESSONS = Path(__file__).resolve().parents[1] / "resources" / "lessons"
FILES = ["01-rate-of-change.json", "02-partial-derivatives.json", "03-total-differential.json",
         "04-chain-rule.json", "05-gradient.json", "06-directional-derivative.json",
         "07-steepest-ascent.json", "08-update-rule.json", "09-local-and-global.json",
         "10-coordinates.json"]
GOOD = {
    "title": "The gradient", "function": "x^2 + 4*y^2", "start": [2, 1],
    "text": "The gradient points uphill.", "try": "Click the map.",
}


def write(folder, name, data):
    path = folder / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


# ----- the shipped lessons ----------------------------------------------------------------
def test_ten_lessons_load_in_the_order_of_the_ideas():
    lessons = load_lessons(LESSONS)
    broken = [lesson.message for lesson in lessons if isinstance(lesson, BrokenLesson)]
    assert broken == []
    assert [lesson.file for lesson in lessons] == FILES


@pytest.mark.parametrize("lesson", load_lessons(LESSONS), ids=lambda lesson: lesson.file)
def test_each_lesson_shows_its_idea_at_a_point_where_f_is_defined(lesson):
    fn = parse_function(lesson.function)
    f, gx, gy = fn.value_and_gradient(*lesson.start)
    assert math.isfinite(f) and math.isfinite(gx) and math.isfinite(gy)
    (x0, x1), (y0, y1) = lesson.window
    assert x0 <= lesson.start[0] <= x1 and y0 <= lesson.start[1] <= y1
    sentences = lesson.text.count(". ") + 1
    assert 2 <= sentences <= 4, lesson.text
    assert lesson.try_this and lesson.formulas


def test_the_numbers_the_lessons_quote_are_right():
    from gd_explorer.core.calculus import directional_derivative, total_differential
    from gd_explorer.core.descent import descend

    by_file = {lesson.file[:2]: lesson for lesson in load_lessons(LESSONS)}

    def at(key, angle_deg=None):
        lesson = by_file[key]
        phi = math.radians(lesson.angle_deg if angle_deg is None else angle_deg)
        return directional_derivative(parse_function(lesson.function), lesson.start, phi)

    assert at("01").value == pytest.approx(1.0)                         # f'(1) = 3 - 2
    assert (at("02", 0).value, at("02", 90).value) == pytest.approx((3.0, 5.0))
    df, actual = total_differential(parse_function("x^2*y"), (1, 2), math.radians(45), 0.1)
    assert (df, actual) == pytest.approx((0.3536, 0.3739), abs=1e-4)
    assert at("04").value == pytest.approx(3 / math.sqrt(2))
    assert at("05").gradient == pytest.approx((4.0, 8.0))
    assert at("06").value == pytest.approx(2.366, abs=1e-3)
    assert at("07").grad_norm == pytest.approx(59.67, abs=0.01)

    def run(key, start=None, learning_rate=None, steps=10000):
        lesson = by_file[key]
        return descend(parse_function(lesson.function), start=start or lesson.start,
                       learning_rate=learning_rate or lesson.learning_rate, max_steps=steps, tol=1e-6)

    assert run("08").status == "converged" and run("08", learning_rate=0.11).status == "diverged"
    local, deeper = run("09"), run("09", start=(-1.5, 1.0))
    assert local.status == deeper.status == "converged"
    assert (local.fun, deeper.fun) == pytest.approx((-0.5167, -1.515), abs=5e-4)
    rows = run("10", steps=2).trajectory
    assert rows[:, 1] == pytest.approx([-2.5, -2.375, -2.25625])  # x *= 0.95
    assert rows[:, 2] == pytest.approx([1.2, 0.24, 0.048])        # y *= 0.2


def test_the_readouts_the_lessons_quote_are_written_as_the_panes_show_them():
    """Each number a lesson tells the student to read off the window is the computed value in
    the one display format (fmt), so the text and the readout agree digit for digit."""
    from gd_explorer.core.calculus import directional_derivative
    from gd_explorer.core.critical import find_critical_points
    from gd_explorer.core.descent import descend
    from gd_explorer.core.fmt import fmt

    by_file = {lesson.file[:2]: lesson for lesson in load_lessons(LESSONS)}

    def said(key):  # the lesson's words, with the typographic minus as the panes write it
        lesson = by_file[key]
        return (lesson.text + " " + lesson.try_this).replace("\u2212", "-")

    def reading(key, angle_deg=None):
        lesson = by_file[key]
        phi = math.radians(lesson.angle_deg if angle_deg is None else angle_deg)
        return directional_derivative(parse_function(lesson.function), lesson.start, phi)

    assert "≈ " + fmt(math.sqrt(2 / 3)) + "," in said("01")
    assert f"reads {fmt(reading('02', 0).value)} " in said("02")
    assert f"becomes {fmt(reading('02', 90).value)} " in said("02")
    chain = reading("04")
    assert f"2·{fmt(chain.u[0])} + {fmt(chain.u[1])} = {fmt(chain.value)}" in said("04")
    assert "is ({}, {})".format(*map(fmt, reading("05").gradient)) in said("05")
    assert f"at 30° both are {fmt(reading('06').value)}." in said("06")
    assert f"‖∇f‖ ≈ {fmt(reading('07').grad_norm)}." in said("07")
    lesson = by_file["09"]
    fn = parse_function(lesson.function)
    run = descend(fn, start=lesson.start, learning_rate=lesson.learning_rate, max_steps=10000,
                  tol=1e-6)
    lowest = min(p.f for p in find_critical_points(fn, *lesson.window).points
                 if p.kind == "minimum")
    assert f"valley at f = {fmt(run.fun)}," in said("09")
    assert f"the deeper one, f = {fmt(lowest)}," in said("09")
    xs = descend(parse_function(by_file["10"].function), start=by_file["10"].start,
                 learning_rate=0.1, max_steps=2).trajectory[:, 1]
    assert "x only goes {}, {}, {},".format(*map(fmt, xs)) in said("10")


def test_lessons_are_packaged_with_the_resources():
    import tomllib

    config = tomllib.loads((LESSONS.parents[1] / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "gd_explorer.resources.lessons" in config["packages"]
    assert config["package-data"]["gd_explorer.resources.lessons"] == ["*.json"]
    assert config["package-dir"]["gd_explorer.resources"] == "resources"
    assert default_folder().name == "lessons"


def test_lesson_becomes_a_preset_with_its_setup():
    lesson = load_lessons(LESSONS)[7]  # the update rule
    preset = lesson.preset()
    assert preset.expression == "x^2 + 10*y^2"
    assert preset.start == (-2.5, 1.5) and preset.learning_rate == 0.09
    assert (tuple(preset.xrange), tuple(preset.yrange)) == lesson.window


# ----- broken files -------------------------------------------------------------------------
BROKEN = [
    ("start", "x", "'start' must be two numbers"),
    ("start", [1], "'start' must be two numbers"),
    ("start", [1, True], "'start' must be two numbers"),
    ("start", [9, 9], "'start' must lie inside the window"),
    ("title", "", "'title' must be non-empty text"),
    ("title", 3, "'title' must be non-empty text"),
    ("text", None, "'text' must be non-empty text"),
    ("function", "x + * y", "'function' is not a valid formula"),
    ("function", "__import__('os')", "'function' is not a valid formula"),
    ("window", {"x": [1, 0], "y": [0, 1]}, "'window': the x range must go from a smaller"),
    ("window", {"x": [0, 1]}, "'window' must be"),
    ("angle_deg", "45", "'angle_deg' must be a number"),
    ("angle_deg", 1000, "'angle_deg' must be between -360 and 360"),
    ("view", "map", "'view' must be one of contour, surface, both"),
    ("tab", "lessons", "'tab' must be one of descent, direction"),
    ("focus", "slice", "'focus' needs \"tab\": \"direction\""),
    ("spacing", "cubic", "'spacing' must be one of linear, log"),
    ("learning_rate", 0, "'learning_rate' must be between"),
    ("learning_rate", "fast", "'learning_rate' must be a number"),
    ("optimizer", "sgd2", "'optimizer' must be one of"),
    ("formulas", "x^2", "'formulas' must be a list"),
    ("formulas", ["x"] * 7, "'formulas' must be a list of at most 6"),
    ("formulas", [""], "'formulas' item 1 must be LaTeX text"),
    ("colour", "red", "unknown field 'colour'"),
]


@pytest.mark.parametrize("field,value,message", BROKEN, ids=[f"{f}={v!r}"[:40] for f, v, _ in BROKEN])
def test_a_broken_field_is_named_with_the_file(tmp_path, field, value, message):
    write(tmp_path, "01-good.json", GOOD)
    write(tmp_path, "03-total-differential.json", {**GOOD, field: value})
    good, broken = load_lessons(tmp_path)
    assert isinstance(good, Lesson) and good.title == "The gradient"  # the others still load
    assert isinstance(broken, BrokenLesson)
    assert broken.message.startswith("lesson 03-total-differential.json: ")
    assert message in broken.message


@pytest.mark.parametrize("field", ["title", "function", "start", "text", "try"])
def test_a_missing_required_field_is_named(tmp_path, field):
    data = dict(GOOD)
    del data[field]
    write(tmp_path, "05-x.json", data)
    (broken,) = load_lessons(tmp_path)
    assert broken.message == f"lesson 05-x.json: '{field}' is missing"


@pytest.mark.parametrize("raw,message", [
    ('{"title": "a",', "not valid JSON (line 1"),
    ('[1, 2]', "must hold one JSON object"),
    ('{"title": "a", "title": "b"}', "the field 'title' appears twice"),
    ('{"start": [NaN, 1]}', "NaN is not a number JSON allows"),
    ('[' * 100000 + ']' * 100000, "too large"),
])
def test_files_that_are_not_lessons_say_why(tmp_path, raw, message):
    write(tmp_path, "07-bad.json", raw)
    (broken,) = load_lessons(tmp_path)
    assert broken.message.startswith("lesson 07-bad.json: ") and message in broken.message


def test_not_utf8_is_refused(tmp_path):
    (tmp_path / "02-latin1.json").write_bytes('{"title": "Différentielle"}'.encode("latin-1"))
    (broken,) = load_lessons(tmp_path)
    assert broken.message == "lesson 02-latin1.json: the file is not UTF-8 text"


def test_only_json_files_in_name_order(tmp_path):
    write(tmp_path, "10-b.json", {**GOOD, "title": "B"})
    write(tmp_path, "02-a.json", {**GOOD, "title": "A"})
    write(tmp_path, "notes.txt", "not a lesson")
    (tmp_path / "sub.json").mkdir()
    assert [lesson.title for lesson in load_lessons(tmp_path)] == ["A", "B"]


def test_a_missing_folder_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot read the lessons folder"):
        load_lessons(tmp_path / "nowhere")


# ----- the panel ------------------------------------------------------------------------------
TAB_TEXT = {"descent": "Descent", "direction": "Directional", "differential": "Differential",
            "sweep": "Rate sweep"}


@pytest.fixture
def win(qtbot, shown_window):
    shown_window.lessons.load(LESSONS)
    return shown_window


def check_applied(win, lesson):
    model = win.model
    assert model.text == lesson.function
    assert model.start == pytest.approx(lesson.start)
    assert model.angle == pytest.approx(math.radians(lesson.angle_deg) % (2 * math.pi))
    assert model.window == lesson.window
    assert model.learning_rate == lesson.learning_rate and model.optimizer == lesson.optimizer
    assert model.spacing == lesson.spacing
    assert win.view_mode == lesson.view
    curve = win.curve_pane.view  # built on first use, shown only for f of x alone
    if not model.function.depends_on_y:  # f of x alone (lesson 1): the curve f(x) instead
        assert curve.isVisibleTo(win) and not win.contour.isVisibleTo(win)
    else:
        assert not curve.isVisibleTo(win)
        assert win.contour.isVisibleTo(win) == (lesson.view in ("contour", "both"))
        assert win.surface.isVisibleTo(win) == (lesson.view in ("surface", "both"))
    assert win.tabs.tabText(win.tabs.currentIndex()) == TAB_TEXT[lesson.tab]
    assert win.lessons.title.text() == lesson.title
    assert win.lessons.try_this.text() == "Try this: " + lesson.try_this


def click_and_wait(qtbot, win, button, lesson):
    qtbot.mouseClick(button, Qt.LeftButton)
    qtbot.waitUntil(lambda: win.model.text == lesson.function and not win.model.compiling,
                    timeout=20000)


def test_lessons_action_shows_and_hides_the_panel(qtbot, win):
    action = win.findChild(type(win.lessons_action), "lessonsAction")
    dock = win.findChild(type(win.lessons_dock), "lessonsDock")
    assert action is win.lessons_action and not dock.isVisible()
    action.trigger()
    qtbot.waitUntil(dock.isVisible)
    assert win.lessons.isVisible() and action.isChecked()
    action.trigger()
    qtbot.waitUntil(lambda: not dock.isVisible())


def test_next_and_previous_step_through_every_lesson(qtbot, win):
    win.lessons_action.trigger()
    panel = win.lessons
    lessons = load_lessons(LESSONS)
    nxt = win.findChild(type(panel.next_button), "lessonNextButton")
    prev = win.findChild(type(panel.prev_button), "lessonPrevButton")
    listing = win.findChild(type(panel.list), "lessonList")
    assert listing.count() == 10 and listing.currentRow() == -1
    assert not prev.isEnabled() and nxt.isEnabled()
    for i, lesson in enumerate(lessons):
        # leave some state behind that the next lesson must put right
        win.model.set_angle(3.0)
        win.set_view_mode("both")
        click_and_wait(qtbot, win, nxt, lesson)
        assert listing.currentRow() == i
        qtbot.waitUntil(lambda: win.model.angle == pytest.approx(lesson.angle % (2 * math.pi)))
        check_applied(win, lesson)
        assert panel.position.text() == f"{i + 1} / 10"
        assert prev.isEnabled() == (i > 0) and nxt.isEnabled() == (i < 9)
    for lesson in reversed(lessons[:-1]):
        win.model.set_start(0.25, 0.25)
        click_and_wait(qtbot, win, prev, lesson)
        check_applied(win, lesson)
    assert listing.currentRow() == 0 and not prev.isEnabled()


def test_set_up_again_restores_the_lesson(qtbot, win):
    lesson = load_lessons(LESSONS)[4]
    win.lessons.list.setCurrentRow(4)
    qtbot.waitUntil(lambda: win.model.text == lesson.function and not win.model.compiling,
                    timeout=20000)
    win.model.set_start(-1.0, 0.5)
    win.model.set_angle(1.0)
    win.tabs.setCurrentIndex(0)
    qtbot.mouseClick(win.findChild(type(win.lessons.again_button), "lessonResetButton"),
                     Qt.LeftButton)
    qtbot.waitUntil(lambda: win.model.start == pytest.approx(lesson.start), timeout=20000)
    check_applied(win, lesson)


def test_a_lesson_scrolls_the_direction_tab_to_its_part(qtbot, win, tmp_path):
    write(tmp_path, "01-limits.json", {**GOOD, "tab": "direction", "focus": "limits"})
    write(tmp_path, "02-top.json", {**GOOD, "tab": "direction"})
    win.lessons.load(tmp_path)
    area = win.tabs.widget(1)
    bar = area.verticalScrollBar()
    win.resize(1280, 800)
    win.lessons_action.trigger()
    win.lessons.list.setCurrentRow(0)  # the limit table: its details tab opened, scrolled to
    box = win.direction.table
    qtbot.waitUntil(lambda: bar.value() > 0 and box.isVisible(), timeout=15000)
    top = box.mapTo(area.viewport(), box.rect().topLeft()).y()
    assert 0 <= top < area.viewport().height()
    win.lessons.list.setCurrentRow(1)  # no focus: the dial, at the top
    qtbot.waitUntil(lambda: bar.value() == 0, timeout=15000)


def test_the_differential_lesson_opens_the_differential_tab(qtbot, win):
    win.lessons_action.trigger()
    win.lessons.list.setCurrentRow(2)
    qtbot.waitUntil(lambda: win.model.text == "x^2*y", timeout=15000)
    assert win.tabs.tabText(win.tabs.currentIndex()) == "Differential"
    assert win.view_mode == "surface"


def test_broken_lessons_are_listed_with_their_message(qtbot, shown_window, tmp_path):
    win = shown_window
    write(tmp_path, "01-good.json", GOOD)
    write(tmp_path, "02-broken.json", {**GOOD, "start": "here"})
    win.lessons.load(tmp_path)
    win.lessons_action.trigger()
    listing = win.lessons.list
    assert [listing.item(i).text() for i in range(2)] == ["1. The gradient", "2. ⚠ 02-broken.json"]
    assert listing.item(1).toolTip() == "lesson 02-broken.json: 'start' must be two numbers"
    with qtbot.waitSignal(win.model.functionChanged, timeout=20000):
        listing.setCurrentRow(0)
    text = win.model.text
    listing.setCurrentRow(1)
    error = win.findChild(type(win.lessons.error), "lessonError")
    assert error.isVisible() and error.text() == "lesson 02-broken.json: 'start' must be two numbers"
    assert not win.lessons.try_this.isVisible() and not win.lessons.again_button.isEnabled()
    assert win.model.text == text and not win.model.compiling  # nothing applied


def test_an_unreadable_folder_is_shown_not_raised(qtbot, shown_window, tmp_path):
    shown_window.lessons.load(tmp_path / "missing")
    listing = shown_window.lessons.list
    assert listing.count() == 1 and "cannot read the lessons folder" in listing.item(0).toolTip()


def test_the_readme_example_is_a_valid_lesson(tmp_path):
    readme = (LESSONS.parents[1] / "README.md").read_text(encoding="utf-8")
    example = readme.split("## Lessons", 1)[1].split("```json\n", 1)[1].split("```", 1)[0]
    write(tmp_path, "05-gradient.json", example)
    (lesson,) = load_lessons(tmp_path)
    assert isinstance(lesson, Lesson), getattr(lesson, "message", "")
    assert lesson.focus == "slice" and lesson.formulas == (r"\nabla f = (2x,\; 8y)",)


def test_the_total_differential_lessons_numbers_are_true():
    from gd_explorer.core import parse_function
    from gd_explorer.core.calculus import differential
    from gd_explorer.core.fmt import fmt

    lesson = next(les for les in load_lessons(LESSONS) if les.title == "The total differential")
    fn = parse_function(lesson.function)
    big, half = (differential(fn, lesson.start, ds) for ds in ((0.1, 0.1), (0.05, 0.05)))
    claims = [fmt(big.df), fmt(big.actual), fmt(half.df), fmt(half.actual),
              fmt(big.actual - big.df), fmt(half.actual - half.df)]
    assert claims == ["0.5", "0.541", "0.25", "0.2601", "0.041", "0.01012"]
    for number in claims[:5]:
        assert number in lesson.try_this
    assert "0.0101," in lesson.try_this
    assert lesson.tab == "differential" and lesson.view == "surface"
    (x0, x1), (y0, y1) = lesson.window  # zoomed in around the point: the plane shows
    assert (x0 + x1) / 2 == lesson.start[0] and (y0 + y1) / 2 == lesson.start[1]
    assert x1 - x0 <= 2 and y1 - y0 <= 2
    flat = differential(fn, lesson.start, (0.0, 0.1))   # f is linear in y
    assert flat.df == pytest.approx(flat.actual, rel=1e-12)


@pytest.mark.opengl
def test_at_1280x800_with_the_lessons_open_every_lessons_plots_keep_room(qtbot, win, gl_ready):
    """A projector's 1280 x 800 with the dock open: each plot a lesson shows (map, surface or
    the curve f(x)) keeps a usable width. With OpenGL the surface pane is at least ~400 px
    wide, so "both" there squeezed the map of lesson 3 to a strip (the surface's controls
    need no room offscreen, hence the marker)."""
    win.resize(1280, 800)
    win.lessons_action.trigger()
    plots = {"contour": win.contour, "surface": win.surface,
             "curve": win.curve_pane.findChild(QWidget, "curveView")}  # (built on access)
    for row, lesson in enumerate(load_lessons(LESSONS)):
        win.lessons.list.setCurrentRow(row)
        qtbot.waitUntil(lambda: win.model.text == lesson.function and not win.model.compiling,
                        timeout=20000)
        qtbot.wait(50)  # the splitters settle
        shown = {name: plot.width() for name, plot in plots.items() if plot.isVisible()}
        assert shown and min(shown.values()) >= 230, (lesson.file, shown)
