"""Card: does a learning-rate schedule change the decay?"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core import figures, numbers
from core.explain.questions.card import LR, WD, Link, Question, seed_w
from core.optim.torch_loop import pure_decay_run
from core.train.schedules import lr_factors


@dataclass(frozen=True)
class ScheduledDecay:
    shrink: dict[str, np.ndarray]  # schedule -> lr_t * wd per step
    norms: dict[str, np.ndarray]  # schedule -> ||W_t|| under AdamW with zero gradients


def schedule_changes_decay(lr: float = 0.1, weight_decay: float = 0.5, steps: int = 60) -> ScheduledDecay:
    w0, shrink, norms = seed_w(), {}, {}
    for name in ("constant", "step", "cosine"):
        factors = lr_factors(name, steps)
        run = pure_decay_run(torch.optim.AdamW, w0, steps, factors, lr=lr, weight_decay=weight_decay)
        shrink[name] = lr * weight_decay * np.array(factors)
        norms[name] = np.array([float(w.norm()) for w in run])
    return ScheduledDecay(shrink, norms)


def figure(r: ScheduledDecay):
    return figures.lines({f"‖W‖, {k}": (np.arange(len(v)), v) for k, v in r.norms.items()}
                         | {f"lr_t·wd, {k}": (np.arange(len(v)), v) for k, v in r.shrink.items()},
                         "AdamW, zero gradients: the schedule schedules the decay", "step", "value", log_y=True)


def summary(r: ScheduledDecay) -> str:
    finals = ", ".join(f"{k} {numbers.fmt(v[-1], 4)}" for k, v in r.norms.items())
    return f"Final ‖W‖ with zero gradients: {finals} (from {numbers.fmt(r.norms['constant'][0], 4)})."


CARD = Question(
    slug="schedule",
    title="Does a learning-rate schedule change the decay?",
    answer="Yes. PyTorch's SGD and AdamW shrink W by lr_t·wd each step, so a schedule that lowers lr lowers the decay "
           "too: 'decoupled' means decoupled from the adaptive denominator, not from the learning rate. The paper "
           "scales decay by the schedule multiplier instead; PyTorch uses the full lr.",
    run=schedule_changes_decay,
    figure=figure,
    summary=summary,
    source="pytorch/pytorch issue 38853 (AdamW weight decay and lr schedulers)",
    controls=(LR, WD),
    links=(Link("Why gradients grow at the end of a cosine run, and AdamC's fix: experiment 4 of the Frontier lab",
                "app_pages/frontier.py"),),
)
