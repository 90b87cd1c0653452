"""core.optim.rmsprop against torch.optim.RMSprop, for every option combination (the contract all
rules share is in tests/test_rule_contract.py)."""

import itertools
import re

import pytest
import torch

from core.optim import rmsprop
from tests.oracle_helpers import (
    DTYPES,
    run_side_by_side,
    torch_error,
)

GRID = [
    pytest.param(dict(alpha=a, momentum=m, centered=c, maximize=x), wd, id=f"alpha{a}-mom{m}-cen{c}-max{x}-wd{wd}")
    for a, m, c, x, wd in itertools.product((0.99, 0.9), (0.0, 0.9), (False, True), (False, True), (0.0, 0.1))
]


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize(("options", "weight_decay"), GRID)
def test_rmsprop_rule_matches_torch_rmsprop(options, weight_decay, dtype, gen):
    """Ten steps on random W's with random gradients: the rule is torch.optim.RMSprop to 1e-12 (float64)."""
    run_side_by_side(rmsprop.step, torch.optim.RMSprop, gen, lr=0.01, weight_decay=weight_decay, options=options,
                     dtype=dtype)


@pytest.mark.parametrize("bad", [dict(lr=0.1, momentum=-0.5), dict(lr=0.1, alpha=-0.5)], ids=["momentum", "alpha"])
def test_negative_momentum_or_alpha_raises_torchs_error(bad):
    """The same message as torch, which names the argument."""
    with pytest.raises(ValueError, match=re.escape(torch_error(torch.optim.RMSprop, **bad))):
        rmsprop.step(torch.ones(3), torch.ones(3), {}, **bad)
