"""Critical points: hand-computed points and kinds, merging, the circle test at singular
Hessians, global minima of classic benchmark functions, the cap, JSON, warnings, cancelling."""
import json
import math
import warnings

import numpy as np
import pytest

from gd_explorer import parse_function
from gd_explorer.core.analysis import (Cancelled, CriticalPoint, CriticalPoints, classify,
                                       critical_points, critical_points_json)
from gd_explorer.core.errors import InputError

FUNCTIONS = {}


def fn(text):
    if text not in FUNCTIONS:
        FUNCTIONS[text] = parse_function(text)
    return FUNCTIONS[text]


def find(text, xrange, yrange, **kw):
    return critical_points(fn(text), xrange, yrange, **kw)


def only(result):
    assert result.total == len(result.points) == 1, result.points
    return result.points[0]


# ---- degenerate critical points: one point each, kind from circles round it ----

@pytest.mark.parametrize("text, kind", [
    ("x^4 + y^4", "minimum"),        # f > 0 = f(0) everywhere else
    ("-x^4 - y^4", "maximum"),
    ("x^3 - 3*x*y^2", "saddle"),     # monkey saddle: r^3 cos(3t) changes sign 6 times
    ("x^4 - y^4", "saddle"),         # r^4 cos(2t): 4 sign changes
    ("x^3 + y^3", "saddle"),         # f(t, t) = 2t^3 has both signs
])
def test_a_degenerate_critical_point_is_one_point_of_the_right_kind(text, kind):
    p = only(find(text, (-3, 3), (-3, 3)))
    # the Hessian is 0 at the origin; Newton converges only linearly there, to within its
    # uncertainty of 0: the point is reported as (0, 0), f = 0 (not -0)
    assert (p.x, p.y, p.f, p.kind) == (0, 0, 0, kind)
    assert math.copysign(1, p.f) == 1 and p.eigenvalues == (0, 0)


def test_a_quartic_with_a_cubic_term_has_a_saddle_and_a_minimum():
    # f = (x^2 + y^2)^2 - x^3: f_y = 4y(x^2 + y^2) = 0 -> y = 0; f_x = x^2 (4x - 3) = 0
    # -> x = 0 or x = 3/4. At (3/4, 0): f = 81/256 - 108/256 = -27/256,
    # f_xx = 12x^2 - 6x = 9/4, f_yy = 4x^2 = 9/4, f_xy = 8xy = 0: a minimum.
    # At the origin the Hessian is 0 and f(x, 0) = x^4 - x^3 < 0 < f(-x, 0) for small x > 0:
    # neither a minimum nor a maximum.
    result = find("(x^2 + y^2)^2 - x^3", (-2, 2), (-2, 2))
    assert result.total == 2
    low, origin = result.points
    assert low.x == pytest.approx(0.75, abs=1e-12) and abs(low.y) < 1e-12
    assert low.f == pytest.approx(-27 / 256, abs=1e-15)
    assert low.kind == "minimum" and low.eigenvalues == pytest.approx((2.25, 2.25), abs=1e-9)
    assert abs(origin.x) < 1e-8 and abs(origin.y) < 1e-8
    assert origin.kind == "saddle"


def test_where_the_hessian_formula_is_0_over_0_its_limit_is_used():
    # DropWave: -(1 + cos(12 r)) / (r^2 / 2 + 2), r = sqrt(x^2 + y^2). Near 0 the numerator is
    # -2 + 72 r^2 and 1 / (2 + r^2 / 2) = 1/2 - r^2 / 8, so f = -1 + 36.25 r^2: H = 72.5 I.
    text = "-(1 + cos(12*sqrt(x^2 + y^2)))/(0.5*(x^2 + y^2) + 2)"
    best = find(text, (-5.12, 5.12), (-5.12, 5.12)).points[0]
    assert (best.x, best.y, best.f, best.kind) == (0, 0, -1, "minimum")
    assert best.eigenvalues == pytest.approx((72.5, 72.5), abs=1e-6)


