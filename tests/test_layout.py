"""The (runs, parameters) block of the batched trainer: named views, and a rule applied to the
whole block equals the rule applied to each parameter."""

from __future__ import annotations

import pytest
import torch

from core.optim import OPTIMIZERS
from core.train.layout import Layout


def params(gen: torch.Generator, runs: int = 3) -> dict[str, torch.Tensor]:
    shapes = {"W1": (2, 4), "b1": (1, 4), "W2": (4, 1), "b2": (1, 1)}
    return {name: torch.randn(runs, *shape, generator=gen, dtype=torch.float64) for name, shape in shapes.items()}


def test_views_read_back_what_was_flattened_without_copying():
    gen = torch.Generator().manual_seed(0)
    p = params(gen)
    layout = Layout(p)
    flat = layout.flatten(p)
    assert flat.shape == (3, 8 + 4 + 4 + 1) == (3, layout.size)
    views = layout.views(flat)
    for name in p:
        assert torch.equal(views[name], p[name])
        assert views[name].data_ptr() >= flat.data_ptr()  # a view into the block
    flat[1, layout.columns["b2"]] = 7.0
    assert views["b2"][1].item() == 7.0
    mask = layout.mask({"W1", "W2"}, flat)
    assert mask.sum().item() == 12 and mask[0, layout.columns["b1"]].eq(0).all()


@pytest.mark.parametrize("key", OPTIMIZERS)
def test_a_rule_on_the_block_equals_the_rule_on_each_parameter(key):
    """Every rule is elementwise, so one call on the block is, bit for bit, one call per parameter."""
    gen = torch.Generator().manual_seed(1)
    p, g = params(gen), params(gen)
    layout = Layout(p)
    lr = torch.tensor([0.01, 0.1, 0.3], dtype=torch.float64).reshape(3, 1)
    wd = torch.tensor([0.0, 0.5, 2.0], dtype=torch.float64).reshape(3, 1)
    mask = layout.mask({"W1", "W2"}, layout.flatten(p))
    step = OPTIMIZERS[key].step
    options = OPTIMIZERS[key].resolve({})
    flat, flat_state = layout.flatten(p), {}
    apart, states = dict(p), {name: {} for name in p}
    for _ in range(3):
        flat_update = step(flat, layout.flatten(g), flat_state, lr=lr, weight_decay=wd * mask, checked=True, **options)
        flat, flat_state = flat_update.param, flat_update.state
        for name in p:
            decay = wd.reshape(3, 1, 1) if name.startswith("W") else 0.0
            u = step(apart[name], g[name], states[name], lr=lr.reshape(3, 1, 1), weight_decay=decay, **options)
            apart[name], states[name] = u.param, u.state
    for name, view in layout.views(flat).items():
        assert torch.equal(view, apart[name]), name
