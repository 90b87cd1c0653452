r"""torch.optim.AdamW written out: decay decoupled from the adaptive step.

Algorithm box (torch.optim.AdamW docs):

    for t = 1, 2, ...:
        g_t = -∇f(θ_{t-1}) if maximize else ∇f(θ_{t-1})
        θ_t = θ_{t-1} - γ λ θ_{t-1}                  # stepweight decay, outside Adam
        m_t, v_t, m̂_t, v̂_t as in Adam, from the raw g_t
        θ_t = θ_t - γ m̂_t / (sqrt(v̂_t) + ε)

"Decoupled" means decoupled from sqrt(v̂), not from γ: the shrink per step is γλ, so a
learning-rate schedule schedules the decay too. With λ = 0 this is Adam exactly.
"""

from __future__ import annotations

import torch
from torch import Tensor

from core.optim import adam
from core.optim.base import Update, check_betas, check_hyperparameters, has_decay
from core.optim.first_step import Explanation, eps_latex, num

EPS = adam.EPS  # torch's default eps


def step(
    param: Tensor,
    grad: Tensor | None,
    state: dict,
    *,
    lr: float,
    weight_decay: float = 1e-2,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = EPS,
    amsgrad: bool = False,
    maximize: bool = False,
    checked: bool = False,
    out: Tensor | None = None,
    owned: bool = False,
) -> Update:
    check_hyperparameters(lr, weight_decay, eps, checked=checked)
    check_betas(beta1, beta2)
    if grad is None:  # torch skips a parameter without .grad entirely: no decay either
        return Update(param, state, param * 0)

    decay = None if checked else lr * weight_decay * param
    # Perform stepweight decay (torch multiplies by 1 - lr * 0 = 1 too: x * 1 is x, so no decay skips the pass)
    shrunk = shrink(param, lr, weight_decay) if has_decay(weight_decay, checked) else param
    # Then the plain Adam step from the raw gradient (no L2 term)
    update = adam.step(
        shrunk, grad, state, lr=lr, weight_decay=0.0,
        beta1=beta1, beta2=beta2, eps=eps, amsgrad=amsgrad, maximize=maximize, checked=checked, out=out,
        owned=owned,
    )
    return Update(update.param, update.state, decay)


def keep_factor(lr, weight_decay):
    """1 − γλ, the share of θ a step keeps, as torch.optim.AdamW computes it."""
    return 1 - lr * weight_decay


def shrink(param: Tensor, lr, weight_decay, out: Tensor | None = None, keep: Tensor | None = None) -> Tensor:
    """θ·(1 − γλ), as torch.optim.AdamW's param.mul_(1 - lr * weight_decay); into `out` if given; `keep` is
    keep_factor(lr, weight_decay) when the caller has it already (the batched step, for a constant lr)."""
    return torch.mul(param, keep_factor(lr, weight_decay) if keep is None else keep, out=out)


def explain_first_step(w: float, g: float, *, lr: float, weight_decay: float, maximize: bool = False,
                       eps: float = EPS, **_) -> Explanation:
    """W_1 for one cell on a fresh state: the shrink first, then Adam's first step from the raw g."""
    gg = -g if maximize else g
    shrunk = w * (1 - lr * weight_decay)
    w1 = shrunk - lr * gg / (abs(gg) + eps)
    return Explanation((
        rf"w \leftarrow w\,(1 - \gamma\lambda) = {num(w)} \cdot (1 - {num(lr)} \cdot {num(weight_decay)}) = "
        rf"{num(shrunk)}",
        rf"\hat m = g = {num(gg)},\quad \sqrt{{\hat v}} = |g| = {num(abs(gg))}",
        rf"w_1 = w - \gamma \frac{{\hat m}}{{\sqrt{{\hat v}} + \epsilon}} = {num(shrunk)} - {num(lr)}"
        rf" \cdot \frac{{{num(gg)}}}{{{num(abs(gg))} + {eps_latex(eps)}}} = {num(w1)}",
    ), w1)