def test_round_off_in_f_does_not_decide_the_kind():
    # f(0) = 1000: its round-off (~1e-13) hides r^4 for r < 1e-3; the circles grow past that
    assert only(find("1000 + x^4 + y^4", (-3, 3), (-3, 3))).kind == "minimum"
    # in a window 2e-3 wide the circles are tiny, and f = r^4 ~ 1e-24 still decides
    assert only(find("x^4 + y^4", (-1e-3, 1e-3), (-1e-3, 1e-3))).kind == "minimum"
    # here r^8 < 1e-17 within a cell stays below the round-off of f = 1e8: no guess
    assert only(find("1e8 + x^8 + y^8", (-1, 1), (-1, 1))).kind == "degenerate"
    # f = 1000 + x^4 + y^4 again, but evaluated with jitter of a few ulps (the gradient is clean)
    p = only(find("1000*cos(x)^2 + 1000*sin(x)^2 + x^4 + y^4", (-3, 3), (-3, 3)))
    assert (p.x, p.y, p.kind) == (0, 0, "minimum")


# ---- regular critical points: the Hessian decides ----

def test_cubic_valley_has_a_minimum_and_a_saddle():
    # f_x = 3x^2 - 3 = 0 at x = +-1, f_y = 2y = 0; f_xx = 6x, f_yy = 2
    result = find("x^3 - 3*x + y^2", (-2, 2), (-2, 2))
    assert result.total == 2
    low, high = result.points
    assert (low.x, low.y, low.f, low.kind) == (pytest.approx(1), pytest.approx(0), -2, "minimum")
    assert low.eigenvalues == pytest.approx((2, 6))
    assert (high.x, high.f, high.kind) == (pytest.approx(-1), 2, "saddle")
    assert high.eigenvalues == pytest.approx((-6, 2))


def test_himmelblau_has_four_minima_four_saddles_and_one_maximum():
    result = find("(x^2 + y - 11)^2 + (x + y^2 - 7)^2", (-5, 5), (-5, 5))
    kinds = [p.kind for p in result.points]
    assert result.total == 9 and kinds[:4] == ["minimum"] * 4
    assert sorted(kinds[4:]) == ["maximum"] + ["saddle"] * 4
    assert all(abs(p.f) < 1e-20 for p in result.points[:4])
    # (3, 2) by hand: (9 + 2 - 11)^2 + (3 + 4 - 7)^2 = 0
    assert any(abs(p.x - 3) < 1e-12 and abs(p.y - 2) < 1e-12 for p in result.points[:4])
    top = result.points[-1]  # the maximum near (-0.270845, -0.923039), f = 181.617
    assert top.kind == "maximum" and top.f == pytest.approx(181.6165, abs=1e-3)


def test_every_critical_point_of_rastrigin_in_its_window_is_found():
    # g(x) = x^2 - 10 cos(2 pi x) has a minimum near each integer -5..5 (11) and a maximum near
    # each half-integer -4.5..4.5 (10) in [-5.12, 5.12]; f = 20 + g(x) + g(y) has
    # 21 x 21 = 441: 121 minima, 100 maxima and 2 * 11 * 10 = 220 saddles.
    text = "20 + x^2 - 10*cos(2*pi*x) + y^2 - 10*cos(2*pi*y)"
    result = find(text, (-5.12, 5.12), (-5.12, 5.12), limit=1000)
    kinds = [p.kind for p in result.points]
    assert result.total == len(result.points) == 441
    assert [kinds.count(k) for k in ("minimum", "maximum", "saddle")] == [121, 100, 220]
    best = result.points[0]
    assert abs(best.x) < 1e-9 and abs(best.y) < 1e-9 and best.f < 1e-12


# ---- the cap: the lowest points, and how many there are ----

def test_at_most_limit_points_are_reported_lowest_first_with_the_total():
    text = "20 + x^2 - 10*cos(2*pi*x) + y^2 - 10*cos(2*pi*y)"
    result = find(text, (-5.12, 5.12), (-5.12, 5.12))
    assert result.total == 441 and len(result.points) == 50 and result.capped
    values = [p.f for p in result.points]
    assert values == sorted(values) and values[0] < 1e-12
    # the next four are the minima next to the origin, (+-0.99496, 0) and (0, +-0.99496)
    assert values[1:5] == pytest.approx([0.9949590571] * 4, abs=1e-9)
    assert not find(text, (-5.12, 5.12), (-5.12, 5.12), limit=441).capped


