"""core.optim.sgd against torch.optim.SGD, for every option combination (the contract all
rules share is in tests/test_rule_contract.py)."""

import itertools
import re

import pytest
import torch

from core.optim import sgd
from tests.oracle_helpers import (
    DTYPES,
    run_side_by_side,
    torch_error,
)


def nesterov_ok(momentum, dampening):
    return momentum > 0 and dampening == 0


GRID = [
    pytest.param(dict(momentum=m, dampening=d, nesterov=n, maximize=x), wd, id=f"mom{m}-damp{d}-nest{n}-max{x}-wd{wd}")
    for m, d, n, x, wd in itertools.product((0.0, 0.9), (0.0, 0.5), (False, True), (False, True), (0.0, 0.3))
    if not n or nesterov_ok(m, d)
]
INVALID_NESTEROV = [
    dict(momentum=m, dampening=d, nesterov=True)
    for m, d in itertools.product((0.0, 0.9), (0.0, 0.5))
    if not nesterov_ok(m, d)
]


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize(("options", "weight_decay"), GRID)
def test_sgd_rule_matches_torch_sgd(options, weight_decay, dtype, gen):
    """Ten steps on random W's with random gradients: the rule is torch.optim.SGD to 1e-12 (float64)."""
    run_side_by_side(sgd.step, torch.optim.SGD, gen, lr=0.1, weight_decay=weight_decay, options=options, dtype=dtype)


@pytest.mark.parametrize("options", INVALID_NESTEROV, ids=str)
def test_invalid_nesterov_combination_raises_torchs_error(options):
    """Nesterov without momentum, or with dampening, is rejected with torch's own message."""
    message = torch_error(torch.optim.SGD, lr=0.1, **options)
    with pytest.raises(ValueError, match=re.escape(message)):
        sgd.step(torch.ones(3), torch.ones(3), {}, lr=0.1, **options)
