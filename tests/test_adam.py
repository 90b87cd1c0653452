"""core.optim.adam against torch.optim.Adam (L2-style weight_decay), for every option combination (the contract all
rules share is in tests/test_rule_contract.py)."""

import pytest
import torch

from core.optim import adam
from tests.oracle_helpers import (
    ADAM_GRID,
    DTYPES,
    adam_torch_options,
    run_side_by_side,
)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize(("options", "weight_decay"), ADAM_GRID)
def test_adam_rule_matches_torch_adam(options, weight_decay, dtype, gen):
    """Ten steps on random W's with random gradients: the rule is torch.optim.Adam to 1e-12 (float64)."""
    run_side_by_side(adam.step, torch.optim.Adam, gen, lr=0.01, weight_decay=weight_decay, options=options,
                     torch_options=adam_torch_options(options), dtype=dtype)


@pytest.mark.parametrize("name", ["beta1", "beta2"])
def test_beta_outside_unit_interval_raises_naming_it(name):
    """torch rejects betas outside [0, 1); the rule says which one."""
    with pytest.raises(ValueError, match=name):
        adam.step(torch.ones(3), torch.ones(3), {}, lr=0.1, **{name: 1.0})


def test_moments_handed_over_are_updated_where_they_are():
    """The batched trainer hands its state over (owned=True): the moments are written in place, no new
    tensors a step (a fifth of the 12 x 12 sweep's Adam step); a caller that keeps its state gets new ones."""
    w, g = torch.randn(3, 4, dtype=torch.float64), torch.randn(3, 4, dtype=torch.float64)
    first = adam.step(w, g, {}, lr=0.1, owned=True).state
    moments = first["exp_avg"], first["exp_avg_sq"]
    second = adam.step(w, g, first, lr=0.1, owned=True).state
    assert second["exp_avg"] is moments[0] and second["exp_avg_sq"] is moments[1]
    kept = adam.step(w, g, second, lr=0.1).state
    assert kept["exp_avg"] is not moments[0] and kept["exp_avg_sq"] is not moments[1]
