"""Card: are biases and BatchNorm parameters decayed by default?"""

from __future__ import annotations

import pandas as pd
import torch

from core import numbers
from core.explain.questions.card import LR, Control, Link, Question
from core.optim.torch_loop import run_steps


def default_decays_everything(lr: float = 0.1, weight_decay: float = 0.1) -> pd.DataFrame:
    """A Linear + BatchNorm1d with zero gradients under SGD(weight_decay): every tensor shrinks."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2)).double()
    with torch.no_grad():
        model[1].bias.fill_(0.5)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}

    def zero_grads(_: int) -> None:
        for p in model.parameters():
            p.grad = torch.zeros_like(p)

    run_steps(torch.optim.SGD(model.parameters(), lr=lr, weight_decay=weight_decay), 1, set_grads=zero_grads)
    return pd.DataFrame([{"parameter": n, "first value before": float(before[n].flatten()[0]),
                          "after one step": float(p.detach().flatten()[0]),
                          "ratio": float(p.detach().flatten()[0] / before[n].flatten()[0])}
                         for n, p in model.named_parameters()])


CARD = Question(
    slug="bias-and-batchnorm",
    title="Are biases and BatchNorm parameters decayed by default?",
    answer="Yes. torch.optim decays every parameter it is given: biases, BatchNorm scales and shifts included. "
           "Excluding them is up to you; nanoGPT, timm, Hugging Face and torchvision's reference each have a rule, "
           "and the parameter explorer shows each one's choice for real models.",
    run=default_decays_everything,
    figure=lambda r: numbers.frame(r, 4),
    summary=lambda r: "Every tensor, BatchNorm's weight and bias too, was multiplied by 1 − lr·wd in one step with "
                      "zero gradients.",
    source="pytorch/pytorch issue 2639 (weight decay on biases and BatchNorm)",
    controls=(LR, Control("weight_decay", "weight decay", 0.1, 0.0, 5.0, 0.01)),
    links=(Link("Open ResNet-50 in the parameter explorer", "app_pages/parameters.py",
                {"model": "resnet50", "convention": "torch", "search": "bn"}),
           Link("Before a normalization layer decay sets the effective learning rate: experiment 3 of the Frontier lab",
                "app_pages/frontier.py")),
)
