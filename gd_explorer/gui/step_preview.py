"""The next step on the contour map, before it is taken: the step vector to scale (for gradient
descent −ε∇f) from the current point, dashed in the run's colour, and a ring on the point it
leads to. The step is the run's own (core.descent.next_point), whatever the optimizer."""
import math

import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt

from ..core.descent import next_point
from .colors import CASING_COLOR, TRAJ_COLOR
from .light_marks import Dot, Segment
from .observing import observe, stop_observing

RING = 13  # px


class StepPreview(QObject):
    def __init__(self, view, cased_line):
        super().__init__(view)
        self.model = view.model
        self.step = None  # the NextStep drawn, or None
        self._drawn = None  # what it was drawn for: one change may emit both signals below
        self._color = None  # the run colour its pens are in
        self.updates = 0    # steps computed and drawn (tests count them)
        plot = view.getPlotItem()
        self.shaft = Segment(**cased_line(TRAJ_COLOR, 2.0, Qt.DashLine))
        self.casing_ring = Dot(size=RING, symbol="o", brush=None,
                               pen=pg.mkPen(CASING_COLOR, width=4.5))
        self.ring = Dot(size=RING, symbol="o", brush=None, pen=pg.mkPen(TRAJ_COLOR, width=2.0))
        for z, item in enumerate((self.shaft, self.casing_ring, self.ring)):
            item.setZValue(9 + 0.1 * z)  # over the paths and arrows, under the current point
            plot.addItem(item)
        self.legend = view.legend  # the entry is there while a step is drawn
        self._subscriptions = observe([
            (self.model.pointChanged, lambda *_: self.update()),  # after every step
            (self.model.runsChanged, self.update),
        ])

    def close(self):
        stop_observing(self._subscriptions)

    def update(self):
        """Draw the selected run's next step, or nothing once it has stopped (or is hidden)."""
        selected = self.model.selected_run
        run = self.model.run
        key = (run, None if run is None else (run.steps, run.finished),
               None if selected is None else (selected.visible, selected.color),
               self.model.current_point)
        if key == self._drawn:
            return
        self._drawn = key
        self.updates += 1
        step = None
        if run is not None and selected.visible:
            step = next_point(run)
        if step is not None and not (math.isfinite(step.x) and math.isfinite(step.y)):
            step = None  # it would run away or leave f's domain: the status will say so
        self.step = step
        if (step is not None) != (self.legend.getLabel(self.shaft) is not None):
            if step is None:
                self.legend.removeItem(self.shaft)
            else:
                self.legend.addItem(self.shaft, "next step (to scale)")
        if step is None:
            for item in (self.shaft, self.casing_ring, self.ring):
                item.setData([], [])
            return
        if selected.color != self._color:  # a new pen redraws the ring's symbol: not per step
            self._color = selected.color
            self.shaft.setPen(pg.mkPen(self._color, width=2.0, style=Qt.DashLine))
            self.ring.setPen(pg.mkPen(self._color, width=2.0))
        x0, y0 = self.model.current_point
        self.shaft.setData([x0, step.x], [y0, step.y])
        for item in (self.casing_ring, self.ring):
            item.setData([step.x], [step.y])
