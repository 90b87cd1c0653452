"""The written-out gradients of the tasks (Task.losses_and_gradients) against autograd:
the batched trainer uses them instead of a backward pass, so they must be what autograd gives."""

from __future__ import annotations

import pytest
import torch

from core.train.layout import Layout
from core.train.tasks import TASKS, make_task

CLOSED = [key for key, cls in TASKS.items() if cls.closed_form_gradient]


def test_every_task_has_closed_form_gradients():
    assert set(CLOSED) == set(TASKS)


def spread_params(task, runs: int, gen: torch.Generator) -> dict[str, torch.Tensor]:
    """The task's starting weights, moved differently in every run, so no run's gradient is another's."""
    params = task.init_params(runs, 0, torch.float64, torch.device("cpu"))
    return {name: p + 0.3 * torch.randn(p.shape, generator=gen, dtype=torch.float64) for name, p in params.items()}


def autograd_reference(task, params, x, y, n_grad):
    leaves = {name: p.clone().requires_grad_(True) for name, p in params.items()}
    losses = task.sample_losses(leaves, x, y)
    grads = torch.autograd.grad(task.reduce(losses[:, :n_grad]).sum(), list(leaves.values()))
    return losses.detach(), grads


@pytest.mark.parametrize("key", CLOSED)
@pytest.mark.parametrize("part", ["minibatch", "train and test together"])
def test_losses_and_gradients_equal_autograd(key, part):
    gen = torch.Generator().manual_seed(5)
    task = make_task(key)
    data = task.data(task.default_seed, torch.float64, torch.device("cpu"))
    if part == "minibatch":
        x, y, n_grad = data.x_train[:5], data.y_train[:5], 5
    else:  # the full-batch evaluation: only the training rows have a gradient
        x, y, n_grad = torch.cat([data.x_train, data.x_test]), torch.cat([data.y_train, data.y_test]), len(data.x_train)
    params = spread_params(task, 7, gen)
    layout = Layout(params)
    losses, grad = task.losses_and_gradients(layout.flatten(params), x, y, n_grad)
    expected_losses, expected_grads = autograd_reference(task, params, x, y, n_grad)
    torch.testing.assert_close(losses, expected_losses, rtol=1e-13, atol=1e-15)
    torch.testing.assert_close(grad, layout.flatten(expected_grads), rtol=1e-12, atol=1e-14)
    assert grad.shape == (7, layout.size)


def test_a_task_without_one_trains_through_autograd_to_the_same_weights(monkeypatch):
    """Task.closed_form_gradient is each task's choice: one without it (a new task, say) trains through
    autograd, and the toy MLP trained that way ends where its written-out backward pass ends."""
    from core.train.config import default_config
    from core.train.toy_task import ToyClassifier
    from core.train.training import train_together

    configs = [default_config("toy", opt, epochs=40) for opt in ("sgd", "adam", "adamw")]
    written = train_together(configs)
    monkeypatch.setattr(ToyClassifier, "closed_form_gradient", False)
    traced = train_together(configs)
    for a, b in zip(written, traced, strict=True):
        for name in a.final:
            torch.testing.assert_close(torch.as_tensor(a.final[name]), torch.as_tensor(b.final[name]),
                                       rtol=1e-10, atol=1e-12)
