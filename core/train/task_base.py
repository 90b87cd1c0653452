"""The interface every training task implements, and the data it hands the trainer.

Every parameter carries a leading run dimension G: G models (one per weight decay, or per
grid cell in a sweep) train side by side as one tensor program (core.train.training).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from core.schema import Field


@dataclass(frozen=True)
class Data:
    x_train: Tensor
    y_train: Tensor
    x_test: Tensor
    y_test: Tensor


class Task:
    """The interface: data, initial parameters (G copies), predictions and per-run loss."""

    key = ""
    label = ""
    caption = ""  # the setting in one line, formatted with t=the task (describe()); results are generated
    decayed: frozenset[str] = frozenset()  # parameter names that get weight decay
    batch_size: int | None = None  # None: full batch
    default_lr = 0.1
    default_epochs = 100
    max_epochs = 300  # the training page's epochs slider ends here
    default_weight_decays: tuple[float, ...] = (0.0, 1.0)  # overlaid on the training page at first
    sweep_epochs = 100  # the sweep page's default: a 12 x 12 grid of the three optimizers within the budget
    sweep_max_epochs = 200
    default_seed = 0
    default_momentum = 0.0  # SGD's, on the training page
    controls: tuple[Field, ...] = ()  # the task's own options (make_task's keyword arguments) as widgets
    has_test_set = True  # without one, the pages show the training loss only
    loss_is_nonnegative = True  # the loss-growth divergence criterion needs a loss bounded below by 0; log axes too
    has_closed_form = False  # core.train.closed_form knows plain SGD's trajectory on it (the training page overlays it)
    closed_form_gradient = False  # losses_and_gradients is written out: the trainer needs no autograd graph
    shows_decision_boundary = False  # 2-D inputs and a classifier: the training page draws its boundaries
    # What one training step costs on the reference 2-core CPU (one thread, float64, the three
    # compared optimizers together), measured by benchmarks/cost.py: a fixed part per step and a
    # part per run, the largest seen over run counts up to the biggest sweep (big batches fall out
    # of the CPU caches). core.train.training budgets every request by them.
    step_us = 0.0
    run_step_us = 0.0

    def describe(self) -> str:
        """The caption with this task's own numbers (sizes, layers) filled in."""
        return self.caption.format(t=self)

    def data(self, seed: int, dtype: torch.dtype, device: torch.device) -> Data:
        raise NotImplementedError

    def init_params(self, groups: int, seed: int, dtype: torch.dtype, device: torch.device) -> dict[str, Tensor]:
        raise NotImplementedError

    def forward(self, params: dict[str, Tensor], x: Tensor) -> Tensor:
        raise NotImplementedError

    def sample_losses(self, params: dict[str, Tensor], x: Tensor, y: Tensor) -> Tensor:
        """Loss of every run on every example, shape (G, n): training and test points can then
        share one forward pass and be split afterwards."""
        raise NotImplementedError

    def reduce(self, losses: Tensor) -> Tensor:
        """(G, n) -> (G,): the mean over examples, unless the task defines its loss otherwise."""
        return losses.mean(dim=1)

    def loss(self, params: dict[str, Tensor], x: Tensor, y: Tensor) -> Tensor:
        """Loss of each of the G runs, shape (G,): their sum has each run's own gradient."""
        return self.reduce(self.sample_losses(params, x, y))

    def losses_and_gradients(self, flat: Tensor, x: Tensor, y: Tensor, n_grad: int) -> tuple[Tensor, Tensor]:
        """For a task with closed_form_gradient, from the (G, P) block of every run's parameters in
        init_params' order (core.train.layout): sample_losses on x, y and, from the same forward pass,
        the gradient of reduce(losses[:, :n_grad]).sum() in the same (G, P) layout: what autograd
        gives (tests/test_closed_form_gradients.py holds them to it)."""
        raise NotImplementedError


def _copies(t: Tensor, groups: int) -> Tensor:
    """G identical copies, so every run starts from the same weights as a per-run loop would."""
    return t.unsqueeze(0).repeat(groups, *([1] * t.dim())).contiguous()
