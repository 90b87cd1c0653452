"""Card: why do SGD recipes use wd ≈ 1e-4 but AdamW recipes 0.01–0.1?"""

from __future__ import annotations

import math

import pandas as pd
import torch

from core import numbers
from core.explain.questions.card import Control, Link, Question
from core.optim.torch_loop import pure_decay_run

RECIPES = (
    ("ResNet-50, SGD (torchvision reference)", "SGD", 0.1, 1e-4),
    ("timm train.py, SGD", "SGD", 0.1, 2e-5),
    ("nanoGPT GPT-2, AdamW", "AdamW", 6e-4, 0.1),
    ("torch.optim.AdamW defaults", "AdamW", 1e-3, 1e-2),
    ("Hugging Face Trainer default", "AdamW", 5e-5, 0.0),
    ("lr 1e-4 with wd 1e-4", "AdamW", 1e-4, 1e-4),
)


def measured_shrink(optimizer: str, lr: float, weight_decay: float) -> float:
    """1 - w_1/w_0 for one real torch.optim step with a zero gradient."""
    (w0, w1) = pure_decay_run(getattr(torch.optim, optimizer), torch.ones(1, dtype=torch.float64), 1, lr=lr,
                              weight_decay=weight_decay)
    return float(1 - w1 / w0)


def recipes(lr: float = 0.01, weight_decay: float = 0.05) -> pd.DataFrame:
    rows = [*RECIPES, ("your recipe (AdamW)", "AdamW", lr, weight_decay)]
    table = []
    for name, opt, r_lr, r_wd in rows:
        shrink = r_lr * r_wd
        half = math.log(0.5) / math.log1p(-shrink) if 0 < shrink < 1 else float("inf")
        table.append({"recipe": name, "optimizer": opt, "lr": r_lr, "weight_decay": r_wd, "lr·wd per step": shrink,
                      "measured shrink (torch)": measured_shrink(opt, r_lr, r_wd), "half-life (steps)": half})
    return pd.DataFrame(table)


CARD = Question(
    slug="recipes",
    title="Why do SGD recipes use wd ≈ 1e-4 but AdamW recipes 0.01–0.1?",
    answer="Because the shrink per step is lr·wd, and the learning rates differ by orders of magnitude: ResNet's SGD "
           "at lr 0.1 with wd 1e-4 shrinks by 1e-5 per step, nanoGPT's AdamW at lr 6e-4 with wd 0.1 by 6e-5. A wd "
           "of 1e-4 at lr 1e-4 shrinks by 1e-8 per step: nothing visible. Add your own row below.",
    run=recipes,
    figure=lambda r: numbers.frame(r, 4),
    summary=lambda r: "Measured shrink = one real torch.optim step with a zero gradient; it equals lr·wd in every "
                      "row.",
    source="torchvision classification reference, nanoGPT train.py, Hugging Face TrainingArguments, timm train.py",
    controls=(Control("lr", "your lr", 0.01, 1e-5, 1.0, 1e-5),
              Control("weight_decay", "your wd", 0.05, 0.0, 1.0, 1e-4)),
    links=(Link("Each recipe's timescale, and a wd for yours, in the Frontier lab", "app_pages/frontier.py"),),
)
