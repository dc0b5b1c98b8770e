"""Typeset formulas: LaTeX turned into SVG by ziamath (pure Python) and painted with QtSvg.

ziamath takes about 1 ms per character of LaTeX (and 0.1 s to import), so formulas are
rendered in a process of their own (typeset_worker.py), asked from one background thread,
and cached by (tex, size, colour); a view shows the plain text until its SVG is ready, and
keeps the plain text when the formula is too long to typeset or rendering fails.
"""
import atexit
import collections
import math
import textwrap
import threading

from PySide6.QtCore import QByteArray, QObject, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (QAction, QFontDatabase, QFontInfo, QFontMetrics, QGuiApplication,
                           QPainter, QPalette)
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QScrollArea, QSizePolicy, QStyle, QWidget

from .events import process_events_until
from .typeset_worker import typesetter

MAX_TEX_CHARS = 600   # longer LaTeX stays plain text: ziamath would take seconds on it
MIN_FIT = 0.75        # a wide formula shrinks to this fraction at most, then scrolls
MATH_SCALE = 1.2      # ziamath's size per pixel of the widget font (its x-height is smaller)
CACHE_SIZE = 400
TOOLTIP_WIDTH = 90    # characters per tooltip line

_cache = collections.OrderedDict()   # (tex, size, colour) -> SVG bytes, or None when it failed
_cache_lock = threading.Lock()
_render_lock = threading.Lock()      # one formula at a time


def render_svg(tex, size, color="#000000"):
    """The SVG (bytes) of ``tex`` at font size ``size`` px, or None when ziamath cannot render it.
    Cached; safe to call from any thread."""
    key = (tex, size, color)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    with _render_lock:
        found, svg = cached_svg(key)  # rendered meanwhile, ahead of its view (prerender)
        if found:
            return svg
        try:
            svg = typesetter().run([tex, size, color])
        except Exception:  # the process failed or took too long (ExpressionError): plain text
            svg = None
        if not isinstance(svg, bytes):
            svg = None
    with _cache_lock:
        _cache[key] = svg
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return svg


def prerender(keys):
    """Render ``keys`` (tex, size, colour) into the cache on a thread of their own, ahead of
    the views that will show them."""
    threading.Thread(target=lambda: [render_svg(*key) for key in keys], daemon=True,
                     name="gd-explorer-math-ahead").start()


def cached_svg(key):
    """(found, svg) for a key without rendering."""
    with _cache_lock:
        if key in _cache:
            return True, _cache[key]
    return False, None


def typesettable(tex):
    return isinstance(tex, str) and 0 < len(tex) <= MAX_TEX_CHARS


class _Renderer(QObject):
    """One background thread rendering the newest wanted formulas first."""
    rendered = Signal(object)  # the key, now in the cache

    def __init__(self):
        super().__init__()
        self._cond = threading.Condition()
        self._wanted = collections.Counter()  # key -> number of views waiting for it
        self._order = []                      # keys in request order
        self._thread = None
        self._stopping = False

    def start(self):
        """Start the thread if it is not running."""
        with self._cond:
            if self._thread is None and not self._stopping:
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                name="gd-explorer-math")
                self._thread.start()

    def request(self, key):
        self.start()
        with self._cond:
            self._wanted[key] += 1
            if key in self._order:
                self._order.remove(key)
            self._order.append(key)
            self._cond.notify()

    def withdraw(self, key):
        """A view no longer waits for ``key``; it is dropped unless another view wants it."""
        with self._cond:
            self._wanted[key] -= 1
            if self._wanted[key] <= 0:
                del self._wanted[key]
                if key in self._order:
                    self._order.remove(key)

    def _run(self):
        while True:
            with self._cond:
                while not self._order and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                key = self._order.pop()  # newest first: the formula now on screen
            render_svg(*key)
            with self._cond:
                if self._stopping:
                    return
            self.rendered.emit(key)

    def stop(self, timeout=10.0):
        """At exit: end the thread before Qt is torn down (a signal sent from a thread
        during teardown crashes the process)."""
        with self._cond:
            self._stopping = True
            self._order.clear()
            self._cond.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)


_renderer = None


def renderer():
    global _renderer
    if _renderer is None:
        _renderer = _Renderer()
        atexit.register(_renderer.stop)  # runs before PySide's own clean-up (registered earlier)
    return _renderer


def warm_up():
    """Start the typesetting process in the background (ziamath loads its font there), so
    the first formula shows quickly."""
    typesetter().warm_up_async()


def _withdraw(box):
    if box[0] is not None:
        renderer().withdraw(box[0])
        box[0] = None


class _Canvas(QWidget):
    """Paints the SVG scaled to its size, or the plain text."""

    def __init__(self, view):
        super().__init__(view)
        self.view = view
        self.svg = None  # QSvgRenderer or None

    def paintEvent(self, _event):
        painter = QPainter(self)
        try:
            if self.svg is not None:
                self.svg.render(painter, QRectF(0, 0, self.width(), self.height()))
                return
            painter.setFont(self.view.plain_font())
            painter.setPen(self.palette().color(QPalette.WindowText))
            painter.drawText(self.rect(), Qt.AlignLeft | Qt.AlignVCenter, self.view.text())
        finally:
            painter.end()  # now, even while something else holds this frame (a debugger)


