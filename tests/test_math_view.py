"""Typeset maths (issue 11, item 9): LaTeX to SVG with ziamath, shown with QtSvg, plain text
when rendering fails or the formula is too long; long formulas never push panels down."""
import itertools
import time
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import QByteArray
from PySide6.QtGui import QFont, QImage
from PySide6.QtSvg import QSvgRenderer

from gd_explorer.core.function import parse_function
from gd_explorer.core.presets import PRESETS
from gd_explorer.gui import math_view
from gd_explorer.gui.math_view import MAX_TEX_CHARS, MathView, matrix_tex, render_svg

pytestmark = pytest.mark.filterwarnings("error")
SVG = "{http://www.w3.org/2000/svg}"
KEYS = ("f", "fx", "fy", "fxx", "fxy", "fyy")
_unique = itertools.count()


def unique(tex):
    """A formula no earlier test has rendered (so the cache does not answer)."""
    return f"{tex} + {next(_unique)}"


def check_svg(svg):
    assert QSvgRenderer(QByteArray(svg)).isValid()  # and Qt says nothing about it
    root = ET.fromstring(svg)
    assert root.tag == SVG + "svg"
    assert float(root.get("width")) > 0 and float(root.get("height")) > 0
    drawn = [e for e in root.iter() if e.tag in (SVG + "path", SVG + "use")]
    assert drawn, "the SVG draws nothing"
    return root


@pytest.fixture(scope="module")
def preset_functions():
    return [(p.name, parse_function(p.expression)) for p in PRESETS]


def test_every_preset_formula_renders_to_svg(qapp, preset_functions):
    for name, fn in preset_functions:
        for key in KEYS:
            tex = fn.latex[key]
            assert tex is not None, (name, key)
            check_svg(render_svg(tex, 16))
        hessian = matrix_tex([[fn.latex["fxx"], fn.latex["fxy"]], [fn.latex["fxy"], fn.latex["fyy"]]])
        if len(hessian) <= MAX_TEX_CHARS:  # what the Function panel typesets
            check_svg(render_svg(hessian, 16))


def test_a_wider_formula_gives_a_wider_svg(qapp):
    narrow = check_svg(render_svg("x", 16))
    wide = check_svg(render_svg(r"x^{2} + 3 y^{2} - \frac{\sin{x}}{x}", 16))
    assert float(wide.get("width")) > 3 * float(narrow.get("width"))
    bigger = check_svg(render_svg("x", 32))
    margins = 2.0  # ziamath adds a margin of 1 on each side
    assert float(bigger.get("height")) - margins == pytest.approx(
        2 * (float(narrow.get("height")) - margins), rel=0.02)


class FakeTypesetter:
    """Stands in for the typesetting process: counts requests, answers with ``answer``
    (an exception is raised, as Sandbox.run raises when the process fails)."""

    def __init__(self, answer):
        self.answer, self.calls = answer, []

    def run(self, request):
        self.calls.append(tuple(request))
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer(*request) if callable(self.answer) else self.answer


def test_render_failure_returns_none_and_is_cached(monkeypatch):
    from gd_explorer.core.errors import ExpressionError

    fake = FakeTypesetter(ExpressionError("the symbolic engine stopped unexpectedly"))
    monkeypatch.setattr(math_view, "typesetter", lambda: fake)
    tex = unique("x")
    assert render_svg(tex, 16) is None
    assert render_svg(tex, 16) is None
    assert len(fake.calls) == 1


def test_renders_are_cached_by_tex_and_size(monkeypatch):
    real = math_view.typesetter()
    fake = FakeTypesetter(lambda *request: real.run(list(request)))
    monkeypatch.setattr(math_view, "typesetter", lambda: fake)
    tex = unique("y^2")
    first = render_svg(tex, 16)
    check_svg(first)
    assert render_svg(tex, 16) is first
    render_svg(tex, 20)
    assert fake.calls == [(tex, 16, "#000000"), (tex, 20, "#000000")]


def test_the_typesetting_process_answers_none_when_ziamath_fails(monkeypatch):
    from gd_explorer.gui import typeset_worker

    def broken(*args, **kwargs):
        raise ValueError("cannot typeset")

    status, svg = typeset_worker.handle(["x^{2}", 16, "#000000"])
    assert status == "ok" and svg.startswith(b"<svg")
    monkeypatch.setattr(typeset_worker.load_ziamath(), "Latex", broken)
    assert typeset_worker.handle(["x^{2}", 16, "#000000"]) == ("ok", None)
    assert typeset_worker.handle(["x^{2}", 16])[0] == "error"  # not a request


def test_matrix_tex():
    assert matrix_tex([["a", "b"], ["c", "d"]]) == r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}"
    assert matrix_tex([["a", None], ["c", "d"]]) is None


