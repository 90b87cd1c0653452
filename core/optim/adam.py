r"""torch.optim.Adam written out, with its L2-style weight_decay and amsgrad.

Algorithm box (torch.optim.Adam docs):

    input: lr γ, betas β1 β2, params θ_0, weight decay λ, eps ε, amsgrad, maximize
    m_0 = 0, v_0 = 0, v_0^max = 0
    for t = 1, 2, ...:
        g_t = -∇f(θ_{t-1}) if maximize else ∇f(θ_{t-1})
        if λ ≠ 0:  g_t = g_t + λ θ_{t-1}         # L2: the decay joins the gradient ...
        m_t = β1 m_{t-1} + (1-β1) g_t
        v_t = β2 v_{t-1} + (1-β2) g_t²           # ... and so is divided by sqrt(v̂) below
        m̂_t = m_t / (1-β1^t)
        if amsgrad: v_t^max = max(v_{t-1}^max, v_t);  v̂_t = v_t^max / (1-β2^t)
        else:       v̂_t = v_t / (1-β2^t)
        θ_t = θ_{t-1} - γ m̂_t / (sqrt(v̂_t) + ε)

Each line is computed with torch.optim.Adam's own tensor operations (lerp, addcmul, addcdiv), so
the results agree with it to the last bit here.

Because λθ passes through the adaptive denominator, this is not weight decay in the
AdamW sense: on the first step every weight moves by about γ whatever its size.
"""

from __future__ import annotations

import torch
from torch import Tensor

from core.optim.base import Update, add_quotient, add_scaled, check_betas, check_hyperparameters, has_decay
from core.optim.first_step import Explanation, eps_latex, gradient_lines, num

EPS = 1e-8  # torch's default eps


def step(
    param: Tensor,
    grad: Tensor | None,
    state: dict,
    *,
    lr: float,
    weight_decay: float = 0.0,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = EPS,
    amsgrad: bool = False,
    maximize: bool = False,
    checked: bool = False,
    out: Tensor | None = None,
    owned: bool = False,
) -> Update:
    """One step; `owned`: the caller hands its state over (the batched trainer, which keeps no earlier
    state), so the moments are updated in place: the same operations, so the same numbers, without a new
    tensor each (a fifth of the 12 x 12 sweep's Adam step on the cpu)."""
    check_hyperparameters(lr, weight_decay, eps, checked=checked)
    check_betas(beta1, beta2)
    if grad is None:  # torch skips a parameter without .grad entirely: no decay either
        return Update(param, state, param * 0)

    t = state.get("step", 0) + 1
    g = -grad if maximize else grad
    if has_decay(weight_decay, checked):
        g = add_scaled(g, weight_decay, param)
    if "exp_avg" not in state:  # t == 1: m_0 = v_0 = v_0^max = 0 (asked of the state, not of t, which a
        # replayed program keeps as a tensor on the device: core.train.replay)
        state, owned = {key: torch.zeros_like(param) for key in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq")}, True
    if owned:
        m = state["exp_avg"].lerp_(g, 1 - beta1)
        v = state["exp_avg_sq"].mul_(beta2).addcmul_(g, g, value=1 - beta2)
    else:
        m = state["exp_avg"].lerp(g, 1 - beta1)
        v = (state["exp_avg_sq"] * beta2).addcmul(g, g, value=1 - beta2)
    new_state = {"step": t, "exp_avg": m, "exp_avg_sq": v}
    if amsgrad:
        v = torch.maximum(state["max_exp_avg_sq"], v)
        new_state["max_exp_avg_sq"] = v
    step_size = lr / (1 - beta1**t)  # m̂ = m / (1 - β1^t), folded into the step as torch does
    denom = v.sqrt().div_((1 - beta2**t) ** 0.5).add_(eps)  # its own tensor from the sqrt on
    decay_term = None if checked else weight_decay * param
    return Update(add_quotient(param, step_size, m, denom, out=out), new_state, decay_term)


def explain_first_step(w: float, g: float, *, lr: float, weight_decay: float, maximize: bool = False,
                       eps: float = EPS, **_) -> Explanation:
    """W_1 for one cell on a fresh state: m̂ = g' and √v̂ = |g'| after bias correction."""
    lines, gp = gradient_lines(w, g, weight_decay, maximize)
    w1 = w - lr * gp / (abs(gp) + eps)
    lines.append(rf"\hat m = g' = {num(gp)},\quad \sqrt{{\hat v}} = |g'| = {num(abs(gp))}")
    lines.append(rf"w_1 = w - \gamma \frac{{\hat m}}{{\sqrt{{\hat v}} + \epsilon}} = {num(w)} - {num(lr)} \cdot "
                 rf"\frac{{{num(gp)}}}{{{num(abs(gp))} + {eps_latex(eps)}}} = {num(w1)}")
    return Explanation(tuple(lines), w1)
