import os

# 2-D GUI tests run offscreen; the OpenGL tests are run separately under Xvfb with xcb.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


@pytest.fixture
def shown_window(qtbot):
    """A MainWindow, shown at 1400 x 900 and exposed (no function loaded yet)."""
    from gd_explorer.gui.app import make_app
    from gd_explorer.gui.main_window import MainWindow

    make_app()
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.fixture
def lone_contour_view(qtbot):
    """A ContourView of a model of its own, shown at 700 x 600 (no function loaded yet)."""
    from gd_explorer.gui.app import make_app
    from gd_explorer.gui.contour_view import ContourView
    from gd_explorer.gui.model import ExplorerModel

    make_app()
    view = ContourView(ExplorerModel())
    qtbot.addWidget(view)
    view.resize(700, 600)
    view.show()
    qtbot.waitExposed(view)
    return view


@pytest.fixture
def sandbox_requests(monkeypatch):
    """The formulas sent to the symbolic worker during the test, in order (counts its work)."""
    from gd_explorer.core.sandbox import Sandbox

    sent = []
    real_run = Sandbox.run

    def run(self, ir, *args, **kwargs):
        sent.append(ir)
        return real_run(self, ir, *args, **kwargs)

    monkeypatch.setattr(Sandbox, "run", run)
    return sent


@pytest.fixture(autouse=True, scope="session")
def _private_settings(tmp_path_factory):
    """QSettings (remembered folders, layout) go to a temp folder, never the user's own."""
    from PySide6.QtCore import QSettings

    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope,
                      str(tmp_path_factory.mktemp("settings")))


@pytest.fixture
def direction_at(qtbot):
    """direction_at(text, x, y, phi_deg): a DirectionPanel observing a model of its own at f =
    ``text``, the point (x, y) and the angle ``phi_deg`` in degrees; returns (model, panel)."""
    import math

    from gd_explorer.core.function import parse_function
    from gd_explorer.gui.direction_panel import DirectionPanel
    from gd_explorer.gui.model import ExplorerModel

    def build(text, x, y, phi_deg=0.0):
        model = ExplorerModel()
        panel = DirectionPanel(model)  # built first: everything below arrives by signals
        qtbot.addWidget(panel)
        model.set_function(parse_function(text))
        model.set_start(x, y)
        model.set_angle(math.radians(phi_deg))
        return model, panel

    return build
