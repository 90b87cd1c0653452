"""core.optim.adamw against torch.optim.AdamW (decoupled weight decay), for every option combination (the contract all
rules share is in tests/test_rule_contract.py)."""

import itertools

import pytest
import torch

from core.optim import adam, adamw
from tests.oracle_helpers import (
    ADAM_GRID,
    DTYPES,
    adam_torch_options,
    run_side_by_side,
)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize(("options", "weight_decay"), ADAM_GRID)
def test_adamw_rule_matches_torch_adamw(options, weight_decay, dtype, gen):
    """Ten steps on random W's with random gradients: the rule is torch.optim.AdamW to 1e-12 (float64)."""
    run_side_by_side(adamw.step, torch.optim.AdamW, gen, lr=0.01, weight_decay=weight_decay, options=options,
                     torch_options=adam_torch_options(options), dtype=dtype)


@pytest.mark.parametrize(("amsgrad", "maximize"), list(itertools.product((False, True), repeat=2)))
def test_adamw_rule_matches_torch_adam_with_decoupled_weight_decay(amsgrad, maximize, gen):
    """torch.optim.Adam(decoupled_weight_decay=True) is AdamW; the rule agrees with it too."""
    options = dict(amsgrad=amsgrad, maximize=maximize)
    run_side_by_side(adamw.step, torch.optim.Adam, gen, lr=0.01, weight_decay=0.1, options=options,
                     torch_options=dict(adam_torch_options(options), decoupled_weight_decay=True))


@pytest.mark.parametrize(("amsgrad", "maximize"), list(itertools.product((False, True), repeat=2)))
def test_adamw_without_weight_decay_is_adam_exactly(amsgrad, maximize, gen):
    """With wd = 0 the decoupled shrink is a multiply by 1, so AdamW is Adam bit for bit."""
    w = torch.randn(4, 5, generator=gen, dtype=torch.float64)
    ours, theirs, s1, s2 = w, w, {}, {}
    for _ in range(10):
        g = torch.randn(4, 5, generator=gen, dtype=torch.float64)
        ours, s1, _ = adamw.step(ours, g, s1, lr=0.01, weight_decay=0.0, amsgrad=amsgrad, maximize=maximize)
        theirs, s2, _ = adam.step(theirs, g, s2, lr=0.01, weight_decay=0.0, amsgrad=amsgrad, maximize=maximize)
        assert torch.equal(ours, theirs)


@pytest.mark.parametrize(
    "grad", [pytest.param(torch.ones(3), id="with-grad"), pytest.param(None, id="grad-None")]
)
def test_invalid_beta_raises_even_for_a_param_without_grad(grad):
    """Bad hyperparameters are rejected whatever the gradient, as adam.step and torch.optim.AdamW do."""
    with pytest.raises(ValueError, match="beta1"):
        adamw.step(torch.ones(3), grad, {}, lr=0.1, beta1=1.5)
