"""Classic test functions, each with a view window, start point and learning rate."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    name: str
    expression: str
    xrange: tuple
    yrange: tuple
    start: tuple
    learning_rate: float
    spacing: str = "linear"  # contour level spacing: "linear" or "log"
    note: str = ""


PRESETS = (
    Preset("Quadratic bowl", "x^2 + y^2", (-3, 3), (-3, 3), (2.5, 2.0), 0.1,
           note="Round bowl: descent walks straight to the minimum at (0, 0)."),
    Preset("Elongated quadratic", "x^2 + 10*y^2", (-3, 3), (-2, 2), (-2.5, 1.5), 0.05,
           note="Curvatures 2 and 20: diverges for a learning rate above 2/20 = 0.1."),
    Preset("Rosenbrock", "(1 - x)^2 + 100*(y - x^2)^2", (-2, 2), (-1, 3), (-1.2, 1.0), 0.001,
           "log", "A curved valley: easy to find, slow to follow. Minimum at (1, 1)."),
    Preset("Himmelblau", "(x^2 + y - 11)^2 + (x + y^2 - 7)^2", (-5, 5), (-5, 5), (-0.5, -0.5),
           0.01, "log", "Four equal minima: the start point decides which one descent finds."),
    Preset("Beale", "(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2",
           (-4.5, 4.5), (-4.5, 4.5), (1.0, 1.5), 0.001, "log", "Minimum at (3, 0.5)."),
    Preset("Booth", "(x + 2*y - 7)^2 + (2*x + y - 5)^2", (-10, 10), (-10, 10), (-8.0, -8.0),
           0.05, note="Minimum at (1, 3)."),
    Preset("Matyas", "0.26*(x^2 + y^2) - 0.48*x*y", (-10, 10), (-10, 10), (8.0, -6.0), 1.0,
           note="A flat, tilted bowl: descent crawls along the valley."),
    Preset("Saddle x^2 - y^2", "x^2 - y^2", (-2, 2), (-2, 2), (1.5, 0.05), 0.1,
           note="A saddle point at (0, 0): descent slides off it along y."),
    Preset("Monkey saddle", "x^3 - 3*x*y^2", (-2, 2), (-2, 2), (1.2, 0.6), 0.05,
           note="A degenerate saddle with three valleys."),
    Preset("Three-hump camel", "2*x^2 - 1.05*x^4 + x^6/6 + x*y + y^2", (-3, 3), (-3, 3),
           (2.5, -2.0), 0.01, "log", "Three local minima; the global one is at (0, 0)."),
    Preset("Six-hump camel", "(4 - 2.1*x^2 + x^4/3)*x^2 + x*y + (-4 + 4*y^2)*y^2",
           (-3, 3), (-2, 2), (-1.5, 1.0), 0.01, "log",
           "Six local minima, two global ones near (0.09, -0.71) and (-0.09, 0.71)."),
    Preset("McCormick", "sin(x + y) + (x - y)^2 - 1.5*x + 2.5*y + 1", (-1.5, 4), (-3, 4),
           (3.0, 3.0), 0.05, note="Minimum near (-0.547, -1.547)."),
    Preset("Rastrigin", "20 + x^2 - 10*cos(2*pi*x) + y^2 - 10*cos(2*pi*y)", (-5.12, 5.12),
           (-5.12, 5.12), (3.2, -2.3), 0.002, note="Many local minima: descent gets stuck in one."),
    Preset("Goldstein-Price",
           "(1 + (x + y + 1)^2*(19 - 14*x + 3*x^2 - 14*y + 6*x*y + 3*y^2))"
           "*(30 + (2*x - 3*y)^2*(18 - 32*x + 12*x^2 + 48*y - 36*x*y + 27*y^2))",
           (-2, 2), (-2, 2), (0.5, -1.5), 1e-5, "log", "Global minimum 3 at (0, -1)."),
)

DEFAULT_PRESET = "Himmelblau"


def preset_by_name(name):
    for preset in PRESETS:
        if preset.name == name:
            return preset
    raise KeyError(name)
