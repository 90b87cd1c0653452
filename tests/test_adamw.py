"""core.optim.adamw against torch.optim.AdamW (decoupled weight decay), for every option combination."""

import itertools
import re

import pytest
import torch

from core.optim import adam, adamw
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


@pytest.mark.parametrize("amsgrad", [False, True])
def test_param_without_grad_is_skipped_like_torch(amsgrad, gen):
    """grad=None means no step and no decoupled shrink either, as torch skips such a parameter."""
    options = dict(amsgrad=amsgrad)
    assert_skips_param_without_grad(adamw.step, torch.optim.AdamW, gen, lr=0.01, weight_decay=0.1,
                                    options=options, torch_options=adam_torch_options(options))


def test_zero_gradient_is_still_decayed_like_torch(gen):
    """A zero gradient is not a missing one: the decoupled shrink still applies."""
    assert_zero_grad_still_decays(adamw.step, torch.optim.AdamW, gen, lr=0.01, weight_decay=0.1, options={})


def test_decay_term_is_lr_times_wd_times_w(gen):
    """AdamW's decay leaves the parameter, so the page shows lr * wd * W."""
    w, g = torch.randn(4, 5, generator=gen, dtype=torch.float64), torch.randn(4, 5, generator=gen, dtype=torch.float64)
    update = adamw.step(w, g, {}, lr=0.01, weight_decay=0.1)
    torch.testing.assert_close(update.decay_term, 0.01 * 0.1 * w, rtol=1e-15, atol=0)


@pytest.mark.parametrize("bad", [dict(lr=-0.1), dict(lr=0.1, weight_decay=-0.3)], ids=["lr", "weight_decay"])
def test_negative_lr_or_weight_decay_raises_torchs_error(bad):
    """The same message as torch, which names the argument."""
    with pytest.raises(ValueError, match=re.escape(torch_error(torch.optim.AdamW, **bad))):
        adamw.step(torch.ones(3), torch.ones(3), {}, **bad)


@pytest.mark.parametrize(
    "grad", [pytest.param(torch.ones(3), id="with-grad"), pytest.param(None, id="grad-None")]
)
def test_invalid_beta_raises_even_for_a_param_without_grad(grad):
    """Bad hyperparameters are rejected whatever the gradient, as adam.step and torch.optim.AdamW do."""
    with pytest.raises(ValueError, match="beta1"):
        adamw.step(torch.ones(3), grad, {}, lr=0.1, beta1=1.5)
