"""Every formula the theory page fills in is checked here against torch: a wrong claim fails."""

from __future__ import annotations

import pytest
import torch

from core.explain import formulas
from core.explain.theory import (
    adaptive_rescaling,
    l2_in_loss_vs_weight_decay,
    l2_penalty,
    normalization_scale_invariance,
)
from core.problem import make_problem


@pytest.mark.parametrize("wd", [0.0, 0.5, 3.0])
def test_l2_penalty_gradient_is_wd_times_w(wd):
    p = l2_penalty(wd, (2, 3))
    assert p.grad_cell == pytest.approx(p.wd_times_w_cell, rel=1e-15, abs=0)
    w0 = make_problem().w0
    assert p.penalty == pytest.approx(wd / 2 * float((w0**2).sum()), rel=1e-15)


@pytest.mark.parametrize("options", [{}, {"momentum": 0.9}, {"momentum": 0.9, "nesterov": True}])
def test_for_sgd_the_penalty_equals_torchs_weight_decay(options):
    c = l2_in_loss_vs_weight_decay("sgd", 0.1, 0.7, steps=10, **options)
    assert c.max_abs_diff <= 1e-14


def test_for_adam_weight_decay_is_the_same_l2_penalty():
    assert l2_in_loss_vs_weight_decay("adam", 0.01, 0.7, steps=10).max_abs_diff <= 1e-14


def test_adam_rescales_its_decay_while_adamw_decays_by_lr_wd_w():
    a = adaptive_rescaling(0.01, 0.5, (0, 0))
    assert a.adamw_decay_part == pytest.approx(-a.lr_wd_w, rel=1e-9)
    assert abs(a.adam_decay_part) < 1e-3 * a.lr_wd_w  # a gradient >> wd*w: the L2 term all but vanishes
    pure = adaptive_rescaling(0.01, 0.5, (0, 0), pure_decay=True)
    assert pure.adam_decay_part == pytest.approx(-0.01, rel=1e-6)  # every weight moves by about lr
    assert pure.adamw_decay_part == pytest.approx(-pure.lr_wd_w, rel=1e-9)


def test_the_often_quoted_formula_is_not_torchs_sgd():
    problem = make_problem()
    w = problem.w0.clone().requires_grad_(True)
    opt = torch.optim.SGD([w], lr=0.1, weight_decay=0.5)
    problem.loss(w).backward()
    opt.step()
    g = problem.grad(problem.w0)
    torch.testing.assert_close(w.detach(), formulas.pytorch_sgd_update(problem.w0, g, 0.1, 0.5), rtol=1e-15, atol=0)
    gap = formulas.pytorch_sgd_update(problem.w0, g, 0.1, 0.5) - formulas.popular_sgd_update(problem.w0, g, 0.1, 0.5)
    torch.testing.assert_close(gap, (1 - 0.1) * 0.5 * problem.w0)


@pytest.mark.parametrize("alpha", [0.1, 0.5, 2.0])
def test_a_weight_before_batchnorm_is_scale_invariant(alpha):
    s = normalization_scale_invariance(alpha)
    assert s.output_max_abs_diff < 1e-9
    assert s.grad_norm_ratio == pytest.approx(1 / alpha, rel=1e-9)
    assert s.scaled_weight_norm == pytest.approx(alpha * s.weight_norm)
