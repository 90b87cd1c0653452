"""The seed experiment's problem: x (3x4) and W (4x5) from np.random.seed, and its loss.

Drawing order matters for the golden numbers: x first, then W, exactly as the seed
notebook does; the MSE target is drawn after them so x and W stay the seed's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from core.devices import resolve_device, resolve_dtype
from core.schema import Field

SEED = 123  # the seed notebook's np.random.seed: every page's seed experiment starts here
SEED_FIELD = Field("seed", SEED, 0, 2**31 - 1, label="Seed")  # every page's seed control: one range
X_SHAPE = (3, 4)
W_SHAPE = (4, 5)
LOSSES = {
    "sum": "sum(x @ W): the seed's loss; its gradient x.T @ 1 does not depend on W",
    "mse": "mean((x @ W - y)²) against a seeded target y; its gradient depends on W",
}
NONNEGATIVE_LOSSES = frozenset({"mse"})  # sum(x @ W) is signed: no loss-growth criterion for it


@dataclass(frozen=True)
class Problem:
    """Inputs, initial weights and target on one device and dtype, plus the loss choice."""

    x: Tensor
    w0: Tensor
    target: Tensor
    loss_name: str

    def loss(self, w: Tensor) -> Tensor:
        out = self.x @ w
        if self.loss_name == "sum":
            return out.sum()
        return ((out - self.target) ** 2).mean()

    def grad(self, w: Tensor) -> Tensor:
        """dloss/dW in closed form, what loss.backward() fills W.grad with (tests check it
        against autograd): sum(x @ W) gives x.T @ 1, whatever W is; the mean squared error
        over the n*k outputs gives 2/(n*k) x.T @ (x @ W - y). Autograd costs ~100 us a call
        and the page takes ~80 gradients per view."""
        if self.loss_name == "sum":
            return self.x.T @ torch.ones_like(self.x @ w)
        residual = self.x @ w - self.target
        return self.x.T @ residual * (2.0 / residual.numel())


def seed_arrays(seed: int = SEED) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x, W, y as float64 numpy arrays, drawn in the seed notebook's order."""
    if not 0 <= int(seed) < 2**32:
        raise ValueError(f"seed must be in [0, 2**32), got {seed}")
    np.random.seed(int(seed))
    x = np.random.random(X_SHAPE).astype(np.double)
    w = np.random.random(W_SHAPE).astype(np.double)
    y = np.random.random((X_SHAPE[0], W_SHAPE[1])).astype(np.double)
    return x, w, y


def make_problem(seed: int = SEED, loss: str = "sum", dtype: str = "float64", device: str = "cpu") -> Problem:
    if loss not in LOSSES:
        raise ValueError(f"Unknown loss {loss!r}; choose one of {sorted(LOSSES)}")
    dev, dt = resolve_device(device, dtype), resolve_dtype(dtype)
    x, w, y = (torch.tensor(a, dtype=dt, device=dev) for a in seed_arrays(seed))
    return Problem(x, w, y, loss)
