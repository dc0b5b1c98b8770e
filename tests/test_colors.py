"""Colours (issue 12): every mark on the map stays visible on every part of the colour map,
the run palette is colour-blind-safe, and the legend shows the marks as they are drawn."""
import itertools

import numpy as np
import pyqtgraph as pg
import pytest
from pyqtgraph.graphicsItems.ScatterPlotItem import Symbols
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter

from gd_explorer.gui.colors import (CASING_COLOR, COLORMAP_NAME, CRITICAL_COLORS, GRAD_COLOR,
                                    LOWEST_COLOR, NEG_GRAD_COLOR, RUN_COLORS, START_COLOR,
                                    TRAJ_COLOR)
from gd_explorer.gui.contour_view import CRITICAL_SYMBOLS

MIN_CONTRAST = 3.0   # WCAG 2.1 non-text contrast
MIN_DELTA_E = 20.0   # a core never looks like a colour of the map
MIN_CVD_DELTA_E = 15.0
# Machado, Oliveira & Fernandes (2009), severity 1, applied to linear RGB
CVD = {"normal": np.eye(3),
       "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                      [-0.003882, -0.048116, 1.051998]],
       "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                        [-0.011820, 0.042940, 0.968881]],
       "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                      [0.004733, 0.691367, 0.303900]]}


def colormap_rgb():
    """256 samples of the map's colour map, as pyqtgraph draws them (0–255 RGB)."""
    return pg.colormap.get(COLORMAP_NAME).map(np.linspace(0.0, 1.0, 256), mode="byte")[:, :3]


def rgb(color):
    c = QColor(color)
    return np.array([c.red(), c.green(), c.blue()], dtype=np.float64)


def linear(rgb255):
    c = np.asarray(rgb255, dtype=np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def luminance(rgb255):
    """WCAG 2.1 relative luminance."""
    return linear(rgb255) @ np.array([0.2126, 0.7152, 0.0722])


def contrast(a, b):
    la, lb = luminance(a), luminance(b)
    return (np.maximum(la, lb) + 0.05) / (np.minimum(la, lb) + 0.05)


def lab_of_linear(lin):
    """CIE L*a*b* (D65) of linear RGB."""
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = (np.clip(lin, 0.0, 1.0) @ m.T) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]),
                     200 * (f[..., 1] - f[..., 2])], axis=-1)


def delta_e(a, b):
    return np.linalg.norm(lab_of_linear(linear(a)) - lab_of_linear(linear(b)), axis=-1)


def test_the_contrast_formula_on_known_pairs():
    assert contrast(rgb("#000000"), rgb("#ffffff")) == pytest.approx(21.0)
    assert contrast(rgb("#777777"), rgb("#ffffff")) == pytest.approx(4.48, abs=0.01)
    ends = colormap_rgb()[[0, -1]]
    assert ends.tolist() == [[68, 1, 84], [253, 231, 37]]  # viridis: #440154 to #fde725


def check_mark(what, core, casing):
    """The rule in colors.py: at every colour of the map the core or the casing has 3:1,
    the two differ by 3:1, and the core is not a colour of the map."""
    bg = colormap_rgb()
    core_ratio = contrast(rgb(core), bg)
    best = core_ratio if casing is None else np.maximum(core_ratio, contrast(rgb(casing), bg))
    worst = int(np.argmin(best))
    assert best.min() >= MIN_CONTRAST, (
        f"{what} ({core} on {casing}): contrast {best.min():.2f} at t = {worst / 255:.2f} "
        f"(ends {best[0]:.2f}, {best[-1]:.2f}; middle {best[128]:.2f})")
    if casing is not None:
        assert contrast(rgb(core), rgb(casing)) >= MIN_CONTRAST, f"{what}: core vs casing"
    assert delta_e(rgb(core), bg).min() >= MIN_DELTA_E, f"{what} ({core}) looks like the map"


def pen_color(pen):
    """The colour a pen draws, or None for no pen."""
    if pen is None:
        return None
    pen = pg.mkPen(pen)
    return None if pen.style() == Qt.NoPen else pen.color().name()


