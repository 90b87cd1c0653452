"""The comparison loop every optimizer test shares: our written-out rule vs torch.optim itself."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
import torch
from torch.testing import assert_close

SHAPES = ((4, 5), (7,))
TOLERANCES = {
    torch.float64: dict(rtol=1e-12, atol=1e-12),
    torch.float32: dict(rtol=1e-5, atol=1e-6),
}
DTYPES = [torch.float64, torch.float32]
ADAM_BETAS = [(0.9, 0.999), (0.5, 0.9), (0.0, 0.99)]
# Every Adam/AdamW option combination the oracle tests run: betas x amsgrad x maximize x weight decay.
ADAM_GRID = [
    pytest.param(dict(beta1=b1, beta2=b2, amsgrad=a, maximize=x), wd, id=f"b{b1},{b2}-ams{a}-max{x}-wd{wd}")
    for (b1, b2), a, x, wd in itertools.product(ADAM_BETAS, (False, True), (False, True), (0.0, 0.1))
]

# grads(step, index, shape, dtype) -> the gradient of parameter `index` at `step`, or None
GradSource = Callable[[int, int, tuple, torch.dtype], torch.Tensor | None]


def random_grads(gen: torch.Generator) -> GradSource:
    return lambda step, index, shape, dtype: torch.randn(shape, generator=gen, dtype=dtype)


def run_side_by_side(rule, torch_class, gen, *, lr, weight_decay, options, torch_options=None,
                     dtype=torch.float64, steps=10, grads: GradSource | None = None):
    """Step `rule` and `torch_class` on the same random W's and gradients, asserting agreement
    after every step. Returns (w0s, ours, last decay terms) for further checks."""
    grads = grads or random_grads(gen)
    w0s = [torch.randn(shape, generator=gen, dtype=dtype) for shape in SHAPES]
    params = [w.clone().requires_grad_(True) for w in w0s]
    opt = torch_class(params, lr=lr, weight_decay=weight_decay, **(options if torch_options is None else torch_options))
    ours, states, decays = list(w0s), [{} for _ in SHAPES], [None] * len(SHAPES)
    for step in range(steps):
        for i, p in enumerate(params):
            g = grads(step, i, tuple(p.shape), dtype)
            p.grad = None if g is None else g.clone()
            update = rule(ours[i], g, states[i], lr=lr, weight_decay=weight_decay, **options)
            ours[i], states[i], decays[i] = update.param, update.state, update.decay_term
        opt.step()
        for i, p in enumerate(params):
            where = f"step {step + 1}, param {i}"
            assert_close(ours[i], p.detach(), **TOLERANCES[dtype], msg=lambda m, where=where: f"{where}: {m}")
    return w0s, ours, decays


def assert_skips_param_without_grad(rule, torch_class, gen, *, lr, weight_decay, options, torch_options=None):
    """torch leaves a parameter whose .grad is None untouched (no decay either); so must the rule."""
    w0s, ours, decays = run_side_by_side(
        rule, torch_class, gen, lr=lr, weight_decay=weight_decay, options=options, torch_options=torch_options,
        steps=3, grads=lambda step, i, shape, dtype: None if i == 1 else torch.randn(shape, generator=gen, dtype=dtype),
    )
    assert torch.equal(ours[1], w0s[1])
    assert torch.equal(decays[1], torch.zeros_like(w0s[1]))
    assert not torch.equal(ours[0], w0s[0])


def assert_zero_grad_still_decays(rule, torch_class, gen, *, lr, weight_decay, options, torch_options=None):
    """A zero gradient is still a gradient: torch applies weight decay to it, and so must the rule."""
    w0s, ours, _ = run_side_by_side(
        rule, torch_class, gen, lr=lr, weight_decay=weight_decay, options=options, torch_options=torch_options,
        steps=3, grads=lambda step, i, shape, dtype: torch.zeros(shape, dtype=dtype),
    )
    for w0, w in zip(w0s, ours, strict=True):
        assert w.abs().sum() < w0.abs().sum()  # decay alone pulls W toward 0


def torch_error(torch_class, **kwargs) -> str:
    """The message torch's constructor raises for these hyperparameters."""
    try:
        torch_class([torch.zeros(2, requires_grad=True)], **kwargs)
    except ValueError as error:
        return str(error)
    raise AssertionError(f"{torch_class.__name__}({kwargs}) did not raise")


def adam_torch_options(options: dict) -> dict:
    """Our beta1/beta2 travel as torch's betas pair."""
    rest = {k: v for k, v in options.items() if k not in ("beta1", "beta2")}
    return dict(betas=(options.get("beta1", 0.9), options.get("beta2", 0.999)), **rest)
