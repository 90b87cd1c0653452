"""The step of the batched trainer: each configuration's written-out rule on its own runs.

Every parameter of every run lives in one (G, P) block (core.train.layout). Configurations
trained together (say SGD, Adam and AdamW, each with four weight decays) own consecutive
rows of it; lr is a (G, 1) column and weight_decay a (G, P) block that is zero in the
columns of undecayed parameters, so one call of the rule in core.optim (the same rules that
are tested against torch.optim, all elementwise) updates every parameter of a configuration's
runs at once. Hyperparameters are checked once, before the loop, so a step never waits on
the values of a tensor.

Where a rule declares its first use of the weight decay (OptimizerSpec.decay_first) and the decayed
columns are neighbours, the step makes it itself on those columns alone, with weight_decay as a (G, 1)
column, and calls the rule without decay: the L2 term goes into the step's own gradient in place,
AdamW's shrink into the rows of the new block. Same bits; a (G, P) weight_decay block read and a (G, P)
temporary written fewer each step (one thread, 2026-11-28, alternated with the code before: the
16 x 16 SGD grid of benchmarks/sweep.py 0.198-0.218 -> 0.176-0.185 s, the 24 x 24 Sweep 1.43-1.51 ->
1.35-1.37 s; the 12 x 12 Sweep and the Training page's runs within their noise).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import torch
from torch import Tensor

from core import optim
from core.optim.adamw import keep_factor, shrink
from core.optim.base import add_scaled, check_hyperparameters


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
    weight_decay: Tensor | float  # for the rule: (runs, P), zero in undecayed columns; 0.0 when none or made first
    state: dict
    decay_first: str | None = None  # the rule's first use of the decay, made by step() (OptimizerSpec.decay_first)
    decay_rate: Tensor | None = None  # (runs, 1): the weight decay step() applies to the decayed columns
    decayed: slice | None = None  # the decayed columns, neighbours
    undecayed: tuple[slice, ...] = ()  # the other columns: copied whole into the new rows when the step shrinks
    keep: Tensor | None = None  # (runs, 1): AdamW's 1 - lr·wd at the schedule's factor 1


def column_runs(mask: Tensor, value: bool) -> tuple[slice, ...]:
    """The columns where the (1, P) mask is `value`, as slices of neighbouring columns."""
    where = [bool(m) == value for m in mask.reshape(-1).tolist()]
    runs, start = [], None
    for j, inside in enumerate([*where, False]):
        if inside and start is None:
            start = j
        elif not inside and start is not None:
            runs.append(slice(start, j))
            start = None
    return tuple(runs)


def members(configs: Sequence, flat: Tensor, decay_mask: Tensor) -> list[Member]:
    """One Member per configuration (anything with optimizer, options, runs, per_run_lrs() and
    weight_decays), in order; `decay_mask` (1, P) is 1 in the columns that get weight decay.

    step() makes a rule's declared first use of the decay itself where the decayed columns are neighbours
    (d2l's w). Where they are several runs of columns (the toy MLP's three weight matrices), an operation
    per run cost its small blocks more than the traffic it saves (its default training 270-279 ms -> 293-307
    ms, one thread): the rule applies the decay, as it does while maximizing with an L2 term (it negates
    the gradient before the decay joins it)."""
    out, start = [], 0
    decayed, undecayed = column_runs(decay_mask, True), column_runs(decay_mask, False)
    for c in configs:
        spec, runs = optim.get(c.optimizer), slice(start, start + c.runs)
        start += c.runs
        lrs, wds = list(c.per_run_lrs()), list(c.weight_decays)
        check_hyperparameters(torch.tensor(lrs, dtype=torch.float64), torch.tensor(wds, dtype=torch.float64))  # once
        decays = any(wd != 0 for wd in wds) and bool(decayed)
        options = spec.resolve(dict(c.options))
        first = spec.decay_first if decays and len(decayed) == 1 else None
        if first == "gradient" and options.get("maximize"):
            first = None
        lr, rate = per_run(lrs, flat), per_run(wds, flat)
        out.append(Member(
            runs, spec.step, options, lr=lr, weight_decay=rate * decay_mask if decays and first is None else 0.0,
            state={}, decay_first=first, decay_rate=rate if first else None, decayed=decayed[0] if first else None,
            undecayed=undecayed, keep=keep_factor(lr, rate) if first == "shrink" else None,
        ))
    return out


def keep_rows(group: list[Member], keep: Tensor) -> list[Member]:
    """The members on the rows of the block where `keep` (rows,) is True, renumbered in order: their rules'
    state, lr and weight decay rows taken along; a member left with no rows is gone (its configuration's
    runs all diverged: core.train.compaction)."""
    out, start = [], 0
    for m in group:
        mine = torch.nonzero(keep[m.runs]).flatten()
        if len(mine) == 0:
            continue
        rows = m.runs.stop - m.runs.start
        on_device = mine.to(m.lr.device)

        def taken(value, rows=rows, on_device=on_device):
            per_run = isinstance(value, Tensor) and value.dim() > 0 and value.shape[0] == rows
            return value.index_select(0, on_device) if per_run else value

        out.append(replace(m, runs=slice(start, start + len(mine)), lr=taken(m.lr),
                           weight_decay=taken(m.weight_decay), decay_rate=taken(m.decay_rate), keep=taken(m.keep),
                           state={key: taken(value) for key, value in m.state.items()}))
        start += len(mine)
    return out


def step(group: list[Member], flat: Tensor, grad: Tensor, factor: float, out: Tensor | None = None) -> Tensor:
    """Each configuration's rule on its own rows of the (G, P) block, each writing its rows of a new block
    (`out` if given: a replayed window's slot); `factor` is the schedule's multiplier of every lr at this step.
    `grad` is this step's own: the L2 terms are added into it.
    Written in place, not joined afterwards: joining the default sweep's three optimizers was a copy of
    its whole 0.7 MB block every step."""
    new = torch.empty_like(flat) if out is None else out
    for m in group:
        lr = m.lr if factor == 1.0 else m.lr * factor  # x * 1.0 is x: the constant schedule skips the product
        rows, param, g = new[m.runs], flat[m.runs], grad[m.runs]
        if m.decay_first == "gradient":  # g + wd·θ into the gradient, which this step owns
            if not g.is_contiguous():  # an expanded gradient (the seed task's constant one): runs share memory
                g = g.contiguous()
            cols = m.decayed
            add_scaled(g[:, cols], m.decay_rate, param[:, cols], out=g[:, cols])
        elif m.decay_first == "shrink":  # θ·(1 − lr·wd) into the new rows, where the rule then steps in place
            cols = m.decayed
            shrink(param[:, cols], lr, m.decay_rate, out=rows[:, cols], keep=m.keep if factor == 1.0 else None)
            for kept_whole in m.undecayed:
                rows[:, kept_whole] = param[:, kept_whole]
            param = rows
        update = m.step(param, g, m.state, lr=lr, weight_decay=m.weight_decay, checked=True,
                        out=rows, owned=True, **m.options)  # the member's state is the trainer's alone
        m.state = update.state
        if update.param is not rows:  # a rule that could not write there
            rows.copy_(update.param)
    return new
