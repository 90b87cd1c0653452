"""core.optim.adam against torch.optim.Adam (L2-style weight_decay), for every option combination."""

import re

import pytest
import torch

from core.optim import adam
from tests.oracle_helpers import (
    ADAM_GRID,
    DTYPES,
    adam_torch_options,
    assert_skips_param_without_grad,
    assert_zero_grad_still_decays,
    run_side_by_side,
    torch_error,
)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize(("options", "weight_decay"), ADAM_GRID)
def test_adam_rule_matches_torch_adam(options, weight_decay, dtype, gen):
    """Ten steps on random W's with random gradients: the rule is torch.optim.Adam to 1e-12 (float64)."""
    run_side_by_side(adam.step, torch.optim.Adam, gen, lr=0.01, weight_decay=weight_decay, options=options,
                     torch_options=adam_torch_options(options), dtype=dtype)


@pytest.mark.parametrize("amsgrad", [False, True])
def test_param_without_grad_is_skipped_like_torch(amsgrad, gen):
    """grad=None means no step and no decay, as torch skips such a parameter."""
    options = dict(amsgrad=amsgrad)
    assert_skips_param_without_grad(adam.step, torch.optim.Adam, gen, lr=0.01, weight_decay=0.1,
                                    options=options, torch_options=adam_torch_options(options))


def test_zero_gradient_is_still_decayed_like_torch(gen):
    """A zero gradient is not a missing one: the L2 term wd*W still drives the step."""
    assert_zero_grad_still_decays(adam.step, torch.optim.Adam, gen, lr=0.01, weight_decay=0.1, options={})


def test_decay_term_is_wd_times_w(gen):
    """Adam's decay joins the gradient, so the page shows it in gradient units: wd * W."""
    w, g = torch.randn(4, 5, generator=gen, dtype=torch.float64), torch.randn(4, 5, generator=gen, dtype=torch.float64)
    update = adam.step(w, g, {}, lr=0.01, weight_decay=0.1)
    torch.testing.assert_close(update.decay_term, 0.1 * w, rtol=1e-15, atol=0)


@pytest.mark.parametrize("bad", [dict(lr=-0.1), dict(lr=0.1, weight_decay=-0.3)], ids=["lr", "weight_decay"])
def test_negative_lr_or_weight_decay_raises_torchs_error(bad):
    """The same message as torch, which names the argument."""
    with pytest.raises(ValueError, match=re.escape(torch_error(torch.optim.Adam, **bad))):
        adam.step(torch.ones(3), torch.ones(3), {}, **bad)


@pytest.mark.parametrize("name", ["beta1", "beta2"])
def test_beta_outside_unit_interval_raises_naming_it(name):
    """torch rejects betas outside [0, 1); the rule says which one."""
    with pytest.raises(ValueError, match=name):
        adam.step(torch.ones(3), torch.ones(3), {}, lr=0.1, **{name: 1.0})
