"""core.steploop: tests that kill the mutants tools/mutate.py found surviving (issue 13).

descend takes any object with value_and_gradient (and hessian_at for Newton's method), as a
script may pass; the rules that need f or the Hessian elsewhere then call those methods."""
import numpy as np
import pytest

from gd_explorer.core import descend, parse_function


class Plain:
    """Only the two methods a function-like object must have."""

    def __init__(self, fn):
        self.fn, self.text = fn, fn.text

    def value_and_gradient(self, x, y):
        return self.fn.value_and_gradient(x, y)

    def hessian_at(self, x, y):
        return self.fn.hessian_at(x, y)


@pytest.mark.parametrize("optimizer, lr", [("armijo", 1.0), ("newton", 0.5)])
def test_a_function_like_object_runs_as_the_function_itself(optimizer, lr):
    # Rosenbrock from (-1.2, 1): Armijo must shrink its first steps (f is read along the
    # line), Newton reads the Hessian at every step
    fn = parse_function("(1 - x)^2 + 100*(y - x^2)^2")
    want = descend(fn, (-1.2, 1.0), lr, max_steps=6, tol=0.0, optimizer=optimizer)
    got = descend(Plain(fn), (-1.2, 1.0), lr, max_steps=6, tol=0.0, optimizer=optimizer)
    assert got.nit == want.nit == 6 and got.status == want.status
    np.testing.assert_allclose(got.trajectory, want.trajectory, rtol=1e-12)
