"""The optimizers, each defined once: name, label, hyperparameters, memory and update rule.

An update rule is a few lines of Python written for ONE coordinate, as the formulas are
written: ``x`` is the coordinate, ``g`` its partial derivative, ``lr`` the learning rate of
this step, ``t`` the step number (1 for the first step), plus the optimizer's memory (``state``)
and hyperparameters by name, and ``sqrt``. steploop.py turns the rule into code for x and for y,
inside a compiled loop over many steps (one run) or over arrays (many starts at once).

Rules that are not per coordinate use ``prepare`` (statements for both coordinates, run first,
with ``x, y, gx, gy, f``, ``f_at(a, b)``, ``hess_at(a, b)`` and the helpers ``_any``, ``_not``,
``_where``, ``fabs``), ``stop`` (an expression: true ends the run with ``stop_message``) and
``rule2d`` (the update of both coordinates). ``lookahead`` gives, per coordinate, the point where
the gradient is taken (Nesterov); ``g`` is then the gradient there.
"""
import math
from dataclasses import dataclass

from .errors import InputError


@dataclass(frozen=True)
class Hyperparameter:
    name: str
    default: float
    low: float
    high: float
    meaning: str
    low_open: bool = True    # the low end itself is not allowed
    high_open: bool = False  # the high end itself is not allowed
    integer: bool = False
    slider: bool = False     # a slider helps (a share between 0 and 1, such as β)

    def range_text(self):
        left = "(" if self.low_open else "["
        right = ")" if self.high_open else "]"
        return f"{left}{self.low:g}, {self.high:g}{right}"

    def check(self, value, owner):
        """``value`` as a float inside the range, or InputError naming the range."""
        if isinstance(value, bool):
            raise InputError(f"{owner} {self.name} must be a number")
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise InputError(f"{owner} {self.name} must be a number") from None
        low_ok = value > self.low if self.low_open else value >= self.low
        high_ok = value < self.high if self.high_open else value <= self.high
        if not (math.isfinite(value) and low_ok and high_ok):
            raise InputError(f"{owner} {self.name} must be in {self.range_text()}, got {value:.15g}")
        if self.integer and not value.is_integer():
            raise InputError(f"{owner} {self.name} must be a whole number, got {value:.15g}")
        return value


@dataclass(frozen=True)
class Optimizer:
    name: str
    label: str
    hyperparameters: tuple = ()
    state: tuple = ()        # memory per coordinate: ("v",) is v_x, v_y
    rule: str = ""           # per-coordinate update (see the module docstring)
    prepare: str = ""
    stop: str = ""
    stop_message: str = ""
    rule2d: str = ""
    lookahead: str = ""
    source: str = ""

    @property
    def state_size(self):
        return 2 * len(self.state)

    @property
    def state_names(self):
        """Flat names of the memory, in the order saved: v_x, v_y, m_x, m_y, …"""
        return tuple(f"{s}_{c}" for s in self.state for c in "xy")

    def defaults(self):
        return {h.name: h.default for h in self.hyperparameters}

    def check(self, hyperparameters=None):
        """All hyperparameters as floats: the defaults with ``hyperparameters`` over them."""
        return check_values(self.label, self.hyperparameters, hyperparameters)


def check_values(owner, specs, given):
    """Checked values for ``specs`` (Hyperparameter), the defaults where ``given`` has none."""
    if given is not None and not isinstance(given, dict):
        raise InputError(f"the hyperparameters of {owner} must be given as name = value")
    given = dict(given or {})
    known = {h.name: h for h in specs}
    for name in given:
        if name not in known:
            names = ", ".join(known) or "none"
            raise InputError(f"{owner} has no hyperparameter {name!r} (its hyperparameters: {names})")
    return {h.name: h.check(given.get(h.name, h.default), owner) for h in specs}


def _share(name, default, meaning):
    """A hyperparameter in [0, 1): how much of something is kept."""
    return Hyperparameter(name, default, 0.0, 1.0, meaning, low_open=False, high_open=True,
                          slider=True)


EPS = Hyperparameter("eps", 1e-8, 0.0, 1.0, "added to the root so that a zero gradient does not "
                     "divide by zero")

