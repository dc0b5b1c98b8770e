"""core.optimizers: tests that kill the mutants tools/mutate.py found surviving (issue 13):
every default and every range, as the user reads them, and the ends of the ranges."""
import dataclasses

import pytest

from gd_explorer.core import InputError, descend, parse_function
from gd_explorer.core.optimizers import EPS, OPTIMIZERS, SCHEDULES

# name: [(hyperparameter, default, range as the messages write it)]
HYPERPARAMETERS = {
    "gd": [],
    "momentum": [("beta", 0.9, "[0, 1)")],
    "nesterov": [("beta", 0.9, "[0, 1)")],
    "adagrad": [("eps", 1e-8, "(0, 1]")],
    "rmsprop": [("rho", 0.9, "[0, 1)"), ("eps", 1e-8, "(0, 1]")],
    "adam": [("beta1", 0.9, "[0, 1)"), ("beta2", 0.999, "[0, 1)"), ("eps", 1e-8, "(0, 1]")],
    "armijo": [("c", 1e-4, "(0, 1)"), ("shrink", 0.5, "(0, 1)")],
    "newton": [],
}
SCHEDULE_PARAMETERS = {
    "constant": [],
    "step": [("gamma", 0.5, "(0, 1]"), ("every", 100, "[1, 1e+09]")],
    "exponential": [("gamma", 0.999, "(0, 1]")],
    "inverse_time": [("k", 0.01, "[0, 1e+06]")],
    "cosine": [],
}


@pytest.mark.parametrize("name", HYPERPARAMETERS)
def test_each_optimizer_has_its_defaults_and_ranges(name):
    spec = OPTIMIZERS[name]
    assert [(h.name, h.default, h.range_text()) for h in spec.hyperparameters] == HYPERPARAMETERS[name]
    assert spec.defaults() == {h: d for h, d, _ in HYPERPARAMETERS[name]}
    assert spec.check() == spec.defaults()


@pytest.mark.parametrize("name", SCHEDULE_PARAMETERS)
def test_each_schedule_has_its_defaults_and_ranges(name):
    spec = SCHEDULES[name]
    assert [(h.name, h.default, h.range_text()) for h in spec.parameters] == SCHEDULE_PARAMETERS[name]
    assert spec.check() == {h: d for h, d, _ in SCHEDULE_PARAMETERS[name]}


@pytest.mark.parametrize("owner, values", [
    (OPTIMIZERS["momentum"], {"beta": 0.0}),       # [0, 1): 0 is in
    (OPTIMIZERS["adam"], {"eps": 1.0}),            # (0, 1]: 1 is in
    (SCHEDULES["step"], {"gamma": 1.0, "every": 1}),
    (SCHEDULES["step"], {"every": 1e9}),
    (SCHEDULES["inverse_time"], {"k": 0.0}),
])
def test_the_closed_ends_of_a_range_are_accepted(owner, values):
    assert owner.check(values) == {**owner.check(), **values}


@pytest.mark.parametrize("owner, values, words", [
    (OPTIMIZERS["armijo"], {"c": 1.0}, "Backtracking line search (Armijo) c must be in (0, 1), got 1"),
    (SCHEDULES["step"], {"every": 0}, "the step decay schedule every must be in [1, 1e+09], got 0"),
    (SCHEDULES["step"], {"every": 1_000_000_001},
     "the step decay schedule every must be in [1, 1e+09], got 1000000001"),
    (SCHEDULES["step"], {"every": 2.5}, "the step decay schedule every must be a whole number, got 2.5"),
])
def test_the_open_ends_and_fractions_are_refused(owner, values, words):
    with pytest.raises(InputError) as info:
        owner.check(values)
    assert str(info.value) == words


def test_hyperparameters_are_shared_constants_that_cannot_be_changed():
    with pytest.raises(dataclasses.FrozenInstanceError):
        EPS.default = 0.1


def test_armijo_takes_the_full_step_only_with_sufficient_decrease_c_1e_4():
    # f = x² + y² from (1, 0): g = (2, 0), ‖g‖² = 4. The step t is kept when
    # (1 - 2t)² <= 1 - c·t·4, that is when t <= 1 - c. With t = 0.99985 and c = 1e-4 it is:
    # x = 1 - 2·0.99985 = -0.9997 (with c = 2e-4 it would be halved: x = 0.00015)
    r = descend(parse_function("x^2 + y^2"), (1.0, 0.0), 0.99985, max_steps=1, tol=0.0,
                optimizer="armijo")
    assert r.x == pytest.approx((-0.9997, 0.0), abs=1e-12)
