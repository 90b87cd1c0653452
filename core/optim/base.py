"""Shared types of the written-out update rules, kept apart so each rule module stays tiny."""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor


class Update(NamedTuple):
    """One functional step: the new parameter, the new optimizer state, and the decay term.

    decay_term is weight decay as torch applies it in this step: added to the gradient
    (wd * p, in gradient units) for L2-style rules, or subtracted from the parameter
    (lr * wd * p) for SGD and AdamW. The page shows it, so each rule reports its own.
    """

    param: Tensor
    state: dict
    decay_term: Tensor


def _smallest(value) -> float:
    """lr and weight_decay may be floats or per-run tensors (batched runs): check them all."""
    return float(value) if isinstance(value, (int, float)) else float(torch.as_tensor(value).min())


def has_decay(weight_decay) -> bool:
    """torch skips the decay line when weight_decay == 0; with per-run tensors, when all are 0."""
    if isinstance(weight_decay, (int, float)):
        return weight_decay != 0
    return bool(torch.as_tensor(weight_decay).ne(0).any())


def check_hyperparameters(lr, weight_decay, eps: float = 0.0) -> None:
    """Reject what torch.optim rejects, naming the argument, before any math runs."""
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
