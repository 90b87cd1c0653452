"""Card: how do I schedule weight decay? The card shows code, and runs exactly that code."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import figures, numbers
from core.explain.questions.card import LR, WD, Link, Question


def wd_schedule_snippet(lr: float = 0.1, weight_decay: float = 0.5, steps: int = 60) -> str:
    return f'''import math

import torch

W = torch.nn.Parameter(torch.ones(4, 5, dtype=torch.float64))
opt = torch.optim.AdamW([W], lr={lr!r}, weight_decay=0.0)
steps, wd_max = {int(steps)}, {weight_decay!r}
wds, norms = [], [W.norm().item()]
for step in range(steps):
    wd = wd_max * 0.5 * (1 + math.cos(math.pi * step / steps))  # cosine from wd_max to 0
    for group in opt.param_groups:
        group["weight_decay"] = wd  # torch.optim has no weight-decay scheduler: set it per step
    W.grad = torch.zeros_like(W)  # zero gradient: only the decay acts
    opt.step()
    wds.append(wd)
    norms.append(W.norm().item())
'''


@dataclass(frozen=True)
class WdSchedule:
    wds: np.ndarray
    norms: np.ndarray


def schedule_weight_decay(lr: float = 0.1, weight_decay: float = 0.5, steps: int = 60) -> WdSchedule:
    """Runs exactly the snippet the card shows."""
    namespace: dict = {}
    exec(wd_schedule_snippet(lr, weight_decay, steps), namespace)  # noqa: S102 - our own constant code
    return WdSchedule(np.array(namespace["wds"]), np.array(namespace["norms"]))


def figure(r: WdSchedule):
    return figures.lines({"weight_decay_t": (np.arange(len(r.wds)), r.wds),
                          "‖W_t‖": (np.arange(len(r.norms)), r.norms)},
                         "A cosine weight-decay schedule under AdamW (zero gradients)", "step", "value")


CARD = Question(
    slug="schedule-wd",
    title="How do I schedule weight decay?",
    answer="torch.optim has no weight-decay scheduler; set group['weight_decay'] yourself before each step. The "
           "code below is exactly what ran to draw the chart.",
    run=schedule_weight_decay,
    figure=figure,
    summary=lambda r: f"‖W‖ went from {numbers.fmt_range(r.norms[0], r.norms[-1], 4)}.",
    source="torch.optim docs: param_groups",
    controls=(LR, WD),
    code=wd_schedule_snippet,
    links=(Link("A schedule for the decay itself, AdamC (decay ∝ lr_t): experiment 4 of the Frontier lab",
                "app_pages/frontier.py"),),
)
