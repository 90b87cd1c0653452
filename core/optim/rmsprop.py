r"""torch.optim.RMSprop written out: L2-style weight_decay, momentum, centered.

Algorithm box (torch.optim.RMSprop docs):

    input: lr γ, alpha α, eps ε, weight decay λ, momentum μ, centered, maximize
    v_0 = 0, b_0 = 0, g^ave_0 = 0
    for t = 1, 2, ...:
        g_t = -∇f(θ_{t-1}) if maximize else ∇f(θ_{t-1})
        if λ ≠ 0:  g_t = g_t + λ θ_{t-1}          # decay joins the gradient
        v_t = α v_{t-1} + (1-α) g_t²
        ṽ_t = v_t
        if centered: g^ave_t = α g^ave_{t-1} + (1-α) g_t;  ṽ_t = v_t - (g^ave_t)²
        if μ > 0: b_t = μ b_{t-1} + g_t / (sqrt(ṽ_t) + ε);  θ_t = θ_{t-1} - γ b_t
        else:     θ_t = θ_{t-1} - γ g_t / (sqrt(ṽ_t) + ε)
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from core.optim.base import Update, check_hyperparameters, has_decay
from core.optim.first_step import Explanation, eps_latex, gradient_lines, num

EPS = 1e-8  # torch's default eps


def step(
    param: Tensor,
    grad: Tensor | None,
    state: dict,
    *,
    lr: float,
    weight_decay: float = 0.0,
    alpha: float = 0.99,
    eps: float = EPS,
    momentum: float = 0.0,
    centered: bool = False,
    maximize: bool = False,
    checked: bool = False,
    out: Tensor | None = None,
    owned: bool = False,  # noqa: ARG001  a new state each step, handed over or not (adam.step's in-place is Adam's)
) -> Update:
    check_hyperparameters(lr, weight_decay, eps, checked=checked)
    if not 0.0 <= alpha:
        raise ValueError(f"Invalid alpha value: {alpha}")
    if not momentum >= 0.0:
        raise ValueError(f"Invalid momentum value: {momentum}")
    if grad is None:  # torch skips a parameter without .grad entirely: no decay either
        return Update(param, state, param * 0)

    if not state:  # v_0 = b_0 = g^ave_0 = 0
        state = {"step": 0, **{key: torch.zeros_like(param) for key in ("square_avg", "grad_avg", "momentum_buffer")}}
    g = -grad if maximize else grad
    decay = weight_decay * param
    if has_decay(weight_decay, checked):
        g = g + decay
    v = alpha * state["square_avg"] + (1 - alpha) * g * g
    new_state = {"step": state["step"] + 1, "square_avg": v}
    if centered:
        g_ave = alpha * state["grad_avg"] + (1 - alpha) * g
        new_state["grad_avg"] = g_ave
        v = v - g_ave * g_ave
    avg = v.sqrt() + eps
    if momentum > 0:
        buf = momentum * state["momentum_buffer"] + g / avg
        new_state["momentum_buffer"] = buf
        return Update(torch.sub(param, lr * buf, out=out), new_state, decay)
    return Update(torch.sub(param, lr * g / avg, out=out), new_state, decay)


def explain_first_step(w: float, g: float, *, lr: float, weight_decay: float, alpha: float = 0.99,
                       centered: bool = False, maximize: bool = False, eps: float = EPS, **_) -> Explanation:
    """W_1 for one cell on a fresh state: v = (1-α) g'² (minus the squared mean when centered)."""
    lines, gp = gradient_lines(w, g, weight_decay, maximize)
    alpha = float(alpha)
    v = (1 - alpha) * gp * gp
    if centered:
        v -= ((1 - alpha) * gp) ** 2
    root = math.sqrt(max(v, 0.0))
    w1 = w - lr * gp / (root + eps)
    note = r",\ \text{centered}" if centered else ""
    lines.append(rf"\sqrt{{\tilde v}} = {num(root)} \quad (v = (1-\alpha) g'^2{note})")
    lines.append(rf"w_1 = w - \gamma \frac{{g'}}{{\sqrt{{\tilde v}} + \epsilon}} = {num(w)} - {num(lr)} \cdot "
                 rf"\frac{{{num(gp)}}}{{{num(root)} + {eps_latex(eps)}}} = {num(w1)}")
    return Explanation(tuple(lines), w1)