def drawn_marks(view):
    """(what, core colour, casing colour) of every mark the map draws over the colour map,
    read from the drawn items."""
    marks = []

    def line(what, curve):
        marks.append((what, pen_color(curve.opts["pen"]), pen_color(curve.opts.get("shadowPen"))))

    def filled(what, brush, pen):
        marks.append((what, pg.mkBrush(brush).color().name(), pen_color(pen)))

    line("path", view.trajectory.curve)
    filled("path dots", view.trajectory.scatter.opts["brush"], view.trajectory.scatter.opts["pen"])
    for what, shaft, head in (("∇f", view.grad_shaft, view.grad_head),
                              ("−∇f", view.neg_shaft, view.neg_head),
                              ("u", view.u_shaft, view.u_head)):
        line(what, shaft)
        filled(what + " head", head.brush(), head.pen())
    line("tangent", view.tangent)
    for kind, item in view.critical.items():
        filled(kind, item.opts["brush"], item.opts["pen"])
    filled("current point", view.current.opts["brush"], view.current.opts["pen"])
    filled("lowest minimum found", view.lowest.opts["brush"], view.lowest.opts["pen"])
    line("next step", view.step_preview.shaft)
    marks.append(("next point", pen_color(view.step_preview.ring.opts["pen"]),
                  pen_color(view.step_preview.casing_ring.opts["pen"])))
    line("gradient field", view.arrows.curve)
    filled("start", view.start_marker.brush, view.start_marker.pen)
    for i, (path, end) in enumerate(view.other_items):
        line(f"run {i + 2}", path.curve)
        filled(f"run {i + 2} now", end.opts["brush"], end.opts["pen"])
    return marks


@pytest.fixture
def himmelblau_with_runs(qtbot, shown_window):
    """Himmelblau with as many runs as the palette has colours, the first one selected."""
    model = shown_window.model
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.load_preset("Himmelblau")
    for i in range(len(RUN_COLORS) - 1):
        model.add_run((-4.0 + 2 * i, 4.0 - i))
    model.select_run(0)
    model.step(5)
    return shown_window


def test_every_mark_on_the_map_is_visible_on_every_part_of_the_colour_map(himmelblau_with_runs):
    view = himmelblau_with_runs.contour
    marks = drawn_marks(view)
    assert len(view.other_items) == len(RUN_COLORS) - 1
    assert {core for _, core, _ in marks} >= {c.lower() for c in RUN_COLORS}
    for what, core, casing in marks:
        check_mark(what, core, casing)


def test_each_run_takes_the_next_colour_of_the_palette(himmelblau_with_runs):
    view, model = himmelblau_with_runs.contour, himmelblau_with_runs.model
    assert [r.color for r in model.runs] == list(RUN_COLORS)
    assert pen_color(view.trajectory.curve.opts["pen"]) == TRAJ_COLOR == RUN_COLORS[0]
    others = [pen_color(path.curve.opts["pen"]) for path, _ in view.other_items]
    assert others == list(RUN_COLORS[1:])
    model.select_run(2)  # the selected run's path keeps its own colour
    assert pen_color(view.trajectory.curve.opts["pen"]) == RUN_COLORS[2]
    # and so do a long run's pieces: its chunks and the steps after them
    for long_part in (view.trajectory_head, view.trajectory_tail):
        assert pen_color(long_part.opts["pen"]) == RUN_COLORS[2]
    model.remove_run(1)
    model.add_run()  # the free colour first
    assert model.runs[-1].color == RUN_COLORS[1]
    model.add_run()  # then the palette repeats
    assert model.runs[-1].color == RUN_COLORS[0]


def test_every_colour_in_colors_py_passes_with_the_casing():
    for color in (*RUN_COLORS, GRAD_COLOR, NEG_GRAD_COLOR, START_COLOR, LOWEST_COLOR,
                  *CRITICAL_COLORS.values()):
        check_mark(color, color, CASING_COLOR)


@pytest.mark.parametrize("old, casing", [("#ffdd00", None), ("#ffdd00", CASING_COLOR),
                                         ("#1f77b4", None), ("#1f77b4", CASING_COLOR)])