# ----- the widget -----------------------------------------------------------------------------
@pytest.fixture
def view(qtbot):
    from gd_explorer.gui.app import make_app

    make_app()
    widget = MathView(objectName="testFormula")
    qtbot.addWidget(widget)
    widget.resize(300, 60)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def inked(widget):
    """How many pixels of the widget are not the background."""
    image = widget.grab().toImage().convertToFormat(QImage.Format_RGB32)
    background = image.pixel(0, 0)
    return sum(image.pixel(x, y) != background
               for x in range(0, image.width(), 2) for y in range(0, image.height(), 2))


def wait_rendered(qtbot, view):
    qtbot.waitUntil(lambda: view._key is None, timeout=20000)


def test_view_shows_the_typeset_formula(qtbot, view):
    tex = unique(r"\frac{x^{2}}{2}")
    view.set_formula(tex, "x^2/2 + …")
    assert not view.is_typeset()   # plain text until the background render is done
    assert view.text() == "x^2/2 + …" and view.toolTip() == "x^2/2 + …"
    wait_rendered(qtbot, view)
    assert view.is_typeset() and view.tex() == tex
    assert inked(view.canvas) > 20
    assert view.objectName() == "testFormula"


def test_render_failure_falls_back_to_plain_text(qtbot, view, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(math_view, "typesetter", lambda: FakeTypesetter(RuntimeError("crashed")))
    view.set_formula(unique("x"), "x + 1")
    wait_rendered(qtbot, view)
    assert not view.is_typeset() and view.text() == "x + 1"
    assert inked(view.canvas) > 5  # the plain text is drawn


def test_none_or_too_long_latex_shows_plain_text_without_rendering(qtbot, view, monkeypatch):
    calls = []
    monkeypatch.setattr(math_view, "render_svg", lambda *a: calls.append(a))
    view.set_formula(None, "too long to typeset")
    assert view._key is None and not view.is_typeset() and view.text() == "too long to typeset"
    view.set_formula("x + " * (MAX_TEX_CHARS // 4 + 1), "x + x + …")
    assert view._key is None and not view.is_typeset()
    assert calls == []


def test_a_long_formula_scrolls_sideways_and_keeps_its_height(qtbot, view):
    line = view.fontMetrics().height()
    long_tex = unique(" + ".join(f"x^{{{i}}} y" for i in range(40)))
    view.set_formula(long_tex, "a long sum")
    wait_rendered(qtbot, view)
    assert view.is_typeset()
    assert view.canvas.width() > view.viewport().width()
    assert view.horizontalScrollBar().maximum() > 0
    bar = view.style().pixelMetric(view.style().PixelMetric.PM_ScrollBarExtent)
    assert view.height() <= view.max_lines * line + bar + 3


def test_a_tall_formula_shrinks_to_the_height_limit(qtbot, view):
    tall = unique(r"\begin{pmatrix} \frac{1}{x} \\ \frac{1}{y} \\ \frac{1}{x y} \\ \frac{x}{y} \end{pmatrix}")
    view.set_formula(tall, "a tall matrix")
    wait_rendered(qtbot, view)
    assert view.is_typeset()
    natural_height = view._natural[1]
    assert natural_height > view.max_lines * view.fontMetrics().height()
    assert view.canvas.height() <= view.max_lines * view.fontMetrics().height() + 1


def test_a_bigger_font_renders_bigger_maths(qtbot, view):
    view.set_formula(unique("x + y"), "x + y")
    wait_rendered(qtbot, view)
    small = view.canvas.height()
    font = QFont(view.font())
    font.setPointSizeF(font.pointSizeF() * 2)
    view.setFont(font)
    wait_rendered(qtbot, view)
    assert view.is_typeset()
    assert view.canvas.height() >= 1.8 * small


def test_function_panel_typesets_f_its_derivatives_and_hessian(qtbot, shown_window):
    win = shown_window
    with qtbot.waitSignal(win.model.functionChanged, timeout=20000):
        win.model.set_expression("x^2*y + sin(x)/x")
    editor = win.editor
    views = [win.findChild(MathView, name) for name in
             ("functionFormula", "dfdxFormula", "dfdyFormula", "hessianFormula")]
    assert views == [editor.formula, editor.dfdx, editor.dfdy, editor.hessian]
    for v in views:
        wait_rendered(qtbot, v)
        assert v.is_typeset(), v.objectName()
    assert editor.formula.tex() == win.model.function.latex["f"]
    assert editor.hessian.tex().startswith(r"\begin{pmatrix}")
    fn = win.model.function
    assert editor.hessian.text() == (f"({fn.display['fxx']}, {fn.display['fxy']})\n"
                                     f"({fn.display['fxy']}, {fn.display['fyy']})")


def test_a_huge_hessian_stays_plain_and_does_not_push_the_panels_down(qtbot, shown_window):
    win = shown_window
    with qtbot.waitSignal(win.model.functionChanged, timeout=20000):
        win.model.load_preset("Quadratic bowl")
    for v in (win.editor.formula, win.editor.hessian):
        wait_rendered(qtbot, v)
    height = win.editor.height()
    with qtbot.waitSignal(win.model.functionChanged, timeout=20000):
        win.model.load_preset("Goldstein-Price")
    hessian = win.editor.hessian
    assert hessian.tex() is not None and len(hessian.tex()) > MAX_TEX_CHARS
    assert not hessian.is_typeset() and hessian._key is None
    assert hessian.toolTip().replace("\n", " ") == hessian.text().replace("\n", " ")
    assert win.model.function.display["fxy"] in hessian.text()
    wait_rendered(qtbot, win.editor.dfdx)
    qtbot.waitUntil(lambda: win.editor.height() <= height + 6 * win.editor.fontMetrics().height(),
                    timeout=15000)
    assert hessian.horizontalScrollBar().maximum() > 0


def test_directional_identity_is_typeset(qtbot, shown_window):
    win = shown_window
    names = ("identityLeft", "identityDot", "identityPolar")
    views = [win.direction.findChild(MathView, name) for name in names]  # built on first use
    assert [v.text() for v in views] == ["D_u f =", "∇f · u", "= ‖∇f‖ cos θ"]
    for v in views:
        wait_rendered(qtbot, v)
        assert v.is_typeset()


def test_a_deleted_view_withdraws_its_request(qtbot):
    from shiboken6 import delete

    from gd_explorer.gui.app import make_app

    make_app()
    views = [MathView() for _ in range(2)]
    slow = unique(" + ".join(f"x^{{{i}}}" for i in range(60)))
    for v in views:
        v.set_formula(slow, "slow")
    queue = math_view.renderer()
    key = views[0]._key
    assert key is not None and queue._wanted[key] == 2
    delete(views[0])
    assert queue._wanted[key] == 1   # the other view still waits for it
    delete(views[1])
    assert key not in queue._wanted and key not in queue._order


def test_screenshot_waits_for_the_typeset_formulas(qtbot, shown_window, tmp_path):
    from gd_explorer.gui.app import screenshot

    win = shown_window
    with qtbot.waitSignal(win.model.functionChanged, timeout=20000):
        win.model.set_expression(unique("x^3 - 3*x*y^2 + sin(y)/y + x"))
    screenshot(win, str(tmp_path / "shot.png"))
    views = [win.editor.formula, win.editor.dfdx, win.editor.dfdy, win.editor.hessian]
    assert all(v.is_typeset() for v in views)
    assert (tmp_path / "shot.png").stat().st_size > 0


def test_copy_actions_copy_the_plain_text_and_the_latex(qtbot, view):
    from PySide6.QtGui import QGuiApplication

    view.set_formula(r"x^{2}", "x^2")
    plain, tex = view.actions()
    plain.trigger()
    assert QGuiApplication.clipboard().text() == "x^2"
    tex.trigger()
    assert QGuiApplication.clipboard().text() == r"x^{2}"


def test_stop_ends_the_render_thread_without_a_late_signal(qtbot):
    """At exit the thread must not signal into a Qt being torn down (that crashed the app)."""
    import threading

    queue = math_view._Renderer()
    emitted = []
    queue.rendered.connect(emitted.append)
    first = (unique("x"), 16, "#000000")
    queue.request(first)
    qtbot.waitUntil(lambda: emitted == [first], timeout=20000)  # loaded, now idle
    key = (unique("x^{2}"), 16, "#000000")
    with math_view._render_lock:       # the thread will wait inside render_svg
        queue.request(key)
        qtbot.waitUntil(lambda: key not in queue._order, timeout=10000)
        stopper = threading.Thread(target=queue.stop)
        stopper.start()
        qtbot.waitUntil(lambda: queue._stopping, timeout=10000)
    stopper.join(20)
    assert not stopper.is_alive() and not queue._thread.is_alive()
    qtbot.wait(50)                     # deliver anything it sent
    assert emitted == [first]          # the render it finished after stop() is not announced
    queue.request(key)                 # a stopped queue starts no new thread
    assert not queue._thread.is_alive()


def test_formulas_typeset_ahead_are_rendered_once_and_shown_at_once(qtbot, shown_window,
                                                                   monkeypatch):
    # --screenshot and startup typeset the first function's formulas while it is applied
    real = math_view.typesetter()

    def slowly(*request):  # the views ask while these are still being rendered
        time.sleep(0.25)
        return real.run(list(request))

    fake = FakeTypesetter(slowly)
    monkeypatch.setattr(math_view, "typesetter", lambda: fake)
    win = shown_window
    text = f"x^2 + {next(_unique) + 2}*y^2 + x*y/3"
    win.editor.typeset_ahead(parse_function(text))
    qtbot.waitUntil(lambda: len(fake.calls) > 0, timeout=30000)  # begun before f is shown
    with qtbot.waitSignal(win.model.functionChanged, timeout=20000):
        win.model.set_expression(text)
    views = [win.editor.formula, win.editor.dfdx, win.editor.dfdy, win.editor.hessian]
    qtbot.waitUntil(lambda: all(v.is_typeset() for v in views), timeout=30000)
    assert sorted(fake.calls) == sorted(v.key(v.tex()) for v in views)  # each once, as shown
