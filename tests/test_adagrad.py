"""core.optim.adagrad against torch.optim.Adagrad, for every option combination."""

import itertools
import re

import pytest
import torch

from core.optim import adagrad
from tests.oracle_helpers import (
    DTYPES,
    assert_skips_param_without_grad,
    assert_zero_grad_still_decays,
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


@pytest.mark.parametrize("lr_decay", [0.0, 0.1])
def test_param_without_grad_is_skipped_like_torch(lr_decay, gen):
    """grad=None means no step, no decay and no tick of the lr_decay clock, as torch skips such a parameter."""
    assert_skips_param_without_grad(adagrad.step, torch.optim.Adagrad, gen, lr=0.1, weight_decay=0.1,
                                    options=dict(lr_decay=lr_decay, initial_accumulator_value=0.2))


def test_zero_gradient_is_still_decayed_like_torch(gen):
    """A zero gradient is not a missing one: the L2 term wd*W still drives the step."""
    assert_zero_grad_still_decays(adagrad.step, torch.optim.Adagrad, gen, lr=0.1, weight_decay=0.1, options={})


def test_decay_term_is_wd_times_w(gen):
    """Adagrad's decay joins the gradient, so the page shows it in gradient units: wd * W."""
    w, g = torch.randn(4, 5, generator=gen, dtype=torch.float64), torch.randn(4, 5, generator=gen, dtype=torch.float64)
    update = adagrad.step(w, g, {}, lr=0.1, weight_decay=0.1)
    torch.testing.assert_close(update.decay_term, 0.1 * w, rtol=1e-15, atol=0)


@pytest.mark.parametrize(
    "bad",
    [dict(lr=-0.1), dict(lr=0.1, weight_decay=-0.3), dict(lr=0.1, lr_decay=-0.5),
     dict(lr=0.1, initial_accumulator_value=-0.5)],
    ids=["lr", "weight_decay", "lr_decay", "initial_accumulator_value"],
)
def test_negative_hyperparameter_raises_torchs_error(bad):
    """The same message as torch, which names the argument."""
    with pytest.raises(ValueError, match=re.escape(torch_error(torch.optim.Adagrad, **bad))):
        adagrad.step(torch.ones(3), torch.ones(3), {}, **bad)
