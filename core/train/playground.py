"""TensorFlow Playground's four 2-D datasets (circle, xor, gaussian, spiral), generated from a
seed: the toy classification task's data (core.train.tasks.ToyClassifier), nothing downloaded."""

from __future__ import annotations

import math

import torch
from torch import Tensor

TOY_DATASETS = ("circle", "xor", "gaussian", "spiral")


def playground_points(name: str, n: int, noise: float, g: torch.Generator) -> tuple[Tensor, Tensor]:
    """TensorFlow Playground's four 2-D datasets, in [-1, 1]-ish coordinates, labels 0/1."""
    half = n // 2
    if name == "circle":
        r = torch.cat([torch.rand(half, generator=g) * 0.5, 0.7 + torch.rand(n - half, generator=g) * 0.3])
        a = torch.rand(n, generator=g) * 2 * math.pi
        x, label = torch.stack([r * a.cos(), r * a.sin()], 1), (r < 0.5).double()
    elif name == "xor":
        x = torch.rand(n, 2, generator=g) * 2 - 1
        x = x + 0.05 * x.sign()  # keep points off the axes, as the playground pads them
        label = (x[:, 0] * x[:, 1] > 0).double()
    elif name == "gaussian":
        label = torch.cat([torch.ones(half), torch.zeros(n - half)]).double()
        x = torch.randn(n, 2, generator=g) * 0.25 + (label * 2 - 1).unsqueeze(1) * 0.4
    elif name == "spiral":
        t = torch.rand(n, generator=g) * 1.75 * math.pi
        label = torch.cat([torch.ones(half), torch.zeros(n - half)]).double()
        a = t + label * math.pi
        x = torch.stack([t * a.cos(), t * a.sin()], 1) / (1.75 * math.pi)
    else:
        raise ValueError(f"Unknown dataset {name!r}; choose one of {list(TOY_DATASETS)}")
    x = x.double() + noise * 0.3 * torch.randn(n, 2, generator=g, dtype=torch.float64)
    return x, label.unsqueeze(1)
