"""Card: shrink then step, or step then shrink?"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core import figures, numbers
from core.explain.questions.card import LR, WD, Question
from core.optim.torch_loop import final_weights
from core.problem import make_problem


@dataclass(frozen=True)
class Order:
    torch_adamw: np.ndarray  # θ(1 - lr·wd) + u, as torch computes it
    step_then_shrink: np.ndarray  # (θ + u)(1 - lr·wd), as some fused kernels do
    update: np.ndarray  # u: the Adam step without decay
    lr_wd: float


def shrink_then_step(lr: float = 0.1, weight_decay: float = 0.5) -> Order:
    problem = make_problem()
    w0 = problem.w0
    adamw = final_weights(torch.optim.AdamW, w0, problem.loss, 1, lr=lr, weight_decay=weight_decay)
    u = final_weights(torch.optim.Adam, w0, problem.loss, 1, lr=lr) - w0
    k = lr * weight_decay
    return Order(adamw.numpy(), ((w0 + u) * (1 - k)).numpy(), u.numpy(), k)


def figure(r: Order):
    return figures.matrix_table(r.step_then_shrink - r.torch_adamw, "(θ + u)(1 − lr·wd) − torch's AdamW")


def summary(r: Order) -> str:
    return (f"max |difference| = {numbers.fmt(np.abs(r.step_then_shrink - r.torch_adamw).max())} = "
            f"lr·wd·max|u| = {numbers.fmt(r.lr_wd * np.abs(r.update).max())}.")


CARD = Question(
    slug="order",
    title="Shrink then step, or step then shrink?",
    answer="PyTorch's AdamW shrinks θ first and then adds the Adam step u: θ(1 − lr·wd) + u. Some fused kernels "
           "compute (θ + u)(1 − lr·wd) instead. The two differ by lr·wd·u per step: tiny, but not zero.",
    run=shrink_then_step,
    figure=figure,
    summary=summary,
    source="torch.optim.AdamW docs (algorithm box)",
    controls=(LR, WD),
)
