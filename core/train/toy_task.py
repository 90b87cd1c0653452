"""The toy classifier: a small tanh MLP on TensorFlow Playground-style 2-D data, with its
backward pass written out (core.train.task_base.Task.losses_and_gradients)."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from core.schema import Field
from core.train.layout import Layout
from core.train.playground import TOY_DATASETS, playground_points
from core.train.task_base import Data, Task, _copies


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
    # ~45x a d2l run-step: 200 points through two tanh layers (measured through autograd, which the written-out
    # backward pass below runs about a sixth faster: the budget errs on the safe side)
    step_us, run_step_us = 6000.0, 400.0
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

    def _shapes(self):
        """(name, shape, fan_in) of W1, b1, W2, b2, W3, b3 in order: layers 2 -> hidden -> hidden -> 1."""
        sizes = [2, self.hidden, self.hidden, 1]
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), start=1):
            yield f"W{i}", (fan_in, fan_out), fan_in
            yield f"b{i}", (1, fan_out), fan_in

    def init_params(self, groups, seed, dtype, device):
        """nn.Linear's default init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases."""
        g = torch.Generator().manual_seed(seed + 1)
        params = {}
        for name, shape, fan_in in self._shapes():
            t = (torch.rand(shape, generator=g, dtype=torch.float64) * 2 - 1) * (1 / math.sqrt(fan_in))
            params[name] = _copies(t.to(dtype=dtype, device=device), groups)
        return params

    def forward(self, params, x):
        h = torch.tanh(x @ params["W1"] + params["b1"])
        h = torch.tanh(h @ params["W2"] + params["b2"])
        return h @ params["W3"] + params["b3"]  # logits, (G, n, 1)

    def sample_losses(self, params, x, y):
        logits = self.forward(params, x)
        return F.binary_cross_entropy_with_logits(logits, y.expand_as(logits), reduction="none")[..., 0]

    closed_form_gradient = True

    def losses_and_gradients(self, flat, x, y, n_grad):
        """Backpropagation written out, no autograd graph (the toy's default Training run, one thread:
        0.48 s through autograd, 0.40 s so; what is left is mostly tanh and the small matrix products).
        With the mean loss's 1/n on the output error first, as autograd applies it: for each layer,
        dW = hᵀ·δ and db = Σδ over the training points, and δ goes back through W and tanh' = 1 - tanh²."""
        p = self._layout.views(flat)
        h1 = torch.tanh(x @ p["W1"] + p["b1"])
        h2 = torch.tanh(h1 @ p["W2"] + p["b2"])
        logits = h2 @ p["W3"] + p["b3"]
        target = y.expand_as(logits)
        losses = F.binary_cross_entropy_with_logits(logits, target, reduction="none")[..., 0]
        error = (torch.sigmoid(logits[:, :n_grad]) - target[:, :n_grad]) * (1.0 / n_grad)  # (G, n, 1)
        grads = []
        for w, h_in, h_out in ((p["W3"], h2, None), (p["W2"], h1, h2), (p["W1"], x, h1)):
            if h_out is not None:  # the error at this layer's output, through tanh
                error = error * (1 - h_out[:, :n_grad] * h_out[:, :n_grad])
            inputs = h_in[..., :n_grad, :]
            grads[:0] = [inputs.transpose(-1, -2) @ error, error.sum(dim=1, keepdim=True)]
            if h_in is not x:
                error = error @ w.transpose(-1, -2)
        return losses, self._layout.flatten(grads)

    @functools.cached_property
    def _layout(self) -> Layout:
        """The (G, P) block's columns in init_params' order (core.train.layout), from the shapes alone."""
        return Layout({name: torch.empty(0, *shape) for name, shape, _ in self._shapes()})
