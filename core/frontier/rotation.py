"""Normalized layers: weight decay sets the effective learning rate (rotational equilibrium).

A weight vector followed by a normalization layer is scale-invariant: L(c*w) = L(w) for c > 0, so its
gradient is orthogonal to w and shrinks as 1/||w||. L2 then does not regularize the function: it only
sets ||w||, and with it the effective step, lr/||w||^2 for SGD (van Laarhoven, "L2 Regularization versus
Batch and Weight Normalization", 2017; Zhang, Wang, Xu & Grosse, "Three Mechanisms of Weight Decay
Regularization", ICLR 2019). Gradient noise inflates ||w|| (each orthogonal step adds to it), decay
shrinks it; where they balance, ||w|| and the angle w turns per step settle: rotational equilibrium
(Kosson, Messmer & Jaggi, "Rotational Equilibrium: How Weight Decay Balances Learning Across Neural
Networks", ICML 2024). The toy and its runs are core/frontier/rotation_sim.py; eta = lr, lambda = wd.

The forms used, for a pure-noise gradient (the random-walk regime the paper analyses), C = len(w):
- SGD, momentum beta (torch SGD with weight_decay): angle sqrt(2 eta lambda / (1 + beta)); the same form
  as the authors' code (github.com/epfml/REQ, shared/optimizers/rotational_wrapper.py, sgdm_etar_func).
  The paper's own table of equilibria could not be read from here: the angular forms are checked
  against that code, the norms and everything for Adam + L2 are derived here (below).
  Derivation for beta = 0, from the update rule alone: w' = (1 - eta lambda) w - eta g with g . w = 0, so
  w' . w = (1 - eta lambda)||w||^2 and cos(angle) = (1 - eta lambda)||w|| / ||w'|| exactly; where ||w|| has
  settled, cos(angle) = 1 - eta lambda and the angle is arccos(1 - eta lambda) ~ sqrt(2 eta lambda).
  Norm: ||w||^4 = eta E[||g||^2 ||w||^2] / (2 lambda (1 - beta)), E[...] = s^2 (C - 1) here (derived here by
  the same balance: the decay takes 2 eta lambda/(1 - beta) of ||w||^2 a step, momentum turns each
  gradient's eta g into eta g/(1 - beta) of displacement).
- AdamW, betas (beta1, beta2): angle sqrt(2 eta lambda (1 - beta1) / (1 + beta1)), as adamw_etar_func in
  the same file; norm sqrt(eta C / (2 lambda)) (each step adds about eta^2 C to ||w||^2: Adam divides every
  coordinate by its RMS). Neither depends on the gradient's scale: AdamW balances layers.
- Adam + L2 (torch Adam with weight_decay), derived here, not checked against the paper: the L2 term
  wd*w is divided by sqrt(v) ~ s/||w|| per coordinate too, so the decay takes 2 eta lambda ||w|| / s of
  ||w||^2 a step: ||w||^3 = eta C s / (2 lambda), angle eta sqrt(C (1 - beta1)/(1 + beta1)) / ||w||. Two
  layers whose gradient scales differ s2/s1 turn at rates (s2/s1)^(1/3) apart: unbalanced.
These are leading-order forms: corrections are of order eta lambda / (1 - beta) (the decay acting while
momentum still spreads a gradient), and AdamW's norm sits low while v remembers larger early gradients
(beta2 = 0.999 remembers ~1000 steps). Relaxation times (steps, linearized around the equilibrium):
(1 - beta)/(4 eta lambda) for SGD, 1/(2 eta lambda) for AdamW, s/(3 eta lambda ||w||) for Adam + L2;
they hold while eta lambda is small against (1 - beta)^2 (SGD at eta lambda = 0.01, beta = 0.9 takes
~3x longer, momentum's own memory being ~1/(1 - beta) steps). tests/test_rotation.py holds the measured
means over each run's second half to these forms within 3%, the relaxation times to the measured
e-folding within 2x, and the rules to torch.optim.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core import numbers
from core.frontier.rotation_sim import DIM, MAX_STEPS, RULES, Run, Trace, simulate
from core.frontier.timescale import RECIPES
from core.problem import SEED

SMOOTH = 20  # the angle chart's trailing mean, in steps: one step's angle is noisy (~1/sqrt(2C))
BALANCED = 1.1  # two layers whose mean angles differ by less than this factor turn at a balanced rate
SETTLED = 3.0  # a window starting fewer relaxation times in is too soon to read a gap as the forms' error
SGD, ADAMW, ADAMW_SCALED, L2, L2_SCALED = range(5)  # the experiment's runs, in this order
FORMULA = {"sgd": "√(2ηλ/(1+β))", "adamw": "√(2ηλ(1−β)/(1+β))"}
RELAXATION = {"sgd": "(1−β)/(4ηλ)", "adamw": "1/(2ηλ)"}


def predicted_norm(run: Run, dim: int = DIM) -> float:
    """The equilibrium ||w|| of the module docstring's forms."""
    eta, lam, beta, s = run.lr, run.wd, run.beta, run.scale
    if run.rule == "sgd":
        return (eta * s * s * (dim - 1) / (2 * lam * (1 - beta))) ** 0.25
    if run.rule == "adamw":
        return math.sqrt(eta * dim / (2 * lam))
    return (eta * dim * s / (2 * lam)) ** (1 / 3)


