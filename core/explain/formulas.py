"""Small closed forms the page quotes: shrink factor, half-life, and the two SGD formulas.

Each is a pure function on floats or arrays so the numbers shown are computed, and a
test can check them against torch.optim.
"""

from __future__ import annotations

import math


def shrink_factor(lr: float, weight_decay: float) -> float:
    """Per-step multiplier of W from decay alone, 1 - lr*wd (SGD without momentum, AdamW)."""
    return 1.0 - lr * weight_decay


def half_life_steps(lr: float, weight_decay: float) -> float | None:
    """Steps for pure decay to halve W: ln(1/2) / ln(1 - lr*wd). None when W never halves
    by shrinking (factor >= 1) or the factor is not in (0, 1), so it flips sign or grows."""
    factor = shrink_factor(lr, weight_decay)
    if not 0.0 < factor < 1.0:
        return None
    return math.log(0.5) / math.log(factor)


def pytorch_sgd_update(w, dw, lr: float, weight_decay: float):
    """What torch.optim.SGD computes in one plain step: w - lr*(dw + wd*w)."""
    return w - lr * (dw + weight_decay * w)


def popular_sgd_update(w, dw, lr: float, weight_decay: float):
    """The often-quoted w - lr*dw - wd*w. It forgets lr on the decay term, so it is not
    what PyTorch computes; the page shows both side by side."""
    return w - lr * dw - weight_decay * w
