"""Card: what does momentum do to weight decay?"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from core import figures, numbers
from core.explain.questions.card import Control, Question, seed_w
from core.optim.torch_loop import pure_decay_run


@dataclass(frozen=True)
class MomentumDecay:
    shrink_momentum: np.ndarray  # per-step relative shrink of ||W|| with momentum
    shrink_plain: np.ndarray
    lr_wd: float
    approx: float  # lr*wd / (1 - momentum)
    exact: float  # the steady-state shrink from momentum_steady_shrink (NaN when W oscillates)


def momentum_steady_shrink(lr: float, weight_decay: float, momentum: float) -> float:
    """Steady per-step shrink s of pure decay under SGD momentum: with W_t = (1-s)^t W_0 the
    buffer gives s (1 - s - momentum) = lr*wd (1 - s); the small root of that quadratic."""
    k = lr * weight_decay
    b = 1 - momentum + k
    if b * b < 4 * k:  # complex roots: the buffer makes W oscillate instead of shrinking steadily
        return float("nan")
    return (b - math.sqrt(b * b - 4 * k)) / 2


def _shrink(run: list[torch.Tensor]) -> np.ndarray:
    norms = np.array([float(w.norm()) for w in run])
    return 1 - norms[1:] / norms[:-1]


def momentum_and_decay(lr: float = 0.01, weight_decay: float = 0.1, momentum: float = 0.9,
                       steps: int = 300) -> MomentumDecay:
    w0 = seed_w()
    with_m = pure_decay_run(torch.optim.SGD, w0, steps, lr=lr, weight_decay=weight_decay, momentum=momentum)
    plain = pure_decay_run(torch.optim.SGD, w0, steps, lr=lr, weight_decay=weight_decay)
    return MomentumDecay(_shrink(with_m), _shrink(plain), lr * weight_decay, lr * weight_decay / (1 - momentum),
                         momentum_steady_shrink(lr, weight_decay, momentum))


def figure(r: MomentumDecay):
    t = np.arange(1, len(r.shrink_plain) + 1)
    flat = np.ones_like(t, dtype=float)
    return figures.lines({"measured, momentum": (t, r.shrink_momentum), "measured, no momentum": (t, r.shrink_plain),
                          "lr·wd": (t, r.lr_wd * flat), "lr·wd/(1−μ)": (t, r.approx * flat),
                          "steady-state root": (t, r.exact * flat)},
                         "Shrink of ‖W‖ per step, zero gradients", "step", "1 − ‖W_t‖/‖W_{t−1}‖")


def summary(r: MomentumDecay) -> str:
    predicted = ("no steady shrink predicted: W oscillates" if math.isnan(r.exact)
                 else f"{numbers.fmt(r.exact, 4)} predicted")
    return (f"Measured after {len(r.shrink_momentum)} steps: {numbers.fmt(r.shrink_momentum[-1], 4)} per step "
            f"with momentum ({predicted}, {numbers.fmt(r.approx, 4)} by lr·wd/(1−μ)), "
            f"{numbers.fmt(r.shrink_plain[-1], 4)} without (lr·wd = {numbers.fmt(r.lr_wd, 4)}).")


CARD = Question(
    slug="momentum",
    title="What does momentum do to weight decay?",
    answer="SGD adds wd·w to the gradient before the momentum buffer, so the decay accumulates there too: at steady "
           "state the shrink per step is about lr·wd/(1 − μ), not lr·wd (exactly, the small root of "
           "s(1 − s − μ) = lr·wd(1 − s)).",
    run=momentum_and_decay,
    figure=figure,
    summary=summary,
    source="torch.optim.SGD docs (algorithm box)",
    controls=(Control("lr", "learning rate", 0.01, 0.001, 0.1, 0.001),
              Control("weight_decay", "weight decay", 0.1, 0.0, 1.0, 0.01),
              Control("momentum", "momentum μ", 0.9, 0.0, 0.99, 0.01)),
)
