"""A step's losses and gradient, and every run's losses on both sets: what the trainer's loop
(core.train.training) and its replayed windows (core.train.replay) compute alike."""

from __future__ import annotations

import torch
from torch import Tensor

from core.train.layout import Layout
from core.train.minibatch import Minibatches
from core.train.tasks import Data, Task


class Evaluation:
    """Every run's training and test loss; the two sets go through one forward pass together."""

    def __init__(self, task: Task, data: Data):
        self.task, self.n_train = task, len(data.x_train)
        self.x = torch.cat([data.x_train, data.x_test]) if task.has_test_set else data.x_train
        self.y = torch.cat([data.y_train, data.y_test]) if task.has_test_set else data.y_train

    def split(self, losses: Tensor) -> tuple[Tensor, Tensor]:
        """(G, n_train + n_test) sample losses -> (train loss, test loss), each (G,)."""
        train_loss = self.task.reduce(losses[:, :self.n_train])
        return train_loss, self.task.reduce(losses[:, self.n_train:]) if self.task.has_test_set else train_loss

    def __call__(self, params: dict[str, Tensor]) -> tuple[Tensor, Tensor]:
        with torch.no_grad():
            return self.split(self.task.sample_losses(params, self.x, self.y))


def losses_and_gradient(evaluation: Evaluation, layout: Layout, flat: Tensor, x: Tensor, y: Tensor,
                        full_batch: bool) -> tuple[Tensor, Tensor, Tensor]:
    """(train loss, test loss, gradient in the flat layout) of one step on x, y. Full batch: x holds
    the training and test points (one forward pass), only the training part has a gradient.
    Minibatch: the batch's loss stands for both. A task with a closed-form gradient
    (Task.losses_and_gradients) needs no autograd graph."""
    task = evaluation.task
    n_grad = evaluation.n_train if full_batch else len(x)
    if task.closed_form_gradient:
        losses, grad = task.losses_and_gradients(flat, x, y, n_grad)
    else:
        leaves = {name: p.detach().requires_grad_(True) for name, p in layout.views(flat).items()}
        losses = task.sample_losses(leaves, x, y)
        grad = layout.flatten(torch.autograd.grad(task.reduce(losses[:, :n_grad]).sum(), list(leaves.values())))
        losses = losses.detach()
    if full_batch:
        return (*evaluation.split(losses), grad)
    objective = task.reduce(losses)
    return objective, objective, grad


def step_gradients(data: Data, batches: Minibatches, evaluation: Evaluation, layout: Layout, flat: Tensor,
                   t: int, record: bool) -> tuple[Tensor, Tensor, Tensor]:
    """Step t's (train loss, test loss, gradient): on every point (full batch) or on step t's
    minibatch, whose both sets are evaluated afresh only when `record` asks (a training drawing
    curves evaluates its steps a window at a time instead: training._Waiting)."""
    x, y = (evaluation.x, evaluation.y) if batches.full_batch else batches.take(t, data.x_train, data.y_train)
    train_loss, test_loss, grad = losses_and_gradient(evaluation, layout, flat, x, y, batches.full_batch)
    if record and not batches.full_batch:
        train_loss, test_loss = evaluation(layout.views(flat))
    return train_loss, test_loss, grad