class MathView(QScrollArea):
    """A typeset formula, one line of the widget's font high up to ``max_lines`` lines.

    Formulas wider than the view scroll sideways; taller ones shrink to fit. The plain text
    is shown while the SVG renders, when the LaTeX is None or too long, and if rendering fails;
    it is also the tooltip and what "Copy formula" copies.
    """

    def __init__(self, max_lines=2.2, parent=None, objectName=""):
        super().__init__(parent)
        if objectName:
            self.setObjectName(objectName)
        self.max_lines = max_lines
        self._tex = None
        self._plain = ""
        self._waiting = [None]  # the key asked of the renderer, while waiting for it
        # a view deleted while waiting withdraws its request (the lambda must not hold self)
        self.destroyed.connect(lambda _obj=None, box=self._waiting: _withdraw(box))
        self._natural = None    # the SVG's size in pixels at scale 1
        self.setFrameShape(QScrollArea.NoFrame)
        self.setWidgetResizable(False)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAsNeeded)
        self.setAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.viewport().setAutoFillBackground(False)
        self.canvas = _Canvas(self)
        self.canvas.setAutoFillBackground(False)
        self.setWidget(self.canvas)
        self.setContextMenuPolicy(Qt.ActionsContextMenu)
        clipboard = QGuiApplication.clipboard
        copy_plain = QAction("Copy formula", self)
        copy_plain.triggered.connect(lambda _c=False: clipboard().setText(self._plain))
        copy_tex = QAction("Copy LaTeX", self)
        copy_tex.triggered.connect(lambda _c=False: clipboard().setText(self._tex or ""))
        self.addActions([copy_plain, copy_tex])
        renderer().rendered.connect(self._on_rendered)
        self._relayout()

    # ----- public -----------------------------------------------------------------
    def set_formula(self, tex, plain):
        """Show ``tex`` typeset (None: plain text only); ``plain`` is the readable text."""
        self._tex, self._plain = tex, plain or ""
        tip = "\n".join(textwrap.fill(line, TOOLTIP_WIDTH, break_long_words=False,
                                       break_on_hyphens=False) for line in self._plain.splitlines())
        self.setToolTip(tip)
        self.setAccessibleDescription(self._plain)
        self._show()

    def text(self):
        """The plain formula."""
        return self._plain

    def tex(self):
        return self._tex

    def is_typeset(self):
        return self.canvas.svg is not None

    def math_size(self):
        """ziamath's font size for this widget's font, in pixels."""
        return max(6, round(QFontInfo(self.font()).pixelSize() * MATH_SCALE))

    def plain_font(self):
        font = QFontDatabase.systemFont(QFontDatabase.FixedFont)
        font.setPointSizeF(self.font().pointSizeF())
        return font

    def key(self, tex):
        """What ``tex`` is typeset as in this view: (tex, size, colour), or None."""
        if not typesettable(tex):
            return None
        return (tex, self.math_size(), self.palette().color(QPalette.WindowText).name())

    # ----- rendering ----------------------------------------------------------------
    def _wanted_key(self):
        return self.key(self._tex)

    @property
    def _key(self):
        return self._waiting[0]

    def _show(self):
        key = self._wanted_key()
        _withdraw(self._waiting)
        self.canvas.svg, self._natural = None, None
        if key is not None:
            found, svg = cached_svg(key)
            if found:
                self._use(svg)
            else:
                self._waiting[0] = key
                renderer().request(key)
        self._relayout()

    def _use(self, svg):
        if svg is None:
            return
        svg_renderer = QSvgRenderer(QByteArray(svg), self)
        box = svg_renderer.viewBoxF()
        if svg_renderer.isValid() and box.width() > 0 and box.height() > 0:
            self.canvas.svg = svg_renderer
            self._natural = (box.width(), box.height())

    def _on_rendered(self, key):
        if key == self._key:
            _withdraw(self._waiting)
            self._use(cached_svg(key)[1])
            self._relayout()

    # ----- size ---------------------------------------------------------------------
    def _line_height(self):
        return self.fontMetrics().height()

    def _relayout(self):
        """Size the canvas (the SVG scaled to at most max_lines high) and this view around it."""
        line = self._line_height()
        if self._natural is not None:
            w, h = self._natural
            scale = min(1.0, self.max_lines * line / h)
            room = self.viewport_width()
            if w * scale > room > 0:  # too wide: shrink a little, then scroll
                scale = max(scale * MIN_FIT, room / w)
            cw, ch = math.ceil(w * scale), math.ceil(h * scale)
        else:
            metrics = QFontMetrics(self.plain_font())
            lines = self._plain.splitlines() or [""]
            cw = max(metrics.horizontalAdvance(s) for s in lines) + 2
            ch = metrics.height() * len(lines)
        ch = max(ch, line)
        self.canvas.resize(cw, ch)
        bar = self.style().pixelMetric(QStyle.PM_ScrollBarExtent) if cw > self.viewport_width() else 0
        self.setFixedHeight(ch + bar + 2)
        self.canvas.update()

    def viewport_width(self):
        return self.width() - 2 * self.frameWidth()

    def resizeEvent(self, event):
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._relayout()

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() in (event.Type.FontChange, event.Type.PaletteChange):
            if hasattr(self, "canvas"):
                self._show()  # a new size or colour: render again (cached per size)

    def sizeHint(self):
        return QSize(min(self.canvas.width(), 400), self.height())

    def minimumSizeHint(self):
        return QSize(40, self.height())


def all_typeset(widget):
    """Whether every visible MathView in ``widget`` has its SVG (or has given up)."""
    return not any(v.isVisible() and v._key is not None for v in widget.findChildren(MathView))


def wait_typeset(widget, timeout=10.0):
    """Process events until all_typeset(widget); for scripts that grab the window, such as
    --screenshot. Returns whether all finished."""
    return process_events_until(lambda: all_typeset(widget), timeout)


def matrix_tex(rows):
    """LaTeX for a matrix of LaTeX entries, or None when an entry is None."""
    if any(entry is None for row in rows for entry in row):
        return None
    body = r" \\ ".join(" & ".join(row) for row in rows)
    return r"\begin{pmatrix} " + body + r" \end{pmatrix}"
