"""Card: is a frozen parameter decayed?"""

from __future__ import annotations

import pandas as pd
import torch

from core import numbers
from core.explain.questions.card import LR, WD, Control, Question
from core.optim.torch_loop import run_steps


def frozen_parameters(lr: float = 0.1, weight_decay: float = 0.5, steps: int = 5) -> pd.DataFrame:
    """One optimizer, two parameters: one never gets a .grad, one gets zeros each step."""
    rows = []
    for cls in (torch.optim.SGD, torch.optim.AdamW):
        no_grad, zero_grad = (torch.ones(3, dtype=torch.float64, requires_grad=True) for _ in range(2))

        def zeros(_: int, p: torch.Tensor = zero_grad) -> None:
            p.grad = torch.zeros_like(p)

        run_steps(cls([no_grad, zero_grad], lr=lr, weight_decay=weight_decay), steps, set_grads=zeros)
        rows += [{"optimizer": cls.__name__, "parameter": ".grad is None", "value after": float(no_grad.detach()[0])},
                 {"optimizer": cls.__name__, "parameter": ".grad = zeros", "value after": float(zero_grad.detach()[0])}]
    frame = pd.DataFrame(rows)
    frame["(1 - lr·wd)^steps"] = (1 - lr * weight_decay) ** steps
    return frame


CARD = Question(
    slug="frozen",
    title="Is a frozen parameter decayed?",
    answer="A parameter whose .grad is None is skipped entirely: no step, no decay. One whose gradient is zeros (an "
           "unused branch under DDP, say) is still decayed every step.",
    run=frozen_parameters,
    figure=lambda r: numbers.frame(r, 4),
    summary=lambda r: "The .grad-is-None parameter kept its value; the zero-gradient one shrank like "
                      "(1 − lr·wd)^steps.",
    source="torch.optim docs: parameters with grad None are skipped; PyTorch forum threads on DDP unused parameters",
    controls=(LR, WD, Control("steps", "steps", 5, 1, 50, 1)),
)
