"""core.batch: tests that kill the mutants tools/mutate.py found surviving (issue 13)."""
import dataclasses

import numpy as np
import pytest

from gd_explorer.core import InputError, descend, parse_function
from gd_explorer.core.batch import BLOCK, group_points, log_rates, run_many, sweep

ROSENBROCK = "(1 - x)^2 + 100*(y - x^2)^2"


@pytest.fixture(scope="module")
def bowl():
    return parse_function("x^2 + y^2")  # ∇f = (2x, 2y)


def test_starts_that_end_before_the_first_step(bowl):
    # (0, 0): ∇f = 0 exactly; (1e-7, 0): ‖∇f‖ = 2e-7 < 1e-6; (1, 1): 22 halvings (lr 0.25)
    runs = run_many(bowl, [0.0, 1e-7, 1.0], [0.0, 0.0, 1.0], 0.25, 100)
    assert [runs.status_name(i) for i in range(3)] == ["critical_start", "converged", "converged"]
    assert runs.steps.tolist() == [0, 0, 22]


def test_the_default_tolerance_is_1e_6(bowl):
    # from x = 7.5e-7: ‖∇f‖ = 1.5e-6, not converged yet; one step of lr 0.25 halves it
    runs = run_many(bowl, [7.5e-7], [0.0], 0.25, 100)
    assert runs.status_name(0) == "converged" and runs.steps[0] == 1


def test_a_run_away_ends_at_the_step_a_single_run_ends(bowl):
    # lr = 1.5 on x²: x → -2x, |x| = 2^k; the run-away distance is 1e12·(1 + 1) = 2e12 < 2^41
    runs = run_many(bowl, [1.0], [0.0], 1.5, 100)
    assert runs.status_name(0) == "diverged" and runs.steps[0] == 40
    assert descend(bowl, (1.0, 0.0), 1.5, 100).nit == 40


def test_checking_every_k_steps_rounds_the_steps_up_to_a_multiple_of_k(bowl):
    # a single run converges after 22 steps (‖∇f‖ = 2√2/2^k); checked every 8: after 24
    runs = run_many(bowl, [1.0], [1.0], 0.25, 100, check_every=8)
    assert runs.status_name(0) == "converged" and runs.steps[0] == 24
    assert run_many(bowl, [1.0], [1.0], 0.25, 100, check_every=0).steps[0] == 22  # at least 1


def test_the_last_step_is_always_checked(bowl):
    # 20 steps of lr 0.01: x = y = 0.98^20, f = 2·0.98^40, though 20 is no multiple of 8
    runs = run_many(bowl, [1.0], [1.0], 0.01, 20, check_every=8)
    assert runs.status_name(0) == "max_steps"
    assert runs.x[0] == pytest.approx(0.98 ** 20, rel=1e-12)
    assert runs.f[0] == pytest.approx(2 * 0.98 ** 40, rel=1e-12)


def test_a_rule_that_reads_f_is_checked_at_every_step():
    # Armijo reads f at the current point; with check_every = 8 it must still see it each step
    fn = parse_function(ROSENBROCK)
    runs = run_many(fn, [-1.2], [1.0], 1.0, 200, optimizer="armijo", check_every=8)
    one = descend(fn, (-1.2, 1.0), 1.0, 200, optimizer="armijo")
    assert runs.steps[0] == one.nit
    assert [runs.x[0], runs.y[0]] == pytest.approx(one.x.tolist(), rel=1e-9)


def test_progress_is_told_every_16_steps_in_every_block():
    fn = parse_function(ROSENBROCK)
    n, steps = BLOCK + 37, 64
    seen = []
    run_many(fn, np.full(n, -1.2), np.full(n, 1.0), 1e-9, steps,
             progress=lambda done, total: seen.append((done, total)))
    total = n * steps
    first = [(BLOCK * t, total) for t in (0, 16, 32, 48)]
    second = [(BLOCK * steps + 37 * t, total) for t in (0, 16, 32, 48)]
    assert seen == first + second


def test_a_batch_is_a_value():
    runs = run_many(parse_function("x^2"), [1.0], [0.0], 0.1, 5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        runs.steps = None


def test_sweep_defaults_to_1000_steps_and_the_tolerance_1e_6(bowl):
    result = sweep(bowl, (1.0, 1.0), 1e-6, 0.25, 2)
    assert result.rates.tolist() == pytest.approx([1e-6, 0.25], rel=1e-12)
    assert [result.runs.status_name(i) for i in range(2)] == ["max_steps", "converged"]
    assert result.runs.steps.tolist() == [1000, 22]


def test_the_ends_of_the_rate_range_and_count():
    assert log_rates(0.01, 1.0, 2).tolist() == pytest.approx([0.01, 1.0], rel=1e-12)
    assert log_rates(1e-3, 1.0, 10_000).size == 10_000
    for low, high, count, words in [
            (0.0, 0.1, 10, "the learning rates must go from a smaller to a larger positive number"),
            (0.01, 0.1, 1, "the number of rates must be between 2 and 10,000"),
            (0.01, 0.1, 10_001, "the number of rates must be between 2 and 10,000")]:
        with pytest.raises(InputError) as info:
            log_rates(low, high, count)
        assert str(info.value) == words


def test_points_exactly_near_apart_are_two_groups():
    x, y = np.array([0.0, 0.5, 0.25, 2.0]), np.array([0.0, 0.0, 0.0, 0.0])
    labels, ends = group_points(x, y, 0.5)
    assert labels.tolist() == [0, 1, 0, 2] and ends == [(0.0, 0.0), (0.5, 0.0), (2.0, 0.0)]


def test_starts_step_together_in_blocks_of_8192():
    # the arrays of a block stay in the processor's cache: f and ∇f are computed for at most
    # 8192 starts at a time (here once at the starts and once after the one step)
    fn = parse_function("x^2 + y^2")
    sizes, values_and_gradients = [], fn.values_and_gradients

    def spy(x, y):
        sizes.append(np.size(x))
        return values_and_gradients(x, y)

    fn.values_and_gradients = spy
    run_many(fn, np.ones(8193), np.ones(8193), 0.01, 1)
    assert sizes == [8192, 8192, 1, 1]


def test_a_run_away_just_past_the_limit_ends_as_a_single_run_ends():
    # f = (1e12 + 1)x² + y², lr = 1 from (1, 0): x1 = 1 - 2(1e12 + 1) = -(2e12 + 1), just
    # beyond the run-away distance 1e12·(1 + 1) = 2e12: diverged before step 1
    fn = parse_function("1000000000001*x^2 + y^2")
    runs = run_many(fn, [1.0], [0.0], 1.0, 10)
    assert runs.status_name(0) == "diverged" and runs.steps[0] == 0
    assert descend(fn, (1.0, 0.0), 1.0, 10).nit == 0


def test_f_of_exactly_1e150_is_descended_on(bowl):
    # |f| <= 1e150 is a value (above it, diverged): f = 1e150 + x² + y² is 1e150 in floating
    # point, with ∇f = (2x, 2y), so from (1, 1) with lr 0.25 it converges as x² + y² does
    runs = run_many(parse_function("1e150 + x^2 + y^2"), [1.0], [1.0], 0.25, 100)
    assert runs.status_name(0) == "converged" and runs.steps[0] == 22 and runs.f[0] == 1e150
