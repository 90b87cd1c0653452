r"""torch.optim.SGD written out: momentum, dampening, Nesterov, maximize, weight decay.

Algorithm box (torch.optim.SGD docs):

    input: lr γ, params θ_0, weight decay λ, momentum μ, dampening τ, nesterov, maximize
    for t = 1, 2, ...:
        g_t = -∇f(θ_{t-1}) if maximize else ∇f(θ_{t-1})
        if λ ≠ 0:  g_t = g_t + λ θ_{t-1}              # decay enters the gradient ...
        if μ ≠ 0:
            b_t = g_t                    if t = 1     # ... and so the momentum buffer
            b_t = μ b_{t-1} + (1-τ) g_t  if t > 1
            g_t = g_t + μ b_t if nesterov else b_t
        θ_t = θ_{t-1} - γ g_t

So one plain SGD step is θ - γ(∇f + λθ): the often-quoted θ - γ∇f - λθ forgets the γ.
Each line is computed with the tensor operations torch.optim.SGD uses (a + c*b in one rounding,
core.optim.base.add_scaled), so the results agree with it to the last bit.
"""

from __future__ import annotations

from torch import Tensor

from core.optim.base import Update, add_scaled, check_hyperparameters, has_decay
from core.optim.first_step import Explanation, gradient_lines, num


def nesterov_allowed(momentum: float, dampening: float) -> bool:
    """torch.optim.SGD's own condition: Nesterov needs a momentum and no dampening."""
    return momentum > 0 and dampening == 0


def step(
    param: Tensor,
    grad: Tensor | None,
    state: dict,
    *,
    lr: float,
    weight_decay: float = 0.0,
    momentum: float = 0.0,
    dampening: float = 0.0,
    nesterov: bool = False,
    maximize: bool = False,
    checked: bool = False,
    out: Tensor | None = None,
    owned: bool = False,
) -> Update:
    check_hyperparameters(lr, weight_decay, checked=checked)
    if not momentum >= 0.0:
        raise ValueError(f"Invalid momentum value: {momentum}")
    if nesterov and not nesterov_allowed(momentum, dampening):
        raise ValueError("Nesterov momentum requires a momentum and zero dampening")
    if grad is None:  # torch skips a parameter without .grad entirely: no decay either
        return Update(param, state, param * 0)

    g = -grad if maximize else grad
    if has_decay(weight_decay, checked):
        g = add_scaled(g, weight_decay, param)
    new_state = dict(state)
    if momentum != 0:
        buf = state.get("momentum_buffer")
        if buf is None:
            buf = g.clone()
        elif owned:  # the caller's state, handed over (adam.step says why): the same operations in place
            buf = buf.mul_(momentum).add_(g, alpha=1 - dampening)
        else:
            buf = (buf * momentum).add(g, alpha=1 - dampening)
        new_state["momentum_buffer"] = buf
        g = g.add(buf, alpha=momentum) if nesterov else buf
    decay_term = None if checked else lr * (weight_decay * param)
    return Update(add_scaled(param, lr, g, sign=-1, out=out), new_state, decay_term)


def explain_first_step(w: float, g: float, *, lr: float, weight_decay: float, momentum: float = 0.0,
                       nesterov: bool = False, maximize: bool = False, **_) -> Explanation:
    """W_1 for one cell on a fresh state: with momentum, b_1 = g' (no dampening on step 1)."""
    lines, gp = gradient_lines(w, g, weight_decay, maximize)
    mu = float(momentum)
    if mu and nesterov:  # b_1 = g', then g' + μ b_1
        w1 = w - lr * (1 + mu) * gp
        lines.append(rf"w_1 = w - \gamma (1 + \mu) g' = {num(w)} - {num(lr)} \cdot {num(1 + mu)} \cdot {num(gp)}"
                     rf" = {num(w1)}")
    else:
        w1 = w - lr * gp
        lines.append(rf"w_1 = w - \gamma g' = {num(w)} - {num(lr)} \cdot {num(gp)} = {num(w1)}")
    return Explanation(tuple(lines), w1)
