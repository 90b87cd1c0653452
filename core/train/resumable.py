"""A training kept after it trained, to answer for other epoch counts and to go on to more: what the Training
page's runs (core.train.kept_training) and the Sweep's grids (core.train.sweep_run) share.

It belongs to one view (everything a request asks but the epochs), is trained or read by one visitor at a
time (`lock`), and once a training of it stopped mid-way (a rerun interrupts the page's script, or the
Training page's Stop) it is between two epoch counts: `broken`, it answers nothing after and is replaced.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable

from torch import Tensor

from core.train.training import Training

TENSOR_BYTES = 256  # counted per kept tensor besides its data: a Training page run keeps one per step


class Resumable:
    """`training` (core.train.training.Training) kept for `view`."""

    def __init__(self, view: Hashable, training: Training):
        self.view, self.training = view, training
        self.lock = threading.Lock()  # one visitor at a time trains it or reads it
        self.trained = False  # once run() finished
        self.broken = False  # a run stopped mid-way: no training's state

    @property
    def epochs(self) -> int:
        return self.training.epochs

    def holds(self, view: Hashable, epochs: int) -> bool:
        """Whether it has trained this view to at least `epochs` epochs (a subclass says which it answers)."""
        return not self.broken and self.trained and view == self.view and epochs <= self.epochs

    def continues(self, view: Hashable, epochs: int) -> bool:
        """Whether training this view to `epochs` epochs goes on from here rather than starting again."""
        return not self.broken and view == self.view and epochs >= self.epochs

    def go_on(self, epochs: int, prepare: Callable[[], None] | None = None, *run_args, **run_kwargs) -> None:
        """Train on to `epochs` (prepare() first, once the length is set); broken if anything stops it."""
        try:
            if epochs > self.epochs:
                self.training.extend(epochs)
            if prepare is not None:
                prepare()
            self.training.run(*run_args, **run_kwargs)
        except BaseException:
            self.broken = True
            raise
        self.trained = True

    def kept_tensors(self) -> list[Tensor]:
        """What it keeps besides the training's state: a subclass's own (its weights after every step, say)."""
        return []

    def nbytes(self) -> int:
        """The bytes it holds, for a cache bounded by bytes: its kept tensors, the rules' state and the weights
        the divergence check keeps."""
        tensors = [*self.kept_tensors(), *self.training.divergence.recent.values()]
        tensors += [v for m in self.training.group for v in m.state.values() if isinstance(v, Tensor)]
        unique = {t.data_ptr(): t for t in tensors}  # a recent block is often a kept one too
        return sum(t.numel() * t.element_size() + TENSOR_BYTES for t in unique.values()) + 4096