@pytest.mark.parametrize("text, radii, f_ring", [
    ("(x^2 + y^2 - 1)^2", [1.0], 0.0),
    # minima where x^2 + y^2 = 3 pi / 2, 7 pi / 2 or 11 pi / 2 (in the corners of the window)
    ("sin(x^2 + y^2)", [math.sqrt(k * math.pi / 2) for k in (3, 7, 11)], -1.0),
])
def test_rings_of_critical_points_are_capped_and_their_points_are_minima(text, radii, f_ring):
    result = find(text, (-3, 3), (-3, 3))
    assert result.capped and len(result.points) == 50 and 50 < result.total < 5000
    for p in result.points:
        assert min(abs(math.hypot(p.x, p.y) - r) for r in radii) < 1e-9
        assert p.f == pytest.approx(f_ring, abs=1e-12)
        assert p.kind == "minimum"  # f rises across the ring and stays level along it
    # points of one ring are at least a cell apart: a ring is not reported thousands of times
    xy = np.array([(p.x, p.y) for p in result.points])
    gaps = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    assert gaps[~np.eye(len(xy), dtype=bool)].min() > 6 / 299


# ---- global minima of benchmark functions over their usual bounds ----

BENCHMARKS = [
    # Easom (E. E. Easom 1990); Surjanovic & Bingham, Virtual Library of Simulation
    # Experiments, sfu.ca/~ssurjano/easom.html: [-100, 100]^2, f(pi, pi) = -1
    ("-cos(x)*cos(y)*exp(-((x - pi)^2 + (y - pi)^2))", 100, [(math.pi, math.pi)], -1.0),
    # Schaffer N.3 (S. Mishra 2006); scipy benchmarks/go_benchmark_functions, Schaffer03:
    # [-100, 100]^2, f(0, 1.253115) = 0.00156685; f is even in x and y and symmetric in x <-> y
    ("0.5 + (sin(cos(abs(x^2 - y^2)))^2 - 0.5)/(1 + 0.001*(x^2 + y^2))^2", 100,
     [(0, 1.253115), (0, -1.253115), (1.253115, 0), (-1.253115, 0)], 0.00156685),
    # Chichinadze; scipy go_benchmark_functions (after A. Gavana's collection; Jamil & Yang
    # 2013 #33 list -43.3159 at (5.90133, 0.5), but their f there is -29.72):
    # [-30, 30]^2, f(6.189866586965680, 0.5) = -42.94438701899098
    ("x^2 - 12*x + 11 + 10*cos(pi*x/2) + 8*sin(5*pi*x/2) - exp(-(y - 0.5)^2/2)/sqrt(5)", 30,
     [(6.189866586965680, 0.5)], -42.94438701899098),
    # Levy N.13; Surjanovic & Bingham, sfu.ca/~ssurjano/levy13.html: [-10, 10]^2, f(1, 1) = 0
    ("sin(3*pi*x)^2 + (x - 1)^2*(1 + sin(3*pi*y)^2) + (y - 1)^2*(1 + sin(2*pi*y)^2)", 10,
     [(1, 1)], 0.0),
    # Trefethen (SIAM 100-digit challenge 2002, problem 4; Bornemann et al. 2004);
    # scipy go_benchmark_functions: [-10, 10]^2, f(-0.02440307923, 0.2106124261) = -3.3068686474
    ("exp(sin(50*x)) + sin(60*exp(y)) + sin(70*sin(x)) + sin(sin(80*y)) - sin(10*(x + y))"
     " + (x^2 + y^2)/4", 10, [(-0.02440307923, 0.2106124261)], -3.3068686474),
    # Trigonometric 2 (Jamil & Yang 2013); scipy go_benchmark_functions Trigonometric02:
    # [-500, 500]^2, f(0.9, 0.9) = 1
    ("1 + 8*sin(7*(x - 0.9)^2)^2 + 6*sin(14*(x - 0.9)^2)^2 + (x - 0.9)^2"
     " + 8*sin(7*(y - 0.9)^2)^2 + 6*sin(14*(y - 0.9)^2)^2 + (y - 0.9)^2", 500, [(0.9, 0.9)], 1.0),
]