def predicted_angle(run: Run, dim: int = DIM) -> float:
    """The equilibrium angle per step (radians) of the module docstring's forms."""
    eta, lam, beta = run.lr, run.wd, run.beta
    if run.rule == "sgd":
        return math.sqrt(2 * eta * lam / (1 + beta))
    if run.rule == "adamw":
        return math.sqrt(2 * eta * lam * (1 - beta) / (1 + beta))
    return eta * math.sqrt(dim * (1 - beta) / (1 + beta)) / predicted_norm(run, dim)


def relaxation(run: Run, dim: int = DIM) -> float:
    """Steps for a small offset of ||w|| from equilibrium to shrink by e (linearized)."""
    eta_lam = run.lr * run.wd
    if run.rule == "sgd":
        return (1 - run.beta) / (4 * eta_lam)
    if run.rule == "adamw":
        return 1 / (2 * eta_lam)
    return run.scale / (3 * eta_lam * predicted_norm(run, dim))


@dataclass(frozen=True)
class Rotation:
    """The page's five runs on one toy: SGD and AdamW on a layer of gradient scale 1, and two layers
    (scales 1 and scale) under AdamW and under Adam + L2 (indices SGD, ADAMW, ...)."""

    trace: Trace
    scale: float

    def run(self, i: int) -> Run:
        return self.trace.runs[i]

    def label(self, i: int) -> str:
        run = self.run(i)
        return RULES[run.rule] if i == SGD else f"{RULES[run.rule]}, s = {numbers.fmt(run.scale)}"


def runs(lr: float, wd: float, beta: float, scale: float) -> tuple[Run, ...]:
    return (Run("sgd", lr, wd, beta), Run("adamw", lr, wd, beta), Run("adamw", lr, wd, beta, scale),
            Run("adam_l2", lr, wd, beta), Run("adam_l2", lr, wd, beta, scale))


def experiment(lr: float = 0.01, wd: float = 1.0, beta: float = 0.9, scale: float = 100.0, steps: int = 2000,
               seed: int = SEED) -> Rotation:
    """All five runs from unit-norm w_0, in one simulate call."""
    return Rotation(simulate(runs(lr, wd, beta, scale), steps, seed=seed), scale)


def smoothed(values: np.ndarray, window: int = SMOOTH) -> tuple[np.ndarray, np.ndarray]:
    """Trailing means over window steps: (last step of each window, mean)."""
    window = max(1, min(window, len(values)))
    sums = np.cumsum(np.concatenate([[0.0], values]))
    return np.arange(window - 1, len(values)), (sums[window:] - sums[:-window]) / window


def _gap(measured: float, predicted: float) -> str:
    """How far measured is from predicted, as a share of predicted: "2.5% above", "equal to"."""
    gap = measured / predicted - 1
    if gap == 0:
        return "equal to"
    return f"{numbers.percent(abs(gap))} {'above' if gap > 0 else 'below'}"


