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
    """The index of the examples each step uses, drawn in step order (step t after step t - 1).

    Given `epochs`, every epoch's permutation is drawn at the start, from the same generator in the
    same order (so the very same batches), and moved to the device in one copy: a copy from the
    host's ordinary memory waits for the device to finish its queued work, so one per epoch would
    stall a cuda training (and its replayed windows) every few steps."""

    def __init__(self, n_train: int, batch_size: int | None, seed: int, device: torch.device | str = "cpu",
                 epochs: int | None = None):
        self.n_train, self.batch_size, self.device = n_train, batch_size, device
        self.per_epoch = steps_per_epoch(n_train, batch_size)
        self._shuffle = torch.Generator().manual_seed(seed + SHUFFLE_SEED_OFFSET)
        self._order: Tensor | None = None
        self._shuffled: tuple[Tensor, Tensor, Tensor, Tensor, int] | None = None  # (x, y, x[order], y[order], epoch)
        self._orders: Tensor | None = None  # (epochs, n_train): every epoch's permutation, when drawn at the start
        if epochs is not None and not self.full_batch:
            self._orders = torch.stack([self._draw() for _ in range(epochs)]).to(device)

    def extend(self, epochs: int) -> None:
        """Draw the permutations of the epochs up to `epochs` that are not drawn yet, from the same generator
        in the same order: the batches a Minibatches made for `epochs` from the start has (a training that goes
        on: core.train.training.Training.extend)."""
        if self._orders is None or self.full_batch:
            return
        more = epochs - len(self._orders)
        if more > 0:
            drawn = torch.stack([self._draw() for _ in range(more)]).to(self._orders.device)
            self._orders = torch.cat([self._orders, drawn])

    @property
    def full_batch(self) -> bool:
        return self.batch_size is None

    def _draw(self) -> Tensor:
        return torch.randperm(self.n_train, generator=self._shuffle)

    def indices(self, t: int) -> Tensor:
        """Step t's examples; a new permutation (on the CPU generator, then moved) each epoch."""
        if self.full_batch:
            raise ValueError("A full-batch task has no minibatch indices: every step sees every example")
        epoch, within = divmod(t, self.per_epoch)
        if self._orders is not None:
            self._order = self._orders[epoch]  # any step, in any order
        elif within == 0 or self._order is None:
            self._order = self._draw().to(self.device)
        return self._order[within * self.batch_size:(within + 1) * self.batch_size]

    def steps(self, t0: int, k: int) -> Tensor:
        """The examples of steps t0 .. t0 + k - 1 in order, as one index (k * batch_size,): for
        batches that fill every epoch exactly, with the epochs drawn at the start."""
        if self._orders is None or self.n_train % self.batch_size:
            raise ValueError("steps() needs the epochs drawn at the start and batches that fill every epoch")
        return self._orders.view(-1)[t0 * self.batch_size:(t0 + k) * self.batch_size]

    def take(self, t: int, x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
        """Step t's inputs and targets: all of them for full batch, else that step's minibatch.
        The data is put in the epoch's order once per epoch; a step's batch is then a slice of it
        (the same values as x[indices(t)], without an indexing operation per step)."""
        if self.full_batch:
            return x, y
        epoch, within = divmod(t, self.per_epoch)
        cached = self._shuffled
        if cached is None or cached[0] is not x or cached[1] is not y or cached[4] != epoch:
            self.indices(t)  # draws the epoch's permutation when one is due
            cached = self._shuffled = (x, y, x[self._order], y[self._order], epoch)
        rows = slice(within * self.batch_size, (within + 1) * self.batch_size)
        return cached[2][rows], cached[3][rows]
