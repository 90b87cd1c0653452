"""core.optim.rmsprop against torch.optim.RMSprop, for every option combination."""

import itertools
import re

import pytest
import torch

from core.optim import rmsprop
from tests.oracle_helpers import (
    DTYPES,
    assert_skips_param_without_grad,
    assert_zero_grad_still_decays,
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


@pytest.mark.parametrize(("momentum", "centered"), [(0.0, False), (0.9, True)])
def test_param_without_grad_is_skipped_like_torch(momentum, centered, gen):
    """grad=None means no step and no decay, as torch skips such a parameter."""
    assert_skips_param_without_grad(rmsprop.step, torch.optim.RMSprop, gen, lr=0.01, weight_decay=0.1,
                                    options=dict(momentum=momentum, centered=centered))


def test_zero_gradient_is_still_decayed_like_torch(gen):
    """A zero gradient is not a missing one: the L2 term wd*W still drives the step."""
    assert_zero_grad_still_decays(rmsprop.step, torch.optim.RMSprop, gen, lr=0.01, weight_decay=0.1, options={})


def test_decay_term_is_wd_times_w(gen):
    """RMSprop's decay joins the gradient, so the page shows it in gradient units: wd * W."""
    w, g = torch.randn(4, 5, generator=gen, dtype=torch.float64), torch.randn(4, 5, generator=gen, dtype=torch.float64)
    update = rmsprop.step(w, g, {}, lr=0.01, weight_decay=0.1, momentum=0.9)
    torch.testing.assert_close(update.decay_term, 0.1 * w, rtol=1e-15, atol=0)


@pytest.mark.parametrize(
    "bad", [dict(lr=-0.1), dict(lr=0.1, weight_decay=-0.3), dict(lr=0.1, momentum=-0.5), dict(lr=0.1, alpha=-0.5)],
    ids=["lr", "weight_decay", "momentum", "alpha"],
)
def test_negative_hyperparameter_raises_torchs_error(bad):
    """The same message as torch, which names the argument."""
    with pytest.raises(ValueError, match=re.escape(torch_error(torch.optim.RMSprop, **bad))):
        rmsprop.step(torch.ones(3), torch.ones(3), {}, **bad)
