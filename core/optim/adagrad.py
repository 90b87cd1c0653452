r"""torch.optim.Adagrad written out: L2-style weight_decay and lr_decay.

Algorithm box (torch.optim.Adagrad docs):

    input: lr γ, params θ_0, weight decay λ, lr decay η, initial accumulator τ, eps ε
    state_sum_0 = τ
    for t = 1, 2, ...:
        g_t = -∇f(θ_{t-1}) if maximize else ∇f(θ_{t-1})
        γ̃ = γ / (1 + (t-1) η)
        if λ ≠ 0:  g_t = g_t + λ θ_{t-1}          # decay joins the gradient
        state_sum_t = state_sum_{t-1} + g_t²
        θ_t = θ_{t-1} - γ̃ g_t / (sqrt(state_sum_t) + ε)
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from core.optim.base import Update, check_hyperparameters, has_decay
from core.optim.first_step import Explanation, eps_latex, gradient_lines, num

EPS = 1e-10  # torch's default eps


def step(
    param: Tensor,
    grad: Tensor | None,
    state: dict,
    *,
    lr: float,
    weight_decay: float = 0.0,
    lr_decay: float = 0.0,
    initial_accumulator_value: float = 0.0,
    eps: float = EPS,
    maximize: bool = False,
    checked: bool = False,
    out: Tensor | None = None,
    owned: bool = False,  # noqa: ARG001  a new state each step, handed over or not (adam.step's in-place is Adam's)
) -> Update:
    check_hyperparameters(lr, weight_decay, eps, checked=checked)
    if not lr_decay >= 0.0:
        raise ValueError(f"Invalid lr_decay value: {lr_decay}")
    if not initial_accumulator_value >= 0.0:
        raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
    if grad is None:  # torch skips a parameter without .grad entirely: no decay either
        return Update(param, state, param * 0)

    t = state.get("step", 0) + 1
    g = -grad if maximize else grad
    clr = lr / (1 + (t - 1) * lr_decay)
    decay = weight_decay * param
    if has_decay(weight_decay, checked):
        g = g + decay
    previous = state["sum"] if "sum" in state else torch.full_like(param, initial_accumulator_value)
    state_sum = previous + g * g
    std = state_sum.sqrt() + eps
    return Update(torch.sub(param, clr * g / std, out=out), {"step": t, "sum": state_sum}, decay)


def explain_first_step(w: float, g: float, *, lr: float, weight_decay: float, initial_accumulator_value: float = 0.0,
                       maximize: bool = False, eps: float = EPS, **_) -> Explanation:
    """W_1 for one cell on a fresh state: s = s_0 + g'², and lr_decay has not acted yet."""
    lines, gp = gradient_lines(w, g, weight_decay, maximize)
    acc = float(initial_accumulator_value) + gp * gp
    w1 = w - lr * gp / (math.sqrt(acc) + eps)
    lines.append(rf"s = s_0 + g'^2 = {num(acc)}")
    lines.append(rf"w_1 = w - \gamma \frac{{g'}}{{\sqrt{{s}} + \epsilon}} = {num(w)} - {num(lr)} \cdot "
                 rf"\frac{{{num(gp)}}}{{{num(math.sqrt(acc))} + {eps_latex(eps)}}} = {num(w1)}")
    return Explanation(tuple(lines), w1)
