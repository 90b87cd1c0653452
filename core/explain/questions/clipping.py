"""Card: does gradient clipping clip the weight decay?"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core import figures, numbers
from core.explain.questions.card import LR, Control, Question
from core.problem import make_problem


@dataclass(frozen=True)
class Clipping:
    option_then_clip: np.ndarray  # clip_grad_norm_ then SGD(weight_decay)
    penalty_then_clip: np.ndarray  # L2 in the loss, clip, SGD(weight_decay=0)
    grad_norm: float
    max_norm: float
    max_abs_diff: float


def clipping_and_decay(lr: float = 0.1, weight_decay: float = 1.0, max_norm: float = 1.0) -> Clipping:
    """One step each way, written as a user would: backward, clip_grad_norm_, step."""
    problem = make_problem()
    results = []
    for penalty in (False, True):
        w = problem.w0.clone().requires_grad_(True)
        opt = torch.optim.SGD([w], lr=lr, weight_decay=0.0 if penalty else weight_decay)
        loss = problem.loss(w) + (weight_decay / 2 * (w**2).sum() if penalty else 0)
        loss.backward()
        torch.nn.utils.clip_grad_norm_([w], max_norm)
        opt.step()
        results.append(w.detach().numpy())
    a, b = results
    return Clipping(a, b, float(problem.grad(problem.w0).norm()), max_norm, float(np.abs(a - b).max()))


def figure(r: Clipping):
    return figures.matrix_table(r.option_then_clip - r.penalty_then_clip,
                                "W(weight_decay option) − W(L2 in the loss), after clipping")


def summary(r: Clipping) -> str:
    return (f"‖∇loss‖ = {numbers.fmt(r.grad_norm, 4)} clipped to {numbers.fmt(r.max_norm)}: max |difference| "
            f"between the two ways = {numbers.fmt(r.max_abs_diff, 4)}.")


CARD = Question(
    slug="clipping",
    title="Does gradient clipping clip the weight decay?",
    answer="Not the optimizer's own decay: clip_grad_norm_ runs before step(), and step() adds wd·w inside. An L2 "
           "term written into the loss is part of the gradient and is clipped with it, so the two give different "
           "weights.",
    run=clipping_and_decay,
    figure=figure,
    summary=summary,
    source="torch.nn.utils.clip_grad_norm_ docs; torch.optim.SGD algorithm box",
    controls=(LR, Control("weight_decay", "weight decay", 1.0, 0.0, 5.0, 0.01),
              Control("max_norm", "max_norm", 1.0, 0.01, 10.0, 0.01)),
)
