"""core.optim.adagrad against torch.optim.Adagrad, for every option combination (the contract all
rules share is in tests/test_rule_contract.py)."""

import itertools
import re

import pytest
import torch

from core.optim import adagrad
from tests.oracle_helpers import (
    DTYPES,
    run_side_by_side,
    torch_error,
)

GRID = [
    pytest.param(dict(lr_decay=d, initial_accumulator_value=s, maximize=x), wd, id=f"lrd{d}-acc{s}-max{x}-wd{wd}")
    for d, s, x, wd in itertools.product((0.0, 0.1), (0.0, 0.2), (False, True), (0.0, 0.1))
]


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize(("options", "weight_decay"), GRID)
def test_adagrad_rule_matches_torch_adagrad(options, weight_decay, dtype, gen):
    """Ten steps on random W's with random gradients: the rule is torch.optim.Adagrad to 1e-12 (float64)."""
    run_side_by_side(adagrad.step, torch.optim.Adagrad, gen, lr=0.1, weight_decay=weight_decay, options=options,
                     dtype=dtype)


@pytest.mark.parametrize(
    "bad", [dict(lr=0.1, lr_decay=-0.5), dict(lr=0.1, initial_accumulator_value=-0.5)],
    ids=["lr_decay", "initial_accumulator_value"],
)
def test_negative_lr_decay_or_accumulator_raises_torchs_error(bad):
    """The same message as torch, which names the argument."""
    with pytest.raises(ValueError, match=re.escape(torch_error(torch.optim.Adagrad, **bad))):
        adagrad.step(torch.ones(3), torch.ones(3), {}, **bad)
