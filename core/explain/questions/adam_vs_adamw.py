"""Card: is Adam(weight_decay=...) the same as AdamW?"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core import figures, numbers
from core.explain.questions.card import WD, Control, Link, Question
from core.frontier.decoupling import RULES
from core.optim.torch_loop import final_weights
from core.problem import make_problem
from core.step import PureDecayComparison, adam_vs_adamw_pure_decay


@dataclass(frozen=True)
class AdamVsAdamW:
    pure: PureDecayComparison
    lr: float
    weight_decay: float
    wd0_max_abs_diff: float  # AdamW(weight_decay=0) vs Adam over `steps` steps of the seed loss
    steps: int


def adam_vs_adamw(lr: float = 0.01, weight_decay: float = 0.5, steps: int = 20) -> AdamVsAdamW:
    problem = make_problem()
    adam = final_weights(torch.optim.Adam, problem.w0, problem.loss, steps, lr=lr)
    adamw = final_weights(torch.optim.AdamW, problem.w0, problem.loss, steps, lr=lr, weight_decay=0.0)
    diff = float((adam - adamw).abs().max())
    return AdamVsAdamW(adam_vs_adamw_pure_decay(lr, weight_decay), lr, weight_decay, diff, steps)


def figure(r: AdamVsAdamW):
    return figures.pure_decay_scatter(r.pure.w_before, r.pure.adam_change, r.pure.adamw_change, r.lr, r.weight_decay)


def summary(r: AdamVsAdamW) -> str:
    moves = np.abs(r.pure.adam_change)
    return (f"Pure decay, one step: Adam moved weights by {numbers.fmt_range(moves.min(), moves.max())} "
            f"(lr = {numbers.fmt(r.lr)}); AdamW multiplied each by "
            f"{numbers.fmt(1 - r.lr * r.weight_decay, unlike=1.0)}. AdamW(weight_decay=0) vs Adam over "
            f"{r.steps} steps: max |diff| = {numbers.fmt(r.wd0_max_abs_diff)}.")


CARD = Question(
    slug="adam-vs-adamw",
    title="Is Adam(weight_decay=...) the same as AdamW?",
    answer="No. Adam adds wd·w to the gradient before the moments, so the decay is divided by √v̂ like any gradient: "
           "with no loss gradient every weight moves by about lr on the first step, whatever its size. AdamW "
           "multiplies every weight by 1 − lr·wd outside the adaptive step. With weight_decay = 0 they are the same "
           "algorithm, bit for bit.",
    run=adam_vs_adamw,
    figure=figure,
    summary=summary,
    source="Loshchilov & Hutter, Decoupled Weight Decay Regularization (ICLR 2019); torch.optim.Adam and AdamW docs",
    controls=(Control("lr", "learning rate", 0.01, 0.001, 0.1, 0.001), WD),
    links=(Link(f"The same wd under {len(RULES)} decay rules, side by side, in the Frontier lab",
              "app_pages/frontier.py"),),
)
