"""The one loop that runs a real torch.optim optimizer for k steps, the way a user writes it.

Everything in the app that takes torch.optim as the oracle (the rollout the single step
checks against, the theory page's derivations, the question cards, the reference loop the
trainer is checked against) runs its steps here, so "k ordinary steps" means one thing:

    for t in range(k):
        opt.zero_grad()      # or, instead of these two lines, set_grads(t) writes every
        loss(t).backward()   # .grad itself (a zero gradient, a gradient function's value)
        opt.step()
        scheduler.step()     # only with lr factors: LambdaLR, as a user's schedule would
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor


def run_steps(opt: torch.optim.Optimizer, steps: int, *, loss: Callable[[int], Tensor] | None = None,
              set_grads: Callable[[int], None] | None = None, lr_factors: Sequence[float] | None = None,
              after_step: Callable[[int], bool | None] | None = None) -> int:
    """`steps` steps of `opt`; returns how many ran. Gradients come from loss(t).backward() after
    zero_grad, or set_grads(t) writes them itself (exactly one of the two; torch skips a
    parameter whose .grad is None); lr_factors[t] multiplies every group's lr at
    step t; after_step(t) runs after each step and stops the loop by returning True."""
    if (loss is None) == (set_grads is None):
        raise ValueError("Give run_steps either loss or set_grads, not both or neither")
    scheduler = None
    if lr_factors is not None:
        last = len(lr_factors) - 1
        scheduler = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: lr_factors[min(t, last)])
    for t in range(steps):
        if loss is not None:
            opt.zero_grad()
            loss(t).backward()
        else:
            set_grads(t)
        opt.step()
        if scheduler is not None:
            scheduler.step()
        if after_step is not None and after_step(t):
            return t + 1
    return steps


def final_weights(opt_class, w0: Tensor, loss_fn: Callable[[Tensor], Tensor], steps: int, **kwargs) -> Tensor:
    """W after `steps` ordinary steps of a torch.optim class on loss_fn, from a copy of W_0."""
    w = w0.clone().requires_grad_(True)
    run_steps(opt_class([w], **kwargs), steps, loss=lambda _: loss_fn(w))
    return w.detach()


def pure_decay_run(opt_class, w0: Tensor, steps: int, lr_factors: Sequence[float] | None = None,
                   **kwargs) -> list[Tensor]:
    """W_0..W_steps under a torch.optim class with zero gradients: decay alone acts."""
    w = w0.clone().requires_grad_(True)
    out = [w.detach().clone()]

    def zero_grad(_: int) -> None:
        w.grad = torch.zeros_like(w)

    run_steps(opt_class([w], **kwargs), steps, set_grads=zero_grad, lr_factors=lr_factors,
              after_step=lambda _: out.append(w.detach().clone()))
    return out
