"""Training tasks behind one small interface, so a new task is one class plus one registry line.

A task declares what the pages need of it as class attributes (its defaults and epoch
bounds on the training and sweep pages, its caption, its own options as core.schema Fields,
which figures apply to it), so no page branches on a task's name; tests/test_registries.py
checks every entry has them. The interface is core.train.task_base.Task; the seed problem and
d2l's regression live here, the toy classifier in core.train.toy_task.

All data is generated from a seed; nothing is downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from core.problem import SEED, seed_arrays
from core.registry import lookup
from core.train.task_base import Data, Task, _copies
from core.train.toy_task import ToyClassifier


@dataclass(frozen=True)
class SeedTask(Task):
    """The seed's loss sum(x @ W) over many steps: a constant gradient g = x.T @ 1, so plain SGD
    walks off forever while with decay W converges to -g/wd."""

    key = "seed"
    label = "Seed problem: sum(x @ W)"
    caption = ("loss = sum(x @ W) has a constant gradient g, so only weight decay can hold W in place. "
               "Dotted black: the closed form (SGD without momentum, constant lr).")
    decayed = frozenset({"W"})
    default_lr = 0.1
    default_epochs = 50
    max_epochs = 500
    default_weight_decays = (0.0, 0.5, 1.0, 5.0)
    sweep_epochs, sweep_max_epochs = 50, 300
    default_seed = SEED  # the seed experiment's W_0, the same as on the single-step and theory pages
    has_test_set = False
    loss_is_nonnegative = False  # sum(x @ W) is signed and unbounded below
    has_closed_form = True  # core.train.closed_form.seed_sgd_weights
    step_us, run_step_us = 1000.0, 2.5  # measured ~550, ~1.1 (closed-form gradient): kept, at or above those

    def data(self, seed, dtype, device):
        x, _, y = (torch.tensor(a, dtype=dtype, device=device) for a in seed_arrays(seed))
        return Data(x, y, x, y)

    def init_params(self, groups, seed, dtype, device):
        w = torch.tensor(seed_arrays(seed)[1], dtype=dtype, device=device)
        return {"W": _copies(w, groups)}

    def forward(self, params, x):
        return x @ params["W"]

    def sample_losses(self, params, x, y):
        return self.forward(params, x).sum(dim=2)

    def reduce(self, losses):
        return losses.sum(dim=1)  # the seed's loss is a sum, not a mean

    closed_form_gradient = True

    def losses_and_gradients(self, flat, x, y, n_grad):
        """d sum(x @ W) / dW = x.T @ 1: every column of W gets the column sums of x, whatever W."""
        w = flat.view(flat.shape[0], x.shape[1], -1)
        g = x[:n_grad].sum(dim=0).unsqueeze(-1).expand(w.shape[1:]).reshape(1, -1).expand(flat.shape)
        return self.sample_losses({"W": w}, x, y), g


@dataclass(frozen=True)
class D2LRegression(Task):
    """Dive into Deep Learning's weight-decay section: 200 features, 20 training and 100 test
    points, y = 0.05 + sum(0.01 x_i) + noise(0.01): wide enough to overfit without decay."""

    key = "d2l"
    label = "High-dimensional linear regression (d2l)"
    caption = ("Dive into Deep Learning's setting: {t.num_inputs} features but {t.n_train} training points, "
               "{t.n_test} test points.")
    decayed = frozenset({"w"})  # d2l leaves the bias undecayed
    batch_size = 5
    default_lr = 0.003
    default_epochs = 100
    max_epochs = 300
    default_weight_decays = (0.0, 1.0, 3.0, 10.0)
    sweep_epochs, sweep_max_epochs = 100, 200
    step_us, run_step_us = 1000.0, 9.0  # closed-form gradient, two GEMMs per step (benchmarks/cost.py, 2026-11-27)
    num_inputs, n_train, n_test = 200, 20, 100

    def data(self, seed, dtype, device):
        g = torch.Generator().manual_seed(seed)
        x = torch.randn(self.n_train + self.n_test, self.num_inputs, generator=g, dtype=torch.float64)
        y = 0.05 + x @ torch.full((self.num_inputs, 1), 0.01, dtype=torch.float64)
        y += 0.01 * torch.randn(y.shape, generator=g, dtype=torch.float64)
        x, y = x.to(dtype=dtype, device=device), y.to(dtype=dtype, device=device)
        n = self.n_train
        return Data(x[:n], y[:n], x[n:], y[n:])

    def init_params(self, groups, seed, dtype, device):
        g = torch.Generator().manual_seed(seed + 1)
        w = torch.randn(self.num_inputs, 1, generator=g, dtype=torch.float64).to(dtype=dtype, device=device)
        return {"w": _copies(w, groups), "b": torch.zeros(groups, 1, 1, dtype=dtype, device=device)}

    def forward(self, params, x):
        """All G runs' weights side by side as the columns of one (d, G) matrix: one GEMM
        instead of G small matrix-vector products."""
        return (x @ params["w"][..., 0].T).T.unsqueeze(-1) + params["b"]

    def sample_losses(self, params, x, y):
        """d2l's squared loss (y_hat - y)^2 / 2 of each example."""
        return ((self.forward(params, x) - y) ** 2 / 2)[..., 0]

    closed_form_gradient = True

    def losses_and_gradients(self, flat, x, y, n_grad):
        """The columns of the block are w then b, so with a column of ones after x the residual of
        every run is r = [x 1] @ flat.T - y, (n, G): one GEMM. The mean loss's gradient is then
        [x 1].T @ r / n, w's and b's together in the block's layout: one more GEMM. r is scaled
        by 1/n first, as autograd's backward of the mean does."""
        x1 = torch.cat([x, torch.ones_like(x[:, :1])], dim=1)
        r = x1 @ flat.T - y
        grad = (r[:n_grad] * (1.0 / n_grad)).T @ x1[:n_grad]
        return (r * r / 2).T, grad


TASKS: dict[str, type[Task]] = {t.key: t for t in (SeedTask, D2LRegression, ToyClassifier)}


def make_task(key: str, **options) -> Task:
    return lookup(TASKS, key, "task")(**options)
