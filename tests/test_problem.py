"""core.problem: the seed experiment's x and W, and the gradients of its two losses."""

import numpy as np
import pytest
import torch

from core.problem import make_problem, seed_arrays

SEED_W0 = [
    [0.4386, 0.0597, 0.3980, 0.7380, 0.1825],
    [0.1755, 0.5316, 0.5318, 0.6344, 0.8494],
    [0.7245, 0.6110, 0.7224, 0.3230, 0.3618],
    [0.2283, 0.2937, 0.6310, 0.0921, 0.4337],
]


def test_seed_123_gives_the_notebooks_w0():
    """x is drawn before W, as in the seed notebook, so W_0 is the one it printed."""
    np.testing.assert_array_equal(np.round(make_problem(123).w0.numpy(), 4), SEED_W0)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_problem_has_the_seeds_shapes_and_requested_dtype(dtype):
    problem = make_problem(dtype=dtype)
    assert problem.x.shape == (3, 4) and problem.w0.shape == (4, 5) and problem.target.shape == (3, 5)
    assert problem.w0.dtype == getattr(torch, dtype)


def test_sum_loss_gradient_is_x_transpose_times_ones():
    """d sum(x @ W) / dW = x.T @ 1, exactly, and it does not depend on W."""
    problem = make_problem(loss="sum")
    expected = problem.x.T @ torch.ones(3, 5, dtype=torch.float64)
    assert torch.equal(problem.grad(problem.w0), expected)
    assert torch.equal(problem.grad(2 * problem.w0), expected)


def test_mse_loss_gradient_matches_the_hand_formula():
    """d mean((xW - y)^2) / dW = 2/15 * x.T @ (xW - y), for 15 = 3 * 5 entries."""
    problem = make_problem(loss="mse")
    x, w, y = problem.x, problem.w0, problem.target
    torch.testing.assert_close(problem.grad(w), 2 / 15 * x.T @ (x @ w - y), rtol=1e-12, atol=1e-15)


def test_grad_works_under_no_grad():
    """The page's runs are under torch.no_grad(); the gradient must still be computed."""
    problem = make_problem(loss="mse")
    with torch.no_grad():
        g = problem.grad(problem.w0)
    torch.testing.assert_close(g, problem.grad(problem.w0), rtol=0, atol=0)


def test_mse_target_does_not_change_x_or_w():
    """y is drawn after x and W, so choosing the mse loss keeps the seed's x and W."""
    a, b = make_problem(loss="sum"), make_problem(loss="mse")
    assert torch.equal(a.x, b.x) and torch.equal(a.w0, b.w0)


def test_other_seeds_give_other_weights():
    assert not np.array_equal(seed_arrays(1)[1], seed_arrays(123)[1])


def test_unknown_loss_raises_listing_losses():
    with pytest.raises(ValueError, match=r"'hinge'.*mse.*sum"):
        make_problem(loss="hinge")


@pytest.mark.parametrize("seed", [-1, 2**32])
def test_seed_outside_numpy_range_raises(seed):
    with pytest.raises(ValueError, match="seed"):
        make_problem(seed=seed)


def test_non_numeric_seed_raises():
    with pytest.raises(ValueError):
        make_problem(seed="abc")


@pytest.mark.parametrize("loss", ["sum", "mse"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_closed_form_gradient_equals_autograd(loss, dtype):
    """Problem.grad is written out for speed; autograd is the oracle, at W_0 and elsewhere."""
    problem = make_problem(loss=loss, dtype=dtype)
    for w in (problem.w0, problem.w0 * -3.0 + 0.25):
        leaf = w.clone().requires_grad_(True)
        (expected,) = torch.autograd.grad(problem.loss(leaf), leaf)
        tol = 1e-15 if dtype == "float64" else 1e-6
        torch.testing.assert_close(problem.grad(w), expected, rtol=tol, atol=tol)
