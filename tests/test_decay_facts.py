"""What decay alone does under each optimizer: the factor, half-life and sentence are the
selected optimizer's own, checked against torch.optim with a zero loss gradient."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from core import optim
from core.explain.decay_facts import UPDATE_FORMULAS, decay_facts


def _pure_decay_steps(key: str, lr: float, wd: float, steps: int, options=None) -> list[torch.Tensor]:
    w = torch.tensor([[1.5, -0.25], [0.75, 2.0]], dtype=torch.float64, requires_grad=True)
    opt = optim.get(key).make_torch([w], lr=lr, weight_decay=wd, options=options)
    out = [w.detach().clone()]
    for _ in range(steps):
        w.grad = torch.zeros_like(w)
        opt.step()
        out.append(w.detach().clone())
    return out


def test_every_optimizer_has_its_own_formula():
    assert set(UPDATE_FORMULAS) == set(optim.OPTIMIZERS)
    assert len(set(UPDATE_FORMULAS.values())) == len(UPDATE_FORMULAS)


@pytest.mark.parametrize("key", ["adam", "rmsprop", "adagrad"])
def test_l2_style_adaptive_rules_have_no_factor_and_say_so(key):
    """The defect: Adam selected still showed 'PyTorch SGD' and 'shrink factor -1.515'."""
    facts = decay_facts(key, 0.1, 25.15)
    assert facts.factor is None and facts.half_life is None
    assert "no shrink factor" in facts.sentence and "SGD" not in facts.formula
    ws = _pure_decay_steps(key, 0.1, 25.15, 3)
    ratios = ws[2] / ws[1]
    assert not torch.allclose(ratios, ratios.flatten()[0].expand_as(ratios))  # no common factor exists


def test_sgd_with_momentum_has_no_single_factor():
    facts = decay_facts("sgd", 0.1, 1.0, {"momentum": 0.9})
    assert facts.factor is None and "momentum" in facts.sentence
    ws = _pure_decay_steps("sgd", 0.1, 1.0, 3, {"momentum": 0.9})
    assert not torch.allclose(ws[2] / ws[1], ws[1] / ws[0])


@settings(max_examples=40, deadline=None)
@given(key=st.sampled_from(["sgd", "adamw"]), lr=st.floats(0.001, 1.0), wd=st.floats(0.0, 10.0))
def test_sgd_and_adamw_factor_and_half_life_match_torch(key, lr, wd):
    facts = decay_facts(key, lr, wd)
    ws = _pure_decay_steps(key, lr, wd, 2)
    torch.testing.assert_close(ws[1], facts.factor * ws[0], rtol=1e-12, atol=1e-15)  # near lr·wd = 1: rounding
    f = facts.factor
    if facts.half_life is not None:
        assert abs(f) ** facts.half_life == pytest.approx(0.5, rel=1e-9)
        assert "halves every" in facts.sentence
    if f < 0:
        assert "flips sign" in facts.sentence
    if f < -1:
        assert "grows" in facts.sentence and "diverge" in facts.sentence
    if 0 < f < 1:
        assert "shrinks" in facts.sentence
    assert "−1.5" not in facts.sentence.split("=")[0]  # the factor is never the sentence's bare subject


def test_a_negative_factor_is_explained_not_printed_bare():
    facts = decay_facts("sgd", 0.1, 25.15)  # 1 - 2.515 = -1.515: the example
    assert facts.factor == pytest.approx(-1.515)
    assert facts.half_life is None and "never halves" in facts.sentence
    assert "flips sign and grows" in facts.sentence


def test_oscillating_but_decaying_factor_has_a_half_life_of_the_magnitude():
    facts = decay_facts("adamw", 0.5, 3.0)  # factor -0.5
    assert facts.half_life == pytest.approx(1.0)
    ws = _pure_decay_steps("adamw", 0.5, 3.0, 1)
    assert math.isclose(float(ws[1].abs().max() / ws[0].abs().max()), 0.5)
