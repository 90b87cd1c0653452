"""Training tasks behind one small interface, so a new task is one class plus one registry line.

A task declares what the pages need of it as class attributes (its defaults and epoch
bounds on the training and sweep pages, its caption, its own options as core.schema Fields,
which figures apply to it), so no page branches on a task's name; tests/test_registries.py
checks every entry has them.

Every parameter carries a leading run dimension G: G models (one per weight decay, or per
grid cell in a sweep) train side by side as one tensor program. All data is generated
from a seed here; nothing is downloaded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from core.problem import SEED, seed_arrays
from core.registry import lookup
from core.schema import Field
from core.train.playground import TOY_DATASETS, playground_points


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


@dataclass(frozen=True)
class ToyClassifier(Task):
    """A small tanh MLP (2 -> 16 -> 16 -> 1) on a 2-D toy dataset; decay smooths its boundary."""

    dataset: str = "xor"  # the defaults (those of `controls`) let SGD, Adam and AdamW all learn, and decay act
    noise: float = 0.2
    train_fraction: float = 0.5
    hidden: int = 16
    n_points: int = 200

    key = "toy"
    label = "Small MLP on 2-D toy data"
    caption = "A 2→{t.hidden}→{t.hidden}→1 tanh MLP on TensorFlow Playground-style data; weights decayed, biases not."
    decayed = frozenset({"W1", "W2", "W3"})  # weights, not biases, as the playground regularizes
    default_lr = 0.1
    default_epochs = 200
    max_epochs = 1000
    # 0.003 smooths SGD's and Adam's boundaries while they still learn, 0.03 already erases them, and AdamW
    # (shrink lr·wd per step) needs wd = 1 to act as strongly: the same number means different things.
    default_weight_decays = (0.0, 0.003, 0.03, 1.0)
    sweep_epochs, sweep_max_epochs = 25, 500
    shows_decision_boundary = True
    default_momentum = 0.9  # plain SGD at lr 0.1 learns nothing in 200 full-batch steps; with momentum it does
    step_us, run_step_us = 6000.0, 400.0  # ~45x a d2l run-step: 200 points through two tanh layers, autograd
    controls = (
        Field("dataset", "xor", choices=TOY_DATASETS, label="Dataset"),
        Field("noise", 0.2, 0.0, 0.5, step=0.05, label="Noise", help="The playground's noise slider, as a fraction."),
        Field("train_fraction", 0.5, 0.1, 0.9, step=0.1, label="Training fraction"),
    )

    def __post_init__(self):
        for f in self.controls:  # the same bounds as the page's widgets, without their steps
            value = getattr(self, f.key)
            if f.choices is not None and value not in f.choices:
                raise ValueError(f"Unknown {f.key} {value!r}; choose one of {list(f.choices)}")
            if f.low is not None and not f.low <= value <= f.high:
                raise ValueError(f"{f.key} must be in [{f.low:g}, {f.high:g}], got {value}")

    def data(self, seed, dtype, device):
        g = torch.Generator().manual_seed(seed)
        x, y = playground_points(self.dataset, self.n_points, self.noise, g)
        order = torch.randperm(self.n_points, generator=g)
        x, y = x[order].to(dtype=dtype, device=device), y[order].to(dtype=dtype, device=device)
        n = int(round(self.train_fraction * self.n_points))
        return Data(x[:n], y[:n], x[n:], y[n:])

    def init_params(self, groups, seed, dtype, device):
        """nn.Linear's default init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases."""
        g = torch.Generator().manual_seed(seed + 1)
        sizes = [2, self.hidden, self.hidden, 1]
        params = {}
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), start=1):
            bound = 1 / math.sqrt(fan_in)
            for name, shape in ((f"W{i}", (fan_in, fan_out)), (f"b{i}", (1, fan_out))):
                t = (torch.rand(shape, generator=g, dtype=torch.float64) * 2 - 1) * bound
                params[name] = _copies(t.to(dtype=dtype, device=device), groups)
        return params

    def forward(self, params, x):
        h = torch.tanh(x @ params["W1"] + params["b1"])
        h = torch.tanh(h @ params["W2"] + params["b2"])
        return h @ params["W3"] + params["b3"]  # logits, (G, n, 1)

    def sample_losses(self, params, x, y):
        logits = self.forward(params, x)
        return F.binary_cross_entropy_with_logits(logits, y.expand_as(logits), reduction="none")[..., 0]


TASKS: dict[str, type[Task]] = {t.key: t for t in (SeedTask, D2LRegression, ToyClassifier)}


def make_task(key: str, **options) -> Task:
    return lookup(TASKS, key, "task")(**options)
