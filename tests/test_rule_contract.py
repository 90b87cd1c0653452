"""The contract every written-out rule in core.optim's registry keeps with torch.optim: a
parameter without .grad is skipped, a zero gradient is still decayed, the decay term is
reported in the units the page shows, and bad lr / weight_decay fail with torch's message.

Parametrised over the registry, so a new optimizer is checked by adding it there; each
rule's own oracle grid and its special cases stay in tests/test_<rule>.py.
"""

from __future__ import annotations

import re

import pytest
import torch

from core.optim import OPTIMIZERS
from tests.oracle_helpers import assert_skips_param_without_grad, assert_zero_grad_still_decays, torch_error

LR, WEIGHT_DECAY = 0.05, 0.1


def variants(spec) -> list[dict]:
    """Option sets to check the contract under: the defaults, each option moved off its default
    on its own (a flag on, a zero moved to mid-range), and all of them together; a combination
    torch itself rejects (nesterov without momentum, say) is left out."""
    moved = {o.key: True if isinstance(o.default, bool) else (o.low + o.high) / 2
             for o in spec.options if not o.default}
    candidates = [{}, *({name: value} for name, value in moved.items()), moved]
    kept = []
    for options in candidates:
        try:
            spec.make_torch([torch.zeros(1, requires_grad=True)], lr=LR, weight_decay=WEIGHT_DECAY, options=options)
        except ValueError:
            continue
        if options not in kept:
            kept.append(options)
    return kept


CASES = [pytest.param(key, options, id=f"{key}-{'-'.join(options) or 'defaults'}")
         for key, spec in OPTIMIZERS.items() for options in variants(spec)]


def torch_class(spec) -> type[torch.optim.Optimizer]:
    return getattr(torch.optim, spec.torch_class)


def test_every_rule_has_cases():
    assert {key for key, *_ in (c.values for c in CASES)} == set(OPTIMIZERS)


@pytest.mark.parametrize(("key", "options"), CASES)
def test_param_without_grad_is_skipped_like_torch(key, options, gen):
    """grad=None means no step and no decay (nor any tick of a clock), as torch skips such a parameter."""
    spec = OPTIMIZERS[key]
    assert_skips_param_without_grad(spec.step, torch_class(spec), gen, lr=LR, weight_decay=WEIGHT_DECAY,
                                    options=options, torch_options=spec.torch_kwargs(options))


@pytest.mark.parametrize(("key", "options"), CASES)
def test_zero_gradient_is_still_decayed_like_torch(key, options, gen):
    """A zero gradient is not a missing one: the decay still applies, pulling W toward 0."""
    spec = OPTIMIZERS[key]
    assert_zero_grad_still_decays(spec.step, torch_class(spec), gen, lr=LR, weight_decay=WEIGHT_DECAY,
                                  options=options, torch_options=spec.torch_kwargs(options))


@pytest.mark.parametrize(("key", "options"), CASES)
def test_decay_term_is_in_the_units_the_page_shows(key, options, gen):
    """Decay that joins the gradient is shown in gradient units (wd * W); decay that leaves the
    parameter is shown as what leaves it (lr * wd * W)."""
    spec = OPTIMIZERS[key]
    w, g = (torch.randn(4, 5, generator=gen, dtype=torch.float64) for _ in range(2))
    update = spec.step(w, g, {}, lr=LR, weight_decay=WEIGHT_DECAY, **spec.resolve(options))
    scale = LR * WEIGHT_DECAY if spec.decay_enters == "parameter" else WEIGHT_DECAY
    torch.testing.assert_close(update.decay_term, scale * w, rtol=1e-15, atol=0)


@pytest.mark.parametrize("key", OPTIMIZERS)
@pytest.mark.parametrize("bad", [dict(lr=-0.1), dict(lr=0.1, weight_decay=-0.3)], ids=["lr", "weight_decay"])
def test_negative_lr_or_weight_decay_raises_torchs_error(key, bad):
    """The same message as torch, which names the argument."""
    spec = OPTIMIZERS[key]
    with pytest.raises(ValueError, match=re.escape(torch_error(torch_class(spec), **bad))):
        spec.step(torch.ones(3), torch.ones(3), {}, **bad)


@pytest.mark.parametrize(("key", "options"), CASES)
def test_a_rule_handed_its_state_steps_to_the_same_numbers_and_only_then_changes_it(key, options, gen):
    """owned=True (the batched trainer's) lets a rule update its state in place: the same operations, so
    the same numbers bit for bit; without it the state a caller passes is left as it was (the single step
    and the torch oracle loops step from states they keep)."""
    spec = OPTIMIZERS[key]
    resolved = spec.resolve(options)
    w = torch.randn(4, 5, generator=gen, dtype=torch.float64)
    grads = [torch.randn(4, 5, generator=gen, dtype=torch.float64) for _ in range(4)]
    kept_state, kept_w, handed_state, handed_w = {}, w, {}, w
    for g in grads:
        before = {k: v.clone() if isinstance(v, torch.Tensor) else v for k, v in kept_state.items()}
        kept = spec.step(kept_w, g, kept_state, lr=LR, weight_decay=WEIGHT_DECAY, **resolved)
        for k, v in before.items():  # not handed over: untouched
            assert (torch.equal(kept_state[k], v) if isinstance(v, torch.Tensor) else kept_state[k] == v), k
        handed = spec.step(handed_w, g, handed_state, lr=LR, weight_decay=WEIGHT_DECAY, owned=True, **resolved)
        assert torch.equal(kept.param, handed.param)
        assert kept.state.keys() == handed.state.keys()
        for k in kept.state:
            a, b = kept.state[k], handed.state[k]
            assert (torch.equal(a, b) if isinstance(a, torch.Tensor) else a == b), k
        kept_state, kept_w, handed_state, handed_w = kept.state, kept.param, handed.state, handed.param

