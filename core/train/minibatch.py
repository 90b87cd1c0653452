"""Which training examples step t sees: one source for the batched trainer and the reference loop.

Both must draw the very same batches, or the trainer could not be checked against a plain
torch.optim loop bit for bit; so the shuffling lives here once. A minibatch task reshuffles
its training set at the start of every epoch with a generator seeded from the run's seed;
a full-batch task (batch_size None) sees every training example at every step.
"""

from __future__ import annotations

import torch
from torch import Tensor

SHUFFLE_SEED_OFFSET = 2  # the data uses seed, the initial weights seed + 1, the shuffling seed + 2


def steps_per_epoch(n_train: int, batch_size: int | None) -> int:
    """One step per batch, the last one possibly short; one step per epoch for full batch."""
    return 1 if batch_size is None else -(-n_train // batch_size)


class Minibatches:
    """The index of the examples each step uses, drawn in step order (step t after step t - 1)."""

    def __init__(self, n_train: int, batch_size: int | None, seed: int, device: torch.device | str = "cpu"):
        self.n_train, self.batch_size, self.device = n_train, batch_size, device
        self.per_epoch = steps_per_epoch(n_train, batch_size)
        self._shuffle = torch.Generator().manual_seed(seed + SHUFFLE_SEED_OFFSET)
        self._order: Tensor | None = None
        self._shuffled: tuple[Tensor, Tensor, Tensor, Tensor] | None = None  # (x, y, x[order], y[order])

    @property
    def full_batch(self) -> bool:
        return self.batch_size is None

    def indices(self, t: int) -> Tensor:
        """Step t's examples; a new permutation (on the CPU generator, then moved) each epoch."""
        if self.full_batch:
            raise ValueError("A full-batch task has no minibatch indices: every step sees every example")
        within = t % self.per_epoch
        if within == 0 or self._order is None:
            self._order = torch.randperm(self.n_train, generator=self._shuffle).to(self.device)
        return self._order[within * self.batch_size:(within + 1) * self.batch_size]

    def take(self, t: int, x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
        """Step t's inputs and targets: all of them for full batch, else that step's minibatch.
        The data is put in the epoch's order once per epoch; a step's batch is then a slice of it
        (the same values as x[indices(t)], without an indexing operation per step)."""
        if self.full_batch:
            return x, y
        within = t % self.per_epoch
        cached = self._shuffled
        if within == 0 or cached is None or cached[0] is not x or cached[1] is not y:
            self.indices(t)  # draws the epoch's permutation when one is due
            cached = self._shuffled = (x, y, x[self._order], y[self._order])
        rows = slice(within * self.batch_size, (within + 1) * self.batch_size)
        return cached[2][rows], cached[3][rows]
