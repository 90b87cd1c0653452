"""core/frontier/timescale.py: the AdamW timescale, the calculator, the recipes and the live check
against torch.optim (Wang & Aitchison, "How to set AdamW's weight decay as you scale model and
dataset size", 2024)."""

import math

import numpy as np
import pytest
import torch

from core import numbers
from core.frontier import timescale as ts
from core.problem import SEED, seed_arrays


def test_tau_iter_is_one_over_lr_times_wd():
    assert ts.tau_iter(1e-3, 0.1) == pytest.approx(1e4, rel=1e-15)
    assert ts.tau_iter(0.1, 1e-4, momentum=0.9) == pytest.approx(1e4, rel=1e-12)  # 1e5 steps / 10


def test_tau_epoch_converts_steps_with_batch_over_dataset():
    assert ts.tau_epoch(1e4, 100, 1e6) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "tau_epochs,dataset,batch,lr", [(1.0, 1e6, 256, 1e-3), (0.3, 5e4, 128, 0.1), (7, 1e12, 4e6, 3e-4)]
)
def test_wd_for_inverts_the_timescale(tau_epochs, dataset, batch, lr):
    wd = ts.wd_for(tau_epochs, dataset, batch, lr)
    assert ts.tau_epoch(ts.tau_iter(lr, wd), batch, dataset) == pytest.approx(tau_epochs, rel=1e-12)
    # the paper's scaling: at a fixed tau_epoch, ten times the data needs a tenth of the decay
    assert ts.wd_for(tau_epochs, 10 * dataset, batch, lr) == pytest.approx(wd / 10, rel=1e-12)


@pytest.mark.parametrize("bad", [0, -1.0, math.nan, math.inf, "1"])
def test_bad_inputs_get_a_message(bad):
    with pytest.raises(ValueError, match="positive finite"):
        ts.wd_for(bad, 1e6, 256, 1e-3)
    with pytest.raises(ValueError, match="positive finite"):
        ts.tau_iter(1e-3, bad)


def test_recipes_state_their_source_and_timescale():
    names = {r.name for r in ts.RECIPES}
    assert {"GPT-3 175B", "LLaMA 7B", "nanoGPT (GPT-2 124M)"} <= names
    for r in ts.RECIPES:
        assert r.source and any(str(y) in r.source for y in range(2012, 2027))
        assert r.tau_iter == pytest.approx((1 - r.momentum) / (r.lr * r.wd))
        assert r.tau_epoch == pytest.approx(r.tau_iter * r.batch_size / r.dataset_size)
    adamw = [r for r in ts.RECIPES if r.optimizer == "AdamW"]
    assert adamw and all(r.wd == 0.1 and r.momentum == 0 for r in adamw)
    sgd_wds = {r.wd for r in ts.RECIPES if r.optimizer == "SGD"}
    assert sgd_wds == {1e-4, 5e-4}
    resnet = next(r for r in ts.RECIPES if r.name == "ResNet on ImageNet")
    assert resnet.tau_iter == pytest.approx(1e4) and resnet.tau_epoch == pytest.approx(2.0, rel=1e-3)


@pytest.mark.parametrize("lr,wd,steps", [(1e-3, 0.1, 1000), (0.01, 1.0, 500), (0.05, 2.0, 300)])
def test_torch_adamw_decay_alone_is_the_product_form(lr, wd, steps):
    check = ts.pure_decay_check(lr, wd, steps)
    assert check.measured[0] == 1.0 and len(check.measured) == steps + 1
    assert check.max_product_error < 1e-12
    # the exp form reads high (exp(-x) >= 1 - x), by no more than the stated bound, at every step
    gaps = 1.0 - check.measured / check.exponential
    bounds = np.array([ts.exp_gap_bound(lr, wd, int(t)) for t in check.steps])
    assert np.all(gaps >= -1e-12) and np.all(gaps <= bounds + 1e-12)
    assert check.max_exp_gap > 0  # the bound is not vacuous: a real gap exists


def test_exp_gap_bound_is_tight_enough_to_say_something():
    x = 1e-3 * 0.1
    assert ts.exp_gap_bound(1e-3, 0.1, int(1 / x)) == pytest.approx(x / 2, rel=1e-3)


