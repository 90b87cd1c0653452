r"""The first step of one cell written out with its real numbers, as LaTeX.

Each rule in core.optim writes its own first step beside its algorithm (explain_first_step,
with its own eps); this module looks the rule up in the registry. A test checks every
written-out value against the optimizer's real W_1, so the page can never show a formula
that disagrees with torch.
"""

from __future__ import annotations

from core import optim
from core.optim.first_step import Explanation, num

__all__ = ["Explanation", "explain_first_step", "num"]


def explain_first_step(optimizer: str, w: float, g: float, lr: float, wd: float, options: dict) -> Explanation:
    """W_1 for one cell from W_0 = w and loss gradient g, on a fresh optimizer state."""
    spec = optim.get(optimizer)
    return spec.explain_first_step(w, g, lr=lr, weight_decay=wd, **spec.resolve(options))
