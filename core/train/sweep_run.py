"""A sweep kept after it trained, to answer for other epoch counts: the Sweep page's Epochs slider.

A sweep (no curves, a constant lr) trained for E epochs goes on to E' > E epochs exactly as a sweep asked
for E' from the start (core.train.training.Training.extend: the same batches, steps and looks, bit for
bit), so one epoch more trains one epoch, not E + 1. It also records every run's final values at the end
of each of its last epochs (up to RECORDED_EPOCHS, as its length allows: recorded_epochs), so a sweep of
fewer epochs among those needs no training at all. The chosen cell's weights after every step are kept as
the sweep trains (core.train.sweep_cell), so its curves for any of those epoch counts come from the same
run. tests/test_sweep_run.py holds every answer to a sweep trained afresh for that many epochs.

One SweepRun serves one view (everything but the epochs) and one chosen cell; it holds its block, the
rules' state and the cell's weights (nbytes(): what a page's cache counts).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
from torch import Tensor

from core.train.recorder import History, decayed_norms
from core.train.resumable import Resumable
from core.train.sweep import Grid, SweepConfig, grid_of, grids
from core.train.sweep_cell import cell_runs, kept_cell
from core.train.training import Training

RECORDED_EPOCHS = 10  # at most this many epochs fewer are answered: each recorded one costs an evaluation
# At most one record per this many steps trained: an evaluation of every run costs about a step (the 12x12 d2l
# grid: 0.8 ms against 1.1 ms), so d2l's 400 steps record ten epochs for 3 % more time; the toy task's sweep (25
# full-batch steps, 1.65 s) would have taken 2.1 s with ten, and records none.
STEPS_PER_RECORD = 40


def recorded_epochs(epochs: int, per_epoch: int) -> range:
    """The epochs a sweep of `epochs` epochs records at their end: up to RECORDED_EPOCHS before its last, and
    its last, as far as STEPS_PER_RECORD allows; none for a short sweep."""
    fewer = min(RECORDED_EPOCHS, epochs * per_epoch // STEPS_PER_RECORD)
    return range(max(1, epochs - fewer), epochs + 1) if fewer else range(0)


def view_of(config: SweepConfig) -> SweepConfig:
    """What a SweepRun answers for whatever the epochs: the config without them."""
    return replace(config, epochs=0)


class SweepRun(Resumable):
    """A sweep of `config`, trained to config.epochs by train(), with the chosen cell (lr index, wd index)."""

    def __init__(self, config: SweepConfig, cell: tuple[int, int]):
        self.cell, self.kept = cell, []  # kept[t]: the cell's weights under every optimizer after step t
        super().__init__(view_of(config), Training(config.grid_configs(), curves=False, watch=cell_runs(config, *cell),
                                                   on_step=lambda _t, weights: self.kept.append(weights)))

    def answers(self, config: SweepConfig) -> bool:
        """Whether result(config) needs no training: this view, and epochs it trained to or recorded, or past
        the step at which every run had diverged (where a training of that length stops too)."""
        if not self.holds(view_of(config), config.epochs):
            return False
        stopped = self.training.stopped_at
        return (config.epochs == self.epochs or self.training.recorded(config.epochs) is not None
                or (stopped is not None and stopped <= config.epochs * self.training.batches.per_epoch))

    def goes_on_to(self, config: SweepConfig) -> bool:
        return self.continues(view_of(config), config.epochs)

    def train(self, config: SweepConfig, on_progress: Callable[[float], None] | None = None) -> None:
        """Train on to config.epochs (goes_on_to(config) must hold), recording the last epochs' values."""
        if not self.goes_on_to(config):
            raise ValueError("A sweep goes on only to more epochs of the same view")

        def record_last_epochs() -> None:
            self.training.record_epochs |= set(recorded_epochs(config.epochs, self.training.batches.per_epoch))

        self.go_on(config.epochs, record_last_epochs, on_progress)

    def result(self, config: SweepConfig) -> tuple[dict[str, Grid], list[History] | None]:
        """The grids and the cell's Histories (None where the cell needs its own training) that a sweep of
        config trained afresh gives (answers(config) must hold)."""
        if not self.answers(config):
            raise ValueError("This sweep does not answer for that view or number of epochs")
        training, steps = self.training, config.epochs * self.training.batches.per_epoch
        recorded = training.recorded(config.epochs)
        if config.epochs == self.epochs or recorded is None:  # its own length, or past a stop: what it has
            found = grids(config, training.histories())  # (grids reads each History's optimizer only)
        else:
            found = self._recorded_grids(config, recorded, steps)
        return found, kept_cell(config, *self.cell, np.array(training.factors[:steps]), self.kept[:steps + 1])

    def _recorded_grids(self, config: SweepConfig, recorded, steps: int) -> dict[str, Grid]:
        """sweep.grids of a training of config.epochs, from the values recorded at that epoch's end: a run is
        diverged where it had diverged by then."""
        train, test = (v.double().cpu().numpy() for v in recorded[:2])
        norms = {name: v.double().cpu().numpy() for name, v in recorded[2].items()}
        decayed_norm = decayed_norms(norms, self.training.recorder.decayed)
        diverged = np.array([d is not None for d in self.training.divergence.found_by(steps)])
        shape = (config.resolution[1], config.resolution[0])
        return {c.optimizer: grid_of(c.optimizer, train[r], test[r], decayed_norm[r], diverged[r], shape)
                for c, r in zip(config.grid_configs(), self.training.runs, strict=True)}

    def kept_tensors(self) -> list[Tensor]:
        return [self.training.flat, *self.kept]
