"""Closed forms the training page overlays on measured curves.

For the seed loss sum(x @ W) the gradient is a constant g, so plain SGD with weight decay
is a linear recurrence W_t = (1 - lr*wd) W_{t-1} - lr*g with an exact solution.
"""

from __future__ import annotations

import numpy as np


def seed_sgd_weights(w0: np.ndarray, g: np.ndarray, lr: float, weight_decay: float, steps: int) -> np.ndarray:
    """W_t for t = 0..steps: (1 - lr*wd)^t W_0 - (g/wd)(1 - (1 - lr*wd)^t); W_0 - t*lr*g when wd = 0.

    It converges to -g/wd when 0 < lr*wd < 2, oscillates in sign when 1 < lr*wd < 2, and
    blows up when lr*wd >= 2.
    """
    t = np.arange(steps + 1, dtype=float).reshape(-1, *([1] * w0.ndim))
    if weight_decay == 0:
        return w0 - t * lr * g
    with np.errstate(over="ignore", invalid="ignore"):  # a blow-up is inf: the honest answer
        factor = (1.0 - lr * weight_decay) ** t
        return factor * w0 - (g / weight_decay) * (1.0 - factor)


def seed_regime(lr: float, weight_decay: float) -> str:
    """How the seed problem behaves under plain SGD, from the shrink factor 1 - lr*wd."""
    k = lr * weight_decay
    if k == 0:
        return "no decay: W walks off along -g forever"
    if k < 1:
        return "converges smoothly to -g/wd"
    if k == 1:
        return "lands on -g/wd in one step"
    if k < 2:
        return "oscillates in sign around -g/wd while converging (1 < lr·wd < 2)"
    return "blows up: |1 - lr·wd| >= 1 (lr·wd >= 2)"


def seed_norm_curves(seed: int, lr: float, weight_decays, steps: int) -> np.ndarray:
    """||W_t||_F from the closed form for each weight decay, shape (G, steps + 1)."""
    from core.problem import seed_arrays

    x, w0, _ = seed_arrays(seed)
    g = x.T @ np.ones((x.shape[0], w0.shape[1]))  # d sum(x @ W) / dW
    with np.errstate(over="ignore", invalid="ignore"):
        return np.stack([np.linalg.norm(seed_sgd_weights(w0, g, lr, wd, steps), axis=(1, 2)) for wd in weight_decays])
