"""The step ds of the total differential on the contour map: a handle at p + ds that the user
drags (it sets the model's ds), and the vector from p to it. Shown while the total
differential's panel is open (model.ds_shown) and the point has a tangent plane."""
import math

import pyqtgraph as pg
from PySide6.QtCore import QObject

from .colors import CASING_COLOR, DS_COLOR
from .observing import observe

SIZE = 14
LEGEND = "ds (drag)"


class DsHandle(QObject):
    """Adds its items to ``view`` (a ContourView) and keeps them in step with ``model``. A
    child of the view, so that its connections end with it."""

    def __init__(self, view, model):
        super().__init__(view)
        self.view, self.model = view, model
        plot = view.getPlotItem()
        casing = pg.mkPen(CASING_COLOR, width=1.5)
        self.vector = pg.PlotCurveItem(pen=pg.mkPen(DS_COLOR, width=2.0),
                                       shadowPen=pg.mkPen(CASING_COLOR, width=4.5))
        self.vector.setZValue(9)
        self.handle = pg.TargetItem(pos=(0, 0), size=SIZE, movable=True, symbol="d", pen=casing,
                                    brush=pg.mkBrush(DS_COLOR), label="ds", labelOpts={
                                        "color": "#111111", "offset": (9, 9),
                                        "fill": pg.mkBrush(255, 255, 255, 200)})
        self.handle.setZValue(10.5)  # above the start marker, below the current point's note
        self.handle.sigPositionChanged.connect(self._on_dragged)
        self.sample = pg.PlotDataItem([0.0], [0.0], symbol="d", symbolSize=SIZE - 2, pen=None,
                                      symbolBrush=self.handle.brush, symbolPen=casing)
        for item in (self.vector, self.handle):
            item.setVisible(False)
            plot.addItem(item)
        self._listed = False
        self._subscriptions = observe([
            (model.functionChanged, self.update), (model.pointChanged, self.update),
            (model.trajectoryChanged, self.update), (model.windowChanged, self.update),
            (model.dsChanged, self.update), (model.dsShownChanged, self.update)])
        self.update()

    @property
    def subscriptions(self):
        return self._subscriptions

    def _anchor(self):
        """The point p the step starts from, or None where there is no tangent plane."""
        state = self.model.point_state()
        return (state.x, state.y) if state is not None and state.has_gradient else None

    def update(self, *_args):
        p = self._anchor() if self.model.ds_shown else None
        shown = p is not None
        if shown:
            dx, dy = self.model.ds
            self.vector.setData([p[0], p[0] + dx], [p[1], p[1] + dy])
            self.handle.blockSignals(True)
            self.handle.setPos(p[0] + dx, p[1] + dy)
            self.handle.blockSignals(False)
        self.vector.setVisible(shown)
        self.handle.setVisible(shown)
        if shown != self._listed:  # in the legend only while drawn
            self._listed = shown
            if shown:
                self.view.legend.addItem(self.sample, LEGEND)
            else:
                self.view.legend.removeItem(self.sample)

    def under(self, scene_pos):
        """Whether the handle is drawn at ``scene_pos``: a click there is not a click on the
        map (it would move the start)."""
        return self.handle.isVisible() and self.handle.sceneBoundingRect().contains(scene_pos)

    def _on_dragged(self, handle):
        p = self._anchor()
        if p is None:
            return
        pos = handle.pos()
        # to the view's pixel, as a drag can set it: 0.42, not 0.41962003353076
        pixel = min(self.view.getViewBox().viewPixelSize())
        digits = -math.floor(math.log10(pixel)) if pixel > 0 and math.isfinite(pixel) else 15
        dx, dy = round(pos.x() - p[0], digits), round(pos.y() - p[1], digits)
        if math.isfinite(dx) and math.isfinite(dy) and (dx, dy) != (0.0, 0.0):
            self.model.set_ds(dx, dy)
