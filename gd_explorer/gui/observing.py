"""What the plots that observe the model share: connecting to its signals, letting go of
them on close (pyqtgraph drops its plot item then), and data points as viewport pixels."""
import pyqtgraph as pg


def observe(subscriptions):
    """Connect each (signal, slot) pair; returns the pairs, for ``stop_observing``."""
    for signal, slot in subscriptions:
        signal.connect(slot)
    return subscriptions


def stop_observing(subscriptions):
    for signal, slot in subscriptions:
        try:
            signal.disconnect(slot)
        except (RuntimeError, TypeError):
            pass


def data_to_viewport(plot, x, y):
    """The viewport pixel (QPoint) of a PlotWidget showing data point (x, y), for tests and
    automation."""
    return plot.mapFromScene(plot.getViewBox().mapViewToScene(pg.Point(x, y)))
