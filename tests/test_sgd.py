"""core.optim.sgd against torch.optim.SGD, for every option combination."""

import itertools
import re

import pytest
import torch

from core.optim import sgd
from tests.oracle_helpers import (
    DTYPES,
    assert_skips_param_without_grad,
    assert_zero_grad_still_decays,
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


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_param_without_grad_is_skipped_like_torch(momentum, gen):
    """grad=None means no step and no decay, as torch skips such a parameter."""
    assert_skips_param_without_grad(sgd.step, torch.optim.SGD, gen, lr=0.1, weight_decay=0.3,
                                    options=dict(momentum=momentum))


def test_zero_gradient_is_still_decayed_like_torch(gen):
    """A zero gradient is not a missing one: decay still applies."""
    assert_zero_grad_still_decays(sgd.step, torch.optim.SGD, gen, lr=0.1, weight_decay=0.3, options={})


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_decay_term_is_lr_times_wd_times_w(momentum, gen):
    """The page shows SGD's decay as what leaves the parameter: lr * wd * W."""
    w, g = torch.randn(4, 5, generator=gen, dtype=torch.float64), torch.randn(4, 5, generator=gen, dtype=torch.float64)
    update = sgd.step(w, g, {}, lr=0.1, weight_decay=0.3, momentum=momentum)
    torch.testing.assert_close(update.decay_term, 0.1 * 0.3 * w, rtol=1e-15, atol=0)


@pytest.mark.parametrize("bad", [dict(lr=-0.1), dict(lr=0.1, weight_decay=-0.3)], ids=["lr", "weight_decay"])
def test_negative_lr_or_weight_decay_raises_torchs_error(bad):
    """The same message as torch, which names the argument."""
    with pytest.raises(ValueError, match=re.escape(torch_error(torch.optim.SGD, **bad))):
        sgd.step(torch.ones(3), torch.ones(3), {}, **bad)
