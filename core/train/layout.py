"""Every parameter of every run in one (G, P) tensor, and each named parameter a view of it.

The update rules of core.optim are elementwise, so one rule applied to the whole (G, P)
block gives, element for element, what it gives applied to each parameter in turn, in a
handful of tensor operations per step instead of a handful per parameter. The task's
forward pass sees the named views; gradients come back in the same layout.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor


class Layout:
    """Which columns of the flat block hold which parameter, and its shape within one run."""

    def __init__(self, params: dict[str, Tensor]):
        self.shapes = {name: tuple(p.shape[1:]) for name, p in params.items()}
        self.columns: dict[str, slice] = {}
        start = 0
        for name, shape in self.shapes.items():
            size = math.prod(shape)
            self.columns[name] = slice(start, start + size)
            start += size
        self.size = start

    def flatten(self, tensors: dict[str, Tensor] | list[Tensor] | tuple[Tensor, ...]) -> Tensor:
        """Named (G, ...) tensors (or a sequence in this layout's order) as one (G, P) tensor."""
        values = list(tensors.values()) if isinstance(tensors, dict) else list(tensors)
        flat = [t.reshape(t.shape[0], -1) for t in values]
        return flat[0] if len(flat) == 1 else torch.cat(flat, dim=1)

    def views(self, flat: Tensor) -> dict[str, Tensor]:
        """The named parameters as views of `flat` (no copy): (G, *shape) each."""
        return {name: flat[:, self.columns[name]].view(flat.shape[0], *shape)
                for name, shape in self.shapes.items()}

    def mask(self, names, like: Tensor) -> Tensor:
        """(1, P): 1 in the columns of the named parameters, 0 elsewhere."""
        out = torch.zeros(1, self.size, dtype=like.dtype, device=like.device)
        for name in names:
            out[:, self.columns[name]] = 1
        return out
