"""A widget filled with the one colour behind it (gui/backdrop.py): on one colour it is
filled, across an edge it stays transparent, and it looks again when it or a parent moves.
(The window's readouts: test_frame_work.) Work is counted (backdrops rendered), never timed."""
import pytest
from PySide6.QtWidgets import QApplication, QGroupBox, QLabel, QVBoxLayout, QWidget

from gd_explorer.gui.backdrop import keep_backdrop


@pytest.fixture
def box(qtbot):
    """A group box with a label inside its frame, shown."""
    outer = QWidget()
    qtbot.addWidget(outer)
    outer.resize(300, 200)
    group = QGroupBox("values", outer)
    group.setGeometry(20, 20, 260, 160)
    label = QLabel("f = 1.5", group)
    QVBoxLayout(group).addStretch()  # the label keeps the place it is given
    label.setGeometry(30, 40, 120, 20)
    backdrop = keep_backdrop(label)
    outer.show()
    qtbot.waitExposed(outer)
    return outer, label, backdrop


def test_a_label_on_one_colour_is_filled_with_it_and_across_an_edge_stays_clear(box):
    outer, label, backdrop = box
    assert label.autoFillBackground()
    inside = backdrop.colour
    corner = label.mapTo(outer, label.rect().topLeft())
    label.hide()
    behind = outer.grab().toImage().pixelColor(corner)
    label.show()
    assert inside == behind
    label.move(-10, 40)  # across the group box's left edge: two colours behind it
    QApplication.processEvents()
    assert backdrop.colour is None and not label.autoFillBackground()
    label.move(30, 40)
    QApplication.processEvents()
    assert backdrop.colour == inside and label.autoFillBackground()


def test_a_moved_parent_renders_the_backdrop_again(box):
    """A move of an ancestor alone sends the label no event: its next paint looks again."""
    outer, label, backdrop = box
    before = backdrop.renders
    group = label.parentWidget()
    group.move(group.x() + 5, group.y())
    outer.repaint()
    assert backdrop.renders == before + 1
    outer.repaint()
    assert backdrop.renders == before + 1