@pytest.mark.parametrize("text, bound, minimisers, f_min", BENCHMARKS,
                         ids=["Easom", "Schaffer N.3", "Chichinadze", "Levy N.13", "Trefethen",
                              "Trigonometric 2"])
def test_the_global_minimum_of_a_benchmark_function_is_found(text, bound, minimisers, f_min):
    best = find(text, (-bound, bound), (-bound, bound)).points[0]
    assert min(math.hypot(best.x - a, best.y - b) for a, b in minimisers) < 1e-4
    assert best.f == pytest.approx(f_min, abs=1e-8)
    assert best.kind == "minimum"


# ---- API details ----

def test_classify_uses_the_second_derivative_test_and_knows_when_it_cannot():
    assert classify(2, 0, 2) == "minimum"
    assert classify(-2, 0, -2) == "maximum"
    assert classify(2, 0, -2) == classify(0, 1, 0) == "saddle"
    assert classify(1, 1, 1) == "degenerate"            # det = 0
    assert classify(1, 0, 1e-9) == "degenerate"         # relative to the larger eigenvalue
    assert classify(1e-9, 0, 1e-9, scale=1.0) == "degenerate"  # relative to f's curvature
    assert classify(float("nan"), 0, 1) == "degenerate"


def test_points_as_json_are_plain_numbers_without_nan_or_minus_zero():
    point = CriticalPoint(-0.0, 1.5, -2.0, "degenerate", (float("nan"), 3.0))
    assert point.as_dict() == {"x": 0.0, "y": 1.5, "f": -2.0, "kind": "degenerate",
                               "eigenvalues": [None, 3.0]}
    assert math.copysign(1, point.as_dict()["x"]) == 1
    text = json.dumps(critical_points_json(find("x^3 - 3*x + y^2", (-2, 2), (-2, 2))),
                      allow_nan=False)
    assert json.loads(text) == [
        {"x": 1.0, "y": 0.0, "f": -2.0, "kind": "minimum", "eigenvalues": [2.0, 6.0]},
        {"x": -1.0, "y": 0.0, "f": 2.0, "kind": "saddle", "eigenvalues": [-6.0, 2.0]}]
    assert critical_points_json(CriticalPoints((), 0)) == []


def test_bad_arguments_are_refused():
    f = fn("x^2 + y^2")
    for kwargs in ({"seeds": 10}, {"seeds": 401}, {"seeds": 30.5}, {"limit": 0}, {"limit": True}):
        with pytest.raises(InputError):
            critical_points(f, (-1, 1), (-1, 1), **kwargs)
    with pytest.raises(InputError):
        critical_points(f, (1, -1), (-1, 1))


@pytest.mark.parametrize("text, window, kind", [
    ("exp(x^2 + y^2)", (-30, 30), "minimum"),        # overflows to inf over most of the window
    ("log(1 - x^2 - y^2)", (-2, 2), "maximum"),      # NaN outside the disc, -inf at its edge
    ("sqrt(1 - x^2 - y^2)", (-2, 2), "maximum"),     # infinite slope at the edge of the disc
    ("tan(x*y)", (-3, 3), "saddle"),                 # poles
    ("log(x) + y^2", (-2, 2), None),                 # NaN on half the window, no critical point
])
def test_no_numpy_warning_escapes_and_edges_and_poles_are_not_critical(text, window, kind):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = find(text, window, window)
    assert [p.kind for p in result.points] == ([kind] if kind else [])
    assert all(p.x == 0 and p.y == 0 for p in result.points)


