"""PNG export of a plot with pyqtgraph's ImageExporter, written atomically."""
from PySide6.QtCore import QBuffer, QByteArray, QIODevice

from ..core.errors import InputError
from ..core.fileio import atomic_write_bytes


def png_bytes(plot_item, width=1600):
    """The plot rendered ``width`` pixels wide, as PNG bytes."""
    import pyqtgraph.exporters  # loaded on first use

    exporter = pyqtgraph.exporters.ImageExporter(plot_item)
    exporter.parameters()["width"] = int(width)
    return qimage_bytes(exporter.export(toBytes=True))


QUICK_PNG = 80  # Qt's PNG "quality" 80 is zlib's fastest level: a screenshot of the window
               # encodes in 2/3 of the time and comes out about 7 % larger


def qimage_bytes(image, fmt="PNG", quick=False):
    """A QImage encoded as PNG (or JPEG, at quality 90) bytes; ``quick``: the fastest PNG
    compression."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.WriteOnly)
    quality = 90 if fmt == "JPEG" else QUICK_PNG if quick else -1
    if image is None or image.isNull() or not image.save(buffer, fmt, quality):
        raise InputError("could not render the image")
    buffer.close()
    return bytes(data)


def write_png(plot_item, path, width=1600):
    """Save ``plot_item`` as a PNG at ``path``. Raises InputError with a readable message."""
    atomic_write_bytes(path, png_bytes(plot_item, width))
