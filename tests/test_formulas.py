"""core.explain.formulas: the closed forms the page quotes, checked against torch.optim."""

import math

import pytest
import torch

from core.explain.formulas import half_life_steps, popular_sgd_update, pytorch_sgd_update, shrink_factor
from core.problem import make_problem


def test_shrink_factor_is_one_minus_lr_wd():
    assert shrink_factor(0.1, 1.0) == pytest.approx(0.9, rel=1e-15)
    assert shrink_factor(0.1, 0.0) == 1.0


def test_shrink_factor_is_what_torch_sgd_does_to_w_under_pure_decay():
    """With zero gradient, one torch.optim.SGD step multiplies W by 1 - lr*wd."""
    w = make_problem().w0.clone().requires_grad_(True)
    w0 = w.detach().clone()
    w.grad = torch.zeros_like(w)
    torch.optim.SGD([w], lr=0.1, weight_decay=0.3).step()
    torch.testing.assert_close(w.detach(), shrink_factor(0.1, 0.3) * w0, rtol=1e-15, atol=0)


def test_half_life_for_lr_0_1_and_wd_1():
    """Factor 0.9 per step halves W after ln(1/2)/ln(0.9) ≈ 6.579 steps."""
    assert half_life_steps(0.1, 1.0) == pytest.approx(math.log(0.5) / math.log(0.9), rel=1e-15)
    assert half_life_steps(0.1, 1.0) == pytest.approx(6.579, abs=1e-3)


def test_half_life_means_factor_to_that_power_is_one_half():
    h = half_life_steps(0.01, 0.5)
    assert shrink_factor(0.01, 0.5) ** h == pytest.approx(0.5, rel=1e-12)


@pytest.mark.parametrize(("lr", "wd"), [(0.1, 0.0), (1.0, 1.0), (1.0, 10.0), (0.1, -1.0)],
                         ids=["factor-1", "factor-0", "factor-negative", "factor-above-1"])
def test_half_life_is_none_when_w_never_halves_by_shrinking(lr, wd):
    assert half_life_steps(lr, wd) is None


@pytest.mark.parametrize("wd", [0.0, 1.0, 0.3])
def test_pytorch_sgd_update_is_torch_sgds_step(wd):
    """The formula the page calls PyTorch's is torch.optim.SGD on the seed, to rounding."""
    problem = make_problem()
    w = problem.w0.clone().requires_grad_(True)
    w.grad = problem.grad(problem.w0)
    torch.optim.SGD([w], lr=0.1, weight_decay=wd).step()
    expected = pytorch_sgd_update(problem.w0, problem.grad(problem.w0), 0.1, wd)
    torch.testing.assert_close(w.detach(), expected, rtol=0, atol=1e-15)


def test_popular_sgd_update_is_not_torchs_and_differs_by_one_minus_lr_wd_w():
    """The often-quoted w - lr*dw - wd*w over-decays by (1 - lr) * wd * w relative to torch."""
    problem = make_problem()
    w, dw, lr, wd = problem.w0, problem.grad(problem.w0), 0.1, 1.0
    torch_w = w.clone().requires_grad_(True)
    torch_w.grad = dw.clone()
    torch.optim.SGD([torch_w], lr=lr, weight_decay=wd).step()
    popular = popular_sgd_update(w, dw, lr, wd)
    assert not torch.allclose(popular, torch_w.detach())
    torch.testing.assert_close(torch_w.detach() - popular, (1 - lr) * wd * w, rtol=1e-12, atol=1e-15)
