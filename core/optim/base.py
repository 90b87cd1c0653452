"""Shared types of the written-out update rules, kept apart so each rule module stays tiny."""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor


class Update(NamedTuple):
    """One functional step: the new parameter, the new optimizer state, and the decay term.

    decay_term is weight decay as torch applies it in this step: added to the gradient
    (wd * p, in gradient units) for L2-style rules, or subtracted from the parameter
    (lr * wd * p) for SGD and AdamW. The page shows it, so each rule reports its own. A checked
    caller (the batched trainer, which does not show it) may get None instead.
    """

    param: Tensor
    state: dict
    decay_term: Tensor | None


def add_scaled(a: Tensor, scale, b: Tensor, sign: int = 1, out: Tensor | None = None) -> Tensor:
    """a + sign * scale * b as torch.optim computes it (a.add(b, alpha=scale), one rounding per
    element); a per-run tensor scale goes through addcmul, which rounds the same way. Into `out` if given."""
    if isinstance(scale, (int, float)):
        return torch.add(a, b, alpha=sign * scale, out=out)
    return torch.addcmul(a, scale, b, value=sign, out=out)


def add_quotient(a: Tensor, scale, b: Tensor, c: Tensor, out: Tensor | None = None) -> Tensor:
    """a - scale * b / c as torch.optim.Adam computes it (a.addcdiv(b, c, value=-scale)); a per-run
    tensor scale multiplies b first, which rounds the same way. Into `out` if given."""
    if isinstance(scale, (int, float)):
        return torch.addcdiv(a, b, c, value=-scale, out=out)
    return torch.addcdiv(a, b * -scale, c, out=out)


def _smallest(value) -> float:
    """lr and weight_decay may be floats or per-run tensors (batched runs): check them all."""
    return float(value) if isinstance(value, (int, float)) else float(torch.as_tensor(value).min())


def has_decay(weight_decay, checked: bool = False) -> bool:
    """torch skips the decay line when weight_decay == 0; with per-run tensors, when all are 0.
    A checked caller (the batched trainer) passes a tensor only when some run decays, so the
    answer needs no look at the values (on a GPU, no wait for them)."""
    if isinstance(weight_decay, (int, float)):
        return weight_decay != 0
    return checked or bool(torch.as_tensor(weight_decay).ne(0).any())


def check_hyperparameters(lr, weight_decay, eps: float = 0.0, checked: bool = False) -> None:
    """Reject what torch.optim rejects, naming the argument, before any math runs. A caller that
    checked its per-run values once before its loop (checked=True) skips the per-step look."""
    if checked:
        return
    if not _smallest(lr) >= 0.0:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not _smallest(weight_decay) >= 0.0:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")
    if not eps >= 0.0:
        raise ValueError(f"Invalid epsilon value: {eps}")


def check_betas(beta1: float, beta2: float) -> None:
    for name, beta in (("beta1", beta1), ("beta2", beta2)):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid {name} parameter: {beta}")