def _window(trace: Trace) -> str:
    return f"steps {numbers.count(trace.window)}–{numbers.count(trace.steps)}"


def equilibrium_sentence(result: Rotation, i: int) -> str:
    """Run i's measured angle and norm against its predicted equilibrium, and how many relaxation times
    in its averaging window starts."""
    trace, run = result.trace, result.run(i)
    angle, norm = trace.mean_angle(i), trace.mean_norm(i)
    angle_0, norm_0, tau = predicted_angle(run), predicted_norm(run), relaxation(run)
    name = f"SGD (momentum {numbers.fmt(run.beta)})" if run.rule == "sgd" else f"AdamW (β₁ = {numbers.fmt(run.beta)})"
    taus = trace.window / tau
    soon = "" if taus >= SETTLED else ": too soon to read the gap as the forms' error"
    return (f"{name} turned w by {numbers.fmt(angle)} rad per step over {_window(trace)}, "
            f"{_gap(angle, angle_0)} {FORMULA[run.rule]} = {numbers.fmt(angle_0)}; ‖w‖ averaged "
            f"{numbers.fmt(norm)}, {_gap(norm, norm_0)} the predicted {numbers.fmt(norm_0)}. "
            f"Its linearized relaxation time {RELAXATION[run.rule]} is {numbers.fmt(tau)} steps and the window starts "
            f"{numbers.fmt(taus)} of them in{soon}.")


def balance(result: Rotation, first: int) -> tuple[float, float, float]:
    """The mean angles of the layer of scale 1 (run first) and of scale s (run first + 1), and their ratio
    (larger over smaller)."""
    a, b = result.trace.mean_angle(first), result.trace.mean_angle(first + 1)
    return a, b, max(a, b) / min(a, b)


def balance_sentence(result: Rotation, first: int) -> str:
    """Whether the two layers under one rule (runs first, first + 1) turn at a balanced rate."""
    a, b, ratio = balance(result, first)
    name, s = RULES[result.run(first).rule], result.scale
    text = (f"{name}: the layers of gradient scale 1 and {numbers.fmt(s)} turned {numbers.fmt(a, unlike=b)} and "
            f"{numbers.fmt(b, unlike=a)} rad per step over {_window(result.trace)}: ")
    if ratio < BALANCED:
        text += f"ratio {numbers.fmt(ratio, unlike=1.0)}, balanced."
    else:
        faster = "smaller" if a > b else "larger"
        factor = numbers.fmt(s) if s >= 1 else numbers.fmt(1 / s)
        text += f"the layer with {factor}× {faster} gradients turned {numbers.fmt(ratio)}× faster, unbalanced."
    if result.run(first).rule == "adamw":
        return text + f" AdamW's equilibrium angle {FORMULA['adamw']} has no gradient scale in it."
    if s != 1:
        spread = max(s, 1 / s)
        text += (f" At equilibrium the balance of decay and noise (derived in core) has the layer with smaller "
                 f"gradients turn {numbers.fmt(spread)}^(1/3) = {numbers.fmt(spread ** (1 / 3))}× faster.")
    return text


def sentences(result: Rotation) -> list[str]:
    return [equilibrium_sentence(result, SGD), equilibrium_sentence(result, ADAMW),
            balance_sentence(result, ADAMW), balance_sentence(result, L2)]


def recipe_sentence(name: str = "LLaMA 7B") -> str:
    """Why the toy's lr*wd is large: a real recipe's AdamW relaxation time (core/frontier/timescale.py's RECIPES)."""
    recipe = next(r for r in RECIPES if r.name == name)
    tau = relaxation(Run("adamw", recipe.lr, recipe.wd, 0.9))
    return (f"{recipe.name} trained with lr·wd = {numbers.fmt(recipe.lr * recipe.wd)} ({recipe.source}): AdamW's "
            f"relaxation time 1/(2ηλ) is then {numbers.count(round(tau))} steps, so a run of at most "
            f"{numbers.count(MAX_STEPS)} steps needs a larger lr·wd to reach the equilibrium.")