def test_check_matches_one_e_fold_at_tau():
    check = ts.pure_decay_check(0.01, 1.0, 100)  # tau = 100 steps
    assert check.measured[100] == pytest.approx(math.exp(-1), rel=ts.exp_gap_bound(0.01, 1.0, 100) * 1.01)


def test_check_refuses_bad_sizes():
    with pytest.raises(ValueError, match="steps"):
        ts.pure_decay_check(steps=ts.MAX_CHECK_STEPS + 1)
    with pytest.raises(ValueError, match="below 1"):
        ts.pure_decay_check(lr=1.0, wd=1.0)


def test_sgd_momentum_multiplies_the_shrink_by_one_over_one_minus_beta():
    """torch.optim.SGD with L2 and momentum, decay alone: the per-step ratio settles on the
    recursion's root, which is 1 - lr*wd/(1-beta) to a relative lr*wd/(1-beta)^2."""
    lr, wd, beta = 0.1, 5e-4, 0.9
    w = torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr, momentum=beta, weight_decay=wd)
    w.grad = torch.zeros_like(w)
    norms = []
    for _ in range(400):
        opt.step()
        norms.append(float(torch.linalg.vector_norm(w.detach())))
    ratio = norms[-1] / norms[-2]
    root = ts.sgd_decay_root(lr, wd, beta)
    assert ratio == pytest.approx(root, abs=1e-12)
    assert 1 - root == pytest.approx(ts.steady_shrink(lr, wd, beta), rel=2 * lr * wd / (1 - beta) ** 2)
    assert 1 - root != pytest.approx(lr * wd, rel=0.5)  # not the momentum-free lr*wd


def test_timescale_sentence_says_the_computed_numbers():
    text = ts.timescale_sentence(1e-3, 0.1, 100, 1e6)
    assert text == ("At lr = 0.001 and wd = 0.1 the weights forget with a timescale of "
                    "10000 steps = 1 epochs (batch 100 of 1,000,000).")
    with_momentum = ts.timescale_sentence(0.1, 1e-4, 256, 1_281_167, momentum=0.9)
    assert "multiplies the shrink by 10" in with_momentum
    assert f"{numbers.fmt(1e4)} steps = {numbers.fmt(1e4 * 256 / 1_281_167)} epochs" in with_momentum


def test_calculator_sentence_halves_wd_for_twice_the_data():
    text = ts.calculator_sentence(1.0, 1e6, 256, 1e-3)
    assert "set wd = 0.256;" in text and "needs wd = 0.128." in text


def test_check_sentence_from_the_run():
    check = ts.pure_decay_check(1e-3, 0.1, 1000)
    text = ts.check_sentence(check)
    assert text.startswith("After 1,000 steps of decay alone torch's AdamW kept 0.90483")
    assert f"tau = {numbers.fmt(1e4)} steps" in text
    assert f"bound allows {numbers.fmt(ts.exp_gap_bound(1e-3, 0.1, 1000))}" in text


@pytest.mark.parametrize("lr,wd,steps", [(1e-3, 0.1, 2000), (0.1, 1.0, 500), (1e-5, 1e-4, 300), (0.03, 0.3, 1000)])
def test_the_fused_kernel_decays_bit_for_bit_like_the_default_loop(lr, wd, steps):
    """The check runs torch's fused AdamW (twice as fast a step); its W_t are the default loop's exactly,
    and so is the ratio the page draws, against the norms read back one step at a time as before."""
    fused, loop = ts.decay_alone(lr, wd, steps, fused=True), ts.decay_alone(lr, wd, steps, fused=False)
    assert np.array_equal(fused, loop)
    w = torch.tensor(seed_arrays(SEED)[1], dtype=torch.float64, requires_grad=True)
    opt, norm0 = torch.optim.AdamW([w], lr=lr, weight_decay=wd), float(torch.linalg.vector_norm(w.detach()))
    w.grad = torch.zeros_like(w)
    stepwise = [1.0]
    for _ in range(steps):
        opt.step()
        stepwise.append(float(torch.linalg.vector_norm(w.detach())) / norm0)
    np.testing.assert_allclose(ts.pure_decay_check(lr, wd, steps).measured, stepwise, rtol=1e-15, atol=0)