_LIST = (
    Optimizer(
        "gd", "Gradient descent",
        rule="x = x - lr * g",
        source="Cauchy 1847: x ← x − ε ∇f(x)."),
    Optimizer(
        "momentum", "Momentum (heavy ball)",
        (_share("beta", 0.9, "the share of the last step kept in the next one"),),
        state=("v",),
        rule="v = beta * v - lr * g\nx = x + v",
        source="Polyak 1964, 'Some methods of speeding up the convergence of iteration methods': "
               "v ← βv − ε∇f(x); x ← x + v."),
    Optimizer(
        "nesterov", "Nesterov momentum",
        (_share("beta", 0.9, "the share of the last step kept; the gradient is taken after it"),),
        state=("v",),
        lookahead="x + beta * v",
        rule="v = beta * v - lr * g\nx = x + v",
        source="Sutskever, Martens, Dahl, Hinton 2013, 'On the importance of initialization and "
               "momentum in deep learning', eq. 3–4: v ← βv − ε∇f(x + βv); x ← x + v."),
    Optimizer(
        "adagrad", "AdaGrad",
        (EPS,),
        state=("G",),
        rule="G = G + g * g\nx = x - lr * g / (sqrt(G) + eps)",
        source="Duchi, Hazan, Singer 2011, 'Adaptive subgradient methods', diagonal form: "
               "G ← G + g²; x ← x − ε g / (√G + eps)."),
    Optimizer(
        "rmsprop", "RMSProp",
        (_share("rho", 0.9, "how slowly the average of g² forgets"), EPS),
        state=("s",),
        rule="s = rho * s + (1 - rho) * g * g\nx = x - lr * g / (sqrt(s) + eps)",
        source="Hinton 2012, Coursera 'Neural networks for machine learning', lecture 6e: "
               "s ← ρs + (1 − ρ)g²; x ← x − ε g / (√s + eps)."),
    Optimizer(
        "adam", "Adam",
        (_share("beta1", 0.9, "how slowly the average of g forgets"),
         _share("beta2", 0.999, "how slowly the average of g² forgets"),
         EPS),
        state=("m", "v"),
        rule="m = beta1 * m + (1 - beta1) * g\n"
             "v = beta2 * v + (1 - beta2) * g * g\n"
             "x = x - lr * (m / (1 - beta1 ** t)) / (sqrt(v / (1 - beta2 ** t)) + eps)",
        source="Kingma, Ba 2015, 'Adam: a method for stochastic optimization', Algorithm 1, "
               "with bias correction and eps outside the root."),
    Optimizer(
        "armijo", "Backtracking line search (Armijo)",
        (Hyperparameter("c", 1e-4, 0.0, 1.0, "how much decrease a step must give (sufficient "
                        "decrease)", high_open=True),
         Hyperparameter("shrink", 0.5, 0.0, 1.0, "the factor that shortens a rejected step",
                        high_open=True)),
        prepare=("gg = gx * gx + gy * gy\n"
                 "step = lr\n"
                 "for _i in range(60):\n"
                 "    bad = _not(f_at(x - step * gx, y - step * gy) <= f - c * step * gg)\n"
                 "    if not _any(bad):\n"
                 "        break\n"
                 "    step = _where(bad, step * shrink, step)"),
        rule="x = x - step * g",
        source="Armijo 1966; Nocedal & Wright, 'Numerical Optimization', Algorithm 3.1: "
               "t ← ε; while f(x − t g) > f(x) − c t ‖g‖²: t ← shrink·t; x ← x − t g."),
    Optimizer(
        "newton", "Newton's method (damped)",
        prepare=("hxx, hxy, hyy = hess_at(x, y)\n"
                 "det = hxx * hyy - hxy * hxy"),
        stop="_not(fabs(det) > 1e-12 * (hxx * hxx + 2 * hxy * hxy + hyy * hyy))",
        stop_message="the Hessian is singular here, so Newton's method has no step",
        rule2d=("x, y = (x - lr * ((hyy * gx - hxy * gy) / det), "
                "y - lr * ((hxx * gy - hxy * gx) / det))"),
        source="Newton–Raphson on ∇f = 0, damped: x ← x − ε H⁻¹ ∇f(x); ε = 1 is the pure step "
               "(Nocedal & Wright, ch. 3.3)."),
)

OPTIMIZERS = {opt.name: opt for opt in _LIST}


def optimizer_by_name(name):
    """The Optimizer called ``name``, or InputError listing the names."""
    try:
        return OPTIMIZERS[name]
    except (KeyError, TypeError):
        raise InputError(f"unknown optimizer {name!r}: choose one of "
                         f"{', '.join(OPTIMIZERS)}") from None


@dataclass(frozen=True)
class Schedule:
    name: str
    label: str
    parameters: tuple = ()
    rate: str = "lr0"  # ε for the step after s steps (s = t - 1), with T = max_steps

    def check(self, parameters=None):
        return check_values(f"the {self.label} schedule", self.parameters, parameters)


_GAMMA = Hyperparameter("gamma", 0.5, 0.0, 1.0, "the factor the rate is multiplied by")

SCHEDULES = {s.name: s for s in (
    Schedule("constant", "constant"),
    Schedule("step", "step decay",
             (_GAMMA, Hyperparameter("every", 100, 1, 1e9, "steps between two decays",
                                     low_open=False, integer=True)),
             "lr0 * gamma ** ((t - 1) // every)"),
    Schedule("exponential", "exponential decay",
             (Hyperparameter("gamma", 0.999, 0.0, 1.0, "the factor per step"),),
             "lr0 * gamma ** (t - 1)"),
    Schedule("inverse_time", "inverse-time decay",
             (Hyperparameter("k", 0.01, 0.0, 1e6, "how fast the rate falls: ε / (1 + k·s)",
                             low_open=False),),
             "lr0 / (1 + k * (t - 1))"),
    Schedule("cosine", "cosine decay",
             (), "lr0 * 0.5 * (1 + cos(3.141592653589793 * (t - 1) / T))"),
)}


def schedule_by_name(schedule):
    """(Schedule, checked parameters) from a name, a (name, dict) pair or None."""
    if schedule is None:
        schedule = "constant"
    params = {}
    if isinstance(schedule, (tuple, list)):
        if len(schedule) != 2 or not isinstance(schedule[1], dict):
            raise InputError("a schedule is a name or a (name, parameters) pair")
        schedule, params = schedule
    if schedule not in SCHEDULES:
        raise InputError(f"unknown schedule {schedule!r}: choose one of {', '.join(SCHEDULES)}")
    spec = SCHEDULES[schedule]
    return spec, spec.check(params)
