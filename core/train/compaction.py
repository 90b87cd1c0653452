"""Runs that diverged leave the block: a sweep stops computing them.

A sweep's grid reaches into lrs where a run blows up within a few steps (the default 12 x 12 x 3 Sweep:
88 of its 432 runs, most by step 6; the 16 x 16 SGD grid of benchmarks/sweep.py: 99 of 256), and a
batched step computes every row of the block until the end: a fifth to a third of the sweep's
arithmetic went to runs whose values nothing reads after they diverged (a run's Divergence and last
good weights are kept when it is found: core.train.divergence). Between two looks, once enough rows have
diverged, the trainer takes them out of the block, of each rule's state and of the divergence check.
Alternated with keeping them (one thread, 2026-11-28, min / median of 5): the 16 x 16 SGD grid 0.193 / 0.195
-> 0.136 / 0.139 s (its 157 surviving runs alone: 0.116 / 0.120 s), the default 12 x 12 x 3 Sweep 0.473 /
0.481 -> 0.440 / 0.444 s.

Only where nothing is recorded between the first step and the last (a sweep: no curves) and steps are
not replayed (core.train.replay's windows have fixed shapes). Runs watched step by step (the Sweep's chosen
cell, train_together's `watch`) stay in the block whatever they do: their curves are judged afresh.

A run's numbers stay its own to rounding, not bit for bit: the GEMMs of a narrower block may add in
another order (tests/test_compaction.py).
"""

from __future__ import annotations

import torch
from torch import Tensor

from core.train import batched_step
from core.train.batched_step import Member
from core.train.divergence import RunDivergence

LEAST_SHARE = 1 / 32  # drop rows once this share of the block may go: each drop copies the block and the state


def droppable(divergence: RunDivergence, watched: Tensor) -> Tensor:
    """(rows,) True where the block's row has diverged and is not watched."""
    return divergence.diverged & ~watched


def drop_diverged(flat: Tensor, group: list[Member], divergence: RunDivergence, watched: Tensor
                  ) -> tuple[Tensor, list[Member], Tensor] | None:
    """The block, the members and the watched-rows mask without the rows that may go, or None when too few
    may (less than LEAST_SHARE of the rows) or every row would."""
    gone = droppable(divergence, watched)
    count = int(gone.sum())
    if count == 0 or count < LEAST_SHARE * len(gone) or count == len(gone):
        return None
    keep = ~gone
    divergence.compact(keep)
    rows = torch.nonzero(keep).flatten().to(flat.device)
    return flat.index_select(0, rows), batched_step.keep_rows(group, keep), watched[keep]
