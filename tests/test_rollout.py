"""core.optim.rollout: k steps of the written-out rule, and of torch.optim, on one tensor."""

import pytest
import torch

from core.optim import OPTIMIZERS
from core.optim.rollout import rollout, rollout_torch
from core.problem import make_problem
from core.train.divergence import WEIGHT_LIMIT

SAMPLE_OPTIONS = {
    "sgd": {"momentum": 0.9, "nesterov": True},
    "adam": {"amsgrad": True},
    "adamw": {"beta1": 0.5, "maximize": True},
    "rmsprop": {"momentum": 0.9, "centered": True},
    "adagrad": {"lr_decay": 0.1, "initial_accumulator_value": 0.2},
}


@pytest.mark.parametrize("options", [False, True], ids=["defaults", "options"])
@pytest.mark.parametrize("key", sorted(OPTIMIZERS))
def test_rollout_agrees_with_rollout_torch(key, options):
    """The written-out rollout and the torch.optim rollout give the same W_0..W_T on the seed's mse problem."""
    problem = make_problem(loss="mse")
    kw = dict(steps=15, lr=0.05, weight_decay=0.3, options=SAMPLE_OPTIONS[key] if options else None)
    ours = rollout(OPTIMIZERS[key], problem.w0, problem.grad, **kw)
    theirs = rollout_torch(OPTIMIZERS[key], problem.w0, problem.grad, **kw)
    assert ours.weights.shape == theirs.shape == (16, 4, 5)
    assert ours.diverged_at is None
    torch.testing.assert_close(ours.weights, theirs, rtol=1e-12, atol=1e-12)


def test_rollout_does_not_modify_w0():
    """The written-out rollout is functional: the problem's W_0 is the seed's after any run."""
    problem = make_problem()
    w0 = problem.w0.clone()
    rollout(OPTIMIZERS["sgd"], problem.w0, problem.grad, steps=5, lr=0.1, weight_decay=1.0)
    assert torch.equal(problem.w0, w0)


def test_first_decay_term_is_the_first_steps():
    """The page shows step 1's decay term: for SGD lr * wd * W_0."""
    problem = make_problem()
    result = rollout(OPTIMIZERS["sgd"], problem.w0, problem.grad, steps=5, lr=0.1, weight_decay=1.0)
    torch.testing.assert_close(result.first_decay_term, 0.1 * problem.w0, rtol=1e-15, atol=0)


def test_missing_gradient_leaves_weights_and_decay_term_at_rest():
    """A grad_fn returning None is torch's 'no .grad': nothing moves, in either rollout."""
    problem = make_problem()
    kw = dict(steps=3, lr=0.1, weight_decay=1.0)
    ours = rollout(OPTIMIZERS["sgd"], problem.w0, lambda w: None, **kw)
    theirs = rollout_torch(OPTIMIZERS["sgd"], problem.w0, lambda w: None, **kw)
    assert torch.equal(ours.weights, problem.w0.expand(4, 4, 5))
    assert torch.equal(theirs, ours.weights)
    assert torch.equal(ours.first_decay_term, torch.zeros(4, 5, dtype=torch.float64))


@pytest.mark.parametrize(
    ("dtype", "lr", "weight_decay"),
    [("float32", 1.0, 10.0), ("float64", 1e300, 1e10), ("float32", 1e30, 1e10)],
    ids=["float32-shrink-factor--9", "float64-overflow-at-once", "float32-overflow-at-once"],
)
def test_divergence_stops_both_rollouts_at_the_first_diverged_step(dtype, lr, weight_decay):
    """A run that blows up stops at the first W that is inf/NaN or past the weight limit, keeping it so the
    page can show it."""
    problem = make_problem(dtype=dtype)
    kw = dict(steps=200, lr=lr, weight_decay=weight_decay)
    ours = rollout(OPTIMIZERS["sgd"], problem.w0, problem.grad, **kw)
    theirs = rollout_torch(OPTIMIZERS["sgd"], problem.w0, problem.grad, **kw)
    assert ours.diverged_at is not None and ours.diverged_at < 200
    assert len(ours.weights) == len(theirs) == ours.diverged_at + 1
    last = ours.weights[-1]
    assert not torch.isfinite(last).all() or last.abs().max() > WEIGHT_LIMIT
    assert torch.isfinite(ours.weights[:-1]).all() and ours.weights[:-1].abs().max() <= WEIGHT_LIMIT
