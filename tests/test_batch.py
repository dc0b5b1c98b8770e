"""Many runs at once: the same rule and the same endings as single runs; sweeps; basins."""
import numpy as np
import pytest

from gd_explorer.core import InputError, descend, parse_function
from gd_explorer.core.analysis import basin_map
from gd_explorer.core.batch import BLOCK, STATUS_NAMES, Cancelled, run_many, sweep
from gd_explorer.core.optimizers import OPTIMIZERS

HIMMELBLAU = "(x^2 + y - 11)^2 + (x + y^2 - 7)^2"


@pytest.fixture(scope="module")
def himmel():
    return parse_function(HIMMELBLAU)


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_each_start_ends_as_its_single_run(himmel, optimizer):
    lr = {"newton": 0.5, "adagrad": 0.3, "armijo": 0.05}.get(optimizer, 0.005)
    starts = [(-4.5, 4.2), (0.3, -0.4), (3.9, 3.7), (-2.0, -4.8), (1.0, 1.0)]
    xs, ys = zip(*starts)
    runs = run_many(himmel, xs, ys, lr, 400, 1e-6, optimizer)
    for i, start in enumerate(starts):
        one = descend(himmel, start, lr, 400, 1e-6, optimizer)
        assert runs.status_name(i) == one.status, (optimizer, start, one.message)
        assert runs.steps[i] == one.nit
        # math and numpy differ in the last bits, so the end points agree to rounding
        assert [runs.x[i], runs.y[i]] == pytest.approx(one.x.tolist(), rel=1e-6, abs=1e-9)


def test_endings_match_single_runs_for_every_kind_of_stop():
    fn = parse_function("log(x) + y^2")  # leaves its domain when x steps below 0
    starts = [(0.5, 1.0), (-1.0, 0.0), (2.0, 0.5), (1.0, 0.0)]
    runs = run_many(fn, *zip(*starts), 0.9, 50, 1e-9)
    for i, start in enumerate(starts):
        try:
            one = descend(fn, start, 0.9, 50, 1e-9)
        except InputError:
            assert runs.status_name(i) == "undefined_start"
            continue
        assert runs.status_name(i) == one.status, one.message
        assert runs.steps[i] == one.nit
    assert "left_domain" in {runs.status_name(i) for i in range(len(starts))}


def test_learning_rate_per_start_and_blocks_of_starts(himmel):
    n = BLOCK + 37  # more than one block
    rng = np.random.default_rng(3)
    xs, ys = rng.uniform(-5, 5, n), rng.uniform(-5, 5, n)
    rates = np.where(np.arange(n) % 2 == 0, 0.01, 0.2)  # 0.2 diverges on Himmelblau
    runs = run_many(himmel, xs, ys, rates, 300)
    even, odd = np.arange(n) % 2 == 0, np.arange(n) % 2 == 1
    assert (runs.status[even] == STATUS_NAMES.index("converged")).mean() > 0.95
    assert (runs.status[odd] == STATUS_NAMES.index("diverged")).mean() > 0.95
    for i in (0, 1, BLOCK, n - 1):  # starts in both blocks end as single runs do
        assert runs.status_name(i) == descend(himmel, (xs[i], ys[i]), rates[i], 300).status


def test_sweep_finds_the_stability_boundary_at_one_over_max_curvature():
    # f = a x^2 + b y^2: Hessian diag(2a, 2b); plain descent is stable iff lr < 2/(2 max(a, b))
    a, b = 1.5, 4.0
    fn = parse_function(f"{a}*x^2 + {b}*y^2")
    result = sweep(fn, (1.0, 1.0), 0.01, 1.0, 60, max_steps=5000, tol=1e-8)
    converged, diverged = result.converged(), result.diverged()
    assert converged.any() and diverged.any()
    assert result.rates[converged].max() < 1 / max(a, b) < result.rates[diverged].min()
    # steps to converge fall as the rate grows towards the best rate 2/(λmin + λmax)
    steps = result.runs.steps[converged]
    assert steps[0] > steps[len(steps) // 2]


def test_sweep_rejects_bad_ranges():
    fn = parse_function("x^2 + y^2")
    for low, high, n in ((0.1, 0.01, 10), (-1, 1, 10), (0.01, 0.1, 1), (0.01, 0.1, 10 ** 6)):
        with pytest.raises(InputError):
            sweep(fn, (1.0, 1.0), low, high, n)


def test_cancel_is_polled_and_stops_the_work(himmel):
    polls = []

    def cancel():
        polls.append(1)
        return len(polls) >= 3

    with pytest.raises(Cancelled):
        run_many(himmel, np.zeros(100) + 4.0, np.zeros(100) - 4.0, 1e-6, 100000, cancel=cancel)
    assert len(polls) == 3  # stopped at the third poll, not at the end of 100,000 steps


def test_progress_reaches_the_total(himmel):
    seen = []
    run_many(himmel, np.linspace(-4, 4, 50), np.linspace(-4, 4, 50), 1e-7, 640,
             progress=lambda done, total: seen.append((done, total)))
    assert seen and all(total == 50 * 640 for _, total in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_basins_follow_the_optimizer(himmel):
    gd = basin_map(himmel, (-5, 5), (-5, 5), 0.01, resolution=40, steps=2000)
    assert sorted((round(x, 2), round(y, 2)) for x, y in gd.ends) == [
        (-3.78, -3.28), (-2.81, 3.13), (3.0, 2.0), (3.58, -1.85)]
    newton = basin_map(himmel, (-5, 5), (-5, 5), 1.0, resolution=40, steps=200,
                       optimizer="newton")
    # Newton's method goes to any critical point: Himmelblau's 4 minima, 4 saddles, 1 maximum
    assert len(newton.ends) == 9
    assert (-0.27, -0.92) in {(round(x, 2), round(y, 2)) for x, y in newton.ends}  # the maximum
