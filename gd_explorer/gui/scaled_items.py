"""pyqtgraph views at the presentation scale: pen widths, marker sizes and fonts of every item.

Panes keep creating and restyling their items with the sizes of 100 % (pens, markers, arrow
heads, "9pt" titles); ``follow(view)`` brings the view's items to the scale once, whenever it
changes, and before each paint, so an item added or restyled later is scaled before it is seen.
Each item remembers its 100 % value and the value it was given, so a walk changes only what
is not at the scale yet (at 100 % it changes nothing). Fonts that follow the application font
(TextItems, tick fonts) are at the scale they were made at: their base is size / that scale.
"""
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFont, QPen

from .scale import ui_scale


def _opt(name):
    return lambda item: item.opts.get(name)


def _call(method):
    return lambda item, value: getattr(item, method)(value)


def _style(name):
    return lambda item, value: item.setStyle(**dict([(name, value)]))


def _set_target_size(item, value):
    item.prepareGeometryChange()
    item.scale = value   # pyqtgraph's TargetItem keeps its size in pixels here
    item._shape = None
    item.update()


def _set_tick_font(item, pt):
    font = QFont(item.style["tickFont"] or QFont())
    font.setPointSizeF(pt)
    item.setTickFont(font)


def _tick_font(item):
    font = item.style["tickFont"]
    return None if font is None else font.pointSizeF()


def _set_text_font(item, pt):
    font = QFont(item.textItem.font())
    font.setPointSizeF(pt)
    item.setFont(font)


def _css_pt(text):
    """The points of a CSS size such as "9pt" (None if it is not in points)."""
    if isinstance(text, str) and text.endswith("pt"):
        try:
            return float(text[:-2])
        except ValueError:
            return None
    return None


def _css(pt):
    """A CSS font size in points (not a number shown to the user)."""
    return str(round(pt, 3)) + "pt"


def _set_label_size(item, pt):
    item.setText(item.text, size=_css(pt))


def _set_axis_label_size(item, pt):
    item.labelStyle["font-size"] = _css(pt)
    item._updateLabel()


# kind: "pen" (a QPen, base width written by the panes), "px" (a number of pixels written by
# the panes), "pt" (a font made from the application font), "css" (a CSS size, or none: the
# application font's size at 100 %)
_PARTS = (
    (pg.PlotDataItem, (("pen", "pen", _opt("pen"), _call("setPen")),
                       ("shadowPen", "pen", _opt("shadowPen"), _call("setShadowPen")),
                       ("symbolPen", "pen", _opt("symbolPen"), _call("setSymbolPen")),
                       ("symbolSize", "px", _opt("symbolSize"), _call("setSymbolSize")))),
    (pg.PlotCurveItem, (("pen", "pen", _opt("pen"), _call("setPen")),
                        ("shadowPen", "pen", _opt("shadowPen"), _call("setShadowPen")))),
    (pg.ScatterPlotItem, (("pen", "pen", _opt("pen"), _call("setPen")),
                          ("size", "px", _opt("size"), _call("setSize")))),
    (pg.InfiniteLine, (("pen", "pen", lambda item: item.pen, _call("setPen")),)),
    (pg.TargetItem, (("pen", "pen", lambda item: item.pen, _call("setPen")),
                     ("size", "px", lambda item: item.scale, _set_target_size))),
    (pg.ArrowItem, (("pen", "pen", _opt("pen"), _style("pen")),
                    ("headLen", "px", _opt("headLen"), _style("headLen")),
                    ("headWidth", "px", _opt("headWidth"), _style("headWidth")),
                    ("tailLen", "px", _opt("tailLen"), _style("tailLen")),
                    ("tailWidth", "px", _opt("tailWidth"), _style("tailWidth")))),
    (pg.TextItem, (("font", "pt", lambda item: item.textItem.font().pointSizeF(),
                    _set_text_font),)),
    (pg.LabelItem, (("size", "css", lambda item: item.opts.get("size"), _set_label_size),)),
    (pg.AxisItem, (("tickFont", "pt", _tick_font, _set_tick_font),
                   ("label", "css", lambda item: item.labelStyle.get("font-size"),
                    _set_axis_label_size),
                   ("width", "px", lambda item: item.fixedWidth, _call("setWidth")),
                   ("height", "px", lambda item: item.fixedHeight, _call("setHeight")))),
)


_parts_of_type = {}  # type -> its parts (a cache of the lookup in _PARTS)


def _parts(item):
    kind = type(item)
    if kind not in _parts_of_type:
        _parts_of_type[kind] = next((parts for cls, parts in _PARTS if isinstance(item, cls)), ())
    parts = _parts_of_type[kind]
    if parts and isinstance(item, (pg.PlotCurveItem, pg.ScatterPlotItem)) and isinstance(
            item.parentItem(), pg.PlotDataItem):
        return ()  # drawn from its PlotDataItem's options, which are scaled
    return parts


def _base(kind, current, known, made_at, base_pt):
    """The 100 % value of a part whose current value is ``current``."""
    if known is not None and (current is known[1] if kind == "pen" else current == known[1]):
        return known[0]  # still the value this module gave it
    if kind == "pen":
        return current.widthF()
    if kind == "pt":
        return base_pt if current is None else current / made_at
    if kind == "css":
        pt = _css_pt(current)
        return base_pt if pt is None else pt
    return current


def sync_item(item, factor, made_at, base_pt):
    """Bring ``item``'s pens, sizes and fonts to ``factor``. ``made_at``: the scale at which
    fonts not yet seen were made; ``base_pt``: the application font's size at 100 %."""
    state = item.__dict__.setdefault("_ui_scale", {})
    for name, kind, get, put in _parts(item):
        current = get(item)
        if current is None and (kind in ("pen", "px") or factor == 1):
            continue  # nothing to scale, or the application's font, already at 100 %
        if kind == "pen" and not isinstance(current, QPen):
            current = pg.mkPen(current)
        base = _base(kind, current, state.get(name), made_at, base_pt)
        if kind == "pen":
            width = base * factor if base > 0 or factor == 1 else factor  # 0: a 1 px line
            if width != current.widthF():
                pen = QPen(current)
                pen.setWidthF(width)
                put(item, pen)
            state[name] = (base, get(item))
            continue
        value = base * factor
        shown = _css_pt(current) if kind == "css" else current
        if shown is None or abs(value - shown) > 1e-6:
            put(item, value)
        state[name] = (base, get(item))


def sync_scene(scene, made_at=None):
    scale = ui_scale()
    made_at = scale.factor if made_at is None else made_at
    for item in scene.items():
        sync_item(item, scale.factor, made_at, scale.base_point_size)


class _Follower(QObject):
    """Keeps one view at the scale (a child of the view: it goes with it)."""

    def __init__(self, view):
        super().__init__(view)
        self.view = view
        view.viewport().installEventFilter(self)
        ui_scale().scaleChanged.connect(self._on_scale_changed)
        sync_scene(view.scene())

    def _on_scale_changed(self, _percent):
        sync_scene(self.view.scene(), made_at=ui_scale().old_factor())

    def eventFilter(self, obj, event):
        # at 100 % what the panes write is already right (a change back walks every item)
        if event.type() == QEvent.Paint and ui_scale().percent != 100:
            sync_scene(self.view.scene())
        return False


def follow(view):
    """Keep the pyqtgraph GraphicsView ``view`` at the presentation scale."""
    if view.findChild(_Follower) is None:
        _Follower(view)


def follow_all(widget):
    """``follow`` every pyqtgraph view inside ``widget``."""
    for view in widget.findChildren(pg.GraphicsView):
        follow(view)
