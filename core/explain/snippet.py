"""A self-contained PyTorch script that reproduces what the page shows, to copy and run.

It uses torch.optim itself (not our written-out rules), so a reader can check the page
against PyTorch with nothing of ours installed.
"""

from __future__ import annotations

from core import optim
from core.step import StepConfig

_LOSS_CODE = {
    "sum": "loss = (x @ W).sum()",
    "mse": "loss = ((x @ W - y) ** 2).mean()",
}


def _kwargs_code(config: StepConfig) -> str:
    spec = optim.get(config.optimizer)
    kwargs = {"lr": config.lr, "weight_decay": config.weight_decay, **spec.torch_kwargs(dict(config.options))}
    return ", ".join(f"{k}={v!r}" for k, v in kwargs.items())


def pytorch_snippet(config: StepConfig) -> str:
    spec = optim.get(config.optimizer)
    dtype, device = f"torch.{config.dtype}", config.device
    if config.pure_decay:
        grad_lines = ["    W.grad = torch.zeros_like(W)  # pure decay: no loss gradient"]
    else:
        grad_lines = [f"    {_LOSS_CODE[config.loss]}", "    loss.backward()"]
    return "\n".join([
        "import numpy as np",
        "import torch",
        "",
        f"np.random.seed({config.seed})",
        f"x = torch.tensor(np.random.random((3, 4)), dtype={dtype}, device={device!r})",
        f"W = torch.tensor(np.random.random((4, 5)), dtype={dtype}, device={device!r}, requires_grad=True)",
        f"y = torch.tensor(np.random.random((3, 5)), dtype={dtype}, device={device!r})  # target for mse",
        "",
        f"opt = torch.optim.{spec.torch_class}([W], {_kwargs_code(config)})",
        f"for step in range({config.steps}):",
        "    opt.zero_grad()",
        *grad_lines,
        "    opt.step()",
        "print(W)",
    ])
