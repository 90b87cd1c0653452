"""The step of the batched trainer: each configuration's written-out rule on its own runs.

Every parameter carries a leading run dimension G. Configurations trained together (say SGD,
Adam and AdamW, each with four weight decays) own consecutive slices of it; lr and
weight_decay become (G, 1, ...) tensors that broadcast into the rules of core.optim, the
same rules that are tested against torch.optim.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from core import optim


def per_run(values, like: Tensor) -> Tensor:
    """(G,) values shaped (G, 1, ..., 1) to broadcast over a (G, ...) parameter."""
    return torch.as_tensor(values, dtype=like.dtype, device=like.device).reshape(-1, *([1] * (like.dim() - 1)))


@dataclass
class Member:
    """One configuration's slice of the runs, its rule and its per-parameter hyperparameters."""

    runs: slice
    step: Callable
    options: dict
    lr: dict[str, Tensor]
    weight_decay: dict[str, Tensor | float]
    state: dict[str, dict]


def members(configs: Sequence, params: dict[str, Tensor], decayed: frozenset[str]) -> list[Member]:
    """One Member per configuration (anything with optimizer, options, runs, per_run_lrs() and
    weight_decays), in order; the parameters not in `decayed` get weight_decay 0."""
    out, start = [], 0
    for c in configs:
        spec, runs = optim.get(c.optimizer), slice(start, start + c.runs)
        start += c.runs
        out.append(Member(
            runs, spec.step, spec.resolve(dict(c.options)),
            lr={name: per_run(c.per_run_lrs(), p) for name, p in params.items()},
            weight_decay={name: per_run(c.weight_decays, p) if name in decayed else 0.0
                          for name, p in params.items()},
            state={name: {} for name in params},
        ))
    return out


def step(group: list[Member], params: dict[str, Tensor], grads: Sequence[Tensor], factor: float) -> dict[str, Tensor]:
    """Each configuration's rule on its own slice of every parameter, joined back together;
    `factor` is the schedule's multiplier of every lr at this step."""
    new = {}
    for (name, p), g in zip(params.items(), grads, strict=True):
        pieces = []
        for m in group:
            update = m.step(p[m.runs], g[m.runs], m.state[name], lr=m.lr[name] * factor,
                            weight_decay=m.weight_decay[name], **m.options)
            m.state[name] = update.state
            pieces.append(update.param)
        new[name] = pieces[0] if len(pieces) == 1 else torch.cat(pieces)
    return new