def test_the_old_colours_fail_the_rule(old, casing):
    """The path's old yellow is viridis's top colour; the old blue −∇f vanishes in the dark
    blue valleys, with or without a casing."""
    with pytest.raises(AssertionError):
        check_mark(old, old, casing)


def simulate(rgb255, matrix):
    lin = np.asarray(matrix) @ linear(rgb255)
    lin = np.clip(lin, 0.0, 1.0)
    return 255 * np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)


def test_the_run_palette_stays_apart_for_colour_blind_eyes():
    for name, matrix in CVD.items():
        for a, b in itertools.combinations(RUN_COLORS, 2):
            gap = delta_e(simulate(rgb(a), matrix), simulate(rgb(b), matrix))
            assert gap >= MIN_CVD_DELTA_E, f"{a} and {b} look alike with {name} (ΔE {gap:.1f})"


# ----- the legend --------------------------------------------------------------------------
def legend_entries(view):
    return {label.text: sample for sample, label in view.legend.items}


def glyph_colors(sample):
    """The colours a legend glyph paints (rendered on transparent 20 × 20 pixels)."""
    image = QImage(20, 20, QImage.Format_ARGB32)
    image.fill(Qt.transparent)
    painter = QPainter(image)
    sample.paint(painter, None, None)
    painter.end()
    return {QColor(image.pixel(x, y)).name() for x in range(20) for y in range(20)
            if QColor.fromRgba(image.pixel(x, y)).alpha() == 255}


def test_legend_glyphs_are_the_marks_as_drawn(qtbot, shown_window):
    model = shown_window.model
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.set_expression("x^3 - 3*x + y^2")  # a minimum at (1, 0), a saddle at (-1, 0)
    model.set_window((-2.0, 2.0), (-2.0, 2.0))
    with qtbot.waitSignal(model.analysis.criticalPointsChanged, timeout=10000):
        model.analysis.find_critical_points()
    view = shown_window.contour
    entries = legend_entries(view)
    # the start marker: the same symbol, pen and brush as the drawn marker, and painted so
    start = entries["start (drag)"].item.scatter.opts
    marker = view.start_marker
    assert Symbols[start["symbol"]] == marker._path
    assert start["pen"] == marker.pen and start["brush"] == marker.brush
    painted = glyph_colors(entries["start (drag)"])
    assert START_COLOR in painted and CASING_COLOR in painted
    assert "#646496" not in painted  # pyqtgraph's default grey dot
    # each kind of critical point has its own entry with its own symbol, only while shown
    assert "minimum" in entries and "saddle" in entries and "maximum" not in entries
    for kind in ("minimum", "saddle"):
        sample = entries[kind].item
        assert sample is view.critical[kind]
        assert sample.opts["symbol"] == CRITICAL_SYMBOLS[kind]
        assert glyph_colors(entries[kind]) >= {CRITICAL_COLORS[kind], CASING_COLOR}
    assert view.critical["minimum"].opts["symbol"] == "t"  # ▼
    assert view.critical["saddle"].opts["symbol"] == "x"   # ×
    # lines are shown with their casing, as on the map
    path = f"{model.selected_run.name} (selected)"
    for label, item, color in ((path, view.trajectory, TRAJ_COLOR),
                               ("−∇f (downhill)", view.neg_shaft, NEG_GRAD_COLOR),
                               ("∇f (uphill)", view.grad_shaft, GRAD_COLOR)):
        assert entries[label].item is item
        assert glyph_colors(entries[label]) >= {color, CASING_COLOR}


def test_a_click_on_a_legend_entry_hides_nothing(qtbot, shown_window):
    """The legend is a key, not a switch: pyqtgraph's sample hid its item on a click (the
    ∇f arrow's shaft went, its head stayed)."""
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    model, view = shown_window.model, shown_window.contour
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.set_expression("x^2 + 3*y^2")
    view.viewport().repaint()
    entries = legend_entries(view)
    for name in ("∇f (uphill)", "−∇f (downhill)", "u (dial)"):
        sample = entries[name]
        assert sample.item.isVisible()
        where = view.mapFromScene(sample.sceneBoundingRect().center())
        QTest.mouseClick(view.viewport(), Qt.LeftButton, Qt.NoModifier, where)
        QApplication.processEvents()
        assert sample.item.isVisible(), name