def test_nothing_is_found_where_there_is_nothing():
    assert find("x + 2*y", (-1, 1), (-1, 1)).total == 0
    assert find("exp(x) + y^2", (-30, 3), (-2, 2)).total == 0   # the slope never reaches 0
    assert find("log(-1 - x^2 - y^2)", (-1, 1), (-1, 1)) == CriticalPoints((), 0)  # undefined


# ---- cancelling and bounded work ----

class Counting:
    """A function that counts the points it is evaluated at (value, gradient, Hessian),
    and the largest array."""

    def __init__(self, function):
        self.function, self.points, self.largest = function, 0, 0

    def __getattr__(self, name):
        method = getattr(self.function, name)

        def counted(x, y):
            size = np.broadcast(x, y).size
            self.points += size
            self.largest = max(self.largest, size)
            return method(x, y)
        return counted


@pytest.mark.parametrize("text, bound", [
    (BENCHMARKS[4][0], 10),  # Trefethen: thousands of seeds, every stage busy
    ("sin(x^2 - y^2) + 0.001*(x^2 + y^2)", 100),  # thousands of long descents and ascents
])
def test_cancel_is_polled_throughout_and_stops_the_search(text, bound):
    window = (-bound, bound)
    counting = Counting(fn(text))
    marks = []
    critical_points(counting, window, window, cancel=lambda: marks.append(counting.points) or False)
    # between two polls f and its derivatives are evaluated at no more than 60 000 points
    # (a few ms of work): every loop of every stage polls
    gaps = np.diff([0] + marks + [counting.points])
    assert len(marks) > 50 and gaps.max() <= 60_000
    for stop_at in (1, len(marks) // 2, len(marks) - 1):
        calls = []
        with pytest.raises(Cancelled):
            critical_points(counting, window, window,
                            cancel=lambda: calls.append(1) or len(calls) >= stop_at)
        assert len(calls) == stop_at


@pytest.mark.parametrize("text, bound", [
    ("x^6 + y^6", 2),  # Newton converges only linearly to the degenerate minimum
    ("sin(x^2 - y^2) + 0.001*(x^2 + y^2)", 100),  # long curved valleys; Newton wanders
    ("sin(300*x)*sin(300*y) + 0.01*(x^2 + y^2)", 10),  # far finer than the grid
])
def test_work_and_memory_are_bounded_for_a_300_by_300_grid(text, bound):
    counting = Counting(fn(text))
    result = critical_points(counting, (-bound, bound), (-bound, bound))
    assert len(result.points) == min(result.total, 50) and result.total >= 1
    assert counting.largest <= 300 * 300  # no array larger than the grid
    assert counting.points <= 20 * 300 * 300  # f, gradient and Hessian at 20 points per cell


# ---- the window: markers and the summary line ----

def test_the_window_shows_the_lowest_points_and_says_how_many_of_how_many(qtbot, shown_window):
    model = shown_window.model
    with qtbot.waitSignal(model.functionChanged, timeout=15000):
        model.load_preset("Rastrigin")  # 441 critical points in its window (see above)
    with qtbot.waitSignal(model.analysis.criticalPointsChanged, timeout=60000):
        shown_window.analysis.critical_btn.click()
    assert len(model.analysis.critical) == 50 and model.analysis.critical_total == 441
    drawn = shown_window.contour.critical  # one marker item per kind
    assert sum(len(item.data) for item in drawn.values()) == 50
    assert len(drawn["minimum"].data) == 50
    # the 50 lowest: the minima near (i, j) have f ~ 0.995 (i^2 + j^2); 49 have i^2 + j^2 <= 16,
    # then one of the 8 with i^2 + j^2 = 17 (f ~ 16.9); the lowest saddle has f ~ 20.25
    assert shown_window.analysis.label.text() == (
        "critical points found in view: 50 minima; 50 shown of 441, the lowest f first "
        "(Newton's method from many starts; it can miss some)")
    model.set_expression("x^2 + y^2")
    qtbot.waitUntil(lambda: model.analysis.critical is None, timeout=15000)
    assert model.analysis.critical_total == 0
    assert all(item.data.size == 0 for item in shown_window.contour.critical.values())
