"""The step of the batched trainer: each configuration's written-out rule on its own runs.

Every parameter of every run lives in one (G, P) block (core.train.layout). Configurations
trained together (say SGD, Adam and AdamW, each with four weight decays) own consecutive
rows of it; lr is a (G, 1) column and weight_decay a (G, P) block that is zero in the
columns of undecayed parameters, so one call of the rule in core.optim (the same rules that
are tested against torch.optim, all elementwise) updates every parameter of a configuration's
runs at once. Hyperparameters are checked once, before the loop, so a step never waits on
the values of a tensor.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from core import optim
from core.optim.base import check_hyperparameters


def per_run(values, like: Tensor) -> Tensor:
    """(G,) values shaped (G, 1, ..., 1) to broadcast over a (G, ...) parameter."""
    return torch.as_tensor(values, dtype=like.dtype, device=like.device).reshape(-1, *([1] * (like.dim() - 1)))


@dataclass
class Member:
    """One configuration's rows of the block, its rule and its hyperparameters."""

    runs: slice
    step: Callable
    options: dict
    lr: Tensor  # (runs, 1)
    weight_decay: Tensor | float  # (runs, P), zero in undecayed columns; 0.0 when no run decays
    state: dict


def members(configs: Sequence, flat: Tensor, decay_mask: Tensor) -> list[Member]:
    """One Member per configuration (anything with optimizer, options, runs, per_run_lrs() and
    weight_decays), in order; `decay_mask` (1, P) is 1 in the columns that get weight decay."""
    out, start = [], 0
    for c in configs:
        spec, runs = optim.get(c.optimizer), slice(start, start + c.runs)
        start += c.runs
        lrs, wds = list(c.per_run_lrs()), list(c.weight_decays)
        check_hyperparameters(torch.tensor(lrs, dtype=torch.float64), torch.tensor(wds, dtype=torch.float64))  # once
        decays = any(wd != 0 for wd in wds) and bool(decay_mask.any())
        out.append(Member(
            runs, spec.step, spec.resolve(dict(c.options)), lr=per_run(lrs, flat),
            weight_decay=per_run(wds, flat) * decay_mask if decays else 0.0, state={},
        ))
    return out


def step(group: list[Member], flat: Tensor, grad: Tensor, factor: float, out: Tensor | None = None) -> Tensor:
    """Each configuration's rule on its own rows of the (G, P) block, each writing its rows of a new block
    (`out` if given: a replayed window's slot); `factor` is the schedule's multiplier of every lr at this step.
    Written in place, not joined afterwards: joining the default sweep's three optimizers was a copy of
    its whole 0.7 MB block every step."""
    new = torch.empty_like(flat) if out is None else out
    for m in group:
        lr = m.lr if factor == 1.0 else m.lr * factor  # x * 1.0 is x: the constant schedule skips the product
        rows = new[m.runs]
        update = m.step(flat[m.runs], grad[m.runs], m.state, lr=lr, weight_decay=m.weight_decay, checked=True,
                        out=rows, **m.options)
        m.state = update.state
        if update.param is not rows:  # a rule that could not write there
            rows.copy_(update.param)
    return new
