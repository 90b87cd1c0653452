"""Learning-rate schedules as pure functions of the step: lr_t = lr * factor(t, total).

PyTorch's SGD and AdamW shrink W by lr_t * wd per step, so a schedule schedules the decay
too; the training page draws both.
"""

from __future__ import annotations

import math

from core.registry import lookup


def constant(t: int, total: int) -> float:
    return 1.0


def step_decay(t: int, total: int) -> float:
    """x0.1 after each third of the run, as StepLR(step_size=total // 3, gamma=0.1)."""
    return 0.1 ** (t // max(1, total // 3))


def cosine(t: int, total: int) -> float:
    """CosineAnnealingLR's closed form with eta_min = 0: from 1 at t = 0 to 0 at t = total."""
    return 0.5 * (1.0 + math.cos(math.pi * t / max(1, total)))


SCHEDULES = {"constant": constant, "step": step_decay, "cosine": cosine}


def lr_factors(name: str, total: int) -> list[float]:
    """factor(t) for the steps t = 0 .. total-1 (step t uses it)."""
    factor = lookup(SCHEDULES, name, "schedule")
    return [factor(t, total) for t in range(total)]
