"""Screenshots of every lesson, to look at before a lesson is called done (issue 11).

Opens the main window at a given size, opens the lessons dock (View → Lessons), chooses each
lesson in turn, waits until the lesson's function is compiled, its side tab scrolled, the
typeset formulas drawn and the contour map sampled for the view's size, and saves one PNG per
lesson: OUT/lesson-01.png, lesson-02.png, ...

Run it under a real X server so the 3-D surface has OpenGL (offscreen has none):

    xvfb-run -a -s "-screen 0 1920x1080x24" env QT_QPA_PLATFORM=xcb \\
        .venv/bin/python tools/lesson_shots.py --size 1280x800 --out /tmp/lessons1280

    options: --size WxH (default 1280x800; the Xvfb screen must be at least this large)
             --out FOLDER (created if missing; default /tmp/lesson-shots)
             --only 3,7 (these lesson numbers, counted from 1; default all)
             --folder DIR (another folder of lessons; default this checkout's resources/lessons)

The gd_explorer imported and the lessons shown are those of the checkout the script lives in
(an editable install elsewhere would otherwise supply its own resources/lessons). Prints one line per file written; exits 2 with a message on bad input.
"""
import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
LESSONS = ROOT / "resources" / "lessons"  # this checkout's, not the installed package's

SETTLE_S = 0.6  # after everything reports ready: the views' settle timers (150-250 ms) fire


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--size", default="1280x800")
    parser.add_argument("--out", default="/tmp/lesson-shots")
    parser.add_argument("--only", default=None, help="lesson numbers, e.g. 3,7")
    parser.add_argument("--folder", default=str(LESSONS), help="a folder of lesson files")
    return parser.parse_args(argv)


def pump(seconds):
    """Process events for ``seconds`` (timers fire, threads deliver their results)."""
    from PySide6.QtCore import QCoreApplication, QEventLoop

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        QCoreApplication.processEvents(QEventLoop.AllEvents, 20)
        time.sleep(0.005)


def wait_until(condition, timeout, what):
    from PySide6.QtCore import QCoreApplication, QEventLoop

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        QCoreApplication.processEvents(QEventLoop.AllEvents, 20)
        time.sleep(0.005)


def shoot_lesson(window, row, lesson, path):
    """Choose lesson ``row`` in the dock, wait until it is set up and drawn, save ``path``."""
    from gd_explorer.core.fileio import atomic_write_bytes
    from gd_explorer.gui.app import _wait_for_map
    from gd_explorer.gui.export_image import qimage_bytes
    from gd_explorer.gui.math_view import wait_typeset

    model = window.model
    window.lessons.list.setCurrentRow(row)
    wait_until(lambda: (model.text == lesson.function and not model.compiling
                        and model.function is not None), 30, f"lesson {row + 1}'s function")
    pump(SETTLE_S)  # the scroll to the lesson's part runs on the next turn; views settle
    if not wait_typeset(window, timeout=20):
        print(f"lesson {row + 1}: some formulas were still typesetting", file=sys.stderr)
    _wait_for_map(window)
    pump(0.1)
    window.repaint()
    pump(0.05)
    atomic_write_bytes(path, qimage_bytes(window.grab().toImage(), "PNG"))


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from gd_explorer.core.errors import InputError
    from gd_explorer.core.lessons import BrokenLesson, load_lessons
    from gd_explorer.gui.app import make_app, prepare_window, screenshot_size

    try:
        size = screenshot_size(args.size)
        lessons = load_lessons(args.folder)
        rows = range(len(lessons))
        if args.only:
            rows = [int(n) - 1 for n in args.only.split(",")]
            if not all(0 <= r < len(lessons) for r in rows):
                raise InputError(f"--only: lessons are numbered 1 to {len(lessons)}")
    except (InputError, ValueError) as exc:
        print(f"lesson_shots: {exc}", file=sys.stderr)
        return 2
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        print("lesson_shots: note: offscreen has no OpenGL, the 3-D view will be a message",
              file=sys.stderr)
    app = make_app()
    from gd_explorer.gui.main_window import MainWindow

    window = MainWindow()
    prepare_window(window)
    window.lessons.load(args.folder)
    window.resize(*size)
    window.show()
    window.lessons_action.trigger()  # as View → Lessons: the dock takes its first width
    pump(0.3)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for row in rows:
        lesson = lessons[row]
        if isinstance(lesson, BrokenLesson):
            print(f"lesson {row + 1}: broken, skipped: {lesson.message}", file=sys.stderr)
            continue
        path = out / f"lesson-{row + 1:02d}.png"
        shoot_lesson(window, row, lesson, str(path))
        print(path)
    window.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
